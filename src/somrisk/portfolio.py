"""Stage 9: a portfolio of cases, simulated together with its shared price catalogue.

Each case keeps its own random streams, keyed by its name (so adding, removing or reordering cases
does not change another case's draws); each catalogue input is drawn once per draw, from the
catalogue's own stream, and every case using it takes that value. The cases are evaluated in chunks
(:data:`somrisk.engine.CHUNK_CASES`), one kernel call per chunk and block of draws.

The portfolio's years run from the earliest case start to the latest case end; its actors are every
actor of its cases. Every NPV of a portfolio, the cases' included, is discounted to the portfolio's
first year, each case at its own discount rate, so that the cases' NPVs add up to the portfolio's.
For cases that start in that year this is the case's own NPV. Every figure of a portfolio, the
cases' included, is at the portfolio's price level (its ``price_year``, default the latest of its
cases'): each case's money is converted with the net price index (:mod:`somrisk.case.prices`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk._resources import available_cpus
from somrisk.case.model_warnings import model_warnings
from somrisk.case.portfolio import Portfolio, load_portfolio
from somrisk.cube import DISCOUNT_RATE, CubeLayout, base_discount_rate, provenance
from somrisk.engine import CubeBlock, Ensemble, Member, Simulation, make_ensemble, prepare, run_ensemble
from somrisk.transform import prepare_tables

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "PortfolioSimulation",
    "case_statistics",
    "case_summary",
    "prepare_portfolio",
    "simulate_portfolio",
]

#: Stream prefixes: the catalogue's, and each case's (followed by a hash of its name).
CATALOG_KEY, CASE_KEY = 0, 1


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def _first_seen(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        seen.update(dict.fromkeys(group))
    return tuple(seen)


def prepare_portfolio(portfolio: Portfolio) -> Ensemble:
    """Compile every case of a portfolio and lay out its shared draws, years and actors."""
    level, index = portfolio.price_level, portfolio.price_index
    models = [
        prepare(case, portfolio.catalog, price_level=level, price_index=index) for case in portfolio.cases
    ]
    shared: dict[str, int] = {}
    for model in models:
        for path in model.space.paths:
            if path.startswith("catalog."):
                shared.setdefault(path, len(shared))
    first = min(case.info.start_year for case in portfolio.cases)
    last = max(case.years[-1] for case in portfolio.cases)
    years = tuple(range(first, last + 1))
    members = [
        Member(
            model=model,
            key=(CASE_KEY, _name_key(model.case.name)),
            shared=np.array([shared.get(p, -1) for p in model.space.paths], dtype=np.int64),
            year_offset=model.case.info.start_year - first,
        )
        for model in models
    ]
    own_paths = [
        f"{m.model.case.name}/{path}" for m in members for path in m.model.space.paths if path not in shared
    ]
    t = np.arange(len(years), dtype=float)
    case0 = portfolio.cases[0].info
    layout = CubeLayout(
        years=years,
        actors=_first_seen([case.actors for case in portfolio.cases]),
        consequences=_first_seen([tuple(c.name for c in case.consequences) for case in portfolio.cases]),
        inputs=(*shared, *own_paths),
        money=f"{case0.currency}, {level} prices",
        discount_factor=np.array([(1.0 + base_discount_rate(case)) ** -t for case in portfolio.cases]),
        cases=tuple(case.name for case in portfolio.cases),
        discount_per_draw=any(DISCOUNT_RATE in m.space.paths for m in models),
    )
    return make_ensemble(members, shared_dimension=len(shared), shared_key=(CATALOG_KEY,), layout=layout)


#: A portfolio's run is a :class:`somrisk.engine.Simulation` with a `case` axis (`case_npv`, `cases`).
PortfolioSimulation = Simulation


def portfolio_sha256(portfolio: Portfolio) -> str:
    """SHA-256 over the portfolio file, its catalogue and its cases: it changes when any does."""
    digest = hashlib.sha256(portfolio.sha256.encode())
    if portfolio.catalog is not None:
        digest.update(portfolio.catalog.sha256.encode())
    for case in portfolio.cases:
        digest.update(case.sha256.encode())
    return digest.hexdigest()


def simulate_portfolio(
    portfolio: Portfolio | str | Path,
    *,
    draws: int = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    threads: int | None = None,
    scheduler: str | None = None,
    keep_cube: bool = False,
    cube_sink: Callable[[CubeBlock], None] | None = None,
    block_writer: Callable[[CubeBlock], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    ensemble: Ensemble | None = None,
) -> PortfolioSimulation:
    """Run the Monte Carlo simulation of a portfolio; arguments as for :func:`somrisk.simulate`.

    `ensemble` is the portfolio compiled with :func:`prepare_portfolio`, where the caller has it.
    """
    loaded = portfolio if isinstance(portfolio, Portfolio) else load_portfolio(portfolio)
    ensemble = prepare_portfolio(loaded) if ensemble is None else ensemble
    rates = {base_discount_rate(case) for case in loaded.cases}
    case0 = loaded.cases[0].info
    attrs = provenance(
        name=loaded.name,
        sha256=portfolio_sha256(loaded),
        seed=seed,
        sampler=sampler,
        draws=draws,
        currency=case0.currency,
        price_year=loaded.price_level,
        discount_rate=rates.pop() if len(rates) == 1 else math.nan,
        start_year=ensemble.years[0],
    )
    attrs["portfolio_cases"] = "; ".join(case.name for case in loaded.cases)
    attrs["warnings"] = "; ".join(f"{c.name}: {w.en}" for c in loaded.cases for w in model_warnings(c))
    changes = dict.fromkeys(text for case in loaded.cases for text in case.overrides)
    if changes:  # --set/--scale, applied to every case
        attrs["overrides"] = "; ".join(changes)
    if scheduler in (None, "threads"):  # a Dask worker builds the tables of its own cases
        _prepare_tables(ensemble, threads)
    return run_ensemble(
        ensemble,
        draws=draws,
        seed=seed,
        sampler=sampler,
        threads=threads,
        scheduler=scheduler,
        keep_cube=keep_cube,
        cube_sink=cube_sink,
        block_writer=block_writer,
        progress=progress,
        attrs=attrs,
        portfolio=loaded,
    )


def _prepare_tables(ensemble: Ensemble, threads: int | None) -> None:
    """Build the quantile tables of every case at once, on the run's threads (the same tables the
    cases' transforms would build one by one, in a fraction of the time)."""
    if threads is None:
        threads = available_cpus()
    prepare_tables((d for m in ensemble.members for d in m.model.transform.distributions), threads=threads)


