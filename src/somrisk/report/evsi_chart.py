"""The chart of the value of sample information: EVSI against the study's size, EVPPI its ceiling.

Drawn from a :class:`somrisk.sensitivity.SampleInformation`; saved with :func:`.charts.save`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from somrisk.report.charts import HIGH_COLOUR, LOW_COLOUR, _figure, _money

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from somrisk.sensitivity import SampleInformation

__all__ = ["evsi_figure"]

#: The chart's words by language.
_WORDS = {
    "da": {
        "evsi": "værdi af undersøgelsen (EVSI), 95 %-interval",
        "evppi": "loft: perfekt viden om inputtet (EVPPI)",
        "cost": "undersøgelsens pris",
        "enbs": "bedste antal: {n}",
        "x": "deltagere i undersøgelsen (N)",
        "y": "forventet værdi ({currency})",
        "title": "Hvad en undersøgelse af {input} er værd før beslutningen",
    },
    "en": {
        "evsi": "value of the study (EVSI), 95 % interval",
        "evppi": "ceiling: perfect knowledge of the input (EVPPI)",
        "cost": "cost of the study",
        "enbs": "best size: {n}",
        "x": "participants in the study (N)",
        "y": "expected value ({currency})",
        "title": "What a study of {input} is worth before deciding",
    },
}


def evsi_figure(
    result: SampleInformation, currency: str = "DKK", lang: str = "en", *, label: str | None = None
) -> Figure:
    """EVSI(N) with its 95 % Monte Carlo interval against N (a log axis where the sizes span more
    than a factor of 20), the EVPPI as a dashed ceiling, and the study's cost where one is given.
    The title names the input by `label` (somrisk.labels, in `lang`), as the other charts name
    inputs; by its path only where no label is given."""
    from matplotlib.ticker import FuncFormatter

    words = _WORDS.get(lang, _WORDS["en"])
    sizes = result.sizes.astype(float)
    values, errors = np.asarray(result.evsi), np.asarray(result.evsi_se)
    fig = _figure(8, 5)
    ax = fig.add_subplot()
    ax.fill_between(sizes, values - 1.96 * errors, values + 1.96 * errors, color=LOW_COLOUR, alpha=0.2)
    ax.plot(sizes, values, color=LOW_COLOUR, marker="o", label=words["evsi"])
    ax.axhline(result.evppi or 0.0, color="black", linewidth=1, linestyle="--", label=words["evppi"])
    if result.cost is not None:
        ax.axhline(result.cost, color=HIGH_COLOUR, linewidth=1, label=words["cost"])
        if result.best_n is not None:
            best = float(result.best_n)
            ax.axvline(
                best,
                color=HIGH_COLOUR,
                linewidth=0.8,
                linestyle=":",
                label=words["enbs"].format(n=result.best_n),
            )
    if sizes.size > 1 and sizes[-1] / sizes[0] > 20:
        ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, position: _money(x, position, lang)))
    ax.set_xlabel(words["x"])
    ax.set_ylabel(words["y"].format(currency=currency))
    ax.set_title(words["title"].format(input=label or result.input), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return fig
