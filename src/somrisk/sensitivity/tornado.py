"""Tornado (one-way sensitivity) with switching values.

For each uncertain input: the deterministic NPV with that input at a low and a high quantile of its
own distribution and every other input at its base value, sorted by swing. Each bar also carries the
input's switching value (the value at which the deterministic NPV reaches 0, every other input at
base; HM Treasury's Green Book) and the probability, under the input's own distribution, that it
lies on the losing side of it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import xarray as xr
from scipy import optimize

from somrisk.case import Case
from somrisk.cube import make_attrs
from somrisk.engine import Model
from somrisk.errors import UsageError
from somrisk.labelled import (
    Column,
    Labelled,
    Number,
    Provenance,
    Rows,
    Setting,
    TableColumn,
    TableSpec,
    number,
    setting,
)
from somrisk.sensitivity._common import TOTAL, BaseRows, Output, as_model, select_output

__all__ = ["Tornado", "TornadoBar", "tornado"]

#: Quantiles of an input's distribution where the search for its switching value starts.
_SEARCH_QUANTILES = np.concatenate([[0.001, 0.005], np.linspace(0.01, 0.99, 50), [0.995, 0.999]])
#: Beyond them, the search steps out geometrically, up to 2**40 times the input's spread.
_SEARCH_STEPS = 2.0 ** np.arange(0, 41)
#: The numbers of each bar, in the order of outputs.md.
BAR_VALUES = ("low", "high", "npv_low", "npv_high", "swing", "switch_value", "prob_beyond_switch")


@dataclass(frozen=True)
class TornadoBar:
    """One input's bar (outputs.md, "Sensitivity JSON").

    Attributes
    ----------
    input, group : str
        The input's path and its default group.
    low, high : float
        The input's own quantiles, in its units.
    npv_low, npv_high : float
        The deterministic output with the input at `low` and at `high`, every other input at base.
    swing : float
        ``|npv_high - npv_low|``.
    switch_value : float or None
        The value of the input at which the deterministic output is 0, every other input at base;
        the one nearest the base value where there are several; None where there is none within the
        input's allowed range.
    prob_beyond_switch : float or None
        The probability, under the input's own distribution, that the deterministic output is
        negative (the input on the losing side of its switching value); None without a switching value.
    """

    input: str
    group: str
    low: float
    high: float
    npv_low: float
    npv_high: float
    swing: float
    switch_value: float | None
    prob_beyond_switch: float | None


@dataclass(frozen=True, eq=False)
class Tornado(Labelled):
    """The tornado of one output: the base (deterministic) value and one bar per uncertain input,
    largest swing first.

    `data` has the dimension ``input`` (the inputs' paths, largest swing first, with their default
    ``group`` as a coordinate), the variables of :class:`TornadoBar` along it (NaN where a bar has
    no switching value) and the 0-d ``base``; `attrs` hold ``output``, ``low_quantile``,
    ``high_quantile`` and the provenance.
    """

    JSON: ClassVar = (
        Setting("output"),
        Number("base"),
        Setting("low_quantile"),
        Setting("high_quantile"),
        Rows("bars", "input", tuple(Column(key) for key in (*BAR_VALUES, "group"))),
        Provenance(),
    )
    TABLE: ClassVar = TableSpec(
        (
            TableColumn("{What}", "label"),
            TableColumn("Low", "value", "low"),
            TableColumn("High", "value", "high"),
            TableColumn("NPV low", "money", "npv_low"),
            TableColumn("NPV high", "money", "npv_high"),
            TableColumn("Swing", "money", "swing"),
            TableColumn("Switch at", "value", "switch_value"),
            TableColumn("P(beyond)", "probability", "prob_beyond_switch"),
        )
    )

    base = number()
    low_quantile = setting()
    high_quantile = setting()

    @property
    def bars(self) -> tuple[TornadoBar, ...]:
        """One bar per uncertain input, largest swing first."""
        data = self.data
        columns = {key: data[key].values for key in BAR_VALUES}
        return tuple(
            TornadoBar(
                input=str(label),
                group=str(group),
                **{key: _optional(columns[key][k]) for key in BAR_VALUES},  # type: ignore[arg-type]
            )
            for k, (label, group) in enumerate(zip(data.input.values, data.group.values, strict=True))
        )


def _optional(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def tornado(
    case: Case | Model | str | Path,
    *,
    low: float = 0.1,
    high: float = 0.9,
    output: str = TOTAL,
    threads: int | None = None,
) -> Tornado:
    """One-way sensitivity of the deterministic NPV, with switching values.

    Parameters
    ----------
    case : Case, Model or path
        A validated case, a compiled one, or a case file to load.
    low, high : float
        Quantiles of each input's own distribution, 0 < low < high < 1.
    output : str
        ``"npv"`` (total) or ``"npv:<actor>"``.

    Raises
    ------
    UsageError
        For quantiles outside 0 < low < high < 1, or an unknown output.
    """
    if not (isinstance(low, int | float) and isinstance(high, int | float) and 0 < low < high < 1):
        raise UsageError(f"the quantiles must satisfy 0 < low < high < 1; got low={low!r}, high={high!r}")
    model = as_model(case)
    target = select_output(model, output)
    space = model.space
    d = space.dimension
    rows = BaseRows(model)
    base = float(target.of(rows.npv(rows.rows(1)))[0])
    quantiles = model.transform(np.tile([[low], [high]], (1, d)))  # (2, d): each input's own quantiles
    values = rows.rows(2 * d)
    for j in range(d):
        values[2 * j, j], values[2 * j + 1, j] = quantiles[0, j], quantiles[1, j]
    npv = target.of(rows.npv(values, threads=threads)).reshape(d, 2) if d else np.zeros((0, 2))
    switches = _switching_values(model, rows, target, threads)
    switch_value = np.array([np.nan if s is None else s for s, _ in switches], dtype=float)
    beyond = np.array([np.nan if p is None else p for _, p in switches], dtype=float)
    columns = {
        "low": quantiles[0],
        "high": quantiles[1],
        "npv_low": npv[:, 0],
        "npv_high": npv[:, 1],
        "swing": np.abs(npv[:, 1] - npv[:, 0]),
        "switch_value": switch_value,
        "prob_beyond_switch": beyond,
    }
    order = np.argsort(-columns["swing"], kind="stable")  # equal swings keep the case's order
    data = xr.Dataset(
        {key: ("input", values[order]) for key, values in columns.items()} | {"base": base},
        coords={
            "input": [space.paths[j] for j in order],
            "group": ("input", [space.groups[j] for j in order]),
        },
        attrs=make_attrs(model.case, seed=0, sampler="deterministic", draws=1 + 2 * d)
        | {"output": target.name, "low_quantile": float(low), "high_quantile": float(high)},
    )
    return Tornado(data)


def _switching_values(
    model: Model, rows: BaseRows, target: Output, threads: int | None
) -> list[tuple[float | None, float | None]]:
    """(switching value, probability beyond it) of every uncertain input.

    Each input's output curve (every other input at base) is evaluated at once on a grid: quantiles of
    its distribution, then steps out to the ends of its allowed range. Sign changes between grid
    points are refined with Brent's method; the probability of the losing side sums the input's
    probability over the intervals between the roots where the output is negative.
    """
    space = model.space
    d = space.dimension
    if d == 0:
        return []
    quantiles = model.transform(np.repeat(_SEARCH_QUANTILES[:, None], d, axis=1))
    grids = []
    for j in range(d):
        lo, hi = space.inputs[space.uncertain[j]].range.closed
        centre = rows.base[j]
        spread = max(quantiles[-1, j] - quantiles[0, j], abs(centre), 1e-12)
        steps = np.concatenate([centre - spread * _SEARCH_STEPS, centre + spread * _SEARCH_STEPS])
        ends = [x for x in (lo, hi) if math.isfinite(x)]
        grid = np.unique(np.clip(np.concatenate([quantiles[:, j], steps, [centre], ends]), lo, hi))
        grids.append(grid)
    values = rows.rows(sum(g.size for g in grids))
    offsets = np.cumsum([0, *(g.size for g in grids)])
    for j, grid in enumerate(grids):
        values[offsets[j] : offsets[j + 1], j] = grid
    curve = target.of(rows.npv(values, threads=threads))
    result = []
    for j, grid in enumerate(grids):
        f = curve[offsets[j] : offsets[j + 1]]
        result.append(_switch(model, rows, target, j, grid, f))
    return result


def _switch(
    model: Model, rows: BaseRows, target: Output, j: int, grid: np.ndarray, f: np.ndarray
) -> tuple[float | None, float | None]:
    def output_at(x: float) -> float:
        values = rows.base[None, :].copy()
        values[0, j] = x
        return float(target.of(rows.npv(values, threads=1))[0])

    if not np.any(f):  # an output that is 0 whatever the input (an actor with no flows)
        return None, None
    roots = []
    for i in range(grid.size):
        if f[i] == 0:
            roots.append(float(grid[i]))
        elif i + 1 < grid.size and f[i] * f[i + 1] < 0:
            roots.append(float(optimize.brentq(output_at, grid[i], grid[i + 1], xtol=1e-12, rtol=1e-12)))
    if not roots:
        return None, None
    centre = rows.base[j]
    nearest = min(roots, key=lambda r: (abs(r - centre), r))
    # the output's sign between consecutive roots, read at a grid point inside each interval; the
    # probability of the open interval (left, right), so that an atom at a root (an empirical
    # distribution), where the output is 0, is not counted as losing
    edges = [-math.inf, *roots, math.inf]
    form = model.space.distributions[j].canonical()
    losing = 0.0
    for left, right in itertools.pairwise(edges):
        inside = (grid > left) & (grid < right)
        if inside.any() and f[inside][0] < 0:
            losing += (1.0 if right == math.inf else form.cdf(math.nextafter(right, -math.inf))) - (
                0.0 if left == -math.inf else form.cdf(left)
            )
    return nearest, float(min(max(losing, 0.0), 1.0))