def case_summary(sim: PortfolioSimulation, *, interval: tuple[float, float] = (0.05, 0.95)) -> xr.Dataset:
    """Per case: mean, sd, percentiles (`interval` and the median), P(NPV > 0) and the share of the
    portfolio's variance.

    The variance share of case k is Cov(NPV_k, NPV) / Var(NPV), NPV the portfolio's: the shares add
    up to 1, and a case whose NPV moves against the others' has a negative share. NaN where the
    portfolio's NPV does not vary.
    """
    import xarray as xr

    variables, coords, attrs = case_statistics(sim, interval=interval)
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def case_statistics(
    sim: PortfolioSimulation, *, interval: tuple[float, float] = (0.05, 0.95)
) -> tuple[dict[str, tuple], dict[str, Any], dict[str, Any]]:
    """The variables, coordinates and attributes of :func:`case_summary`, as plain arrays (what
    ``xarray.Dataset`` takes), without importing xarray."""
    quantiles = np.array([interval[0], 0.5, interval[1]])
    values = sim.case_npv
    total = sim.npv_total
    ddof = 1 if sim.draws > 1 else 0
    # deviations from the first draw first: an NPV that does not vary has exactly zero deviations
    shifted, total_shifted = values - values[:, :1], total - total[0]
    offset = shifted.mean(axis=1)
    case_deviation = shifted - offset[:, None]
    deviation = total_shifted - total_shifted.mean()
    variance = float(deviation @ deviation) / max(sim.draws - ddof, 1)
    covariance = case_deviation @ deviation / max(sim.draws - ddof, 1)
    share = covariance / variance if variance > 0 else np.full(len(sim.cases), math.nan)
    money = sim.money
    return (
        {
            "npv_mean": (("case",), values[:, 0] + offset, {"units": money}),
            "npv_sd": (("case",), shifted.std(axis=1, ddof=ddof), {"units": money}),
            "npv_quantile": (("case", "quantile"), _row_quantiles(values, quantiles), {"units": money}),
            "npv_prob_positive": (("case",), np.count_nonzero(values > 0, axis=1) / sim.draws),
            "variance_share": (("case",), share),
        },
        {"case": list(sim.cases), "quantile": quantiles},
        dict(sim.attrs),
    )


def _row_quantiles(values: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """``np.quantile(values, quantiles, axis=1).T``, the rows split between two threads (numpy
    sorts without the GIL; each row's quantiles are its own, so the numbers are the same)."""
    if values.shape[0] < 2 or values.size < 1_000_000 or available_cpus() < 2:
        return np.quantile(values, quantiles, axis=1).T
    half = values.shape[0] // 2

    def part(rows: slice) -> np.ndarray:
        return np.quantile(values[rows], quantiles, axis=1).T

    with ThreadPoolExecutor(2) as pool:
        return np.concatenate(list(pool.map(part, (slice(0, half), slice(half, None)))))
