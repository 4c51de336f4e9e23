"""``somrisk compare`` and ``somrisk scenarios``: alternatives on common random numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from somrisk.cli.analyses import PlotOpt, _check_plot, _sampler
from somrisk.cli.app import SamplerOption, SchedulerOption, _given, app, stderr, stdout
from somrisk.cli.draws import DrawsOption, ToleranceOption, parse_draws
from somrisk.cli.options import Lang, table_language

__all__ = ["comparison_tables"]

SeedOpt = Annotated[int | None, typer.Option(help="Seed \\[default: 1].", show_default=False)]
SamplerOpt = Annotated[
    SamplerOption | None, typer.Option(help="Sampler \\[default: lhs].", show_default=False)
]
ThreadsOpt = Annotated[int | None, typer.Option(help="Threads \\[default: all CPUs].", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print only the JSON on stdout.")]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        help="Write each draw's NPV and difference, with an alternative dimension: .nc.", show_default=False
    ),
]


@app.command()
def compare(
    cases: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more case files (TOML or case workbooks); the first is the reference.",
            show_default=False,
        ),
    ],
    draws: DrawsOption = None,
    tolerance: ToleranceOption = None,
    seed: SeedOpt = None,
    sampler: SamplerOpt = None,
    out: OutOpt = None,
    plot: PlotOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """Compare alternatives on common random numbers: each one's NPV and its difference against the
    first, draw by draw, with P(it beats the first)."""
    from somrisk.cli.inputs import case_argument
    from somrisk.compare import load_alternatives

    loaded, names = load_alternatives([case_argument(path) for path in cases])
    _run(loaded, names, (draws, tolerance), seed, sampler, out, plot, threads, scheduler, as_json, lang)


@app.command()
def scenarios(
    case: Annotated[
        Path, typer.Argument(help="Case file (TOML) with \\[\\[scenarios]].", show_default=False)
    ],
    draws: DrawsOption = None,
    tolerance: ToleranceOption = None,
    seed: SeedOpt = None,
    sampler: SamplerOpt = None,
    out: OutOpt = None,
    plot: PlotOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
    lang: Lang = None,
) -> None:
    """Compare the case (base) with each of its \\[\\[scenarios]] on common random numbers."""
    from somrisk.case import load_case
    from somrisk.case.scenarios import BASE, scenario_case
    from somrisk.errors import UsageError

    loaded = load_case(case)
    if not loaded.scenarios:
        raise UsageError(f"{case}: the case has no [[scenarios]] to compare; add some (case-format.md)")
    alternatives = [loaded, *(scenario_case(loaded, s) for s in loaded.scenarios)]
    names = [BASE, *(s.name for s in loaded.scenarios)]
    options = (seed, sampler, out, plot, threads, scheduler, as_json, lang)
    _run(alternatives, names, (draws, tolerance), *options, scenarios=True)


def _run(
    cases, names, precision, seed, sampler, out, plot, threads, scheduler, as_json, lang=None, scenarios=False
) -> None:
    from somrisk._scheduler import check_scheduler
    from somrisk.cli.render import ProgressBar
    from somrisk.compare import compare as run_comparison
    from somrisk.report.table_words import TableWords

    draws, tolerance = parse_draws(precision[0]), precision[1]
    check_scheduler(scheduler)
    _check_plot(plot)
    if out is not None:
        from somrisk.compare import DEFAULT_DRAWS, alternatives_actors
        from somrisk.io.comparison import comparison_nbytes
        from somrisk.io.store import check_output
        from somrisk.precision import AUTO

        planned = DEFAULT_DRAWS if draws is None else draws
        actors = len(alternatives_actors(cases))
        check_output(out, 0 if planned == AUTO else comparison_nbytes(len(cases), actors, int(planned)))
    words = TableWords(table_language(lang))
    progress = ProgressBar(stderr, lang=words.lang)
    try:
        result = run_comparison(
            cases,
            names,
            progress=progress,
            **_given(
                draws=draws,
                seed=seed,
                sampler=_sampler(sampler),
                threads=threads,
                scheduler_spec=scheduler,
                tolerance=tolerance,
            ),
        )
    finally:
        progress.close()
    say = stderr if as_json else stdout
    if out is not None:
        from somrisk.io.comparison import comparison_dataset
        from somrisk.io.store import CubeWriter

        with CubeWriter(out) as writer:
            writer.write(comparison_dataset(result))
            writer.commit()
        say.print(words["comparison_written"].format(out), markup=False, highlight=False)
    if plot is not None:
        from somrisk.report.charts import save
        from somrisk.report.compare_chart import difference_figure

        currency = result.simulations[0].attrs.get("currency", "DKK")
        written = save(difference_figure(result, currency, lang=words.lang), plot)
        say.print(words["chart_written"].format(written), markup=False, highlight=False)
    if as_json:
        from somrisk.io.comparison import comparison_json

        print(json.dumps(comparison_json(result), ensure_ascii=False, allow_nan=False))
        return
    for item in comparison_tables(result, table_language(lang), scenarios=scenarios):
        stdout.print(item, highlight=False)


def _better(stats: dict[str, float], words: Any) -> str:
    """P(better), or "the same" where the difference is 0 in every draw (0 % would read as worse)."""
    if stats["sd"] == 0 and stats["mean"] == 0:
        return words["no_difference"]
    return words.share(stats["prob_positive"])


def comparison_tables(result: Any, lang: str = "en", *, scenarios: bool = False) -> list[Any]:
    """Each alternative's NPV, and each other alternative's difference against the reference, in
    `lang` (``da`` or ``en``). Numbers never wrap; names fold. With `scenarios`, the reference is
    the case itself, named as the report names it ("Grundberegning" in Danish)."""
    from somrisk.cli.fit import FittedTable
    from somrisk.report.draws_auto_words import draws_auto_text
    from somrisk.report.table_words import TableWords

    words = TableWords(lang)

    def shown(name: str) -> str:
        return escape(words["scenario_base"] if scenarios and name == result.reference else name)

    attrs = result.simulations[0].attrs
    unit = escape(words["prices"].format(currency=attrs["currency"], price_year=attrs["price_year"]))
    npv = FittedTable(words["compare_npv"].format(unit=unit))
    difference = FittedTable(words["compare_difference"].format(reference=shown(result.reference), unit=unit))
    for table, last in ((npv, "P(NPV > 0)"), (difference, words["better"])):
        table.add_label_column(words["alternative"], max_width=30)
        table.add_label_column(words["actor"], max_width=30)
        for heading in (words["mean"], "5 %", "50 %", "95 %", last):
            table.add_number_column(heading)
    for name in result.names:
        rows = result.npv(name)
        for k, label in enumerate(result.labels):
            row = rows[k]
            p05, p50, p95 = (float(x) for x in _percentiles(row))
            npv.add_row(
                shown(name) if k == 0 else "",
                escape(words.actor(label)),
                *(words.money(x) for x in (float(row.mean()), p05, p50, p95)),
                words.share(float((row > 0).mean())) if row.any() else words.report["no_flows_cell"],
                end_section=k == len(result.labels) - 1,
                style="bold" if label == "total" else None,
            )
        if name == result.reference:
            continue
        for k, (label, stats) in enumerate(result.difference_statistics(name).items()):
            difference.add_row(
                shown(name) if k == 0 else "",
                escape(words.actor(label)),
                *(words.money(stats[key]) for key in ("mean", "p05", "p50", "p95")),
                _better(stats, words),
                end_section=k == len(result.labels) - 1,
                style="bold" if label == "total" else None,
            )
    note = words["compare_note"].format(
        draws=words.integer(result.draws), sampler=attrs["sampler"], seed=attrs["seed"]
    )
    lines: list[Any] = [npv, difference, f"[dim]{escape(note)}[/dim]"]
    reason = draws_auto_text(attrs, words.lang)
    if reason is not None:
        warning = f"[yellow]{words['warning']}:[/yellow] "
        lines.append(escape(reason) if attrs.get("draws_auto_met") else warning + escape(reason))
    return lines


def _percentiles(row):
    import numpy as np

    return np.percentile(row, [5, 50, 95])
