"""The results workbook of ``somrisk run --xlsx``: the key figures for Excel users, and the draws.

Sheets: ``Summary`` (NPV per actor and payback, provenance), ``By year`` (net result per year and
actor, and the cumulative discounted net result), ``Assumptions`` (every input with its distribution,
base value and 10-90 % range) and ``Draws`` (the sampled inputs, NPVs and payback year of up to
:data:`MAX_DRAWS` draws, for pivot tables). Every number is an Excel number, never text; header rows
are frozen and columns sized. Every text is written as text, never as a formula, whatever its first
character (a case's name ``=HYPERLINK(...)`` stays that text): every row goes through
:func:`append_row`. Written with openpyxl in write-only mode, under a temporary name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk._files import check_writable, write_atomic
from somrisk.distributions import as_distribution
from somrisk.io.json import finite

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.engine import Simulation

__all__ = ["MAX_DRAWS", "WORKBOOK_FORMATS", "append_row", "check_workbook_path", "write_workbook"]

#: The Draws sheet holds at most this many draws (the first ones of the run).
MAX_DRAWS = 100_000
WORKBOOK_FORMATS = {".xlsx": "Excel workbook"}
_WIDTH = {"label": 34, "number": 14}


def check_workbook_path(path: str | Path) -> Path:
    """The workbook's path, after checking its suffix and folder (before any work)."""
    return check_writable(path, "--xlsx", WORKBOOK_FORMATS)


def _sheet(workbook, title: str, header: list[str], widths: list[int]):
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "B2"
    for k, width in enumerate(widths):
        sheet.column_dimensions[_column(k)].width = width
    append_row(sheet, header)
    return sheet


def append_row(sheet, values: list[Any]) -> None:
    """Append a row to a write-only sheet; a str is always a text cell, never a formula.

    openpyxl takes any str that begins with ``=`` for a formula; texts come from case files that
    travel by e-mail, so a name such as ``=HYPERLINK(...)`` must not become a live formula.
    """
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            value = cell
        row.append(value)
    sheet.append(row)


