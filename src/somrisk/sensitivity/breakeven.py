"""Break-even: how large the effect, and how long the full persistence, must be for the NPV to be 0.

The break-even effect solves NPV(e) = 0 for the deterministic run (every other input at base) with
Brent's method, within e in [-1, 1]; the break-even full persistence does the same for F within
[0, T]. The curve of P(NPV > 0) against the effect fixes the effect at each value in every draw of a
Monte Carlo run, everything else uncertain (the same draws for every value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import xarray as xr
from scipy import optimize

from somrisk.case import Case
from somrisk.engine import Model, simulate
from somrisk.labelled import (
    Labelled,
    Number,
    Pairs,
    Provenance,
    Setting,
    TableColumn,
    TableSpec,
    array,
    number,
    setting,
)
from somrisk.sensitivity._common import TOTAL, BaseRows, as_model, get_input, select_output

__all__ = ["Breakeven", "breakeven", "effect_of"]

EFFECT, SUCCESS, COMPARISON = "effect.effect", "effect.success_rate", "effect.comparison_rate"
FULL_YEARS = "persistence.full_years"
#: Points of the P(NPV > 0) curve.
CURVE_POINTS = 41


@dataclass(frozen=True, eq=False)
class Breakeven(Labelled):
    """Break-even values of one output.

    `data` has the 0-d variables below (NaN where a value is None) and ``curve_prob_positive``
    along the dimension ``curve_effect`` (the effects of the curve); `attrs` hold ``output``,
    ``draws``, ``seed`` and the provenance of the run behind the curve.

    Attributes
    ----------
    output : str
        ``"npv"`` or ``"npv:<actor>"``.
    effect : float or None
        The smallest effect e = p1 - p0 (a fraction: 0.1 is 10 percentage points) at which the
        deterministic output reaches 0; None where it does not within [-1, 1].
    base_effect : float
        The effect of the deterministic run.
    full_years : float or None
        The shortest full persistence F (years) at which the deterministic output reaches 0: 0 where
        it is not negative even at F = 0; None where it stays negative for every F up to the
        horizon, or where the case has no parametric persistence (`persistence.full_years`).
    base_full_years : float or None
        F of the deterministic run (None without parametric persistence).
    curve_effect, curve_prob_positive : float64 (k,)
        P(output > 0) over the draws of a run, with the effect fixed at each value.
    draws, seed : int
        The run behind the curve.
    """

    JSON: ClassVar = (
        Setting("output"),
        Number("effect"),
        Number("full_years"),
        Pairs("curve", "curve_prob_positive"),
        Number("base_effect"),
        Number("base_full_years"),
        Setting("draws"),
        Setting("seed"),
        Provenance(),
    )
    TABLE: ClassVar = TableSpec(
        (
            TableColumn("Effect (pp)", "points", "curve_effect"),
            TableColumn("P({output} > 0)", "share", "curve_prob_positive"),
        ),
        rows=10,
    )

    effect = number()
    base_effect = number()
    full_years = number()
    base_full_years = number()
    curve_effect = array()
    curve_prob_positive = array()
    draws = setting()
    seed = setting()

    @property
    def dim(self) -> str:
        return "curve_effect"


def breakeven(
    case: Case | Model | str | Path,
    *,
    output: str = TOTAL,
    draws: int = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    threads: int | None = None,
) -> Breakeven:
    """Break-even effect and full persistence, and the curve of P(NPV > 0) against the effect.

    Raises
    ------
    UsageError
        For an unknown output, or bad draws, seed or sampler.
    """
    model = as_model(case)
    target = select_output(model, output)
    rows = BaseRows(model)
    paths = [spec.path for spec in model.space.inputs]

    def effect_settings(e: float) -> dict[str, float]:
        """The inputs that set the effect to e: the kernel uses only e = p1 - p0, so a case with
        rates gets p1 = e and p0 = 0."""
        if EFFECT in paths:
            return {EFFECT: e}
        return {SUCCESS: e} | ({COMPARISON: 0.0} if COMPARISON in paths else {})

    base_effect = float(effect_of(model, rows.rows(1), rows.constants)[0])

    def deterministic(e: np.ndarray) -> np.ndarray:
        return np.array([target.of(rows.at(effect_settings(float(x))))[0] for x in e])

    root = _smallest_root(deterministic, np.linspace(-1.0, 1.0, 201))
    full_years, base_full = None, None
    if FULL_YEARS in paths:
        base_full = float(rows.constants[paths.index(FULL_YEARS)])
        knots = np.arange(model.case.horizon + 1, dtype=float)  # NPV is linear in F between knots
        full_years = _shortest(lambda f: target.of(rows.vary(FULL_YEARS, f)), knots)

    run = simulate(model, draws=draws, seed=seed, sampler=sampler, threads=threads, keep_inputs=True)
    assert run.inputs is not None
    constants = model.space.fixed_values
    effects = _curve_grid(effect_of(model, run.inputs, constants), root, base_effect)
    prob = np.array(
        [
            np.mean(target.of(rows.at(effect_settings(float(e)), run.inputs, constants, threads)) > 0)
            for e in effects
        ]
    )
    data = xr.Dataset(
        {
            "effect": np.nan if root is None else root,
            "base_effect": base_effect,
            "full_years": np.nan if full_years is None else full_years,
            "base_full_years": np.nan if base_full is None else base_full,
            "curve_prob_positive": ("curve_effect", prob),
        },
        coords={"curve_effect": effects},
        attrs=run.attrs | {"output": target.name, "draws": draws, "seed": seed},
    )
    return Breakeven(data)


def effect_of(model: Model, values: np.ndarray, constants: np.ndarray) -> np.ndarray:
    """The effect e = p1 - p0 (or e itself) of each row of input values (n, d)."""
    paths = [spec.path for spec in model.space.inputs]
    if EFFECT in paths:
        return get_input(model, EFFECT, values, constants)
    effect = get_input(model, SUCCESS, values, constants)
    return effect - get_input(model, COMPARISON, values, constants) if COMPARISON in paths else effect


def _smallest_root(f: Callable[[np.ndarray], np.ndarray], grid: np.ndarray) -> float | None:
    """Where the vectorised function f reaches 0 within [grid[0], grid[-1]]: the first crossing from
    below (f < 0 to f >= 0) along the grid, else the first crossing from above; refined by Brent's
    method. grid[0] where f is 0 there and not negative anywhere; None where f has no root."""
    values = f(grid)
    if not np.any(values):  # an output that is 0 whatever the effect (an actor with no flows)
        return None
    if np.all(values >= 0) or np.all(values < 0):
        return float(grid[0]) if values[0] == 0 else None
    rising = np.flatnonzero((values[:-1] < 0) & (values[1:] >= 0))
    falling = np.flatnonzero((values[:-1] >= 0) & (values[1:] < 0))
    i = int(rising[0]) if rising.size else int(falling[0])
    if values[i + 1] == 0:
        return float(grid[i + 1])
    if values[i] == 0:
        return float(grid[i])
    return float(
        optimize.brentq(lambda x: float(f(np.array([x]))[0]), grid[i], grid[i + 1], xtol=1e-12, rtol=1e-12)
    )


def _shortest(f: Callable[[np.ndarray], np.ndarray], knots: np.ndarray) -> float | None:
    """The smallest x in [knots[0], knots[-1]] with f(x) >= 0: knots[0] where f is not negative
    there, else found by Brent's method between the knots where f first turns non-negative; None
    where f stays negative."""
    values = f(knots)
    if not np.any(values):  # an output that is 0 whatever F (an actor with no flows)
        return None
    if values[0] >= 0:
        return float(knots[0])
    reached = np.flatnonzero(values >= 0)
    if not reached.size:
        return None
    i = int(reached[0])
    if values[i] == 0:
        return float(knots[i])
    return float(
        optimize.brentq(lambda x: float(f(np.array([x]))[0]), knots[i - 1], knots[i], xtol=1e-12, rtol=1e-12)
    )


def _curve_grid(effect: np.ndarray, root: float | None, base: float) -> np.ndarray:
    """Effects for the curve: from 0 (or the lowest plausible effect, where it may be negative) past
    the effect's own 99.5 % quantile, the break-even effect and the base effect, within [-1, 1]."""
    marks = [base] if root is None else [base, root]
    lo = min(0.0, float(np.quantile(effect, 0.005)), *marks)
    hi = max(float(np.quantile(effect, 0.995)), *marks)
    pad = 0.1 * max(hi - lo, 0.1)
    lo = max(-1.0, lo - pad) if lo < 0 else lo
    return np.linspace(lo, min(1.0, hi + pad), CURVE_POINTS)
