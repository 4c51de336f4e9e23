"""The sensitivity commands: tornado, sobol, morris, breakeven, voi, drivers.

Each parses its arguments, makes one call of :mod:`somrisk.sensitivity`, and renders a table, the
JSON of outputs.md (``--json``, nothing else on stdout) or a chart (``--plot``, checked before the
analysis runs and written atomically).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from somrisk.cli.app import SamplerOption, SchedulerOption, _given, app, stdout
from somrisk.cli.options import Draws, Lang, LanguageOption, Threads, table_language, whole_number_option

__all__: list[str] = []

CaseArg = Annotated[
    Path, typer.Argument(help="Case file (TOML) or case workbook (.xlsx).", show_default=False)
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", help="npv (total) or npv:<actor>.", show_default="npv"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print only the JSON result on stdout.")]
SeedOpt = Annotated[int | None, whole_number_option("--seed", help="Seed.", default="1")]
GroupsOpt = Annotated[
    bool,
    typer.Option(
        "--groups",
        help="Per group (effect, persistence, costs, consequences, prices, participants, economy).",
    ),
]
DrawsOpt = Draws
SamplerOpt = Annotated[SamplerOption | None, typer.Option(help="Sampler.", show_default="lhs")]
PlotOpt = Annotated[
    Path | None, typer.Option("--plot", help="Write a chart: .png, .svg or .pdf.", show_default=False)
]
ThreadsOpt = Threads


def _sampler(sampler: SamplerOption | None) -> str | None:
    return None if sampler is None else sampler.value


def _model(case: Path, scheduler: str | None) -> Any:
    """The case loaded and compiled, and the scheduler's name checked, before any cluster starts."""
    from somrisk._scheduler import check_scheduler
    from somrisk.cli.inputs import case_argument
    from somrisk.sensitivity._common import as_model

    check_scheduler(scheduler)
    read = case_argument(case)
    assert read is not None
    return as_model(read)


@contextmanager
def _on(
    scheduler: str | None, threads: int | None, what: str = "analysing", lang: LanguageOption | None = None
) -> Iterator[None]:
    """A context in which every evaluation of the analysis runs on one scheduler: `threads` threads
    here, or a Dask cluster (``--scheduler``); a spinner on stderr names the analysis (`what`, a key
    of TableWords: ``step_tornado``) in `lang` (None: the locale's) once it has taken more than a
    second."""
    from somrisk.cli.app import stderr
    from somrisk.cli.render import Working
    from somrisk.engine import scheduler as open_scheduler
    from somrisk.report.table_words import TableWords

    named = TableWords(table_language(lang))[what]
    with open_scheduler(scheduler, threads), Working(stderr, named):
        yield


_NO_LANG: Any = object()


def _show(
    result: Any,
    as_json: bool,
    to_json: Callable[[Any], dict],
    report: Callable[..., list],
    lang: LanguageOption | None = _NO_LANG,
    model: Any = None,
) -> None:
    """The JSON (the same in every language), or the report's table and notes: in `lang` (None:
    the locale's) where the command has ``--lang``, else as `report` writes it; inputs by their
    labels in that language where `model` has a case."""
    if as_json:
        print(json.dumps(to_json(result), ensure_ascii=False, allow_nan=False))
        return
    if lang is _NO_LANG:
        items = report(result)
    else:
        language = table_language(lang)
        names = _labels(model, language)
        items = report(result, language) if names is None else report(result, language, labels=names)
    for item in items:
        stdout.print(item, highlight=False)


def _labels(model: Any, lang: str) -> Any:
    """The labels (somrisk.labels) of the model's case in `lang`; None where it has no case."""
    case = getattr(model, "case", None)
    if case is None:
        return None
    from somrisk.labels import labels

    return labels(case, lang)


def _plot(
    plot: Path | None, figure: Callable[[], Any], as_json: bool, lang: LanguageOption | None = None
) -> None:
    """Write the chart; say so in `lang` (None: the locale's) on stdout, or on stderr where stdout
    holds only JSON."""
    if plot is None:
        return
    from somrisk.cli.app import stderr
    from somrisk.report.charts import save
    from somrisk.report.table_words import TableWords

    written = save(figure(), plot)
    said = TableWords(table_language(lang))["chart_written"].format(written)
    (stderr if as_json else stdout).print(said, markup=False, highlight=False)


def _check_plot(plot: Path | None) -> None:
    if plot is not None:
        from somrisk.report.charts import check_chart_path

        check_chart_path(plot)


