"""The investment committee's report: one self-contained HTML file, in Danish or English.

Everything is inline (CSS, charts as SVG); the page loads nothing from anywhere and prints on A4.
Every number shown was computed by the library; this module only arranges and formats them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk.distributions import as_distribution
from somrisk.labels import GROUP_NAMES, InputLabels, labels, source_text
from somrisk.report import charts
from somrisk.report.distribution_words import in_words as _in_words
from somrisk.report.draws_auto_words import draws_auto_text
from somrisk.report.first_page import case_file_name, sampled, summary_page
from somrisk.report.i18n import Words, escape
from somrisk.report.price_levels import price_level_note
from somrisk.report.scenario_section import scenario_section
from somrisk.summary import idle_actors

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.engine import Simulation
    from somrisk.sensitivity import SobolResult, Tornado

__all__ = ["ReportData", "render_html"]

#: The order of the assumption groups in the report, as SØM lists them.
ASSUMPTION_ORDER = ("costs", "effect", "persistence", "consequences", "prices", "participants", "economy")

CSS = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 2em auto; max-width: 60em;
       color: #222; line-height: 1.35; }
h1 { font-size: 1.5em; margin: 0 0 0.2em; } h2 { font-size: 1.2em; margin: 1.2em 0 0.4em;
     border-bottom: 1px solid #ccc; } h3 { font-size: 1em; margin: 0.9em 0 0.3em; }
h1, h2, h3, .with-next { break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; margin: 0.4em 0; font-size: 0.85em; }
th, td { padding: 0.15em 0.5em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
th { text-align: left; background: #f3f3f3; } td.n, th.n { text-align: right; } td.n { white-space: nowrap; }
td { overflow-wrap: break-word; } tr { break-inside: avoid; page-break-inside: avoid; }
table.wide { font-size: 0.72em; } table.wide td, table.wide th { padding: 0.15em 0.35em; }
table.wide, table.facts, figure, .keep { break-inside: avoid; page-break-inside: avoid; }
table.register { width: 100%; table-layout: fixed; }
table.register th:nth-child(1) { width: 28%; } table.register th:nth-child(2) { width: 22%; }
table.register th:nth-child(3) { width: 10%; } table.register th:nth-child(4) { width: 16%; }
code.id { font-size: 0.8em; color: #666; overflow-wrap: break-word; }
tr.sum td { font-weight: bold; } tr.head td { background: #fafafa; font-style: italic; }
figure { margin: 0.6em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #333; margin-top: 0.2em; }
p.facts { color: #444; margin: 0 0 0.6em; } #case th, table.facts th { white-space: nowrap; }
ul.verdict { padding-left: 1.2em; margin: 0.3em 0; } ul.verdict li { margin: 0.15em 0; }
#summary p, #summary li { margin: 0.25em 0; }
#summary .warnings { border-left: 3px solid #E69F00; padding: 0.1em 0.8em; background: #fff8ec; }
#summary .warnings ul { margin: 0.2em 0; padding-left: 1.2em; font-size: 0.85em; }
.muted { color: #666; font-size: 0.8em; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  #summary { break-after: page; page-break-after: always; }
  #summary table { font-size: 0.82em; }
  .chart { break-before: auto; }
}
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

    @cached_property
    def idle_actors(self) -> frozenset[str]:
        """The actors without payments (:func:`somrisk.summary.idle_actors`), found once."""
        return idle_actors(self.simulation)


def render_html(data: ReportData, lang: str = "da") -> str:
    """The report as one HTML document: page 1 answers the committee, then the case, the charts
    (each with one sentence on how to read it), the year table, the assumptions and provenance."""
    case = data.simulation.case
    words = Words(lang, case.info.currency)
    names = labels(case, lang)
    title = f"{words['title']}: {case.name}"
    sections = [
        summary_page(data, words, title, _table),
        _case_section(data, words),
        _cumulative(data, words),
        _payback(data, words),
        _npv_section(data, words),
        _sensitivity(data, words, names),
        scenario_section(data.scenarios, words),
        _by_year(data, words),
        _assumptions(data, words, names),
        _provenance(data, words),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
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


def _figure(anchor: str, title: str, fig, caption: str, level: str = "h2") -> str:
    """A chart with its heading and one sentence under it, kept on one page."""
    return (
        f'<section id="{anchor}" class="keep chart"><{level}>{escape(title)}</{level}>'
        f"<figure>{charts.svg(fig)}<figcaption>{escape(Words.sentence(caption))}</figcaption></figure></section>"
    )


def _case_section(data: ReportData, words: Words) -> str:
    case = data.simulation.case
    info = case.info
    cohorts = case.participants.intake_years
    rows = [
        (words["description"], info.description or "-"),
        (words["measure"], case.effect.measure or "-"),
        (
            words["participants"],
            f"{words.number(_participants(data))} "
            f"({words.span(case.years[cohorts[0]], case.years[cohorts[1]])})",
        ),
        (words["horizon"], f"{words.years(info.horizon)} ({words.span(case.years[0], case.years[-1])})"),
        (words["price_level"], str(info.price_level) + (words["converted"] if _converts(case) else "")),
        (words["discount_rate"], words.percent(data.simulation.attrs["discount_rate"], 1)),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<section id="case" class="keep"><h2>{escape(words["case"])}</h2><table>{cells}</table></section>'


def _converts(case) -> bool:
    """Whether an item of the case has amounts or prices of another price year than the case's."""
    items = (*case.costs, *case.comparison_costs, *case.consequences)
    return any(getattr(x, "price_year", None) not in (None, case.info.price_level) for x in items)


