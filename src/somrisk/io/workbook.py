"""The results workbook of ``somrisk run --xlsx``: a deliverable for the committee, and the draws.

Sheets (names in the chosen language, Danish by default):

- ``Overblik`` / ``Summary``: laid out like the report's first page: present values of costs and
  gains, the benefit-cost ratio, the NPV of each actor and in total (deterministic, mean, median, 90 %
  interval, P(NPV > 0)), payback, SØM's undiscounted figures in total and per participant, the
  warnings and the provenance.
- ``År for år`` / ``By year``: a table per actor in SØM's layout (costs, budget consequences by area,
  net result, the cumulative net result in its own row), the Monte Carlo mean and 90 % interval of
  each year's net result, and a chart of the cumulative discounted net result.
- ``Antagelser`` / ``Assumptions``: every input by its label and its path in the case file, its
  distribution, base value and 10-90 % range.
- ``Trækninger`` / ``Draws``: the sampled inputs, NPVs and payback year of up to :data:`MAX_DRAWS`
  draws, for pivot tables.

Money in kroner with thousands separators (``#,##0 "kr."``), probabilities as ``0.0%``: Excel
numbers with number formats, never text. Every sheet prints on A4, fit to the page's width, with its
header rows repeated. Written under a temporary name that is renamed into place when complete.

XlsxWriter (constant-memory mode) writes every sheet, the formats and the chart into memory, the Draws
sheet with its header row, column widths and formats, frozen panes and print setup but without its
number rows; :mod:`somrisk.io.workbook_draws` then copies that zip into the file and streams the
rows into the Draws sheet, each cell in its column's format. Cell by cell through XlsxWriter the
rows took about 5 µs of CPU a cell (about 50 s for 100,000 draws of a 90-input case); in bulk, about
0.9 µs (docs/decisions.md, benchmarks/bench_workbook.py).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk._files import check_writable, write_atomic
from somrisk.case.schema import DISCOUNT, EFFECT, GROWTH, RATE
from somrisk.distributions import as_distribution
from somrisk.io.workbook_cells import WORKBOOK_OPTIONS, Sheet, Styles
from somrisk.io.workbook_draws import DrawRows, write_with_draws
from somrisk.io.workbook_summary import write_summary_sheet
from somrisk.io.workbook_words import LANGUAGES, WorkbookWords
from somrisk.io.workbook_years import write_years_sheet
from somrisk.labels import labels, source_text

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.engine import Simulation

__all__ = ["LANGUAGES", "MAX_DRAWS", "WORKBOOK_FORMATS", "check_workbook_path", "write_workbook"]

#: The Draws sheet holds at most this many draws (the first ones of the run).
MAX_DRAWS = 100_000
WORKBOOK_FORMATS = {".xlsx": "Excel workbook"}
#: Draws printed from the Draws sheet (printing 100,000 rows would be thousands of pages).
_PRINTED_DRAWS = 50


def check_workbook_path(path: str | Path) -> Path:
    """The workbook's path, after checking its suffix and folder (before any work)."""
    return check_writable(path, "--xlsx", WORKBOOK_FORMATS)


def write_workbook(
    path: str | Path,
    summary: xr.Dataset,
    simulation: Simulation,
    *,
    lang: str = "da",
    progress: Callable[[int, int], None] | None = None,
    describe: Callable[[Any], str] | None = None,
    warnings: list[str] | None = None,
) -> Path:
    """Write the results workbook; returns its path.

    `simulation` must have kept the inputs of its first draws (``simulate(..., keep_inputs=
    MAX_DRAWS)``). `lang` is ``"da"`` or ``"en"``; `progress(done, total)` is called as the rows of
    the Draws sheet are written. `describe(distribution)` words an uncertain input's distribution on
    the Assumptions sheet (the runner gives the report's words in `lang`); without it, the
    distribution's parameter notation (``pert(min=16, mode=24, max=30)``). `warnings` are the case's
    warnings as readers see them (the runner gives the report's, consequences named by label);
    without them, model.md's texts.
    """
    import xlsxwriter

    target = check_workbook_path(path)
    words = WorkbookWords(lang, str(summary.attrs.get("currency", "DKK")))

    def write(temporary: Path) -> None:
        in_memory = io.BytesIO()  # every sheet but the Draws sheet's rows: a few hundred kB
        workbook = xlsxwriter.Workbook(in_memory, WORKBOOK_OPTIONS)
        try:
            styles = Styles.of(workbook, words)
            write_summary_sheet(
                Sheet(workbook.add_worksheet(words["summary"]), styles), summary, simulation, words, warnings
            )
            write_years_sheet(
                workbook, Sheet(workbook.add_worksheet(words["by_year"]), styles), summary, simulation, words
            )
            _assumptions_sheet(
                Sheet(workbook.add_worksheet(words["assumptions"]), styles), simulation, words, describe
            )
            rows = _draws_sheet(Sheet(workbook.add_worksheet(words["draws"]), styles), simulation, words)
            workbook.set_properties({"title": words["title"], "comments": "somrisk"})
        finally:
            workbook.close()
        write_with_draws(in_memory.getvalue(), temporary, rows, progress)

    return write_atomic(target, write)


