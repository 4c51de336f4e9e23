"""The main jobs as single calls: check a case, and run it (simulate, summarise, write the cube).

The CLI's ``somrisk check`` and ``somrisk run`` are each one call of :func:`check_case` and
:func:`run`.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from somrisk._scheduler import check_scheduler
from somrisk.case import Case, load_case
from somrisk.case.catalog import builtin_catalog, uses_catalog
from somrisk.case.prices import PriceConversion, case_price_conversions, case_price_problems
from somrisk.errors import CaseError, UsageError
from somrisk.space import InputSpace, build_space

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.cube import CubeLayout
    from somrisk.engine import Simulation
    from somrisk.portfolio import PortfolioSimulation
    from somrisk.precision import Precision
    from somrisk.report.html import ReportData
    from somrisk.summary import SummaryArrays


__all__ = [
    "CaseCheck",
    "PortfolioResult",
    "ReportResult",
    "RunResult",
    "check_case",
    "example_case_path",
    "new_case",
    "report",
    "run",
    "run_portfolio",
]

EXAMPLE_CASE = "youth-cannabis.toml"


def example_case_path() -> Path:
    """The bundled example case: a group programme for young cannabis users."""
    return Path(str(resources.files("somrisk") / "data" / "cases" / EXAMPLE_CASE))


@dataclass(frozen=True)
class CaseCheck:
    """A case that passed every check, with its input space (what ``somrisk check`` reports)."""

    case: Case
    space: InputSpace
    #: the items at another price year than the case's, with their factors (model.md, "Price level")
    conversions: tuple[PriceConversion, ...] = ()
    #: lines (from 1) whose value is still marked TODO in a comment, as ``somrisk new`` writes
    #: placeholders: the case is valid, but not yet the analyst's
    todo_lines: tuple[int, ...] = ()


def new_case(
    name: str,
    out: str | Path | None = None,
    *,
    consequences: Sequence[str] = (),
    start_year: int,
    overwrite: bool = False,
    lang: str = "en",
) -> Path:
    """Write a commented case file to fill in (``somrisk new``), from somrisk's catalogue, its
    comments in `lang` (``da`` or ``en``).

    `out` defaults to the name as a file name (lower case, letters, digits and hyphens) with
    ``.toml``, in the current folder. The file passes :func:`check_case` as written; its
    placeholders are marked TODO. See :func:`somrisk.case.scaffold.scaffold_case`.

    Raises
    ------
    UsageError
        For an unknown consequence, or a file that exists (unless `overwrite`).
    OutputError
        For a folder that does not exist or cannot be written.
    """
    from somrisk._files import check_writable, write_atomic
    from somrisk.case.scaffold import scaffold_case, slug_file_name

    target = check_writable(
        slug_file_name(name) if out is None else out, "--out", {".toml": "TOML case file"}
    )
    if target.exists() and not overwrite:
        raise UsageError(f"{str(target)!r} exists; give another --out, or --force to overwrite it")
    text = scaffold_case(name, consequences, start_year=start_year, lang=lang)
    return write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def check_case(path: str | Path) -> CaseCheck:
    """Validate a case file completely: schema, cross-section rules and its input space.

    Raises
    ------
    CaseError
        With every problem found.
    """
    case = load_case(path)
    space = build_space(case)
    catalog = builtin_catalog() if uses_catalog(case) else None
    problems = case_price_problems(case, catalog)  # the knowledge base's price years
    if problems:
        raise CaseError(problems)
    from somrisk.case.scaffold import todo_lines

    todo = ()
    if Path(path).suffix.lower() == ".toml":  # (read and checked above: a workbook has no comments)
        todo = todo_lines(Path(path).read_text(encoding="utf-8-sig", errors="replace"))
    return CaseCheck(case, space, tuple(case_price_conversions(case, catalog)), todo)


def _prefetch(module: str) -> None:
    """Import a module on a background thread, so that its import overlaps with work that does
    not hold the GIL (the simulation's compiled blocks)."""
    if module not in sys.modules:
        threading.Thread(target=importlib.import_module, args=(module,), daemon=True).start()


@dataclass(frozen=True, eq=False)
class RunResult:
    """What ``somrisk run`` produces: the summary, the simulation and the cube file written.

    The summary's statistics are computed once, as plain arrays (`statistics`, what the JSON and
    the table read); `summary`, the labelled Dataset of :func:`somrisk.summarize`, is made from
    them on first use (which imports xarray).
    """

    statistics: SummaryArrays
    simulation: Simulation
    out: Path | None
    xlsx: Path | None = None

    @property
    def summary(self) -> xr.Dataset:
        """The summary as :func:`somrisk.summarize` returns it."""
        return self.statistics.dataset


def run(
    case: str | Path | Case | None = None,
    *,
    draws: int | str = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    out: str | Path | None = None,
    xlsx: str | Path | None = None,
    threads: int | None = None,
    scheduler: str | None = None,
    percentiles: Sequence[float] | None = None,
    progress: Callable[[int, int], None] | None = None,
    lang: str = "da",
    workbook_progress: Callable[[int, int], None] | None = None,
    tolerance: float | None = None,
) -> RunResult:
    """Simulate a case, summarise it, and write the cube where `out` names a file.

    Parameters
    ----------
    case : path, Case or None
        A case file or a loaded case; None runs the bundled example case.
    draws, seed, sampler, threads, scheduler, progress
        As for :func:`somrisk.simulate`.
    out : path, optional
        Write the result cube here: ``.nc`` (netCDF, built in memory) or ``.zarr`` (written block by
        block; on a Dask cluster, by the workers). The file appears only when complete.
    xlsx : path, optional
        Also write the results workbook (.xlsx): summary, by year, assumptions, and the first
        100,000 draws. It appears only when complete.
    lang : {"da", "en"}
        The workbook's language (sheet names, headers, labels); Danish by default.
    workbook_progress : callable, optional
        Called with (rows written, rows) as the workbook's draws are written.
    percentiles : sequence of float, optional
        Percentiles of the summary (default: those of :func:`somrisk.summarize`).
    draws, tolerance
        ``draws="auto"``: whole blocks of draws until P(NPV > 0) is precise to `tolerance` (default
        0.005) for the total and every actor (:mod:`somrisk.precision`).

    Raises
    ------
    CaseError, UsageError, OutputError
        Bad case, bad arguments, or an output that cannot be written (checked before simulating).
    """
    # numba is imported here, not with the module: `somrisk check` does not need it; xarray only
    # where a Dataset is asked for (a cube, a workbook, `RunResult.summary`)
    from somrisk.cube import CubeLayout
    from somrisk.engine import prepare, simulate
    from somrisk.precision import AUTO, check_draws
    from somrisk.summary import summary_arrays

    check_scheduler(scheduler)
    check_draws(draws, tolerance)
    if case is None:
        case = example_case_path()
    if xlsx is not None:
        from somrisk.io.workbook import LANGUAGES as WORKBOOK_LANGUAGES
        from somrisk.io.workbook import MAX_DRAWS, check_workbook_path, write_workbook

        if lang not in WORKBOOK_LANGUAGES:
            raise UsageError(f"--lang {lang!r}: the workbook is written in {' or '.join(WORKBOOK_LANGUAGES)}")
        check_workbook_path(xlsx)
    loaded = case if isinstance(case, Case) else load_case(case)
    if out is not None or xlsx is not None:
        _prefetch("xarray")  # the cube and the workbook need it; import it while the draws run
    chosen = {} if percentiles is None else {"percentiles": percentiles}
    model = prepare(loaded)
    keep = {} if xlsx is None else {"keep_inputs": MAX_DRAWS}
    options = dict(
        draws=draws, seed=seed, sampler=sampler, threads=threads, scheduler=scheduler, progress=progress
    )
    layout = CubeLayout.of_case(loaded, model.space)
    if out is not None:  # refused before any draws, as with a fixed number
        from somrisk.io.store import check_output

        check_output(out, 0 if draws == AUTO else layout.nbytes(int(draws)))
    auto = None
    if draws == AUTO:
        auto, precision = _auto(model, options, tolerance)
        options["draws"] = draws = precision.draws
    if auto is not None and out is None and xlsx is None:
        sim, path = auto, None
    else:
        sim, path = _with_cube(
            out, layout, int(draws), scheduler, lambda cube: simulate(model, **options, **cube, **keep)
        )
    if auto is not None:
        sim.attrs.update(precision.attrs())
    summary = summary_arrays(sim, **chosen)
    if xlsx is None:
        return RunResult(summary, sim, path)
    from somrisk.report.distribution_words import in_words
    from somrisk.report.i18n import Words
    from somrisk.report.warning_words import warning_texts

    words = Words(lang, sim.case.info.currency)
    written = write_workbook(
        xlsx,
        summary.dataset,
        sim,
        lang=lang,
        progress=workbook_progress,
        describe=lambda dist: in_words(dist, words),
        warnings=warning_texts(sim.case, lang),
    )
    return RunResult(summary, sim, path, written)


def _scenarios(case: Case, sim: Simulation) -> Any:
    """The report's comparison of the case and its scenarios, with the run's draws (None without)."""
    if not case.scenarios:
        return None
    from somrisk.compare import compare_scenarios

    return compare_scenarios(case, draws=sim.draws, seed=sim.seed, sampler=sim.sampler)


def _auto(model: Any, options: dict[str, Any], tolerance: float | None) -> tuple[Any, Precision]:
    """The run of ``--draws auto``: the first whole number of blocks at which P(NPV > 0) is precise."""
    import numpy as np

    from somrisk.engine import simulate
    from somrisk.precision import auto_draws

    def one(draws: int) -> tuple[Any, Any, list[str]]:
        sim = simulate(model, **{**options, "draws": draws})
        return sim, np.vstack([sim.npv, sim.npv_total[None, :]]), [*sim.actors, "total"]

    return auto_draws(one, **({} if tolerance is None else {"tolerance": tolerance}))


def _with_cube(
    out: str | Path | None,
    layout: CubeLayout,
    draws: int,
    scheduler: str | None,
    simulate: Callable[[dict[str, Any]], Any],
) -> tuple[Any, Path | None]:
    """Run `simulate` with the options that write its cube to `out` (None: no cube); the file
    appears only when the run is complete."""
    from somrisk.io.store import CubeWriter, ZarrRegions, check_output

    if out is None:
        return simulate({}), None
    fmt = check_output(out, layout.nbytes(draws))
    with CubeWriter(out) as writer:
        if fmt == "netcdf":  # built in memory
            sim = simulate({"keep_cube": True})
            writer.write(sim.cube)
        elif check_scheduler(scheduler) == "threads":  # written block by block, in order, here
            sim = simulate({"cube_sink": writer.append})
        else:  # made whole first, then written by the Dask workers, block by block
            regions = ZarrRegions.create(writer, layout, draws)
            sim = simulate({"block_writer": regions, "cube_sink": regions})
            regions.finish(sim.attrs)
        path = writer.commit()
    return sim, path


#: The report's files: one self-contained HTML page.
REPORT_FORMATS = {".html": "HTML", ".htm": "HTML"}
#: Base points of the report's Sobol analysis per group (few groups: small intervals at this size).
REPORT_SOBOL_N = 1024


@dataclass(frozen=True, eq=False)
class ReportResult:
    """What ``somrisk report`` produces: the file written, and the numbers in it."""

    path: Path
    data: ReportData


def report(
    case: str | Path | Case | None = None,
    *,
    out: str | Path,
    lang: str = "da",
    draws: int | str = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    threads: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    tolerance: float | None = None,
) -> ReportResult:
    """Simulate a case, run its sensitivity analyses and write the investment committee's report.

    Parameters
    ----------
    case : path, Case or None
        A case file or a loaded case; None reports on the bundled example case.
    out : path
        The report's file (.html). It appears only when complete.
    lang : {"da", "en"}
        Danish (SØM's terms) or English.
    draws, seed, sampler, threads, scheduler, progress
        As for :func:`somrisk.simulate`; the Sobol analysis uses the same seed (and runs here).

    Raises
    ------
    CaseError, UsageError, OutputError
        Bad case, bad arguments, or an output that cannot be written (checked before simulating).
    """
    from somrisk._files import check_writable, write_atomic
    from somrisk.engine import prepare, simulate
    from somrisk.engine import scheduler as on_scheduler
    from somrisk.precision import AUTO, check_draws
    from somrisk.report.html import ReportData, render_html
    from somrisk.report.i18n import LANGUAGES
    from somrisk.sensitivity import sobol, tornado
    from somrisk.summary import summarize

    check_scheduler(scheduler)
    check_draws(draws, tolerance)
    if lang not in LANGUAGES:
        raise UsageError(f"--lang {lang!r}: the report is written in {' or '.join(LANGUAGES)}")
    target = check_writable(out, "--out", REPORT_FORMATS)
    loaded = load_case(example_case_path() if case is None else case) if not isinstance(case, Case) else case
    model = prepare(loaded)
    uncertain = model.space.dimension > 0  # a case of fixed numbers has nothing to attribute
    with on_scheduler(scheduler, threads):  # the draws and both designs, on the same scheduler
        options = dict(seed=seed, sampler=sampler, progress=progress)
        if draws == AUTO:
            sim, precision = _auto(model, options, tolerance)
            sim.attrs.update(precision.attrs())
        else:
            sim = simulate(model, draws=draws, **options)
        data = ReportData(
            simulation=sim,
            summary=summarize(sim),
            tornado=tornado(model) if uncertain else None,
            sobol=sobol(model, n=REPORT_SOBOL_N, seed=seed, groups=True) if uncertain else None,
            scenarios=_scenarios(loaded, sim),
        )
    page = render_html(data, lang)
    return ReportResult(
        write_atomic(target, lambda temporary: temporary.write_text(page, encoding="utf-8")), data
    )


@dataclass(frozen=True, eq=False)
class PortfolioResult:
    """What ``somrisk portfolio`` produces: the portfolio's summary (as a case's), the per-case
    table (:func:`somrisk.portfolio.case_summary`), the simulation and the cube file written.

    Both are computed as plain arrays (`statistics`, `case_statistics`: what the JSON reads); the
    Datasets `summary` and `cases` are made from them on first use (which imports xarray).
    """

    statistics: SummaryArrays
    case_statistics: SummaryArrays
    simulation: PortfolioSimulation
    out: Path | None

    @property
    def summary(self) -> xr.Dataset:
        """The portfolio's summary as :func:`somrisk.summarize` returns it."""
        return self.statistics.dataset

    @property
    def cases(self) -> xr.Dataset:
        """The per-case table as :func:`somrisk.portfolio.case_summary` returns it."""
        return self.case_statistics.dataset


def run_portfolio(
    portfolio: str | Path,
    *,
    draws: int = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    out: str | Path | None = None,
    threads: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PortfolioResult:
    """Simulate a portfolio, summarise it and each case, and write the cube where `out` names a file.

    The cube has a ``case`` dimension on gains, costs and net. Arguments as for :func:`run`.

    Raises
    ------
    CaseError, UsageError, OutputError
        Bad portfolio, catalogue or case (each problem names its file), bad arguments, or an output
        that cannot be written (checked before simulating).
    """
    from somrisk.case.portfolio import load_portfolio
    from somrisk.portfolio import case_statistics, prepare_portfolio, simulate_portfolio
    from somrisk.summary import SummaryArrays, summary_arrays

    check_scheduler(scheduler)
    loaded = load_portfolio(portfolio)
    if out is not None:
        _prefetch("xarray")  # the cube needs it; import it while the draws run
    ensemble = prepare_portfolio(loaded)
    options = dict(
        draws=draws, seed=seed, sampler=sampler, threads=threads, scheduler=scheduler, progress=progress
    )
    sim, path = _with_cube(
        out,
        ensemble.layout,
        draws,
        scheduler,
        lambda cube: simulate_portfolio(loaded, ensemble=ensemble, **options, **cube),
    )
    return PortfolioResult(summary_arrays(sim), SummaryArrays(*case_statistics(sim)), sim, path)
