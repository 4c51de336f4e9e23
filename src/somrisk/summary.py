"""Stage 9: a simulation -> the summary statistics of model.md ("Summaries"), as a Dataset.

Every statistic is labelled: ``actor`` (the case's actors, then ``total``), ``year`` (calendar
years) and ``quantile`` (0.05, 0.25, ... as fractions). Money is in the case's currency at its
price level; NPVs are discounted to the first year of the horizon.

Definitions (documented in docs/model.md):

- ``mcse``: sd / sqrt(draws), the Monte Carlo standard error of the mean for plain Monte Carlo;
  for Latin hypercube and Sobol samples it is a conservative (too large) bound.
- ``prob_positive``: share of draws with NPV > 0; its standard error sqrt(p (1 - p) / draws).
- ``expected_shortfall``: mean of the worst 5 % of draws, the ceil(0.05 draws) lowest NPVs.
- percentiles: numpy's default (linear interpolation between order statistics).
- payback: ``payback_cdf[year]`` is the share of draws that have paid back by that year (and stay
  paid back); a draw pays back in the first year from which the cumulative discounted net result
  stays >= 0 to the end of the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk.engine import Simulation
from somrisk.errors import UsageError
from somrisk.precision import Z95

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "DEFAULT_PERCENTILES",
    "SHORTFALL_LEVEL",
    "SummaryArrays",
    "row_statistics",
    "summarize",
    "summary_arrays",
]

DEFAULT_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
#: Level of the expected shortfall: the mean of the worst 5 % of draws.
SHORTFALL_LEVEL = 0.05


def idle_actors(sim: Simulation) -> frozenset[str]:
    """The actors of a case to whom no cost or gain falls, in the deterministic run or in any draw:
    their NPV is 0 throughout, and P(NPV > 0) = 0 says nothing about them. Empty for a portfolio."""
    if sim.ensemble.is_portfolio:
        return frozenset()
    det = sim.deterministic
    return frozenset(
        actor
        for a, actor in enumerate(sim.case.actors)
        if not (np.any(det.costs[:, a]) or np.any(det.gains[:, a]) or np.any(sim.npv[a]))
    )


def prob_halfwidth(se: float, draws: int) -> float:
    """The Monte Carlo error of a probability counted over `draws` draws, as a fraction: 1.96
    standard errors; where every draw fell on one side (se = 0), the rule of three's 95 % bound
    3 / draws; NaN for one draw (or an unknown se)."""
    if draws <= 1 or not math.isfinite(se):
        return math.nan
    return Z95 * se if se > 0 else 3 / draws


def _check_percentiles(percentiles: Sequence[float]) -> np.ndarray:
    values = np.asarray(percentiles, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all((values >= 0) & (values <= 100)):
        raise UsageError(f"percentiles must be numbers in [0, 100]; got {list(percentiles)!r}")
    return values


def order_statistics(row: np.ndarray, q: np.ndarray, level: float) -> tuple[np.ndarray, float]:
    """Percentiles `q` (0-100) of a row, as numpy's default (linear) method gives them, and the mean
    of its ceil(level n) smallest values, from one partial sort of the row (a run's rows are 10^7
    long: one partition instead of two)."""
    n = row.size
    virtual = q / 100 * (n - 1)
    below = np.floor(virtual).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    k = max(1, math.ceil(level * n))
    part = np.partition(row, np.unique(np.concatenate([below, above, [k - 1]])))
    a, b, t = part[below], part[above], virtual - below
    step = b - a
    # numpy's _lerp: from the lower value below t = 0.5, from the upper one above (exact at the ends)
    percentiles = np.where(t >= 0.5, b - step * (1 - t), a + step * t)
    return percentiles, float(part[:k].mean())


def _per_root(draws: int) -> float:
    """1 / sqrt(draws), the factor of a Monte Carlo standard error; NaN (unknown, not 0) for one
    draw, whose spread is not known."""
    return 1 / math.sqrt(draws) if draws > 1 else math.nan


def _mean_sd(row: np.ndarray) -> tuple[float, float]:
    """Mean and sd (ddof = 1; 0 for one draw) of a row, from deviations from its first value: a row
    of equal values has exactly that mean and sd 0 (no rounding residue)."""
    shift = row[0]
    deviations = row - shift  # the one temporary of a row's size
    offset = float(deviations.mean())
    deviations -= offset
    sd = math.sqrt(float(deviations @ deviations) / (row.size - 1)) if row.size > 1 else 0.0
    return float(shift + offset), sd


def _row_statistics(rows: Sequence[np.ndarray] | np.ndarray, q: np.ndarray) -> tuple[np.ndarray, ...]:
    """Percentiles `q`, P(> 0) and expected shortfall of each row; rows on two threads (numpy's
    sorting releases the GIL)."""

    def one(row: np.ndarray) -> tuple[np.ndarray, float, float]:
        percentiles, shortfall = order_statistics(row, q, SHORTFALL_LEVEL)
        return percentiles, np.count_nonzero(row > 0) / row.size, shortfall

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, rows))
    return tuple(np.array([r[i] for r in results]) for i in range(3))


def _row_summary(row: np.ndarray, q: np.ndarray) -> tuple[Any, ...]:
    """Mean, sd, percentiles `q`, P(> 0), expected shortfall and whether every value is finite."""
    mean, sd = _mean_sd(row)
    percentiles, shortfall = order_statistics(row, q, SHORTFALL_LEVEL)
    return (
        mean,
        sd,
        percentiles,
        np.count_nonzero(row > 0) / row.size,
        shortfall,
        bool(np.isfinite(row).all()),
    )


def _statistics(groups: dict[str, Sequence[np.ndarray]], q: np.ndarray, draws: int) -> dict[str, dict]:
    """For each group of rows: mean, sd, mcse, percentiles, P(> 0) with its standard error, and
    expected shortfall of each row (NaN throughout for a row that holds NaN). Every row of every
    group is one task on two threads (numpy's sums, sorting and comparisons release the GIL)."""
    rows = [row for group in groups.values() for row in group]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_row_summary, rows, [q] * len(rows)))
    out = {}
    start = 0
    for name, group in groups.items():
        part = results[start : start + len(group)]
        start += len(group)
        mean, sd, quantiles, positive, shortfall = (np.array([r[i] for r in part]) for i in range(5))
        bad = ~np.array([r[5] for r in part])
        positive = np.where(bad, math.nan, positive)
        out[name] = {
            "mean": np.where(bad, math.nan, mean),
            "sd": np.where(bad, math.nan, sd),
            "mcse": np.where(bad, math.nan, sd * _per_root(draws)),
            "quantile": np.where(bad[:, None], math.nan, quantiles),
            "prob_positive": positive,
            "prob_positive_se": np.sqrt(positive * (1 - positive)) * _per_root(draws),
            "expected_shortfall": np.where(bad, math.nan, shortfall),
        }
    return out


