"""``somrisk evsi``: what a study of N participants informing one input is worth before deciding.

Parses its arguments, makes one call of :func:`somrisk.sensitivity.evsi`, and prints a table, the
JSON of outputs.md (``--json``, nothing else on stdout) or writes a chart (``--plot``, checked before
the analysis runs and written atomically).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from somrisk.cli.analyses import (
    CaseArg,
    DrawsOpt,
    JsonOpt,
    OutputOpt,
    PlotOpt,
    SamplerOpt,
    SeedOpt,
    ThreadsOpt,
    _check_plot,
    _model,
    _on,
    _plot,
    _sampler,
)
from somrisk.cli.app import SchedulerOption, _given, app, stdout

__all__ = ["parse_sizes"]

_WHOLE = re.compile(r"\s*\d+\s*")


def parse_sizes(text: str) -> list[int]:
    """``"20,50,100"`` as [20, 50, 100]; every item a positive whole number.

    Raises
    ------
    UsageError
        Naming the items that are not.
    """
    from somrisk.errors import UsageError

    items = text.split(",")
    bad = [item.strip() for item in items if not _WHOLE.fullmatch(item) or int(item) < 1]
    if bad:
        shown = ", ".join(repr(item) for item in bad)
        raise UsageError(
            f"--n {text}: give the study sizes as positive whole numbers separated by commas, "
            f"such as 20,50,100; not {shown}"
        )
    return [int(item) for item in items]


@app.command()
def evsi(
    case: CaseArg,
    input_path: Annotated[
        str,
        typer.Option("--input", help="The input the study informs (its path, e.g. effect.success_rate)."),
    ],
    sizes: Annotated[
        str, typer.Option("--n", help="Study sizes, participants, e.g. 20,50,100.", show_default=False)
    ],
    sd: Annotated[
        float | None,
        typer.Option(
            "--sd",
            help="Individual standard deviation S of a measured input (not a rate), in its unit.",
            show_default=False,
        ),
    ] = None,
    cost: Annotated[
        float | None,
        typer.Option(
            "--cost", help="The study's cost: adds the expected net benefit of sampling.", show_default=False
        ),
    ] = None,
    draws: DrawsOpt = None,
    seed: SeedOpt = None,
    sampler: SamplerOpt = None,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    threads: ThreadsOpt = None,
    scheduler: SchedulerOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Value of sample information: what a study of N participants informing one input is worth
    before deciding to invest (EVSI), with EVPPI as its ceiling."""
    from somrisk.io.evsi_json import evsi_json
    from somrisk.sensitivity import evsi as analyse

    n = parse_sizes(sizes)
    _check_plot(plot)
    model = _model(case, scheduler)
    with _on(scheduler, threads):
        result = analyse(
            model,
            input=input_path,
            n=n,
            sd=sd,
            cost=cost,
            **_given(draws=draws, seed=seed, sampler=_sampler(sampler), output=output),
        )
    if as_json:
        print(json.dumps(evsi_json(result), ensure_ascii=False, allow_nan=False))
    else:
        for item in evsi_report(result):
            stdout.print(item, highlight=False)

    def figure() -> Any:
        from somrisk.report.evsi_chart import evsi_figure

        return evsi_figure(result, currency=result.attrs.get("currency", "DKK"))

    _plot(plot, figure, as_json)


def evsi_report(result: Any) -> list[Any]:
    """The table of EVSI (and ENBS) by study size, with its title and notes."""
    from somrisk.cli.render import money, share

    currency = escape(f"{result.attrs.get('currency', 'DKK')}, {result.attrs.get('price_year', '')} prices")
    study = (
        "successes counted among N participants (binomial)"
        if result.study == "binomial"
        else f"mean of N measurements with individual sd {result.sd:g} (normal)"
    )
    table = Table(
        title=(
            f"Value of a study of {escape(result.input)} on {result.output} ({currency.strip(', ')}; "
            f"{result.draws:,} draws)\nStudy: {study}"
        ),
        title_justify="left",
    )
    table.add_column("N", justify="right")
    table.add_column("EVSI", justify="right")
    table.add_column("± 95 %", justify="right")
    table.add_column("Share of EVPPI", justify="right")
    if result.cost is not None:
        table.add_column("EVSI − cost", justify="right")
    ceiling = result.evppi or 0.0
    enbs = result.enbs if result.cost is not None else [None] * len(result.sizes)
    for n, value, se, net in zip(result.sizes, result.evsi, result.evsi_se, enbs, strict=True):
        row = [f"{int(n):,}", money(value), money(1.96 * se), share(value / ceiling) if ceiling > 0 else "-"]
        if net is not None:
            row.append(money(net))
        table.add_row(*row)
    decision = "to invest" if (result.mean or 0.0) > 0 else "not to invest"
    lines: list[Any] = [
        table,
        f"EVPPI (the input known exactly): {money(ceiling)}; EVPI (every input known exactly): "
        f"{money(result.evpi or 0.0)}.",
        f"Without the study the decision is {decision} (mean {money(result.mean or 0.0)}, "
        f"P(NPV > 0) {share(result.prob_positive or 0.0)}).",
    ]
    if result.cost is not None:
        best = result.best_n
        lines.append(
            f"With a study cost of {money(result.cost)}: "
            + (f"the best size is N = {best:,}." if best is not None else "no size is worth its cost.")
        )
    lines.append(
        "[dim]EVSI: what the study's result is worth, in expectation, for the decision to invest or not, "
        "before it is run; it rises with N towards the EVPPI.[/dim]"
    )
    return lines