def _assumptions_sheet(
    sheet: Sheet, sim: Simulation, words: WorkbookWords, describe: Callable[[Any], str] | None
) -> None:
    st, ws = sheet.styles, sheet.worksheet
    keys = ["label", "input", "group", "distribution", "base", "p10", "p90", "source"]
    # texts wrap in columns narrow enough that the sheet prints on A4 landscape at a readable size
    # (a long source or distribution once ran across the next columns and shrank the page to half)
    widths = [30, 40, 13, 30, 10, 10, 10, 32]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    sheet.row([words[k] for k in keys], [st.header] * 4 + [st.header_number] * 3 + [st.header])
    space = sim.model.space
    declared = {group.name: group.label or group.name for group in sim.case.groups}
    # the reader's name of each input, and its path for the analyst who edits the case file
    names = labels(sim.case, words.lang)
    for spec, base in zip(space.inputs, space.base_values, strict=True):
        dist = as_distribution(spec.value)
        low = high = None
        if dist.is_uncertain:
            low, high = (float(x) for x in dist.scipy().ppf([0.1, 0.9]))
        source = source_text(getattr(dist, "source", None), words.lang)
        if not dist.is_uncertain:
            described = words["fixed"]
        else:
            described = dist.describe() if describe is None else describe(dist)
        name, group = names.get(spec.path, spec.path), words.group(spec.group, declared)
        values = [name, spec.path, group, described, float(base), low, high, source]
        number = st.percent if spec.range in SHARES else st.input(abs(float(base)))
        # a workbook states its rows' heights (no program fits them on opening): wrapped lines
        lines = max(math.ceil(len(values[k]) / widths[k]) for k in (0, 2, 3, 7))
        styles = [st.wrapped, st.text, st.wrapped, st.wrapped] + [number] * 3 + [st.wrapped]
        sheet.row(values, styles, height=13.5 * max(lines, 1))
    ws.freeze_panes(1, 1)
    sheet.print_setup(landscape=True, repeat=(0, 0))


#: The ranges of inputs that are shares (rates, effects, the discount rate and price growth):
#: shown as percentages on the Assumptions sheet, as the Summary sheet shows the discount rate.
SHARES = (RATE, EFFECT, DISCOUNT, GROWTH)


def _draws_sheet(sheet: Sheet, sim: Simulation, words: WorkbookWords) -> DrawRows:
    """The Draws sheet's header, columns and print setup; returns its rows, which
    :func:`write_with_draws` writes."""
    st, ws = sheet.styles, sheet.worksheet
    inputs = sim.inputs
    kept = 0 if inputs is None else min(inputs.shape[0], MAX_DRAWS)  # a kept cube holds every draw
    actors = [*sim.case.actors, "total"]
    paths = sim.model.space.paths
    header = [
        words["draw"],
        *paths,
        *(words["npv_of"].format(words.actor(a)) for a in actors),
        words["payback_year"],
    ]
    ws.set_column(0, 0, 9)
    bases = sim.model.space.base_values[list(sim.model.space.uncertain)]
    for col, base in enumerate(bases):
        ws.set_column(1 + col, 1 + col, 14, st.input(abs(float(base))))
    ws.set_column(1 + len(paths), len(header) - 2, 14, st.money)
    ws.set_column(len(header) - 1, len(header) - 1, 12, st.year)
    sheet.row(header, [st.header] + [st.header_number] * (len(header) - 1), height=30)
    years = np.asarray(sim.case.years, dtype=float)
    npv = np.concatenate([sim.npv[:, :kept], sim.npv_total[None, :kept]])
    payback = sim.payback[:kept]
    # the year of payback as a float column; NaN (an empty cell) where a draw does not pay back
    payback_year = np.where(payback >= 0, years[np.maximum(payback, 0)], math.nan)
    ws.freeze_panes(1, 1)
    ws.print_area(0, 0, min(kept, _PRINTED_DRAWS), len(header) - 1)
    sheet.print_setup(landscape=True, repeat=(0, 0))
    kept_inputs = np.empty((0, len(paths))) if inputs is None else inputs[:kept]
    return DrawRows(ws.get_name(), (kept_inputs, npv.T), payback_year)