def _labelled(prefix: str, stats: dict[str, np.ndarray], dims: tuple[str, ...], money: str) -> dict:
    """The Dataset variables ``<prefix>_mean``, ... of :func:`_statistics` over `dims`."""
    attrs: dict[str, dict] = {
        "quantile": {"units": money},
        "expected_shortfall": {"units": money, "level": SHORTFALL_LEVEL},
    }
    return {
        f"{prefix}_{name}": (
            (*dims, "quantile") if name == "quantile" else dims,
            values,
            attrs.get(name, {} if name.startswith("prob_positive") else {"units": money}),
        )
        for name, values in stats.items()
    }


def _per_participant(sim: Simulation, totals: list[np.ndarray]) -> list[np.ndarray]:
    """Each total divided by each draw's number of participants; NaN throughout where some draw has
    none (a figure per participant is then not defined for the run, docs/decisions.md)."""
    participants = sim.participants
    if (participants > 0).all():
        return [total / participants for total in totals]
    return [np.full(participants.shape, math.nan) for _ in totals]


def _warnings(sim: Simulation) -> list[str]:
    """model.md's warnings of the case (of each case of a portfolio, named), in English."""
    from somrisk.case.model_warnings import model_warnings

    members = sim.ensemble.members
    if not sim.ensemble.is_portfolio:
        return [w.en for w in model_warnings(members[0].model.case)]
    return [f"{m.model.case.name}: {w.en}" for m in members for w in model_warnings(m.model.case)]