def _participants(data: ReportData) -> float:
    """Participants in the deterministic run (every cohort at its base value)."""
    return data.simulation.deterministic.participants


def _cumulative(data: ReportData, words: Words) -> str:
    s = data.summary
    years = s.year.values
    median = s.cumulative_quantile.sel(quantile=0.5).values
    last = int(years[-1])
    crossed = np.flatnonzero(median > 0)
    cross = words["cross_year"].format(year=int(years[crossed[0]])) if crossed.size else None
    caption = words["caption_cumulative"].format(
        cross=cross or words["cross_none"].format(last=last),
        last=last,
        low=words.money(float(s.cumulative_quantile.sel(quantile=0.05)[-1])),
        high=words.money(float(s.cumulative_quantile.sel(quantile=0.95)[-1])),
    )
    return _figure("cumulative", words["cumulative"], charts.fan_chart(s, words), caption)


def _npv_section(data: ReportData, words: Words) -> str:
    sim = data.simulation
    npv = {actor: sim.npv[a] for a, actor in enumerate(sim.case.actors)} | {"total": sim.npv_total}
    deterministic = {actor: float(v) for actor, v in zip(sim.case.actors, sim.deterministic.npv, strict=True)}
    deterministic["total"] = sim.deterministic.npv_total
    p = float(data.summary.npv_prob_positive.sel(actor="total"))
    caption = words["caption_npv"].format(p=words.percent(p, sampled=sampled(data, "total")))
    fig = charts.npv_distribution(npv, deterministic, words)
    return _figure("npv-distribution", words["npv_distribution"], fig, caption)


def _payback(data: ReportData, words: Words) -> str:
    s = data.summary
    caption = words["caption_payback"].format(
        last=int(s.year.values[-1]),
        p=words.percent(float(s.payback_prob_within_horizon), sampled=sampled(data, "total")),
    )
    title = f"{words['payback']}: {words['payback_curve'].lower()}"
    return _figure("payback", title, charts.payback_curve(s, words), caption)


