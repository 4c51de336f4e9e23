"""Rich tables of the sensitivity analyses. Presentation only: every number was computed by the
library; this module decides how it reads (and says "not distinguishable from 0" where an index's
confidence interval does not separate it from 0)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.markup import escape
from rich.table import Table

from somrisk.cli.render import money, share
from somrisk.sensitivity import Breakeven, Drivers, MorrisResult, SobolResult, Tornado, ValueOfInformation

__all__ = [
    "breakeven_report",
    "drivers_report",
    "morris_report",
    "sobol_report",
    "tornado_report",
    "voi_report",
]

NOT_DISTINGUISHABLE = "≈ 0 (not distinguishable)"
#: Widest column of input paths; longer paths fold onto a second line (paths have no spaces, so
#: Rich could not otherwise narrow the column to fit a terminal).
INPUT_WIDTH = 30


def _value(x: float | None) -> str:
    """An input's value: whole numbers with thousands separators from 1,000, else 4 significant
    digits."""
    if x is None or math.isnan(x):
        return "none"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _currency(attrs: dict[str, Any]) -> str:
    return f"{attrs.get('currency', 'DKK')}, {attrs.get('price_year', '')} prices".strip(", ")


def tornado_report(result: Tornado) -> list[Any]:
    low, high = f"{result.low_quantile * 100:g} %", f"{result.high_quantile * 100:g} %"
    table = Table(
        title=f"Tornado: {result.output} with one input at a time at its {low} and {high} quantile "
        f"({escape(_currency(result.attrs))})\nBase (deterministic) {result.output}: {money(result.base)}",
        title_justify="left",
    )
    for heading, justify in [
        ("Input", "left"),
        ("Low", "right"),
        ("High", "right"),
        ("NPV low", "right"),
        ("NPV high", "right"),
        ("Swing", "right"),
        ("Switch at", "right"),
        ("P(beyond)", "right"),
    ]:
        table.add_column(  # type: ignore[arg-type]
            heading,
            justify=justify,
            overflow="fold",
            max_width=INPUT_WIDTH if heading == "Input" else None,
        )
    for bar in result.bars:
        table.add_row(
            escape(bar.input),
            _value(bar.low),
            _value(bar.high),
            money(bar.npv_low),
            money(bar.npv_high),
            money(bar.swing),
            _value(bar.switch_value),
            _probability(bar.prob_beyond_switch),
        )
    note = (
        "[dim]Switching value: the input's value at which the deterministic NPV is 0 with every other "
        "input at base; P(beyond): the probability, under the input's own distribution, of a value "
        "on the losing side of it.[/dim]"
    )
    return [table, note]


def _probability(p: float | None) -> str:
    """A probability as a percentage; '< 0.1 %' rather than a misleading '0.0 %' for small ones."""
    if p is None:
        return "-"
    return "< 0.1 %" if 0 < p < 0.0005 else share(p)


def _index(value: float, conf: float, distinguishable: bool) -> str:
    if math.isnan(value):
        return "-"
    if not distinguishable:
        return NOT_DISTINGUISHABLE
    return f"{value:.3f} ± {conf:.3f}"


def sobol_report(result: SobolResult) -> list[Any]:
    what = "group" if result.by_group else "input"
    table = Table(
        title=f"Sobol indices of {result.output} per {what} (n = {result.n:,}, "
        f"{result.evaluations:,} model evaluations)",
        title_justify="left",
    )
    table.add_column(what.capitalize(), overflow="fold", max_width=INPUT_WIDTH)
    table.add_column("First order S1", justify="right")
    table.add_column("Total ST", justify="right")
    order = np.argsort(-np.nan_to_num(result.ST, nan=-1.0), kind="stable")
    for k in order:
        table.add_row(
            escape(result.names[k]),
            _index(result.S1[k], result.S1_conf[k], bool(result.S1_distinguishable[k])),
            _index(result.ST[k], result.ST_conf[k], bool(result.ST_distinguishable[k])),
        )
    lines: list[Any] = [table]
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
        f"an index whose interval reaches 0 or is wider than the index is shown as ≈ 0.[/dim]"
    )
    return lines


def morris_report(result: MorrisResult) -> list[Any]:
    what = "group" if result.by_group else "input"
    table = Table(
        title=f"Morris screening of {result.output} per {what} ({result.trajectories} trajectories, "
        f"{result.evaluations:,} model evaluations; {escape(_currency(result.attrs))})",
        title_justify="left",
    )
    table.add_column(what.capitalize(), overflow="fold", max_width=INPUT_WIDTH)
    for heading in ("mu*", "± (95 %)", "mu", "sigma"):
        table.add_column(heading, justify="right")
    for k in np.argsort(-result.mu_star, kind="stable"):
        table.add_row(
            escape(result.names[k]),
            money(result.mu_star[k]),
            money(result.mu_star_conf[k]),
            money(result.mu[k]),
            money(result.sigma[k]),
        )
    lines: list[Any] = [table]
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
    table = Table(
        title=f"P({result.output} > 0) against the effect ({result.draws:,} draws)", title_justify="left"
    )
    table.add_column("Effect (pp)", justify="right")
    table.add_column(f"P({result.output} > 0)", justify="right")
    step = max(1, len(result.curve_effect) // 10)
    for e, p in list(zip(result.curve_effect, result.curve_prob_positive, strict=True))[::step]:
        table.add_row(f"{e * 100:.2f}", share(p))
    return [
        f"Break-even effect (deterministic {result.output} = 0): {effect}",
        f"Break-even full persistence: {full}",
        table,
    ]


def voi_report(result: ValueOfInformation) -> list[Any]:
    what = "group" if result.by_group else "input"
    currency = escape(_currency(result.attrs))
    decision = "invest" if result.mean > 0 else "do not invest"
    table = Table(
        title=f"Value of information on {result.output} ({currency}; {result.draws:,} draws)\n"
        f"EVPI (every input known exactly): {money(result.evpi)}",
        title_justify="left",
    )
    table.add_column(what.capitalize(), overflow="fold", max_width=INPUT_WIDTH)
    table.add_column("EVPPI", justify="right")
    table.add_column("Share of EVPI", justify="right")
    for k in np.argsort(-result.evppi, kind="stable"):
        table.add_row(
            escape(result.names[k]),
            money(result.evppi[k]),
            share(result.evppi[k] / result.evpi) if result.evpi > 0 else "-",
        )
    return [
        table,
        f"Without more information the decision is to {decision} (mean {money(result.mean)}, "
        f"P(NPV > 0) {share(result.prob_positive)}).",
        "[dim]EVPPI: what it is worth, in expectation, to know this input exactly before deciding; "
        "an upper limit on what a study of it should cost.[/dim]",
    ]


def drivers_report(result: Drivers) -> list[Any]:
    lines: list[Any] = []
    if result.loss_draws in (0, result.draws):
        which = "no draw" if result.loss_draws == 0 else "every draw"
        return [
            f"{which.capitalize()} of {result.draws:,} has {result.output} < 0: nothing separates losses."
        ]
    table = Table(
        title=f"What drives a loss: {result.loss_draws:,} of {result.draws:,} draws "
        f"({share(result.prob_loss)}) have {result.output} < 0",
        title_justify="left",
    )
    table.add_column("Input", overflow="fold", max_width=INPUT_WIDTH)
    for heading in ("Distance D", "p-value", "Median in losses", "Median otherwise"):
        table.add_column(heading, justify="right")
    for k, name in enumerate(result.names):
        table.add_row(
            escape(name),
            f"{result.distance[k]:.3f}",
            f"{result.pvalue[k]:.2g}",
            _value(result.median_loss[k]),
            _value(result.median_rest[k]),
        )
    lines += [
        table,
        "[dim]D (Kolmogorov-Smirnov): the largest gap between the input's distributions in losing and "
        "other draws; 0 = the input looks the same in both, 1 = its values never overlap.[/dim]",
    ]
    return lines
