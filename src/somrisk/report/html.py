"""The investment committee's report: one self-contained HTML file, in Danish or English.

Everything is inline (CSS, charts as SVG); the page loads nothing from anywhere and prints on A4.
Every number shown was computed by the library; this module only arranges and formats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

from somrisk.distributions import as_distribution
from somrisk.report import charts
from somrisk.report.i18n import Words, describe
from somrisk.report.scenario_section import scenario_section

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.engine import Simulation
    from somrisk.sensitivity import SobolResult, Tornado

__all__ = ["ReportData", "render_html"]

#: The order of the assumption groups in the report, as SØM lists them.
ASSUMPTION_ORDER = ("costs", "effect", "persistence", "consequences", "prices", "participants", "economy")
_GROUP_NAMES = {
    "da": {
        "costs": "Omkostninger",
        "effect": "Effekt",
        "persistence": "Varighed",
        "consequences": "Økonomiske konsekvenser",
        "prices": "Priser",
        "participants": "Deltagere",
        "economy": "Økonomi",
    },
    "en": {
        "costs": "Costs",
        "effect": "Effect",
        "persistence": "Persistence",
        "consequences": "Budget consequences",
        "prices": "Prices",
        "participants": "Participants",
        "economy": "Economy",
    },
}

CSS = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 2em auto; max-width: 60em;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.6em;
     border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
th { text-align: left; background: #f3f3f3; } td.n, th.n { text-align: right; } td.n { white-space: nowrap; }
td { overflow-wrap: break-word; }
table.wide { font-size: 0.72em; } table.wide td, table.wide th { padding: 0.15em 0.35em; }
table.register td:first-child { overflow-wrap: anywhere; min-width: 12em; }
tr.sum td { font-weight: bold; } tr.head td { background: #fafafa; font-style: italic; }
figure { margin: 0.8em 0; } figure svg { max-width: 100%; height: auto; }
p.lead { font-size: 1.05em; } .muted { color: #666; font-size: 0.85em; }
section { page-break-inside: avoid; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
"""


@dataclass(frozen=True, eq=False)
class ReportData:
    """What the report shows: a run, its summary and the sensitivity analyses of the same case (None
    where the case has no uncertain input)."""

    simulation: Simulation
    summary: xr.Dataset
    tornado: Tornado | None
    sobol: SobolResult | None
    scenarios: Any = None  # the case and its [[scenarios]] compared (somrisk.compare), or None


def render_html(data: ReportData, lang: str = "da") -> str:
    """The report as one HTML document."""
    case = data.simulation.case
    words = Words(lang, case.info.currency)
    sections = [
        _case_section(data, words),
        _key_figures(data, words),
        _warnings(data, words),
        _som_figures(data, words),
        _figure_section(words["cumulative"], charts.fan_chart(data.summary, words), "cumulative"),
        _figure_section(words["npv_distribution"], _npv_figure(data, words), "npv-distribution"),
        _figure_section(
            f"{words['payback']}: {words['payback_curve'].lower()}",
            charts.payback_curve(data.summary, words),
            "payback",
        ),
        _sensitivity(data, words),
        scenario_section(data.scenarios, words),
        _by_year(data, words),
        _assumptions(data, words),
        _provenance(data, words),
    ]
    title = f"{words['title']}: {case.name}"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _table(
    header: list[str], rows: list[tuple[str, list[str]]], numeric: set[int] | None = None, css: str = ""
) -> str:
    """An HTML table; `rows` are (css class, cells); the columns in `numeric` (default: all but the
    first) are right-aligned."""
    numeric = set(range(1, len(header))) if numeric is None else numeric
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(header)
    )
    body = []
    for row_css, cells in rows:
        tds = "".join(
            f'<td class="n">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(cells)
        )
        body.append(f'<tr class="{row_css}">{tds}</tr>' if row_css else f"<tr>{tds}</tr>")
    table_class = f' class="{css}"' if css else ""
    return f"<table{table_class}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_section(title: str, fig, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2><figure>{charts.svg(fig)}</figure></section>'


