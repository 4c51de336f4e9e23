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
from somrisk.cli.options import Lang, table_language

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
    lang: Lang = None,
) -> None:
    """Value of sample information: what a study of N participants informing one input is worth
    before deciding to invest (EVSI), with EVPPI as its ceiling."""
    from somrisk.io.evsi_json import evsi_json
    from somrisk.sensitivity import evsi as analyse

    n = parse_sizes(sizes)
    _check_plot(plot)
    model = _model(case, scheduler)
    with _on(scheduler, threads, lang=lang):
        result = analyse(
            model,
            input=input_path,
            n=n,
            sd=sd,
            cost=cost,
            **_given(draws=draws, seed=seed, sampler=_sampler(sampler), output=output),
        )
    language = table_language(lang)
    label = _input_label(model, result.input, language)
    if as_json:
        print(json.dumps(evsi_json(result), ensure_ascii=False, allow_nan=False))
    else:
        for item in evsi_report(result, language, label=label):
            stdout.print(item, highlight=False)

    def figure() -> Any:
        from somrisk.report.evsi_chart import evsi_figure

        currency = result.attrs.get("currency", "DKK")
        return evsi_figure(result, currency=currency, lang=language, label=label)

    _plot(plot, figure, as_json, lang)


def _input_label(model: Any, path: str, lang: str) -> str | None:
    """The input's label (somrisk.labels) in `lang`, or None where the model has no case."""
    from somrisk.labels import labels

    case = getattr(model, "case", None)
    return None if case is None else labels(case, lang)[path]


def evsi_report(result: Any, lang: str = "en", *, label: str | None = None) -> list[Any]:
    """The table of EVSI (and ENBS) by study size, with its title and notes, in `lang` (``da`` or
    ``en``); the input is named by `label` with its path, as the other commands show inputs, or
    by its path alone where no label is given. Numbers never wrap."""
    from somrisk.cli.fit import FittedTable
    from somrisk.report.table_words import TableWords

    words = TableWords(lang)
    attrs = result.attrs
    unit = words["prices"].format(
        currency=attrs.get("currency", "DKK"), price_year=attrs.get("price_year", "")
    )
    study = (
        words["evsi_binomial"]
        if result.study == "binomial"
        else words["evsi_normal"].format(sd=words.significant(result.sd, 6))
    )
    named = result.input if label is None or label == result.input else f"{label} ({result.input})"
    title = words["evsi_title"].format(
        input=named,
        output=words.output(result.output),
        unit=unit.strip(", "),
        draws=words.integer(result.draws),
        study=study,
    )
    table = FittedTable(escape(title))
    table.add_number_column("N")
    table.add_number_column("EVSI")
    table.add_number_column("± 95 %")
    table.add_number_column(words["evsi_share"])
    if result.cost is not None:
        table.add_number_column(words["evsi_net"])
    ceiling = result.evppi or 0.0
    enbs = result.enbs if result.cost is not None else [None] * len(result.sizes)
    for n, value, se, net in zip(result.sizes, result.evsi, result.evsi_se, enbs, strict=True):
        row = [
            words.integer(int(n)),
            words.money(value),
            words.money(1.96 * se),
            words.share(value / ceiling) if ceiling > 0 else "-",
        ]
        if net is not None:
            row.append(words.money(net))
        table.add_row(*row)
    mean = result.mean or 0.0
    lines: list[Any] = [
        table,
        words["evsi_ceiling"].format(evppi=words.money(ceiling), evpi=words.money(result.evpi or 0.0)),
        words["evsi_decision"].format(
            decision=words["invest"] if mean > 0 else words["not_invest"],
            mean=words.money(mean),
            p=words.share(result.prob_positive or 0.0),
        ),
    ]
    if result.cost is not None:
        best = result.best_n
        verdict = (
            words["evsi_best"].format(n=words.integer(best)) if best is not None else words["evsi_no_best"]
        )
        lines.append(words["evsi_cost"].format(cost=words.money(result.cost), verdict=verdict))
    lines.append(f"[dim]{escape(words['evsi_note'])}[/dim]")
    return lines
