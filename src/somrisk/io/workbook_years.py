"""The results workbook's year table (SØM's layout) and its chart of the cumulative net result.

One block per actor: costs (negative), the budget consequences of each area (category) that touches
the actor's budget, the net result, and the cumulative net result in its own row, all deterministic
(every input at its base value, as SØM's spreadsheet), undiscounted; then the mean and the 90 %
interval of the year's net result over the draws. A block for the total adds the cumulative
discounted net result (deterministic, mean and 90 % interval), which the chart shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk.io.workbook_cells import Sheet, interval, quantile
from somrisk.io.workbook_words import WorkbookWords

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.engine import Simulation

__all__ = ["write_years_sheet"]


def write_years_sheet(
    workbook: Any, sheet: Sheet, summary: xr.Dataset, sim: Simulation, words: WorkbookWords
) -> None:
    st, ws = sheet.styles, sheet.worksheet
    case, det = sim.case, sim.deterministic
    years = [int(y) for y in summary.year.values]
    T = len(years)
    ws.set_column(0, 0, 50)
    ws.set_column(1, T, 13)
    sheet.row([words["by_year_title"]], st.title, height=20)
    sheet.row([words["by_year_note"]], st.muted)
    header_row = sheet.row([words["year"], *years], [st.header] + [st.year] * T)
    categories = list(dict.fromkeys(c.category for c in case.consequences))

    def line(label: str, values: Any, style: Any = None, label_style: Any = None) -> int:
        return sheet.row(
            [label, *(float(x) for x in values)], [label_style or st.text] + [style or st.money] * T
        )

    for a, actor in enumerate(case.actors):
        sheet.row([words.actor(actor)], st.heading)
        line(words["costs"], -det.costs[:, a])
        for category in categories:
            members = [c for c, item in enumerate(case.consequences) if item.category == category]
            gains = det.gains[:, a, members].sum(axis=1)
            if gains.any():  # an area that touches this actor's budget
                line(words["consequences"].format(words.category(category)), gains)
        line(words["net"], det.net[:, a], st.money_sum, st.header)
        line(words["cumulative"], np.cumsum(det.net[:, a]))
        _monte_carlo_rows(sheet, summary.sel(actor=actor), line, words)
        sheet.skip()

    sheet.row([words.actor("total")], st.heading)
    line(words["net"], det.net.sum(axis=1), st.money_sum, st.header)
    line(words["cumulative"], np.cumsum(det.net.sum(axis=1)))
    _monte_carlo_rows(sheet, summary.sel(actor="total"), line, words)
    series = [(words["cumulative_discounted"], line(words["cumulative_discounted"], det.cumulative))]
    series.append((words["cumulative_mean"], line(words["cumulative_mean"], summary.cumulative_mean.values)))
    for key, q in zip(("cumulative_low", "cumulative_high"), interval(summary), strict=True):
        label = words[key].format(words.percentile(q))
        series.append((label, line(label, quantile(summary.cumulative_quantile, q).values)))
    last_row = sheet.next_row - 1
    ws.freeze_panes(header_row + 1, 1)
    _chart(workbook, sheet, series, header_row, T, words, anchor=last_row + 2)
    sheet.print_setup(landscape=True, repeat=(header_row, header_row))


def _monte_carlo_rows(sheet: Sheet, stats: xr.Dataset, line: Any, words: WorkbookWords) -> None:
    """The mean and the lowest and highest quantile of each year's net result over the draws."""
    line(words["net_mean"], stats.net_mean.values)
    for key, q in zip(("net_low", "net_high"), interval(stats), strict=True):
        line(words[key].format(words.percentile(q)), quantile(stats.net_quantile, q).values)


def _chart(
    workbook: Any,
    sheet: Sheet,
    series: list[tuple[str, int]],
    header_row: int,
    years: int,
    words: WorkbookWords,
    anchor: int,
) -> None:
    """A line chart of the cumulative discounted net result by year, below the table."""
    name = sheet.worksheet.get_name()
    chart = workbook.add_chart({"type": "line"})
    dashes = ["solid", "solid", "dash", "dash"]
    colours = ["#1f4e79", "#c55a11", "#7f7f7f", "#7f7f7f"]
    for k, (label, row) in enumerate(series):
        chart.add_series(
            {
                "name": label,
                "categories": [name, header_row, 1, header_row, years],
                "values": [name, row, 1, row, years],
                "line": {"color": colours[k % 4], "dash_type": dashes[k % 4], "width": 2 if k < 2 else 1.25},
                "marker": {"type": "none"},
            }
        )
    chart.set_title({"name": words["chart_title"], "name_font": {"size": 11, "bold": True}})
    chart.set_y_axis(
        {"num_format": words.money_format, "major_gridlines": {"visible": True, "line": {"color": "#dddddd"}}}
    )
    chart.set_x_axis({"name": words["year"], "label_position": "low"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 860, "height": 380})
    sheet.worksheet.insert_chart(anchor, 0, chart)
    sheet.worksheet.set_h_pagebreaks([anchor - 1])  # the chart on a page of its own, not cut
