"""The ``somrisk`` commands: each parses its arguments, makes one library call, and renders."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from somrisk.cli.draws import DrawsOption, ToleranceOption, parse_draws
from somrisk.cli.excel import excel_app
from somrisk.cli.options import Draws, Lang, LanguageOption, Seed, Threads, table_language

__all__ = ["app"]

app = typer.Typer(
    name="somrisk",
    help="Monte Carlo uncertainty and sensitivity analysis for SØM social-investment cases.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

app.add_typer(excel_app, name="excel")

stdout = Console()
stderr = Console(stderr=True)


class SamplerOption(StrEnum):
    lhs = "lhs"
    mc = "mc"
    sobol = "sobol"


SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Where blocks run: threads (here), local:N (a Dask LocalCluster of N workers) or "
        "tcp://HOST:PORT (a Dask cluster); results do not depend on it.",
        show_default="threads",
    ),
]


def _given(**options: Any) -> dict[str, Any]:
    """Only the options the user gave: defaults live once, in the library's signatures."""
    return {k: v for k, v in options.items() if v is not None}


def _version(show: bool) -> None:
    if show:
        from somrisk._version import __version__

        stdout.print(f"somrisk {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """somrisk: how likely is a social investment to pay back, for whom, and by when."""


CaseArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Case file (TOML) or case workbook (.xlsx). Without it, the bundled example case is run.",
        show_default=False,
    ),
]


@app.command()
def run(
    case: CaseArgument = None,
    draws: DrawsOption = None,
    seed: Seed = None,
    sampler: Annotated[
        SamplerOption | None,
        typer.Option(help="Latin hypercube, plain Monte Carlo or scrambled Sobol.", show_default="lhs"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the result cube: .nc (netCDF) or .zarr.", show_default=False),
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option(help="Also write the results workbook (.xlsx).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON summary on stdout.")] = False,
    threads: Threads = None,
    scheduler: SchedulerOption = None,
    reproduce: Annotated[
        Path | None,
        typer.Option(
            help="Rerun a result cube (.nc or .zarr) with its recorded seed, sampler and draws, and "
            "compare the two value by value; exit 1 where they differ.",
            show_default=False,
        ),
    ] = None,
    lang: Lang = None,
    by_year: Annotated[
        bool,
        typer.Option(
            "--by-year",
            help="Also the net result by year and actor (mean of the draws, undiscounted) and the "
            "cumulative discounted total.",
        ),
    ] = False,
    tolerance: ToleranceOption = None,
) -> None:
    """Simulate a case and print its NPV per actor, P(NPV > 0) and payback."""
    from somrisk.cli.render import by_year_table, summary_table, warnings_in
    from somrisk.io import summary_json
    from somrisk.runner import run as run_case

    if by_year and as_json:
        from somrisk.errors import UsageError

        raise UsageError(
            "--by-year is a table; with --json leave it out (the JSON's net_by_year holds the total's "
            "net result by year)"
        )
    if reproduce is not None:
        others = {"--draws": draws, "--seed": seed, "--sampler": sampler, "--out": out, "--xlsx": xlsx}
        others["--tolerance"] = tolerance
        _refuse_with_reproduce(reproduce, case, {**others, "--json": as_json, "--by-year": by_year})
        _rerun(reproduce, case, threads, scheduler, table_language(lang))
        return
    from somrisk.cli.inputs import case_argument

    read = case_argument(case)
    language = table_language(lang)
    progress, writing = _progress_bars(language, out)
    try:
        result = run_case(
            read,
            progress=progress,
            # the workbook is a Danish deliverable unless --lang says otherwise (tables follow the locale)
            lang="da" if lang is None else lang.value,
            workbook_progress=writing,
            **_given(
                draws=parse_draws(draws),
                seed=seed,
                sampler=None if sampler is None else sampler.value,
                out=out,
                xlsx=xlsx,
                threads=threads,
                scheduler=scheduler,
                tolerance=tolerance,
            ),
        )
    finally:
        progress.close()
        writing.close()
    if as_json:
        print(json.dumps(summary_json(result.statistics), ensure_ascii=False, allow_nan=False))
        return
    warnings = warnings_in(result.simulation, language)
    from somrisk.summary import idle_actors

    for item in summary_table(result.statistics, language, warnings, idle_actors(result.simulation)):
        stdout.print(item)
    _say_draws_auto(result.statistics.attrs, language)
    if by_year:
        stdout.print(by_year_table(result.summary, language))
    _say_written(language, cube=result.out, results_workbook=result.xlsx)


def _progress_bars(lang: str, out: Path | None) -> tuple[Any, Any]:
    """The run's bar of draws in `lang`, with a spinner while the cube is written after the last
    draw (where there is one), and the bar of the workbook's draws written."""
    from somrisk.cli.render import ProgressBar
    from somrisk.report.table_words import TableWords

    words = TableWords(lang)
    after = None if out is None else words["writing_cube"]
    progress = ProgressBar(stderr, after=after, lang=lang)
    writing = ProgressBar(stderr, label=words["writing_workbook"], lang=lang)
    return progress, writing


def _say_written(lang: str, **files: Path | None) -> None:
    """Say in `lang` which files a command wrote (``cube``, ``results_workbook``): one line each."""
    from somrisk.report.table_words import TableWords

    words = TableWords(lang)
    for what, path in files.items():
        if path is not None:
            stdout.print(words[f"{what}_written"].format(path), markup=False, highlight=False)


def _say_draws_auto(attrs: dict[str, Any], lang: str) -> None:
    """How many draws ``--draws auto`` took and why it stopped (a warning at the cap), in `lang`."""
    from rich.markup import escape

    from somrisk.report.draws_auto_words import draws_auto_text
    from somrisk.report.table_words import TableWords

    reason = draws_auto_text(attrs, lang)
    if reason is None:
        return
    if attrs.get("draws_auto_met"):
        stdout.print(reason, markup=False, highlight=False)
    else:
        warning = TableWords(lang)["warning"]
        stderr.print(f"[yellow]{warning}:[/yellow] {escape(reason)}", highlight=False)


def _refuse_with_reproduce(result: Path, case: Path | None, options: dict[str, Any]) -> None:
    """Refuse the options that --reproduce takes from the result, or that write other files."""
    from somrisk.errors import UsageError

    given = [option for option, value in options.items() if value is not None and value is not False]
    if given:
        raise UsageError(
            f"--reproduce takes the draws, seed and sampler from {str(result)!r} and writes nothing; "
            f"leave out {', '.join(given)}"
        )
    if case is None:
        raise UsageError("--reproduce needs the case file: somrisk run --reproduce RESULT.nc CASE")


def _rerun(result: Path, case: Path, threads: int | None, scheduler: str | None, lang: str) -> None:
    from somrisk.cli.render import ProgressBar
    from somrisk.report.reproduce_words import finding_text
    from somrisk.report.table_words import TableWords
    from somrisk.reproduce import reproduce

    words = TableWords(lang)
    progress = ProgressBar(stderr, lang=lang)
    try:
        outcome = reproduce(result, case, threads=threads, scheduler=scheduler, progress=progress)
    finally:
        progress.close()
    attrs = outcome.recorded
    recorded = words["reproduce_recorded"].format(
        result=result,
        draws=words.integer(int(attrs["draws"])),
        seed=attrs["seed"],
        sampler=attrs["sampler"],
        version=attrs["somrisk_version"],
    )
    stdout.print(recorded, markup=False, highlight=False)
    for note in outcome.notes:
        stdout.print(
            words["reproduce_note"].format(finding_text(*note, words)), markup=False, highlight=False
        )
    if outcome.identical:
        identical = words["reproduce_identical"].format(", ".join(outcome.compared))
        stdout.print(identical, markup=False, highlight=False)
        return
    for mismatch in outcome.mismatches:
        stderr.print(
            words["reproduce_differs"].format(finding_text(*mismatch, words)), markup=False, highlight=False
        )
    stderr.print(words["reproduce_not"], markup=False, highlight=False)
    raise typer.Exit(1)


@app.command()
def check(
    case: Annotated[
        Path,
        typer.Argument(help="Case file (TOML) or case workbook (.xlsx) to validate.", show_default=False),
    ],
    lang: Lang = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only what the case holds, or its problems, as JSON.")
    ] = False,
) -> None:
    """Validate a case: exit 0 and say what it holds, or exit 2 with every problem found."""
    from somrisk.cli.render import check_report
    from somrisk.errors import SomriskError

    try:
        checked = _check(case)
    except SomriskError as error:
        if as_json:
            from somrisk.cli.check_json import problems_json

            print(json.dumps(problems_json(error, str(case)), ensure_ascii=False, allow_nan=False))
        raise
    if as_json:
        from somrisk.cli.check_json import check_json

        print(json.dumps(check_json(checked), ensure_ascii=False, allow_nan=False))
        return
    for line in check_report(checked, table_language(lang)):
        stdout.print(line, highlight=False, soft_wrap=True)