@dataclass(frozen=True, eq=False)
class SummaryArrays:
    """The statistics of :func:`summarize` (or a portfolio's table of cases,
    :func:`somrisk.portfolio.case_statistics`) as plain numpy arrays, before xarray labels them:
    what the JSON summary and the run's table read, so that a ``--json`` run never imports xarray.

    ``variables`` maps each name of the Dataset to (dimensions, values[, attributes]) as
    ``xarray.Dataset`` takes them; ``coords`` each dimension to its labels; ``attrs`` are the
    Dataset's attributes. Units and signs as in :func:`summarize`.
    """

    variables: dict[str, tuple[Any, ...]]
    coords: dict[str, Any]
    attrs: dict[str, Any]

    def labels(self, dim: str) -> list[Any]:
        """The labels of a dimension, as Python values (str, int, float)."""
        return np.asarray(self.coords[dim]).tolist()

    def at(self, name: str, **where: Hashable) -> Any:
        """The value (or the array, over the dimensions not named) of a variable at the given
        labels, as ``Dataset.sel`` with exact labels selects it."""
        dims, values = self.variables[name][:2]
        index = tuple(self._position(dim, where[dim]) if dim in where else slice(None) for dim in dims)
        return np.asarray(values)[index]

    def _position(self, dim: str, label: Hashable) -> int:
        found = np.flatnonzero(np.asarray(self.coords[dim]) == label)
        if found.size != 1:
            raise KeyError(f"{label!r} is not a label of {dim!r}")
        return int(found[0])

    @classmethod
    def of_dataset(cls, summary: xr.Dataset) -> SummaryArrays:
        """The arrays of a summary Dataset (:func:`summarize`)."""
        return cls(
            {
                str(k): (tuple(map(str, v.dims)), v.values, dict(v.attrs))
                for k, v in summary.data_vars.items()
            },
            {str(k): summary[k].values for k in summary.coords},
            dict(summary.attrs),
        )

    @cached_property
    def dataset(self) -> xr.Dataset:
        """The labelled summary (made once, on first use; imports xarray)."""
        import xarray as xr

        return xr.Dataset(self.variables, coords=self.coords, attrs=self.attrs)


def summarize(sim: Simulation, *, percentiles: Sequence[float] = DEFAULT_PERCENTILES) -> xr.Dataset:
    """Summary statistics of a simulation.

    Parameters
    ----------
    sim : Simulation
        The result of :func:`somrisk.simulate`.
    percentiles : sequence of float
        Percentiles (0-100) to report; default 5, 25, 50, 75, 95.

    Returns
    -------
    xarray.Dataset
        ``npv_*`` over (actor[, quantile]); ``net_*`` over (year, actor[, quantile]);
        ``cumulative_*`` over (year[, quantile]); ``payback_*``; ``*_deterministic`` for the run at
        base values; attributes: the run's provenance and ``yearly_quantile_draws``, the number of
        (first) draws the yearly percentiles, P(> 0) and expected shortfalls are computed from
        (means, sds and mcse of yearly results use every draw).
    """
    return summary_arrays(sim, percentiles=percentiles).dataset


