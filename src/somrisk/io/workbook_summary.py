"""The results workbook's summary sheet, laid out like the report's first page.

Sections from the top: the case (price level, discount rate, horizon, participants); investment and
return (present values of the net extra costs and of the gains, the benefit-cost ratio); the NPV of
each actor and in total (deterministic, mean, median, the run's lowest and highest percentile,
P(NPV > 0) and its Monte Carlo error); payback; SØM's undiscounted figures; the warnings; the
provenance. Money in the case's currency at its price level, discounted to the first year.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from somrisk.io.workbook_cells import Sheet, interval, quantile
from somrisk.io.workbook_words import WorkbookWords
from somrisk.summary import prob_halfwidth

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.engine import Simulation

__all__ = ["write_summary_sheet"]


def _number(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def _year(x: Any) -> int | None:
    return int(x) if int(x) >= 0 else None


def write_summary_sheet(
    sheet: Sheet,
    summary: xr.Dataset,
    sim: Simulation,
    words: WorkbookWords,
    warnings: list[str] | None = None,
) -> None:
    """The summary sheet, section by section, on one A4 page (portrait); `warnings` are the case's
    warnings as readers see them (consequences by label), else model.md's texts."""
    sheet.worksheet.set_column(0, 0, 44)
    sheet.worksheet.set_column(1, 7, 13)
    _case_facts(sheet, summary, sim, words)
    _investment(sheet, summary, sim, words)
    _npv_by_actor(sheet, summary, words)
    _payback(sheet, summary, words)
    _som_figures(sheet, summary, words)
    _warnings(sheet, sim, words, warnings)
    sheet.skip()
    _provenance(sheet, summary.attrs, words)
    sheet.print_setup(landscape=False)


def _columns(summary: xr.Dataset, words: WorkbookWords) -> tuple[list[str], tuple[float, ...]]:
    """The headers of the statistics columns (deterministic, mean, median, low, high) and the
    quantiles of the last three."""
    low, high = interval(summary)
    headers = [
        words["deterministic"],
        words["mean"],
        words["median"],
        words["low"].format(words.percentile(low)),
        words["high"].format(words.percentile(high)),
    ]
    return headers, (0.5, low, high)


def _case_facts(sheet: Sheet, summary: xr.Dataset, sim: Simulation, words: WorkbookWords) -> None:
    st, attrs = sheet.styles, summary.attrs
    years = [int(y) for y in summary.year.values]
    sheet.row([words["title"]], st.title, height=20)
    sheet.row([str(sim.case.info.name)], st.heading)
    sheet.row([words["price_level"], int(attrs["price_year"])], [st.text, st.year])
    sheet.row([words["discount_rate"], float(attrs["discount_rate"])], [st.text, st.percent])
    horizon = words["years_unit"].format(len(years), years[0], years[-1])
    sheet.row([words["horizon"], horizon], [st.text, st.text])
    sheet.row([words["participants"], _number(sim.deterministic.participants)], [st.text, st.count])
    sheet.skip()


def _investment(sheet: Sheet, summary: xr.Dataset, sim: Simulation, words: WorkbookWords) -> None:
    """Present values of the net extra costs and of the gains, and their ratio."""
    st, det = sheet.styles, sim.deterministic
    sheet.row([words["investment"]], st.heading)
    sheet.row([words["figure"], words["deterministic"], words["mean"]], [st.header] + [st.header_number] * 2)
    sheet.row(
        [words["pv_costs"], _number(det.pv_costs), _number(sim.pv_costs_mean)], [st.text, st.money, st.money]
    )
    sheet.row(
        [words["pv_gains"], _number(det.pv_gains), _number(sim.pv_gains_mean)], [st.text, st.money, st.money]
    )
    ratio = [_number(summary.benefit_cost_ratio_deterministic), _number(summary.benefit_cost_ratio_mean)]
    sheet.row([words["benefit_cost"], *ratio], [st.text, st.ratio, st.ratio])
    sheet.skip()