def _check(case: Path) -> Any:
    """check_case of a TOML case, or of a case workbook; another kind of file refused."""
    from somrisk.cli.inputs import case_argument
    from somrisk.runner import CaseCheck, check_case
    from somrisk.space import build_space

    read = case_argument(case)
    if isinstance(read, Path):
        return check_case(read)
    assert read is not None
    return CaseCheck(read, build_space(read))


@app.command()
def report(
    case: CaseArgument = None,
    out: Annotated[Path, typer.Option(help="The report's file (.html).")] = Path("report.html"),
    lang: Annotated[
        LanguageOption, typer.Option(help="Danish (SØM's terms) or English.")
    ] = LanguageOption.da,
    draws: DrawsOption = None,
    seed: Seed = None,
    sampler: Annotated[SamplerOption | None, typer.Option(help="Sampler.", show_default="lhs")] = None,
    threads: Threads = None,
    scheduler: SchedulerOption = None,
    tolerance: ToleranceOption = None,
) -> None:
    """Write the investment committee's report: one self-contained HTML page, Danish or English."""
    from somrisk.cli.inputs import case_argument
    from somrisk.cli.render import ProgressBar
    from somrisk.runner import report as write_report

    read = case_argument(case)
    from somrisk.report.table_words import TableWords

    words = TableWords(lang.value)
    progress = ProgressBar(stderr, after=words["writing_report"], lang=lang.value)
    try:
        result = write_report(
            read,
            out=out,
            lang=lang.value,
            progress=progress,
            **_given(
                draws=parse_draws(draws),
                seed=seed,
                sampler=None if sampler is None else sampler.value,
                threads=threads,
                scheduler=scheduler,
                tolerance=tolerance,
            ),
        )
    finally:
        progress.close()
    _say_draws_auto(result.data.simulation.attrs, lang.value)
    from somrisk.report.i18n import Words

    stdout.print(Words(lang.value)["written"].format(result.path), markup=False, highlight=False)


