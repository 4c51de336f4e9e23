"""Stage 9: orchestration. Blocks of draws go sampler -> correlation -> transform -> kernel.

Draws are made in the fixed blocks of :mod:`somrisk.sampling.streams` and run in parallel on a
thread pool (the transform and the kernel release the GIL). Each block's numbers depend only on
(case, seed, sampler, draws, block index), and every block's results are written to their own place,
so the results do not depend on the number of threads. Blocks are collected in order, and statistics
that are accumulated block by block are combined in block order.

A run keeps, for every draw, only what the summaries need: the NPV per actor and the payback year
(10 to 40 bytes a draw). The present values of gains and costs and the yearly results (net per
actor and in total, cumulative discounted net) are accumulated block by block: their sums, means
and variances cover every draw, and the yearly results of the first :data:`YEARLY_SAMPLE_DRAWS`
draws are kept for their percentiles. The cube (gains by
consequence for every draw) is built only when asked for: in memory (`keep_cube`) or handed block by
block to a writer (`cube_sink`), so a summary-only run needs memory for a few numbers per draw.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk._resources import available_memory, format_bytes
from somrisk.case import Case
from somrisk.cube import cube_dataset, cube_nbytes, make_attrs
from somrisk.errors import OutputError, UsageError
from somrisk.kernel import evaluate_block, series_moments
from somrisk.plan import KernelPlan, make_plan
from somrisk.sampling import (
    BLOCK_DRAWS,
    GaussianCopula,
    ImanConover,
    Sampler,
    Stream,
    block_bounds,
    block_rng,
    make_sampler,
)
from somrisk.space import InputSpace, build_space
from somrisk.transform import Transform

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "YEARLY_SAMPLE_BYTES",
    "YEARLY_SAMPLE_DRAWS",
    "CubeBlock",
    "Deterministic",
    "Model",
    "Simulation",
    "evaluate",
    "evaluate_uniforms",
    "prepare",
    "run_deterministic",
    "simulate",
]

#: The yearly results of at most this many (first) draws are kept for their percentiles ...
YEARLY_SAMPLE_DRAWS = 2**18
#: ... and at most this much memory (a long horizon keeps fewer draws; whole blocks always).
YEARLY_SAMPLE_BYTES = 256 * 2**20
#: Share of the available memory a cube may take in memory; larger cubes must be streamed.
CUBE_MEMORY_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class Model:
    """A case compiled for evaluation: its input space, kernel plan and inverse CDFs."""

    case: Case
    space: InputSpace
    plan: KernelPlan
    transform: Transform

    @property
    def series(self) -> tuple[str, ...]:
        """Names of the yearly series: each actor, then ``total`` and ``cumulative``."""
        return (*self.case.actors, "total", "cumulative")


def prepare(case: Case) -> Model:
    """Build the input space, kernel plan and inverse CDFs of a case (once per case)."""
    space = build_space(case)
    return Model(case, space, make_plan(case, space), Transform(space))


@dataclass(frozen=True, eq=False)
class _Outputs:
    """Kernel outputs for n draws (arrays as described in :func:`evaluate_block`)."""

    npv: np.ndarray
    series: np.ndarray
    payback: np.ndarray
    pv_gains: np.ndarray
    pv_costs: np.ndarray
    gains: np.ndarray
    costs: np.ndarray

    @classmethod
    def allocate(cls, n: int, T: int, A: int, C: int, cube: bool) -> _Outputs:
        return cls(
            np.empty((n, A)),
            np.empty((n, T, A + 2)),
            np.empty(n, dtype=np.int64),
            np.empty(n),
            np.empty(n),
            np.empty((n, T, A, C) if cube else (0, 0, 0, 0)),
            np.empty((n, T, A) if cube else (0, 0, 0)),
        )

    @property
    def net(self) -> np.ndarray:
        """N (n, T, A): the actors' part of the yearly series."""
        return self.series[:, :, : self.npv.shape[1]]