def _npv_by_actor(sheet: Sheet, summary: xr.Dataset, words: WorkbookWords) -> None:
    st = sheet.styles
    columns, stat_qs = _columns(summary, words)
    sheet.row([words["npv_by_actor"]], st.heading)
    header = [words["actor"], *columns, words["prob_positive"], words["prob_se"]]
    sheet.row(header, [st.header] + [st.header_number] * (len(header) - 1))
    for actor in summary.actor.values:
        s = summary.sel(actor=actor)
        money = [s.npv_deterministic, s.npv_mean, *(quantile(s.npv_quantile, q) for q in stat_qs)]
        draws = int(summary.attrs["draws"])
        probability = [s.npv_prob_positive, prob_halfwidth(float(s.npv_prob_positive_se), draws)]
        money_style = st.money_sum if actor == "total" else st.money
        sheet.row(
            [words.actor(str(actor)), *map(_number, money), *map(_number, probability)],
            [st.text, *[money_style] * 5, st.percent, st.percent],
        )
    sheet.skip()


def _payback(sheet: Sheet, summary: xr.Dataset, words: WorkbookWords) -> None:
    st = sheet.styles
    last_year = int(summary.year.values[-1])
    sheet.row([words["payback"]], st.heading)
    sheet.row(
        [words["payback_prob"].format(last_year), _number(summary.payback_prob_within_horizon)],
        [st.text, st.percent],
    )
    for label, year in (
        (words["payback_median"], _year(summary.payback_median_year)),
        (words["payback_deterministic"], _year(summary.payback_deterministic_year)),
    ):
        sheet.row([label, words["not_within"] if year is None else year], [st.text, st.year])
    sheet.skip()


def _som_figures(sheet: Sheet, summary: xr.Dataset, words: WorkbookWords) -> None:
    """SØM's undiscounted net result over the horizon in total, and both figures per participant."""
    st = sheet.styles
    columns, stat_qs = _columns(summary, words)
    horizon = len(summary.year)
    sheet.row([words["som_figures"]], st.heading)
    sheet.row([words["figure"], *columns], [st.header] + [st.header_number] * 5)
    total = summary.sel(actor="total")
    per = summary.sel(per_participant="npv"), summary.sel(per_participant="net_total")
    for label, prefix, stats in (
        (words["net_total"].format(horizon), "net_total", total),
        (words["npv_per_participant"], "per_participant", per[0]),
        (words["net_total_per_participant"].format(horizon), "per_participant", per[1]),
    ):
        q = stats[f"{prefix}_quantile"]
        values = [
            stats[f"{prefix}_deterministic"],
            stats[f"{prefix}_mean"],
            *(quantile(q, x) for x in stat_qs),
        ]
        sheet.row([label, *map(_number, values)], [st.text] + [st.money] * 5)
    low, high = stat_qs[1:]
    note = words["interval_note"].format(
        words.percentile(low), words.percentile(high), words.currency, int(summary.attrs["price_year"])
    )
    sheet.row([note], st.muted)
    sheet.skip()


def _provenance(sheet: Sheet, attrs: dict[str, Any], words: WorkbookWords) -> None:
    st = sheet.styles
    sheet.row([words["provenance"]], st.heading)
    for key, value, style in (
        ("draws_count", int(attrs["draws"]), st.count),
        ("seed", int(attrs["seed"]), st.year),
        ("sampler", str(attrs["sampler"]), st.text),
        ("version", str(attrs["somrisk_version"]), st.text),
        ("case_hash", str(attrs["case_sha256"]), st.text),
        ("created", str(attrs.get("created_at", "")), st.text),
    ):
        sheet.row([words[key], value], [st.text, style])


def _warnings(sheet: Sheet, sim: Simulation, words: WorkbookWords, texts: list[str] | None) -> None:
    """The case's warnings in the workbook's language (`texts`, else model.md's), each in a wrapped
    row across the sheet's width."""
    from somrisk.case.model_warnings import model_warnings

    st = sheet.styles
    sheet.row([words["warnings"]], st.heading)
    if sim.ensemble.is_portfolio:
        texts = []
    elif texts is None:
        texts = [warning.text(words.lang) for warning in model_warnings(sim.case)]
    if not texts:
        sheet.row([words["no_warnings"]], st.text)
    for text in texts:
        text = text[:1].upper() + text[1:]
        row = sheet.next_row
        sheet.worksheet.set_row(row, 13.5 * max(1, math.ceil(len(text) / 120)))
        sheet.worksheet.merge_range(row, 0, row, 7, "", st.wrapped)
        sheet.text(row, 0, text, st.wrapped)
        sheet.skip()