def _sensitivity(data: ReportData, words: Words, names: InputLabels) -> str:
    title = f"<h2>{escape(words['sensitivity'])}</h2>"
    if data.tornado is None or data.sobol is None:
        return f'<section id="sensitivity">{title}<p>{escape(words["no_uncertainty"])}</p></section>'
    tornado = data.tornado
    fig = charts.tornado_figure(
        tornado, data.simulation.case.info.currency, words.lang, labels=names, max_items=TORNADO_BARS
    )
    top = tornado.bars[0]
    low, high = sorted((top.npv_low, top.npv_high))
    tornado_caption = words["caption_tornado"].format(
        label=names.get(top.input, top.input), low=words.money(low), high=words.money(high)
    )
    hidden = len(tornado.bars) - TORNADO_BARS
    if hidden > 0:
        more = words["caption_tornado_hidden"].format(hidden=hidden)
        tornado_caption = Words.sentence(tornado_caption) + more
    sobol = data.sobol
    groups = [names.group(name) for name in sobol.names]
    first = int(np.nanargmax(np.nan_to_num(sobol.ST, nan=-1.0)))
    sobol_caption = words["caption_sobol"].format(
        label=groups[first],
        alone=words.percent(float(np.clip(np.nan_to_num(sobol.S1[first]), 0, 1))),
        share=words.percent(float(np.clip(sobol.ST[first], 0, 1))),
    )
    merged = "".join(
        f'<p class="muted">{escape(words["merged"].format(names.group(m)))}</p>' for m in sobol.merged
    )
    return (
        f'<section id="sensitivity">{title}'
        f'<div class="keep"><h3>{escape(words["tornado"])}</h3><figure>{charts.svg(fig)}'
        f"<figcaption>{escape(Words.sentence(tornado_caption))}</figcaption></figure></div>"
        f'<div class="keep"><h3>{escape(words["sobol"])}</h3>'
        f"<figure>{charts.svg(charts.sobol_figure(sobol, words, groups))}"
        f"<figcaption>{escape(sobol_caption)}</figcaption></figure>{merged}</div></section>"
    )


#: Bars of the report's tornado: the largest swings, so that the chart and its heading fit under the
#: NPV distribution on one A4 page; the rest are in the assumption register (docs/decisions.md).
TORNADO_BARS = 10

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
    rows.append(("sum", [words["net_all"], *total]))
    rows.append(("sum", [words["cumulative"]] + [words.number(x) for x in det.cumulative]))
    tables = []
    for start in range(0, len(case.years), YEARS_PER_TABLE):
        columns = slice(1 + start, 1 + start + YEARS_PER_TABLE)
        years = case.years[columns.start - 1 : columns.stop - 1]
        header = [words["year"], *map(str, years)]
        if start:  # a later part may start a page: it says what it continues
            title = words["by_year_continued"].format(first=years[0], last=years[-1])
            tables.append(f'<h3 class="with-next">{escape(title)}</h3>')
        tables.append(_table(header, [(css, [cells[0], *cells[columns]]) for css, cells in rows], css="wide"))
    return f'<section id="by-year"><h2>{escape(words["by_year"])}</h2>{"".join(tables)}</section>'


