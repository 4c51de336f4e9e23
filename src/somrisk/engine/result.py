"""What a run produces: the results of a Monte Carlo run (of a case, or of a portfolio with a `case`
axis), the deterministic run, and the cube's blocks handed to writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk.case import Case
from somrisk.engine.model import Ensemble, Model

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.case.portfolio import Portfolio

__all__ = ["CubeBlock", "Deterministic", "Simulation"]


@dataclass(frozen=True, eq=False)
class CubeBlock:
    """The cube's arrays for draws [start, stop) of a run (and, from a Dask worker writing a
    portfolio's cube, for its cases [first, stop) only), handed to a cube writer."""

    start: int
    stop: int
    dataset: xr.Dataset
    cases: tuple[int, int] | None = None


@dataclass(frozen=True, eq=False)
class Deterministic:
    """The deterministic run: every input at its base value (what SØM's spreadsheet shows).

    Attributes
    ----------
    npv : float64 (A,)
        NPV per actor, in `actors` order.
    net, costs : float64 (T, A)
        N and K by year and actor, undiscounted.
    gains : float64 (T, A, C)
        G by year, actor and consequence.
    cumulative : float64 (T,)
        CN by year.
    payback : int
        Year index of payback (0 = start year), or -1 for none within the horizon.
    pv_gains, pv_costs : float
        Present values of all gains and of all net extra costs.
    participants : float
        sum_i n_i: every participant, with or without the effect.
    """

    actors: tuple[str, ...]
    years: tuple[int, ...]
    npv: np.ndarray
    net: np.ndarray
    costs: np.ndarray
    gains: np.ndarray
    cumulative: np.ndarray
    payback: int
    pv_gains: float
    pv_costs: float
    participants: float

    @property
    def npv_total(self) -> float:
        return float(self.npv.sum())

    @property
    def net_total(self) -> np.ndarray:
        """NT_a: the undiscounted net result over the horizon per actor (A,), SØM's headline."""
        total: np.ndarray = self.net.sum(axis=0)
        return total

    @property
    def payback_year(self) -> int | None:
        """Calendar year of payback, or None."""
        return None if self.payback < 0 else self.years[self.payback]


@dataclass(frozen=True, eq=False)
class Simulation:
    """The results of a Monte Carlo run of a case or of a portfolio, without the cube unless it was
    asked for. Money is in the run's currency at its price level (`money`), discounted to its first
    year; a positive NPV means the public budgets gain.

    Attributes
    ----------
    ensemble : Ensemble
        What was run: one case, or a portfolio's cases.
    npv : float64 (A, draws)
        NPV of every draw, one row per actor (in `actors` order).
    net_total : float64 (A, draws)
        NT_a of every draw: the undiscounted net result summed over the years (SØM's "nettoresultat
        over T år"), per actor.
    participants : float64 (draws,)
        sum_i n_i of every draw (over every case of a portfolio), for per-participant figures.
    case_npv : float64 (cases, draws) or None
        A portfolio's cases' NPVs (over their actors) in every draw; None for a case on its own.
    payback : int16 (draws,)
        Payback year index of every draw (0 = first year); -1 where it does not pay back.
    pv_gains_mean, pv_costs_mean : float
        Mean over the draws of the present values of all gains and of all net extra costs.
    yearly_sample : float64 (T, A + 2, m)
        Yearly results of the first m draws (m = min(draws, YEARLY_SAMPLE_DRAWS), fewer for very
        long horizons): net per actor, net in total, cumulative discounted net; for percentiles.
    yearly_mean, yearly_var : float64 (T, A + 2)
        Mean and variance (ddof = 1) of the same yearly results over every draw.
    deterministic : Deterministic
        The run at base values.
    cube : xarray.Dataset or None
        The result cube, where `keep_cube` was asked for.
    inputs : float64 (k, d) or None
        The values of the uncertain inputs in every draw, or in the first k where `keep_inputs` is a
        number (the run's `inputs` order); None unless asked for.
    attrs : dict
        Provenance (:func:`somrisk.cube.make_attrs`).
    portfolio : Portfolio or None
        The portfolio that was run, if one was.
    """

    ensemble: Ensemble
    seed: int
    sampler: str
    draws: int
    npv: np.ndarray
    net_total: np.ndarray
    participants: np.ndarray
    case_npv: np.ndarray | None
    payback: np.ndarray
    pv_gains_mean: float
    pv_costs_mean: float
    yearly_sample: np.ndarray
    yearly_mean: np.ndarray
    yearly_var: np.ndarray
    deterministic: Deterministic
    attrs: dict[str, Any]
    cube: xr.Dataset | None = field(default=None)
    inputs: np.ndarray | None = field(default=None)
    portfolio: Portfolio | None = field(default=None)

    @property
    def model(self) -> Model:
        """The compiled case of a case's run (a portfolio has one per case: ``ensemble.members``)."""
        if self.ensemble.is_portfolio:
            raise AttributeError("a portfolio's run has one model per case: use ensemble.members")
        return self.ensemble.members[0].model

    @property
    def case(self) -> Case:
        return self.model.case

    @property
    def actors(self) -> tuple[str, ...]:
        return self.ensemble.actors

    @property
    def years(self) -> tuple[int, ...]:
        return self.ensemble.years

    @property
    def cases(self) -> tuple[str, ...]:
        """The names of the cases run, in order (one for a case on its own)."""
        cases = self.ensemble.layout.cases
        return cases if cases is not None else (self.case.name,)

    @property
    def money(self) -> str:
        """The unit of every amount: currency and price level."""
        return self.ensemble.layout.money

    @property
    def npv_total(self) -> np.ndarray:
        """NPV summed over actors, per draw (draws,)."""
        total: np.ndarray = self.npv.sum(axis=0)
        return total

    def draws_dataset(self) -> xr.Dataset:
        """The per-draw results as a labelled Dataset: ``npv`` (draw, actor) with ``total`` among
        the actors, and ``payback_year`` (draw; -1 where a draw does not pay back)."""
        import xarray as xr

        years = np.array(self.years)
        payback_year = np.where(self.payback >= 0, years[np.maximum(self.payback, 0)], -1)
        npv = np.concatenate([self.npv, self.npv_total[None, :]]).T
        return xr.Dataset(
            {"npv": (("draw", "actor"), npv), "payback_year": (("draw",), payback_year)},
            coords={"draw": np.arange(self.draws), "actor": [*self.actors, "total"]},
            attrs=self.attrs,
        )