def _case_section(data: ReportData, words: Words) -> str:
    case = data.simulation.case
    info = case.info
    cohorts = case.participants.intake_years
    rows = [
        (words["description"], info.description or "-"),
        (words["measure"], case.effect.measure or "-"),
        (
            words["participants"],
            f"{words.number(_participants(data))} ({case.years[cohorts[0]]}-{case.years[cohorts[1]]})",
        ),
        (words["horizon"], f"{info.horizon} {words['years']} ({case.years[0]}-{case.years[-1]})"),
        (words["price_level"], str(info.price_level)),
        (words["discount_rate"], words.percent(data.simulation.attrs["discount_rate"], 1)),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<section id="case"><h2>{escape(words["case"])}</h2><table>{cells}</table></section>'


def _participants(data: ReportData) -> float:
    """Participants in the deterministic run (every cohort at its base value)."""
    return data.simulation.deterministic.participants


def _key_figures(data: ReportData, words: Words) -> str:
    s = data.summary
    rows = []
    for actor in s.actor.values:
        row = s.sel(actor=actor)
        q = row.npv_quantile
        rows.append(
            (
                "sum" if actor == "total" else "",
                [
                    words.actor(str(actor)),
                    words.money(float(row.npv_deterministic)),
                    words.money(float(q.sel(quantile=0.5))),
                    words.money(float(q.sel(quantile=0.05))),
                    words.money(float(q.sel(quantile=0.95))),
                    words.percent(float(row.npv_prob_positive)),
                ],
            )
        )
    table = _table(
        [
            words["actor"],
            words["deterministic"],
            words["median"],
            words["p05"],
            words["p95"],
            words["prob_positive"],
        ],
        rows,
    )
    horizon = len(s.year)
    sentences = [
        words.prob_positive_sentence(str(a), float(s.npv_prob_positive.sel(actor=a)), horizon)
        for a in s.actor.values
    ]
    median = int(s.payback_median_year)
    sentences.append(
        words.payback_sentence(
            float(s.payback_prob_within_horizon), int(s.year.values[-1]), median if median >= 0 else None
        )
    )
    text = f'<p class="muted">{escape(words["interval"])}</p>' + "".join(
        f'<p class="lead">{escape(x)}</p>' for x in sentences
    )
    return f'<section id="key-figures"><h2>{escape(words["key_figures"])}</h2>{table}{text}</section>'


def _som_figures(data: ReportData, words: Words) -> str:
    """SØM's own figures: the undiscounted net result over the horizon, both figures per
    participant, and the benefit-cost ratio; deterministic (SØM), median and the 90 % interval."""
    s = data.summary
    years = len(s.year)
    total = s.sel(actor="total")
    per = s.sel(per_participant="npv"), s.sel(per_participant="net_total")

    def money_row(label: str, prefix: str, stats: Any) -> tuple[str, list[str]]:
        q = stats[f"{prefix}_quantile"]
        cells = [
            float(stats[f"{prefix}_deterministic"]),
            float(q.sel(quantile=0.5)),
            float(q.sel(quantile=0.05)),
            float(q.sel(quantile=0.95)),
        ]
        return "", [label, *(words.money(x) for x in cells)]

    ratio = [float(s.benefit_cost_ratio_deterministic), float(s.benefit_cost_ratio_mean)]
    rows = [
        money_row(words["net_total"].format(years), "net_total", total),
        money_row(words["npv_per_participant"], "per_participant", per[0]),
        money_row(words["net_total_per_participant"].format(years), "per_participant", per[1]),
        (
            "",
            [
                f"{words['benefit_cost']} ({words['mean'].lower()} {words.number(ratio[1], 2)})",
                words.number(ratio[0], 2),
                "",
                "",
                "",
            ],
        ),
    ]
    table = _table(
        [words["figure"], words["deterministic"], words["median"], words["p05"], words["p95"]], rows
    )
    note = f'<p class="muted">{escape(words["som_note"])}</p>'
    return f'<section id="som-figures"><h2>{escape(words["som_figures"])}</h2>{table}{note}</section>'


def _warnings(data: ReportData, words: Words) -> str:
    """model.md's warnings of the case, in the report's language; nothing where there are none."""
    from somrisk.case.model_warnings import model_warnings

    found = model_warnings(data.simulation.case)
    if not found:
        return ""
    items = "".join(f"<li>{escape(_sentence(w.text(words.lang)))}</li>" for w in found)
    return f'<section id="warnings"><h2>{escape(words["warnings"])}</h2><ul>{items}</ul></section>'


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _npv_figure(data: ReportData, words: Words):
    sim = data.simulation
    npv = {actor: sim.npv[a] for a, actor in enumerate(sim.case.actors)} | {"total": sim.npv_total}
    deterministic = {actor: float(v) for actor, v in zip(sim.case.actors, sim.deterministic.npv, strict=True)}
    deterministic["total"] = sim.deterministic.npv_total
    return charts.npv_distribution(npv, deterministic, words)


def _sensitivity(data: ReportData, words: Words) -> str:
    title = f'<section id="sensitivity"><h2>{escape(words["sensitivity"])}</h2>'
    if data.tornado is None or data.sobol is None:
        return f"{title}<p>{escape(words['no_uncertainty'])}</p></section>"
    tornado = charts.tornado_figure(data.tornado, data.simulation.case.info.currency, words.lang)
    labels = [_group_label(name, data, words) for name in data.sobol.names]
    sobol = charts.sobol_figure(data.sobol, words, labels)
    merged = "".join(
        f'<p class="muted">{escape(words["merged"].format(_group_label(m, data, words)))}</p>'
        for m in data.sobol.merged
    )
    return (
        f"{title}<h3>{escape(words['tornado'])}</h3><figure>{charts.svg(tornado)}</figure>"
        f"<h3>{escape(words['sobol'])}</h3><figure>{charts.svg(sobol)}</figure>{merged}</section>"
    )


def _group_label(name: str, data: ReportData, words: Words) -> str:
    """A group's name for readers: SØM's group names in the report's language, a declared group's
    label, parts of a merged group joined with +."""
    labels = {group.name: group.label or group.name for group in data.simulation.case.groups}
    names = _GROUP_NAMES[words.lang] | labels
    return " + ".join(names.get(part, part) for part in name.split(" + "))


#: Years per table of the year-by-year figures, so that a table fits an A4 page.
YEARS_PER_TABLE = 7


def _by_year(data: ReportData, words: Words) -> str:
    sim = data.simulation
    case, det = sim.case, sim.deterministic
    categories = list(dict.fromkeys(c.category for c in case.consequences))
    rows: list[tuple[str, list[str]]] = []
    for a, actor in enumerate(case.actors):
        rows.append(("head", [words.actor(actor)] + [""] * len(case.years)))
        rows.append(("", [words["costs"]] + [words.number(-x) for x in det.costs[:, a]]))
        for category in categories:
            members = [c for c, item in enumerate(case.consequences) if item.category == category]
            gains = det.gains[:, a, members].sum(axis=1)
            if not gains.any():  # an area that does not touch this actor's budget
                continue
            label = f"{words['consequences']}: {words.category(category)}"
            rows.append(("", [label] + [words.number(x) for x in gains]))
        rows.append(("sum", [words["net"]] + [words.number(x) for x in det.net[:, a]]))
    total = [words.number(x) for x in det.net.sum(axis=1)]
    rows.append(("sum", [f"{words['net']}, {words.actor('total')}", *total]))
    rows.append(("sum", [words["cumulative"]] + [words.number(x) for x in det.cumulative]))
    tables = []
    for start in range(0, len(case.years), YEARS_PER_TABLE):
        columns = slice(1 + start, 1 + start + YEARS_PER_TABLE)
        header = [words["year"], *map(str, case.years[columns.start - 1 : columns.stop - 1])]
        tables.append(_table(header, [(css, [cells[0], *cells[columns]]) for css, cells in rows], css="wide"))
    return f'<section id="by-year"><h2>{escape(words["by_year"])}</h2>{"".join(tables)}</section>'


def _assumptions(data: ReportData, words: Words) -> str:
    space = data.simulation.model.space
    parts = []
    for group in ASSUMPTION_ORDER:  # each input under its default group, as SØM lists them
        specs = [
            (spec, base)
            for spec, base in zip(space.inputs, space.base_values, strict=True)
            if spec.group == group
        ]
        if not specs:
            continue
        rows = []
        for spec, base in specs:
            dist = as_distribution(spec.value)
            if dist.is_uncertain:
                low, high = dist.scipy().ppf([0.1, 0.9])
                span = f"{_short(low, words)} – {_short(high, words)}"
            else:
                span = "-"
            rows.append(
                (
                    "",
                    [
                        spec.path,
                        _in_words(dist, words),
                        _short(base, words),
                        span,
                        getattr(dist, "source", None) or "",
                    ],
                )
            )
        name = _GROUP_NAMES[words.lang].get(group, group)
        parts.append(
            f"<h3>{escape(name)}</h3>"
            + _table(
                [words["input"], words["distribution"], words["base"], words["range"], words["source"]],
                rows,
                numeric={2, 3},
            )
        )
    return f'<section id="assumptions"><h2>{escape(words["assumptions"])}</h2>{"".join(parts)}</section>'


def _short(x: float, words: Words) -> str:
    return words.number(x) if abs(x) >= 1000 else words.decimal(x)


def _in_words(dist, words: Words) -> str:
    if not dist.is_uncertain:
        return describe("fixed", {"value": dist.mean}, words)
    frozen = dist.scipy()
    params = {"mean": dist.mean, "sd": float(frozen.std()), "median": float(frozen.ppf(0.5))}
    for key in ("min", "mode", "max"):
        value = getattr(dist, key, None)
        if isinstance(value, int | float):
            params[key] = float(value)
    values = getattr(dist, "values", None)
    if values is not None:
        params["count"] = float(len(values))
    try:
        return describe(dist.dist, params, words)
    except KeyError:  # a family described by its own parameters (truncnormal: the parent's, bounds)
        return dist.describe()


def _provenance(data: ReportData, words: Words) -> str:
    attrs = data.simulation.attrs
    rows = [
        (words["version"], attrs["somrisk_version"]),
        (words["case_hash"], attrs["case_sha256"]),
        (words["seed"], str(attrs["seed"])),
        (words["sampler"], attrs["sampler"]),
        (words["draws"], words.number(attrs["draws"])),
        (words["date"], attrs.get("created_at", date.today().isoformat())),
        *([(words["overrides"], attrs["overrides"])] if attrs.get("overrides") else []),
        *([(words["draws_auto"], attrs["draws_auto_reason"])] if attrs.get("draws_auto_reason") else []),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f'<section id="provenance"><h2>{escape(words["provenance"])}</h2><table>{cells}</table></section>'