def _evaluate(
    model: Model, values: np.ndarray, out: _Outputs, write_cube: bool, constants: np.ndarray | None = None
) -> None:
    """Run the kernel on `values`; `constants` replaces the values of the inputs that are not drawn."""
    args = model.plan.kernel_args()
    if constants is not None:
        args = (args[0], constants, *args[2:])
    evaluate_block(
        values,
        *args,
        write_cube,
        out.npv,
        out.series,
        out.payback,
        out.pv_gains,
        out.pv_costs,
        out.gains,
        out.costs,
    )


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

    @property
    def npv_total(self) -> float:
        return float(self.npv.sum())

    @property
    def payback_year(self) -> int | None:
        """Calendar year of payback, or None."""
        return None if self.payback < 0 else self.years[self.payback]


def run_deterministic(case: Case | Model) -> Deterministic:
    """Evaluate the case once with every input at its base value (model.md, "Deterministic run")."""
    model = case if isinstance(case, Model) else prepare(case)
    base = model.space.base_values
    T, A, C = model.case.info.horizon, len(model.case.actors), len(model.case.consequences)
    out = _Outputs.allocate(1, T, A, C, cube=True)
    values = np.ascontiguousarray(base[list(model.space.uncertain)][None, :])
    _evaluate(model, values, out, write_cube=True, constants=base)  # fixed inputs at their base too
    return Deterministic(
        actors=model.case.actors,
        years=model.case.years,
        npv=out.npv[0],
        net=out.net[0].copy(),
        costs=out.costs[0],
        gains=out.gains[0],
        cumulative=out.series[0, :, -1].copy(),
        payback=int(out.payback[0]),
        pv_gains=float(out.pv_gains[0]),
        pv_costs=float(out.pv_costs[0]),
    )


#: Uniforms of designed samples are kept this far inside (0, 1), where every inverse CDF is finite.
UNIFORM_MARGIN = 2.0**-40


def evaluate(
    model: Model,
    values: np.ndarray,
    *,
    constants: np.ndarray | None = None,
    threads: int | None = None,
) -> np.ndarray:
    """NPV per actor for given values of the uncertain inputs (a design, not random draws).

    Parameters
    ----------
    model : Model
        The compiled case (:func:`prepare`).
    values : float64 (n, d)
        One row per evaluation, one column per uncertain input (``model.space.paths`` order), in the
        inputs' own units.
    constants : float64 (P,), optional
        Values of the inputs that are not uncertain, in ``model.space.inputs`` order (the entries of
        uncertain inputs are ignored). Default: the values the draws of a run use.
    threads : int, optional
        Threads evaluating blocks of rows (default: the CPUs available).

    Returns
    -------
    float64 (n, A)
        NPV of each row per actor (``model.case.actors`` order), discounted to the first year.
    """
    values = np.ascontiguousarray(values, dtype=float)
    return _evaluate_rows(model, values.shape[0], lambda start, stop: values[start:stop], constants, threads)


def evaluate_uniforms(model: Model, uniforms: np.ndarray, *, threads: int | None = None) -> np.ndarray:
    """NPV per actor for a design in the unit cube (n, d): each row is mapped through the case's
    rank correlations (a Gaussian copula, row by row) and the inputs' inverse CDFs, then evaluated.

    Uniforms are kept within :data:`UNIFORM_MARGIN` of 0 and 1. Rows are transformed one block at a
    time, so the design's input values are never all in memory at once.
    """
    space = model.space
    copula = GaussianCopula(space.correlated, space.rank_correlation)

    def block(start: int, stop: int) -> np.ndarray:
        u = np.clip(uniforms[start:stop], UNIFORM_MARGIN, 1.0 - UNIFORM_MARGIN)
        copula.apply(u)
        return model.transform(u)

    return _evaluate_rows(model, uniforms.shape[0], block, None, threads)


def _evaluate_rows(
    model: Model,
    n: int,
    rows: Callable[[int, int], np.ndarray],
    constants: np.ndarray | None,
    threads: int | None,
) -> np.ndarray:
    T, A, C = model.case.info.horizon, len(model.case.actors), len(model.case.consequences)
    npv = np.empty((n, A))

    def block(bounds: tuple[int, int]) -> None:
        start, stop = bounds
        out = _Outputs.allocate(stop - start, T, A, C, cube=False)
        _evaluate(model, np.ascontiguousarray(rows(start, stop)), out, False, constants)
        npv[start:stop] = out.npv

    bounds = block_bounds(n)
    n_threads = min(_threads(threads), len(bounds))
    if n_threads <= 1:
        for b in bounds:
            block(b)
    else:
        with ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="somrisk") as pool:
            list(pool.map(block, bounds))  # each block writes its own rows of `npv`
    return npv


