"""Small density charts of a case's inputs (SVG), from each distribution's scipy.stats twin."""

from __future__ import annotations

import io

import numpy as np

from somrisk.distributions import Distribution
from somrisk.distributions.families import to_scipy

__all__ = ["density_svg"]

_POINTS = 200


def density_svg(value: Distribution) -> bytes:
    """A 3 x 1.2 inch chart of the input's density (a histogram-like bar chart for a discrete one)
    between its 0.5th and 99.5th percentiles, as SVG."""
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    twin = to_scipy(value.canonical())
    low, high = (float(x) for x in twin.ppf([0.005, 0.995]))
    figure = Figure(figsize=(3.0, 1.2), layout="constrained")
    ax = figure.add_subplot()
    if hasattr(twin, "pmf"):
        support = np.unique(np.asarray(value.canonical().params, dtype=float))
        ax.vlines(support, 0, twin.pmf(support), color="#1f5f8b", linewidth=2)
    else:
        if high <= low:
            low, high = low - 1.0, high + 1.0
        x = np.linspace(low, high, _POINTS)
        y = twin.pdf(x)
        ax.fill_between(x, y, color="#1f5f8b", alpha=0.35, linewidth=0)
        ax.plot(x, y, color="#1f5f8b", linewidth=1)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