def _assumptions(data: ReportData, words: Words, names: InputLabels) -> str:
    """The assumption register: each input by its label, its path as a small code id under it."""
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
                span = _span(low, high, words)
            else:
                span = "-"
            # a long path breaks after a dot, not inside a word
            path = escape(spec.path).replace(".", ".<wbr>")
            label = f'{escape(names[spec.path])}<br><code class="id">{path}</code>'
            for note in _notes(data.simulation.case, spec.path, words):
                label += f'<br><span class="muted">{escape(note)}</span>'
            if spec.path in RATES:  # a rate as a percentage, as the case facts show it
                span = span if span == "-" else f"{_rate(low, words)} – {_rate(high, words)}"
                shown, base_text = (_rate(base, words),) * 2 if not dist.is_uncertain else (None, None)
                cells = [shown or _in_words(dist, words), base_text or _rate(base, words), span]
            else:
                cells = [_in_words(dist, words), _short(base, words), span]
            cells.append(source_text(getattr(dist, "source", None), words.lang))
            rows.append(
                f"<tr><td>{label}</td>"
                + "".join(
                    f'<td class="n">{escape(c)}</td>' if k in (1, 2) else f"<td>{escape(c)}</td>"
                    for k, c in enumerate(cells)
                )
                + "</tr>"
            )
        head = "".join(
            f'<th class="n">{escape(h)}</th>' if k in (2, 3) else f"<th>{escape(h)}</th>"
            for k, h in enumerate(
                [words["input"], words["distribution"], words["base"], words["range"], words["source"]]
            )
        )
        parts.append(
            f"<h3>{escape(GROUP_NAMES[words.lang][group])}</h3>"
            f'<table class="register"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )
    note = price_level_note(data.simulation.case, words)
    note += f'<p class="muted with-next">{escape(words["register_note"])}</p>'
    return (
        f'<section id="assumptions"><h2>{escape(words["assumptions"])}</h2>{note}{"".join(parts)}</section>'
    )


#: Values of a consequence's year-by-year profile the register lists before "…".
PROFILE_SHOWN = 8


def _notes(case, path: str, words: Words) -> list[str]:
    """What the register says under an input's label beyond its distribution: the price year of an
    amount or price that the net price index converts, and the year-by-year profile that a
    consequence's change multiplies (with `change = 1`, the profile is the change itself)."""
    notes = []
    year = _own_price_year(case, path)
    if year is not None:
        notes.append(words["own_price_year"].format(year=year, level=case.info.price_level))
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "consequences" and parts[2] == "change":
        item = next((x for x in case.consequences if x.name == parts[1]), None)
        profile = getattr(item, "profile", None)
        if profile and len(profile) > 1:
            values = [words.decimal(float(v)) for v in profile[:PROFILE_SHOWN]]
            values += ["…"] if len(profile) > PROFILE_SHOWN else []
            notes.append(
                words["profile_note"].format(values=("; " if words.lang == "da" else ", ").join(values))
            )
    return notes


def _own_price_year(case, path: str) -> int | None:
    """The price year of an amount or price that is not at the case's price level (its item's own
    `price_year`), which the calculation converts with the net price index; None otherwise."""
    parts = path.split(".")
    if len(parts) < 3 or parts[0] not in ("costs", "comparison_costs", "consequences"):
        return None
    if (parts[0] != "consequences" and parts[2] != "amount") or (
        parts[0] == "consequences" and parts[2] != "price"
    ):
        return None
    item = next((x for x in getattr(case, parts[0]) if x.name == parts[1]), None)
    year = getattr(item, "price_year", None)
    return None if year is None or year == case.info.price_level else int(year)


#: Inputs that are rates a year, shown as percentages ("3,5 %") in the register.
RATES = ("economy.discount_rate", "economy.price_growth")


def _rate(x: float, words: Words) -> str:
    """A yearly rate as a percentage with up to two decimals: 3,5 %, 0 %, 0,25 %."""
    text = f"{100 * x + 0.0:.2f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "0") else text
    text = text.replace(".", ",") if words.lang == "da" else text
    return f"{text.replace('-', '−')} %"


def _short(x: float, words: Words) -> str:
    return words.number(x) if abs(x) >= 1000 else words.decimal(x)


def _span(low: float, high: float, words: Words) -> str:
    """A 10-90 % range with both ends to the same decimals (4 significant digits of the larger end):
    "0,0559 – 0,1841", "−3,000 – −0,775", not "0,05592 – 0,1841" or "−3 – −0,7746"."""
    top = max(abs(low), abs(high))
    if top >= 1000 or top == 0 or not math.isfinite(top):
        return f"{_short(low, words)} – {_short(high, words)}"
    decimals = max(0, 3 - math.floor(math.log10(top)))
    return f"{words.number(low, decimals)} – {words.number(high, decimals)}"


def _provenance(data: ReportData, words: Words) -> str:
    attrs = data.simulation.attrs
    rows = [
        (words["case_file"], case_file_name(data)),
        (words["version"], attrs["somrisk_version"]),
        (words["case_hash"], attrs["case_sha256"]),
        (words["seed"], str(attrs["seed"])),
        (words["sampler"], words.sampler(attrs["sampler"])),
        (words["draws"], words.number(attrs["draws"])),
        (words["date"], words.local_date(attrs.get("created_at"))),
        *([(words["overrides"], attrs["overrides"])] if attrs.get("overrides") else []),
        *(
            [(words["draws_auto"], draws_auto_text(attrs, words.lang))]
            if attrs.get("draws_auto_reason")
            else []
        ),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return (
        f'<section id="provenance" class="keep"><h2>{escape(words["provenance"])}</h2>'
        f'<table class="facts">{cells}</table></section>'
    )
