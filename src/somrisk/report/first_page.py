"""The report's first page: the committee's answer on one A4 page.

What the intervention costs and returns (present values), kroner back per krone invested, the net
present value per actor (SØM's deterministic figure beside the Monte Carlo mean, median and 90 %
interval, P(NPV > 0) with its Monte Carlo error), a verdict sentence per actor, payback, SØM's
undiscounted total and per-participant figures, mean against median, and the model's warnings.
Every number is the library's; this module only arranges and words them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk.report.i18n import Words, escape
from somrisk.summary import prob_halfwidth

if TYPE_CHECKING:
    from collections.abc import Callable

    from somrisk.report.html import ReportData

    #: html._table: header, rows of (css class, cells) -> an HTML table
    Table = Callable[[list[str], list[tuple[str, list[str]]]], str]

__all__ = ["has_flows", "sampled", "summary_page"]

#: Mean and median "differ" where they are further apart than this share of the standard deviation.
SKEW_SHARE = 0.1


def summary_page(data: ReportData, words: Words, title: str, table: Table) -> str:
    """Page 1 as a <section id="summary">; `table` is html._table."""
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="facts">{escape(_facts(data, words))}</p>',
        f"<h2>{escape(words['answer'])}</h2>",
        _verdicts(data, words),
        _bad_case(data, words),
        f"<h3>{escape(words['investment_table'])}</h3>",
        _investment(data, words, table),
        f"<h3>{escape(words['npv_by_actor'])}</h3>",
        _actors(data, words, table),
        f"<h3>{escape(words['som_figures'])}</h3>",
        _som_figures(data, words, table),
        _mean_median(data, words),
        _warnings(data, words),
    ]
    return f'<section id="summary">{"".join(parts)}</section>'


def _facts(data: ReportData, words: Words) -> str:
    sim = data.simulation
    case = sim.case
    first, last = case.participants.intake_years
    return words["facts"].format(
        participants=words.number(sim.deterministic.participants),
        intake=words.span(case.years[first], case.years[last]),
        horizon=words.years(case.info.horizon),
        years=words.span(case.years[0], case.years[-1]),
        price_level=case.info.price_level,
        rate=words.percent(sim.attrs["discount_rate"], 1),
        draws=words.number(sim.attrs["draws"]),
    )


def has_flows(data: ReportData, actor: str) -> bool:
    """Whether any cost or gain falls to `actor` (in the deterministic run or in any draw)."""
    if actor == "total":
        return any(a not in data.idle_actors for a in data.simulation.case.actors)
    return actor not in data.idle_actors


def _verdicts(data: ReportData, words: Words) -> str:
    s = data.summary
    last = int(s.year.values[-1])
    items = []
    for actor in s.actor.values:
        actor = str(actor)
        if not has_flows(data, actor):
            text = words["no_flows"].format(whom=words.whom(actor))
        else:
            p = float(s.npv_prob_positive.sel(actor=actor))
            shown = words.percent(p, sampled=sampled(data, actor))
            text = words["verdict"].format(p=shown, whom=words.whom(actor), last=last)
        items.append(f"<li{' class=total' if actor == 'total' else ''}>{escape(text)}</li>")
    p_payback = words.percent(float(s.payback_prob_within_horizon), sampled=sampled(data, "total"))
    payback = words["payback_line"].format(p=p_payback, last=last)
    median, som = int(s.payback_median_year), int(s.payback_deterministic_year)
    payback += words["payback_median"].format(median=median) if median >= 0 else words["payback_none"]
    payback += words["payback_som"].format(year=som) if som >= 0 else words["payback_som_none"]
    return f'<ul class="verdict">{"".join(items)}</ul><p>{escape(payback)}.</p>'


def sampled(data: ReportData, actor: str) -> bool:
    """Whether the actor's NPV varies over the draws, so that a probability of 0 or 1 is a count of
    draws, not a certainty (and is shown as "< 1 %" or "> 99 %")."""
    sd = float(data.summary.npv_sd.sel(actor=actor))
    return bool(np.isfinite(sd) and sd > 0 and data.simulation.attrs["draws"] > 1)


def _bad_case(data: ReportData, words: Words) -> str:
    """How bad the bad case is: the total NPV's 5 % quantile and the mean of the worst 5 % of draws;
    nothing where the NPV does not vary."""
    if not sampled(data, "total"):
        return ""
    total = data.summary.sel(actor="total")
    text = words["bad_case"].format(
        p05=words.money(float(total.npv_quantile.sel(quantile=0.05))),
        shortfall=words.money(float(total.npv_expected_shortfall)),
    )
    return f"<p>{escape(words.sentence(text))}</p>"


def _investment(data: ReportData, words: Words, table: Table) -> str:
    """Present values of the costs and gains, their difference and the benefit-cost ratio: SØM's
    deterministic figures beside the Monte Carlo means."""
    sim, s = data.simulation, data.summary
    det = sim.deterministic
    rows = [
        ("", [words["investment"], words.money(det.pv_costs), words.money(sim.pv_costs_mean)]),
        ("", [words["return"], words.money(det.pv_gains), words.money(sim.pv_gains_mean)]),
        (
            "sum",
            [
                words["npv"],
                words.money(float(s.npv_deterministic.sel(actor="total"))),
                words.money(float(s.npv_mean.sel(actor="total"))),
            ],
        ),
        (
            "sum",
            [
                words["benefit_cost"],
                words.number(float(s.benefit_cost_ratio_deterministic), 2),
                words.number(float(s.benefit_cost_ratio_mean), 2),
            ],
        ),
    ]
    return table(["", words["deterministic"], words["mc_mean"]], rows)


def _actors(data: ReportData, words: Words, table: Table) -> str:
    s = data.summary
    rows = []
    for actor in s.actor.values:
        actor = str(actor)
        row = s.sel(actor=actor)
        q = row.npv_quantile
        if has_flows(data, actor):
            p, se = float(row.npv_prob_positive), float(row.npv_prob_positive_se)
            shown = words.percent(p, sampled=sampled(data, actor))
            prob = f"{shown} (±{_error(se, data.simulation.attrs['draws'], words)})"
        else:
            prob = words["no_flows_cell"]
        money = [
            float(row.npv_deterministic),
            float(row.npv_mean),
            float(q.sel(quantile=0.5)),
            float(q.sel(quantile=0.05)),
            float(q.sel(quantile=0.95)),
        ]
        rows.append(("sum" if actor == "total" else "", [words.actor(actor), *map(words.money, money), prob]))
    header = [
        words["actor"],
        words["deterministic"],
        words["mean"],
        words["median"],
        words["p05"],
        words["p95"],
        words["prob_with_precision"],
    ]
    note = words["precision_note"].format(draws=words.number(data.simulation.attrs["draws"]))
    return table(header, rows) + f'<p class="muted">{escape(note)}</p>'


def _error(se: float, draws: int, words: Words) -> str:
    """The Monte Carlo error of a probability in percentage points: 1.96 standard errors; where every
    draw fell on one side (se = 0), the rule of three's 95 % bound 3 / draws; unknown for one draw."""
    half = prob_halfwidth(se, draws)
    if not math.isfinite(half):
        return words["unknown"]
    points = 100 * half
    # one decimal, or one significant digit where one decimal would show "±0,0" (0,03)
    return words.number(points, 1 if points >= 0.05 else max(2, -math.floor(math.log10(points))))


