"""Charts of the sensitivity analyses, drawn with matplotlib and saved atomically as PNG, SVG or PDF.

Every figure is drawn from a result object; nothing is computed here but positions and labels.
:func:`check_chart_path` refuses a file that cannot be written before any analysis runs, and
:func:`save` writes under a temporary name and renames it into place, so a failure leaves no partial
file.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from somrisk.errors import OutputError, UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from somrisk.sensitivity import Breakeven, MorrisResult, Tornado

__all__ = [
    "CHART_FORMATS",
    "breakeven_figure",
    "check_chart_path",
    "morris_figure",
    "save",
    "tornado_figure",
]

CHART_FORMATS = (".png", ".svg", ".pdf")
#: At most this many bars; the title says how many more there are.
MAX_ITEMS = 25
#: Points of the Morris chart labelled with their names: those with the largest mu*.
MORRIS_LABELS = 8
LOW_COLOUR, HIGH_COLOUR = "#4C72B0", "#DD8452"


def check_chart_path(path: str | Path) -> Path:
    """The chart's path, after checking its suffix and that its folder can be written.

    Raises
    ------
    UsageError
        For a suffix other than .png, .svg or .pdf.
    OutputError
        For a folder that does not exist or cannot be written.
    """
    target = Path(path)
    if target.suffix.lower() not in CHART_FORMATS:
        raise UsageError(
            f"--plot {str(path)!r}: a chart is written as PNG (.png), SVG (.svg) or PDF (.pdf); "
            f"found suffix {target.suffix or '(none)'!r}"
        )
    folder = target.absolute().parent
    if not folder.is_dir():
        raise OutputError(f"--plot {str(path)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or target.is_dir():
        raise OutputError(f"--plot {str(path)!r}: cannot be written")
    return target


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    return Figure(figsize=(width, height), layout="constrained")


def _money(x: float, _position: object = None) -> str:
    size = abs(x)
    if size >= 1e6:
        return f"{x / 1e6:.1f} mio."
    if size >= 1e3:
        return f"{x / 1e3:.0f} t."
    return f"{x:.0f}"


def tornado_figure(result: Tornado, currency: str = "DKK") -> Figure:
    """The usual tornado: one horizontal bar per input from its low-quantile NPV to its high-quantile
    NPV, around a vertical axis at the base (deterministic) NPV, largest swing on top."""
    from matplotlib.ticker import FuncFormatter

    bars = result.bars[:MAX_ITEMS]
    fig = _figure(9, 1.2 + 0.38 * max(len(bars), 1))
    ax = fig.add_subplot()
    y = np.arange(len(bars))[::-1]
    base = result.base
    for row, bar in zip(y, bars, strict=True):
        ax.barh(row, bar.npv_low - base, left=base, color=LOW_COLOUR, height=0.7)
        ax.barh(row, bar.npv_high - base, left=base, color=HIGH_COLOUR, height=0.7)
    ax.axvline(base, color="black", linewidth=1)
    if (
        min([base, *(min(b.npv_low, b.npv_high) for b in bars)])
        < 0
        < max([base, *(max(b.npv_low, b.npv_high) for b in bars)])
    ):
        ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, [bar.input for bar in bars], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel(f"{result.output} ({currency}); base {_money(base)}")
    low, high = round(result.low_quantile * 100), round(result.high_quantile * 100)
    ax.legend(
        handles=[
            _patch(LOW_COLOUR, f"input at its {low} % quantile"),
            _patch(HIGH_COLOUR, f"input at its {high} % quantile"),
        ],
        loc="lower right",
        fontsize=8,
    )
    hidden = len(result.bars) - len(bars)
    ax.set_title("Tornado" + (f" (the {hidden} smallest swings not shown)" if hidden else ""))
    return fig


def _patch(colour: str, label: str):
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)


def morris_figure(result: MorrisResult, currency: str = "DKK") -> Figure:
    """mu* against sigma of the elementary effects: inputs far right matter; inputs high up act
    through interactions or non-linearly."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = _figure(8, 6)
    ax = fig.add_subplot()
    sigma = np.nan_to_num(result.sigma, nan=0.0)
    single = ~np.isnan(result.sigma)
    ax.scatter(result.mu_star[single], sigma[single], color=LOW_COLOUR, label="input")
    if not single.all():
        ax.scatter(
            result.mu_star[~single],
            sigma[~single],
            facecolors="none",
            edgecolors=HIGH_COLOUR,
            label="group (no sigma)",
        )
        ax.legend(fontsize=8, loc="upper left")
    for k in np.argsort(-result.mu_star)[:MORRIS_LABELS]:  # the rest would only overlap
        ax.annotate(
            result.names[k],
            (result.mu_star[k], sigma[k]),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    top = max(float(np.max(result.mu_star, initial=0.0)), float(np.max(sigma, initial=0.0)), 1.0)
    ax.plot([0, top], [0, top], color="grey", linewidth=0.8, linestyle="--")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(_money))
        axis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel(f"mu* ({currency}): effect of moving the input across its 1-99 % range")
    ax.set_ylabel(f"sigma ({currency}): interactions and non-linearity")
    ax.set_title(f"Morris screening of {result.output} ({result.trajectories} trajectories)")
    return fig


def breakeven_figure(result: Breakeven) -> Figure:
    """P(NPV > 0) against the effect, with the break-even and the base effect marked."""
    fig = _figure(8, 5)
    ax = fig.add_subplot()
    ax.plot(result.curve_effect * 100, result.curve_prob_positive, color=LOW_COLOUR)
    if result.effect is not None:
        ax.axvline(result.effect * 100, color="black", linewidth=1, label="break-even (base values)")
    ax.axvline(result.base_effect * 100, color=HIGH_COLOUR, linewidth=1, linestyle="--", label="base effect")
    ax.set_ylim(0, 1)
    ax.set_xlabel("effect (percentage points)")
    ax.set_ylabel(f"P({result.output} > 0)")
    ax.legend(fontsize=8)
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Write `fig` to `path` (format from the suffix) atomically."""
    target = check_chart_path(path)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial{target.suffix}")
    try:
        fig.savefig(temporary, format=target.suffix.lower()[1:], dpi=150)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target