def summary_arrays(sim: Simulation, *, percentiles: Sequence[float] = DEFAULT_PERCENTILES) -> SummaryArrays:
    """The statistics of :func:`summarize` as plain arrays, without importing xarray (its
    ``dataset`` is the Dataset :func:`summarize` returns)."""
    q = _check_percentiles(percentiles)
    det = sim.deterministic
    actors = [*sim.actors, "total"]
    years = np.array(sim.years, dtype=np.int64)
    D = sim.draws
    A = len(sim.actors)

    # one row (actor, then total) at a time: the temporaries of 10^7 draws are 80 MB each
    rows = [*sim.npv, sim.npv_total]
    # SØM's figures: the undiscounted net result over the horizon, and both per participant
    net_total = [*sim.net_total, sim.net_total.sum(axis=0)]
    per_participant = _per_participant(sim, [rows[-1], net_total[-1]])
    money_stats = _statistics({"npv": rows, "net_total": net_total, "per_participant": per_participant}, q, D)

    sample = sim.yearly_sample  # (T, A + 2, m): actors, total, cumulative
    m = sample.shape[-1]
    yearly_q, yearly_positive, yearly_shortfall = _row_statistics(sample.reshape(-1, m), q)
    yearly_q = yearly_q.reshape(*sample.shape[:2], -1)
    yearly_positive = yearly_positive.reshape(sample.shape[:2])
    yearly_shortfall = yearly_shortfall.reshape(sample.shape[:2])
    yearly_sd = np.sqrt(sim.yearly_var)

    paid = sim.payback
    T = len(years)
    counts = np.bincount(paid[paid >= 0], minlength=T)[:T]
    cdf = np.cumsum(counts) / D
    reaching = np.flatnonzero(cdf >= 0.5)
    median_year = int(years[reaching[0]]) if reaching.size else -1

    pv_costs = sim.pv_costs_mean
    bcr_mean = sim.pv_gains_mean / pv_costs if pv_costs > 0 else math.nan
    bcr_det = det.pv_gains / det.pv_costs if det.pv_costs > 0 else math.nan

    det_year = -1 if det.payback_year is None else det.payback_year
    money = sim.money
    det_participants = det.participants if det.participants > 0 else math.nan
    det_net_total = np.append(det.net_total, det.net_total.sum())
    data = {
        **_labelled("npv", money_stats["npv"], ("actor",), money),
        "npv_deterministic": (("actor",), np.append(det.npv, det.npv_total), {"units": money}),
        "net_mean": (("year", "actor"), sim.yearly_mean[:, : A + 1], {"units": money}),
        "net_sd": (("year", "actor"), yearly_sd[:, : A + 1], {"units": money}),
        "net_mcse": (("year", "actor"), yearly_sd[:, : A + 1] * _per_root(D), {"units": money}),
        "net_quantile": (("year", "actor", "quantile"), yearly_q[:, : A + 1], {"units": money}),
        "net_prob_positive": (("year", "actor"), yearly_positive[:, : A + 1]),
        "net_prob_positive_se": (
            ("year", "actor"),
            np.sqrt(yearly_positive[:, : A + 1] * (1 - yearly_positive[:, : A + 1])) * _per_root(m),
        ),
        "net_expected_shortfall": (("year", "actor"), yearly_shortfall[:, : A + 1], {"units": money}),
        "net_deterministic": (
            ("year", "actor"),
            np.concatenate([det.net, det.net.sum(axis=1, keepdims=True)], axis=1),
            {"units": money},
        ),
        "cumulative_mean": (("year",), sim.yearly_mean[:, A + 1], {"units": money}),
        "cumulative_sd": (("year",), yearly_sd[:, A + 1], {"units": money}),
        "cumulative_mcse": (("year",), yearly_sd[:, A + 1] * _per_root(D), {"units": money}),
        "cumulative_quantile": (("year", "quantile"), yearly_q[:, A + 1], {"units": money}),
        "cumulative_prob_positive": (("year",), yearly_positive[:, A + 1]),
        "cumulative_expected_shortfall": (("year",), yearly_shortfall[:, A + 1], {"units": money}),
        "cumulative_deterministic": (("year",), det.cumulative, {"units": money}),
        "payback_cdf": (
            ("year",),
            cdf,
            {"long_name": "share of draws paid back by the end of each year"},
        ),
        "payback_prob_within_horizon": ((), float(cdf[-1]) if T else 0.0),
        "payback_median_year": ((), median_year, {"missing": -1}),
        "payback_deterministic_year": ((), det_year, {"missing": -1}),
        "benefit_cost_ratio_mean": (
            (),
            bcr_mean,
            {"long_name": "E[PV gains] / E[PV net extra costs]; NaN where the costs are not positive"},
        ),
        "benefit_cost_ratio_deterministic": ((), bcr_det),
        **_labelled("net_total", money_stats["net_total"], ("actor",), money),
        "net_total_deterministic": (("actor",), det_net_total, {"units": money}),
        **_labelled("per_participant", money_stats["per_participant"], ("per_participant",), money),
        "per_participant_deterministic": (
            ("per_participant",),
            np.array([det.npv_total, det_net_total[-1]]) / det_participants,
            {"units": money},
        ),
    }
    attrs = {
        **sim.attrs,
        "warnings": _warnings(sim),
        "yearly_quantile_draws": int(sample.shape[-1]),
        "percentiles": [float(p) for p in q],
    }
    coords = {
        "actor": actors,
        "year": years,
        "quantile": q / 100.0,
        "per_participant": ["npv", "net_total"],
    }
    return SummaryArrays(data, coords, attrs)


def row_statistics(
    rows: Sequence[np.ndarray], percentiles: Sequence[float] = DEFAULT_PERCENTILES
) -> dict[str, np.ndarray]:
    """The statistics :func:`summarize` gives each row of NPV (mean, sd, mcse, quantile,
    prob_positive, prob_positive_se, expected_shortfall), for rows of equal length, without the
    rest of a summary (``somrisk compare`` needs only these, for each alternative)."""
    q = _check_percentiles(percentiles)
    return _statistics({"rows": list(rows)}, q, int(rows[0].size))["rows"]