@dataclass(frozen=True, eq=False)
class CubeBlock:
    """The cube's arrays for draws [start, stop) of a run, handed to a cube writer in order."""

    start: int
    stop: int
    dataset: xr.Dataset


class _Moments:
    """Means and sums of squared deviations, combined block by block (Chan et al. 1979)."""

    def __init__(self) -> None:
        self.count = 0
        self.mean: np.ndarray | None = None
        self.m2: np.ndarray | None = None

    def add(self, n: int, mean: np.ndarray, m2: np.ndarray) -> None:
        """Add a block of `n` draws with its own mean and sum of squared deviations."""
        if self.mean is None or self.m2 is None:
            self.count, self.mean, self.m2 = n, mean, m2
            return
        total = self.count + n
        delta = mean - self.mean
        self.mean = self.mean + delta * (n / total)
        self.m2 = self.m2 + m2 + delta**2 * (self.count * n / total)
        self.count = total

    def variance(self) -> np.ndarray:
        """Sample variance (ddof = 1; 0 for a single draw)."""
        assert self.m2 is not None
        return self.m2 / max(self.count - 1, 1)


@dataclass(frozen=True, eq=False)
class Simulation:
    """The results of a Monte Carlo run, without the cube unless it was asked for.

    Attributes
    ----------
    npv : float64 (A, draws)
        NPV of every draw, one row per actor (in ``case.actors`` order).
    payback : int16 (draws,)
        Payback year index of every draw (0 = start year); -1 where it does not pay back.
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
        number (``model.space.paths`` order); None unless `keep_inputs` or `keep_cube` asked for them.
    attrs : dict
        Provenance (:func:`somrisk.cube.make_attrs`).
    """

    model: Model
    seed: int
    sampler: str
    draws: int
    npv: np.ndarray
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

    @property
    def case(self) -> Case:
        return self.model.case

    @property
    def npv_total(self) -> np.ndarray:
        """NPV summed over actors, per draw (draws,)."""
        return self.npv.sum(axis=0)

    def draws_dataset(self) -> xr.Dataset:
        """The per-draw results as a labelled Dataset: ``npv`` (draw, actor) with ``total`` among
        the actors, and ``payback_year`` (draw; -1 where a draw does not pay back)."""
        import xarray as xr

        years = np.array(self.case.years)
        payback_year = np.where(self.payback >= 0, years[np.maximum(self.payback, 0)], -1)
        npv = np.concatenate([self.npv, self.npv_total[None, :]]).T
        return xr.Dataset(
            {"npv": (("draw", "actor"), npv), "payback_year": (("draw",), payback_year)},
            coords={"draw": np.arange(self.draws), "actor": [*self.case.actors, "total"]},
            attrs=self.attrs,
        )


def _threads(threads: int | None) -> int:
    if threads is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not on Linux
            return max(1, os.cpu_count() or 1)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise UsageError(f"threads must be a whole number >= 1; got {threads!r}")
    return threads


