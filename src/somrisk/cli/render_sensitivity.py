"""What the sensitivity analyses print around their tables: titles and notes. The tables themselves
are the one renderer's (:func:`somrisk.cli.render_labelled.labelled_table`), from the columns each
result declares."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.markup import escape
from rich.table import Table

from somrisk.cli.render import money, share
from somrisk.cli.render_labelled import INPUT_WIDTH, index_text, labelled_table
from somrisk.sensitivity import (
    Breakeven,
    Drivers,
    MorrisResult,
    SobolResult,
    Tornado,
    ValueOfInformation,
    distinguishable,
)

__all__ = [
    "breakeven_report",
    "drivers_report",
    "morris_report",
    "sobol_report",
    "tornado_report",
    "voi_report",
]


def _currency(attrs: dict[str, Any]) -> str:
    return f"{attrs.get('currency', 'DKK')}, {attrs.get('price_year', '')} prices".strip(", ")


def tornado_report(result: Tornado) -> list[Any]:
    low, high = f"{result.low_quantile * 100:g} %", f"{result.high_quantile * 100:g} %"
    title = (
        f"Tornado: {result.output} with one input at a time at its {low} and {high} quantile "
        f"({escape(_currency(result.attrs))})\nBase (deterministic) {result.output}: {money(result.base)}"
    )
    note = (
        "[dim]Switching value: the input's value at which the deterministic NPV is 0 with every other "
        "input at base; P(beyond): the probability, under the input's own distribution, of a value "
        "on the losing side of it.[/dim]"
    )
    return [labelled_table(result, title), note]


def sobol_report(result: SobolResult) -> list[Any]:
    what = "group" if result.by_group else "input"
    title = (
        f"Sobol indices of {result.output} per {what} (n = {result.n:,}, "
        f"{result.evaluations:,} model evaluations)"
    )
    lines: list[Any] = [labelled_table(result, title)]
    if result.S2 is not None and len(result.names) > 1:
        lines.append(second_order_table(result, what))
    if not result.varies:
        lines.append(f"{result.output} is the same in every evaluation: there is no variance to attribute.")
    if result.requested_n is not None and result.requested_n != result.n:
        lines.append(
            f"n rounded up from {result.requested_n:,} to {result.n:,} (Sobol designs need a power of two)."
        )
    for name in result.merged:
        lines.append(
            f"[yellow]Correlated inputs analysed as one group:[/yellow] {escape(name)} "
            "(Sobol indices assume independent inputs)."
        )
    lines.append(
        f"[dim]S1: share of the variance of {result.output} caused by the {what} alone; ST: including its "
        f"interactions with the others. ± half-width of the {result.confidence:.0%} bootstrap interval; "
        f"an index whose interval reaches 0 is shown as ≈ 0.[/dim]"
    )
    return lines


def second_order_table(result: SobolResult, what: str) -> Table:
    """The second-order indices S2 of every pair (each pair once), largest first, shown as the
    first-order ones are (≈ 0 where the interval reaches 0)."""
    names, s2, conf = result.names, result.S2, result.S2_conf
    assert s2 is not None and conf is not None
    pairs = [(k, m) for k in range(len(names)) for m in range(k + 1, len(names))]
    pairs.sort(key=lambda km: -np.nan_to_num(s2[km], nan=-1.0))
    table = Table(
        title=f"Second-order Sobol indices S2 of {result.output} per pair of {what}s", title_justify="left"
    )
    table.add_column(what.capitalize(), overflow="fold", max_width=INPUT_WIDTH)
    table.add_column(f"Other {what}", overflow="fold", max_width=INPUT_WIDTH)
    table.add_column("S2", justify="right", no_wrap=True)
    for k, m in pairs:
        x, c = float(s2[k, m]), float(conf[k, m])
        shown = index_text(x, c, bool(distinguishable(np.array(x), np.array(c))))
        table.add_row(escape(names[k]), escape(names[m]), shown)
    return table


def morris_report(result: MorrisResult) -> list[Any]:
    what = "group" if result.by_group else "input"
    title = (
        f"Morris screening of {result.output} per {what} ({result.trajectories} trajectories, "
        f"{result.evaluations:,} model evaluations; {escape(_currency(result.attrs))})"
    )
    lines: list[Any] = [labelled_table(result, title)]
    for name in result.merged:
        lines.append(f"[yellow]Correlated inputs moved as one group:[/yellow] {escape(name)}.")
    lines.append(
        "[dim]mu*: mean absolute change of the output when the input moves across its 1-99 % range; "
        "sigma: spread of those changes (interactions, non-linearity; '-' for a group).[/dim]"
    )
    return lines


def breakeven_report(result: Breakeven) -> list[Any]:
    effect = (
        "none in [-100, 100] percentage points"
        if result.effect is None
        else f"{result.effect * 100:.2f} percentage points (base {result.base_effect * 100:.2f})"
    )
    if result.base_full_years is None:
        full = "not applicable (the case has no persistence.full_years)"
    elif result.full_years is None:
        full = "none within the horizon"
    else:
        full = f"{result.full_years:.2f} years (base {result.base_full_years:.2f})"
    title = f"P({result.output} > 0) against the effect ({result.draws:,} draws)"
    return [
        f"Break-even effect (deterministic {result.output} = 0): {effect}",
        f"Break-even full persistence: {full}",
        labelled_table(result, title),
    ]


def voi_report(result: ValueOfInformation) -> list[Any]:
    currency = escape(_currency(result.attrs))
    decision = "invest" if result.mean > 0 else "not invest"
    title = (
        f"Value of information on {result.output} ({currency}; {result.draws:,} draws)\n"
        f"EVPI (every input known exactly): {money(result.evpi)}"
    )
    return [
        labelled_table(result, title),
        f"Without more information the decision is to {decision} (mean {money(result.mean)}, "
        f"P(NPV > 0) {share(result.prob_positive)}).",
        "[dim]EVPPI: what it is worth, in expectation, to know this input exactly before deciding; "
        "an upper limit on what a study of it should cost.[/dim]",
    ]


def drivers_report(result: Drivers) -> list[Any]:
    if result.loss_draws in (0, result.draws):
        which = "no draw" if result.loss_draws == 0 else "every draw"
        return [
            f"{which.capitalize()} of {result.draws:,} has {result.output} < 0: nothing separates losses."
        ]
    title = (
        f"What drives a loss: {result.loss_draws:,} of {result.draws:,} draws "
        f"({share(result.prob_loss)}) have {result.output} < 0"
    )
    return [
        labelled_table(result, title),
        "[dim]D (Kolmogorov-Smirnov): the largest gap between the input's distributions in losing and "
        "other draws; 0 = the input looks the same in both, 1 = its values never overlap.[/dim]",
    ]