@app.command()
def tornado(
    case: CaseArg,
    low: Annotated[float | None, typer.Option(help="Low quantile.", show_default="0.1")] = None,
    high: Annotated[float | None, typer.Option(help="High quantile.", show_default="0.9")] = None,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """One-way sensitivity: each input at its low and high quantile, with switching values."""
    from somrisk.cli.render_sensitivity import tornado_report
    from somrisk.io.sensitivity_json import tornado_json
    from somrisk.sensitivity import tornado as analyse

    _check_plot(plot)
    model = _model(case, scheduler)
    with _on(scheduler, threads, "step_tornado", lang):
        result = analyse(model, **_given(low=low, high=high, output=output))
    _show(result, as_json, tornado_json, tornado_report, lang, model)
    language = table_language(lang)

    def figure() -> Any:
        currency = result.attrs.get("currency", "DKK")
        return _figures().tornado_figure(result, currency, language, labels=_labels(model, language))

    _plot(plot, figure, as_json, lang)


def _figures():
    from somrisk.report import charts

    return charts


@app.command()
def sobol(
    case: CaseArg,
    n: Annotated[
        int | None,
        whole_number_option(
            "--n", help="Base points, rounded up to a power of two (at least 64).", default="1024"
        ),
    ] = None,
    seed: SeedOpt = None,
    groups: GroupsOpt = False,
    output: OutputOpt = None,
    second_order: Annotated[bool, typer.Option("--second-order", help="Also second-order indices.")] = False,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """Sobol first-order and total indices (SALib) with bootstrap confidence intervals."""
    from somrisk.cli.render_sensitivity import sobol_report
    from somrisk.io.sensitivity_json import sobol_json
    from somrisk.sensitivity import sobol as analyse

    model = _model(case, scheduler)
    with _on(scheduler, threads, "step_sobol2" if second_order else "step_sobol", lang):
        result = analyse(
            model,
            groups=groups,
            second_order=second_order,
            **_given(n=n, seed=seed, output=output),
        )
    _show(result, as_json, sobol_json, sobol_report, lang, model)


@app.command()
def morris(
    case: CaseArg,
    trajectories: Annotated[
        int | None, whole_number_option("--trajectories", help="Trajectories.", default="20")
    ] = None,
    levels: Annotated[
        int | None, whole_number_option("--levels", help="Grid levels, even.", default="4")
    ] = None,
    seed: SeedOpt = None,
    groups: GroupsOpt = False,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """Morris screening (SALib): mu* and sigma of the elementary effects, for many inputs."""
    from somrisk.cli.render_sensitivity import morris_report
    from somrisk.io.sensitivity_json import morris_json
    from somrisk.sensitivity import morris as analyse

    _check_plot(plot)
    model = _model(case, scheduler)
    with _on(scheduler, threads, "step_morris", lang):
        result = analyse(
            model,
            groups=groups,
            **_given(trajectories=trajectories, levels=levels, seed=seed, output=output),
        )
    _show(result, as_json, morris_json, morris_report, lang, model)
    language = table_language(lang)

    def figure() -> Any:
        currency = result.attrs.get("currency", "DKK")
        return _figures().morris_figure(result, currency, language, labels=_labels(model, language))

    _plot(plot, figure, as_json, lang)


@app.command()
def breakeven(
    case: CaseArg,
    draws: DrawsOpt = None,
    seed: SeedOpt = None,
    sampler: SamplerOpt = None,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """The effect and the full persistence at which the NPV is 0; P(NPV > 0) against the effect."""
    from somrisk.cli.render_sensitivity import breakeven_report
    from somrisk.io.sensitivity_json import breakeven_json
    from somrisk.sensitivity import breakeven as analyse

    _check_plot(plot)
    model = _model(case, scheduler)
    with _on(scheduler, threads, "step_breakeven", lang):
        result = analyse(model, **_given(draws=draws, seed=seed, sampler=_sampler(sampler), output=output))
    _show(result, as_json, breakeven_json, breakeven_report, lang, model)
    _plot(plot, lambda: _figures().breakeven_figure(result, table_language(lang)), as_json, lang)


@app.command()
def voi(
    case: CaseArg,
    draws: DrawsOpt = None,
    seed: SeedOpt = None,
    sampler: SamplerOpt = None,
    groups: GroupsOpt = False,
    output: OutputOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """Value of information: EVPI, and EVPPI per input or group, for investing or not."""
    from somrisk.cli.render_sensitivity import voi_report
    from somrisk.io.sensitivity_json import voi_json
    from somrisk.sensitivity import voi as analyse

    model = _model(case, scheduler)
    with _on(scheduler, threads, "step_voi", lang):
        result = analyse(
            model,
            groups=groups,
            **_given(draws=draws, seed=seed, sampler=_sampler(sampler), output=output),
        )
    _show(result, as_json, voi_json, voi_report, lang, model)


@app.command()
def drivers(
    case: CaseArg,
    draws: DrawsOpt = None,
    seed: SeedOpt = None,
    sampler: SamplerOpt = None,
    output: OutputOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """What drives a loss: which inputs separate the draws with NPV < 0 from the rest."""
    from somrisk.cli.render_sensitivity import drivers_report
    from somrisk.io.sensitivity_json import drivers_json
    from somrisk.sensitivity import drivers as analyse

    model = _model(case, scheduler)
    with _on(scheduler, threads, "step_drivers", lang):
        result = analyse(model, **_given(draws=draws, seed=seed, sampler=_sampler(sampler), output=output))
    _show(result, as_json, drivers_json, drivers_report, lang, model)