def simulate(
    case: Case | Model,
    *,
    draws: int = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    threads: int | None = None,
    keep_cube: bool = False,
    keep_inputs: bool | int = False,
    cube_sink: Callable[[CubeBlock], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Run the Monte Carlo simulation of a case.

    Parameters
    ----------
    case : Case or Model
        A validated case (:func:`somrisk.load_case`), or one compiled with :func:`prepare`.
    draws : int
        Number of draws, >= 1.
    seed : int
        Seed of every random number of the run, >= 0.
    sampler : {"lhs", "mc", "sobol"}
        Latin hypercube, plain Monte Carlo, or scrambled Sobol points.
    threads : int, optional
        Threads running blocks of draws (default: the CPUs available). Results do not depend on it.
    keep_cube : bool
        Keep the whole cube (gains by consequence for every draw) in memory as `Simulation.cube`.
    keep_inputs : bool or int
        Keep the input values of every draw as `Simulation.inputs` (for analyses on the draws of a
        run: value of information, what drives a loss); a number keeps those of the first draws only.
    cube_sink : callable, optional
        Called with each block's :class:`CubeBlock`, in draw order (to stream the cube to a file).
    progress : callable, optional
        Called as ``progress(draws_done, draws)`` after each block.

    Returns
    -------
    Simulation

    Raises
    ------
    UsageError
        For a bad sampler name, seed, number of draws or threads.
    OutputError
        Where `keep_cube` asks for a cube larger than half the available memory.
    """
    model = case if isinstance(case, Model) else prepare(case)
    case = model.case
    n_threads = _threads(threads)
    source = make_sampler(sampler, seed=seed, draws=draws, dimension=model.space.dimension)
    if keep_cube:
        needed, limit = (
            cube_nbytes(case, model.space, draws),
            available_memory() * CUBE_MEMORY_SHARE,
        )
        if needed > limit:
            raise OutputError(
                f"the cube of {draws:,} draws needs {format_bytes(needed)} of memory, more than "
                f"the {format_bytes(limit)} available for it; write it to a .zarr file instead, "
                "which streams it block by block, or use fewer draws"
            )
    if not isinstance(keep_inputs, bool) and (not isinstance(keep_inputs, int) or keep_inputs < 0):
        raise UsageError(f"keep_inputs must be true, false or a whole number >= 0; got {keep_inputs!r}")
    # what every run keeps per draw: NPV per actor, payback year (and the inputs where asked)
    kept = (
        0 if keep_cube or not keep_inputs else draws if keep_inputs is True else min(int(keep_inputs), draws)
    )
    needed = (8 * len(case.actors) + 2) * draws + 8 * model.space.dimension * kept
    limit = available_memory() * CUBE_MEMORY_SHARE
    if needed > limit:
        raise OutputError(
            f"{draws:,} draws need {format_bytes(needed)} of memory for their results, more than the "
            f"{format_bytes(limit)} available; use fewer draws"
        )
    run = _Run(model, source, n_threads, keep_cube, cube_sink, progress, kept)
    return run.execute()


class _Run:
    """State of one simulation: the blocks in flight and the arrays they fill."""

    def __init__(
        self,
        model: Model,
        sampler: Sampler,
        threads: int,
        keep_cube: bool,
        cube_sink: Callable[[CubeBlock], None] | None,
        progress: Callable[[int, int], None] | None,
        keep_inputs: int = 0,
    ) -> None:
        self.model, self.sampler, self.threads = model, sampler, threads
        self.keep_cube, self.cube_sink, self.progress = keep_cube, cube_sink, progress
        self.write_cube = keep_cube or cube_sink is not None
        case = model.case
        self.T, self.A, self.C = case.info.horizon, len(case.actors), len(case.consequences)
        D, d = sampler.draws, model.space.dimension
        self.bounds = block_bounds(D)
        self.correlate = ImanConover(model.space.correlated, model.space.rank_correlation)
        self.attrs = make_attrs(case, seed=sampler.seed, sampler=sampler.name, draws=D)
        self.npv = np.empty((self.A, D))
        self.payback = np.empty(D, dtype=np.int16)
        self.pv_sums = np.zeros(2)  # present values of gains and costs, summed in block order
        by_memory = YEARLY_SAMPLE_BYTES // (8 * self.T * (self.A + 2))
        self.sample_draws = min(
            D, max(BLOCK_DRAWS, min(YEARLY_SAMPLE_DRAWS, by_memory) // BLOCK_DRAWS * BLOCK_DRAWS)
        )
        self.yearly_sample = np.empty((self.T, self.A + 2, self.sample_draws))
        self.moments = _Moments()
        self.cube_arrays: dict[str, np.ndarray] | None = None
        if keep_cube:
            self.cube_arrays = {
                "gains": np.empty((D, self.T, self.A, self.C)),
                "costs": np.empty((D, self.T, self.A)),
                "net": np.empty((D, self.T, self.A)),
                "inputs": np.empty((D, d)),
            }
        # the input values of the first `keep_inputs` draws (all of them with the cube)
        self.inputs = (
            self.cube_arrays["inputs"]
            if self.cube_arrays is not None
            else np.empty((keep_inputs, d))
            if keep_inputs
            else None
        )

    def block(self, index: int) -> tuple[np.ndarray, _Outputs, tuple[np.ndarray, ...]]:
        """Sample, correlate, transform and evaluate one block (runs on a worker thread).

        Per-draw results go straight into the run's arrays (each block has its own columns).
        """
        start, stop = self.bounds[index]
        n = stop - start
        u = self.sampler.block(index)
        self.correlate.apply(u, block_rng(self.sampler.seed, Stream.CORRELATION, index))
        cube = self.cube_arrays
        kept = 0 if self.inputs is None else self.inputs.shape[0]
        values = self.model.transform(u, out=self.inputs[start:stop] if stop <= kept else None)
        if start < kept < stop:  # the block in which the kept draws end
            self.inputs[start:kept] = values[: kept - start]
        if cube is not None:
            gains, costs = cube["gains"][start:stop], cube["costs"][start:stop]
        elif self.write_cube:
            gains, costs = np.empty((n, self.T, self.A, self.C)), np.empty((n, self.T, self.A))
        else:
            gains, costs = np.empty((0, 0, 0, 0)), np.empty((0, 0, 0))
        out = _Outputs(
            np.empty((n, self.A)),
            np.empty((n, self.T, self.A + 2)),
            np.empty(n, dtype=np.int64),
            np.empty(n),
            np.empty(n),
            gains,
            costs,
        )
        _evaluate(self.model, values, out, self.write_cube)
        self.npv[:, start:stop] = out.npv.T
        self.payback[start:stop] = out.payback
        if stop <= self.sample_draws:
            self.yearly_sample[:, :, start:stop] = out.series.transpose(1, 2, 0)
        if cube is not None:
            cube["net"][start:stop] = out.net
        mean, m2 = np.empty(out.series.shape[1:]), np.empty(out.series.shape[1:])
        series_moments(out.series, mean, m2)
        return values, out, (mean, m2, np.array([out.pv_gains.sum(), out.pv_costs.sum()]))

    def collect(self, index: int, values: np.ndarray, out: _Outputs, sums: tuple[np.ndarray, ...]) -> None:
        """Combine one block's results with the run's (in block order)."""
        start, stop = self.bounds[index]
        mean, m2, pv = sums
        self.moments.add(stop - start, mean, m2)
        self.pv_sums += pv
        if self.cube_sink is not None:
            dataset = cube_dataset(
                self.model.case,
                self.model.space,
                draw_start=start,
                gains=out.gains,
                costs=out.costs,
                net=out.net.copy(),
                inputs=values,
                attrs=self.attrs,
            )
            self.cube_sink(CubeBlock(start, stop, dataset))
        if self.progress is not None:
            self.progress(stop, self.sampler.draws)

    def execute(self) -> Simulation:
        if self.threads == 1 or len(self.bounds) == 1:
            for index in range(len(self.bounds)):
                self.collect(index, *self.block(index))
        else:
            self._parallel()
        cube = None
        if self.cube_arrays is not None:
            cube = cube_dataset(
                self.model.case,
                self.model.space,
                draw_start=0,
                attrs=self.attrs,
                **self.cube_arrays,
            )
        assert self.moments.mean is not None
        return Simulation(
            model=self.model,
            seed=self.sampler.seed,
            sampler=self.sampler.name,
            draws=self.sampler.draws,
            npv=self.npv,
            payback=self.payback,
            pv_gains_mean=float(self.pv_sums[0] / self.sampler.draws),
            pv_costs_mean=float(self.pv_sums[1] / self.sampler.draws),
            yearly_sample=self.yearly_sample,
            yearly_mean=self.moments.mean,
            yearly_var=self.moments.variance(),
            deterministic=run_deterministic(self.model),
            attrs=self.attrs,
            cube=cube,
            inputs=self.inputs,
        )

    def _parallel(self) -> None:
        pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="somrisk")
        pending: deque[tuple[int, Future[Any]]] = deque()
        next_block = 0
        try:
            while next_block < len(self.bounds) or pending:
                # keep a bounded number of blocks in flight, collect them in order
                while next_block < len(self.bounds) and len(pending) < 2 * self.threads:
                    pending.append((next_block, pool.submit(self.block, next_block)))
                    next_block += 1
                index, future = pending.popleft()
                self.collect(index, *future.result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