@app.command()
def portfolio(
    file: Annotated[Path, typer.Argument(help="Portfolio file (TOML).", show_default=False)],
    draws: Draws = None,
    seed: Seed = None,
    sampler: Annotated[SamplerOption | None, typer.Option(help="Sampler.", show_default="lhs")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the result cube (with a case dimension): .nc or .zarr.", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON summary on stdout.")] = False,
    threads: Threads = None,
    scheduler: SchedulerOption = None,
    lang: Lang = None,
) -> None:
    """Simulate a portfolio of cases with its shared price catalogue: the portfolio's NPV per actor,
    P(NPV > 0) and payback, and a table of its cases."""
    from somrisk.cli.inputs import refuse_other_kinds
    from somrisk.cli.render import ProgressBar, case_table, summary_table, warnings_in
    from somrisk.io import portfolio_json
    from somrisk.runner import run_portfolio

    refuse_other_kinds(file, ("portfolio",))
    progress = ProgressBar(stderr, lang=table_language(lang))
    try:
        result = run_portfolio(
            file,
            progress=progress,
            **_given(
                draws=draws,
                seed=seed,
                sampler=None if sampler is None else sampler.value,
                out=out,
                threads=threads,
                scheduler=scheduler,
            ),
        )
    finally:
        progress.close()
    if as_json:
        document = portfolio_json(result.statistics, result.case_statistics)
        print(json.dumps(document, ensure_ascii=False, allow_nan=False))
        return
    language = table_language(lang)
    warnings = warnings_in(result.simulation, language)
    for item in summary_table(result.statistics, language, warnings):
        stdout.print(item)
    stdout.print(case_table(result.cases, language))
    _say_written(language, cube=result.out)