def _column(k: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(k + 1)


def write_workbook(path: str | Path, summary: xr.Dataset, simulation: Simulation) -> Path:
    """Write the results workbook; returns its path. `simulation` must have kept the inputs of its
    first draws (``simulate(..., keep_inputs=MAX_DRAWS)``)."""
    from openpyxl import Workbook

    target = check_workbook_path(path)
    workbook = Workbook(write_only=True)
    _summary_sheet(workbook, summary)
    _by_year_sheet(workbook, summary)
    _assumptions_sheet(workbook, simulation)
    _draws_sheet(workbook, simulation)
    return write_atomic(target, workbook.save)


def _summary_sheet(workbook, summary: xr.Dataset) -> None:
    quantiles = [float(q) for q in summary["quantile"].values]  # (`summary.quantile` is a method)
    header = [
        "actor",
        "npv_deterministic",
        "npv_mean",
        "npv_sd",
        *(f"npv_p{round(q * 100):02d}" for q in quantiles),
        "prob_positive",
        "expected_shortfall_05",
        "net_total_deterministic",
        "net_total_mean",
        *(f"net_total_p{round(q * 100):02d}" for q in quantiles),
    ]
    sheet = _sheet(workbook, "Summary", header, [_WIDTH["label"]] + [_WIDTH["number"]] * (len(header) - 1))
    for actor in summary.actor.values:
        s = summary.sel(actor=actor)
        append_row(
            sheet,
            [
                str(actor),
                finite(s.npv_deterministic),
                finite(s.npv_mean),
                finite(s.npv_sd),
                *(finite(v) for v in s.npv_quantile.values),
                finite(s.npv_prob_positive),
                finite(s.npv_expected_shortfall),
                finite(s.net_total_deterministic),
                finite(s.net_total_mean),
                *(finite(v) for v in s.net_total_quantile.values),
            ],
        )
    append_row(sheet, [])
    median, deterministic = int(summary.payback_median_year), int(summary.payback_deterministic_year)
    rows: list[tuple[str, Any]] = [
        ("payback_prob_within_horizon", finite(summary.payback_prob_within_horizon)),
        ("payback_median_year", median if median >= 0 else None),
        ("payback_deterministic_year", deterministic if deterministic >= 0 else None),
        ("benefit_cost_ratio_mean", finite(summary.benefit_cost_ratio_mean)),
        ("benefit_cost_ratio_deterministic", finite(summary.benefit_cost_ratio_deterministic)),
    ]
    for figure in ("npv", "net_total"):  # SØM's figures per participant
        per = summary.sel(per_participant=figure)
        rows += [
            (f"{figure}_per_participant_deterministic", finite(per.per_participant_deterministic)),
            (f"{figure}_per_participant_mean", finite(per.per_participant_mean)),
        ]
    rows += [(key, value) for key, value in summary.attrs.items() if isinstance(value, str | int | float)]
    rows += [("warning", str(text)) for text in summary.attrs.get("warnings", [])]
    for key, value in rows:
        append_row(sheet, [key, value])


def _by_year_sheet(workbook, summary: xr.Dataset) -> None:
    names = [f"net_p{round(float(q) * 100):02d}" for q in summary["quantile"].values]
    header = ["year", "actor", "net_deterministic", "net_mean", *names, "prob_positive"]
    sheet = _sheet(workbook, "By year", header, [8, 14] + [_WIDTH["number"]] * (len(header) - 2))
    for year in summary.year.values:
        s = summary.sel(year=year)
        for actor in summary.actor.values:
            a = s.sel(actor=actor)
            quantiles = (finite(v) for v in a.net_quantile.values)
            append_row(
                sheet,
                [
                    int(year),
                    str(actor),
                    finite(a.net_deterministic),
                    finite(a.net_mean),
                    *quantiles,
                    finite(a.net_prob_positive),
                ],
            )
        append_row(
            sheet,
            [
                int(year),
                "cumulative",
                finite(s.cumulative_deterministic),
                finite(s.cumulative_mean),
                *(finite(v) for v in s.cumulative_quantile.values),
                finite(s.cumulative_prob_positive),
            ],
        )


def _assumptions_sheet(workbook, simulation: Simulation) -> None:
    header = ["input", "group", "distribution", "base", "p10", "p90", "source"]
    sheet = _sheet(workbook, "Assumptions", header, [44, 14, 40, 14, 14, 14, 50])
    space = simulation.model.space
    for spec, base in zip(space.inputs, space.base_values, strict=True):
        dist = as_distribution(spec.value)
        low = high = None
        if dist.is_uncertain:
            low, high = (float(x) for x in dist.scipy().ppf([0.1, 0.9]))
        append_row(
            sheet,
            [
                spec.path,
                spec.group,
                dist.describe() if dist.is_uncertain else "fixed",
                float(base),
                low,
                high,
                getattr(dist, "source", None) or "",
            ],
        )


def _draws_sheet(workbook, simulation: Simulation) -> None:
    inputs = simulation.inputs
    kept = 0 if inputs is None else min(inputs.shape[0], MAX_DRAWS)  # a kept cube holds every draw
    actors = simulation.case.actors
    paths = simulation.model.space.paths
    header = ["draw", *paths, *(f"npv_{a}" for a in actors), "npv_total", "payback_year"]
    sheet = _sheet(workbook, "Draws", header, [8] + [_WIDTH["number"]] * (len(header) - 1))
    years = np.asarray(simulation.case.years)
    npv = simulation.npv[:, :kept]
    total = npv.sum(axis=0)
    payback = simulation.payback[:kept]
    for i in range(kept):
        year = int(years[payback[i]]) if payback[i] >= 0 else None
        append_row(sheet, [i, *inputs[i].tolist(), *npv[:, i].tolist(), float(total[i]), year])  # type: ignore[index]