def _som_figures(data: ReportData, words: Words, table: Table) -> str:
    """SØM's undiscounted net result over the horizon and both per-participant figures."""
    s = data.summary
    years = words.years(len(s.year))

    def money_row(label: str, prefix: str, stats: Any) -> tuple[str, list[str]]:
        q = stats[f"{prefix}_quantile"]
        cells = [
            float(stats[f"{prefix}_deterministic"]),
            float(stats[f"{prefix}_mean"]),
            float(q.sel(quantile=0.5)),
            float(q.sel(quantile=0.05)),
            float(q.sel(quantile=0.95)),
        ]
        return "", [label, *(words.money(x) for x in cells)]

    rows = [
        money_row(words["net_total"].format(years), "net_total", s.sel(actor="total")),
        money_row(words["npv_per_participant"], "per_participant", s.sel(per_participant="npv")),
        money_row(
            words["net_total_per_participant"].format(years),
            "per_participant",
            s.sel(per_participant="net_total"),
        ),
    ]
    header = [
        words["figure"],
        words["deterministic"],
        words["mean"],
        words["median"],
        words["p05"],
        words["p95"],
    ]
    return table(header, rows) + f'<p class="muted">{escape(words["som_note"])}</p>'


def _mean_median(data: ReportData, words: Words) -> str:
    """Why the mean (the CLI's headline) and the median differ, where they do."""
    total = data.summary.sel(actor="total")
    mean, median = float(total.npv_mean), float(total.npv_quantile.sel(quantile=0.5))
    sd = float(total.npv_sd)
    if not (np.isfinite(sd) and sd > 0):
        return ""
    if abs(mean - median) > SKEW_SHARE * sd:
        higher = mean > median
        text = words["mean_median_differ"].format(
            mean=words.money(mean),
            median=words.money(median),
            direction=words["higher" if higher else "lower"],
            tail=words["good" if higher else "bad"],
        )
    else:
        text = words["mean_median_alike"].format(mean=words.money(mean), median=words.money(median))
    return f"<p>{escape(text)}</p>"


def _warnings(data: ReportData, words: Words) -> str:
    """model.md's warnings of the case, in the report's language; nothing where there are none."""
    from somrisk.report.warning_words import warning_texts

    texts = warning_texts(data.simulation.case, words.lang)
    if not texts:
        return ""
    items = "".join(f"<li>{escape(_sentence(t))}</li>" for t in texts)
    return f'<div class="warnings" id="warnings"><h3>{escape(words["warnings"])}</h3><ul>{items}</ul></div>'


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def case_file_name(data: ReportData) -> str:
    """The case file's name (without its folder), as the provenance shows it."""
    return Path(data.simulation.case.source).name
