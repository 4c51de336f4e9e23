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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from somrisk._resources import available_memory, format_bytes
from somrisk._scheduler import Handle, Scheduler, open_scheduler
from somrisk.case import Case
from somrisk.case.catalog import Catalog
from somrisk.cube import CubeLayout, cube_dataset, make_attrs
from somrisk.errors import NumericalError, OutputError, UsageError
from somrisk.kernel import evaluate_cases, finish_block, series_moments
from somrisk.plan import KernelPlan, StackedPlan, make_plan, stack_plans
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
    stacked: StackedPlan

    @property
    def series(self) -> tuple[str, ...]:
        """Names of the yearly series: each actor, then ``total`` and ``cumulative``."""
        return (*self.case.actors, "total", "cumulative")


def prepare(case: Case, catalog: Catalog | None = None) -> Model:
    """Build the input space, kernel plan and inverse CDFs of a case (once per case); `catalog`
    provides the prices of its consequences written ``price = "catalog"``."""
    space = build_space(case, catalog)
    plan = make_plan(case, space)
    stacked = stack_plans(
        [plan],
        column_offsets=[np.arange(space.dimension, dtype=np.int64)],
        actors=case.actors,
        consequences=plan.consequences,
        year_offsets=[0],
    )
    return Model(case, space, plan, Transform(space), stacked)


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
    args = model.stacked.kernel_args()
    if constants is not None:
        args = (args[0], constants, *args[2:])
    n, T, A = out.series.shape[0], out.series.shape[1], out.npv.shape[1]
    net, discounted, pv = np.zeros((n, T, A)), np.zeros((n, T)), np.zeros((n, 2))
    out.npv[:] = 0.0
    evaluate_cases(
        values,
        *args,
        write_cube,
        out.npv,
        np.empty((n, 1)),
        net,
        discounted,
        pv,
        out.gains[:, None],
        out.costs[:, None],
    )
    finish_block(net, discounted, out.series, out.payback)
    out.pv_gains[:] = pv[:, 0]
    out.pv_costs[:] = pv[:, 1]


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
    return deterministic(single(case if isinstance(case, Model) else prepare(case)))


def deterministic(ensemble: Ensemble) -> Deterministic:
    """The deterministic run of a case or a portfolio (its cases summed), every input at its base."""
    layout = ensemble.layout
    T, A, C = len(layout.years), len(layout.actors), len(layout.consequences)
    npv, net, discounted, pv = np.zeros((1, A)), np.zeros((1, T, A)), np.zeros((1, T)), np.zeros((1, 2))
    gains, costs = np.zeros((T, A, C)), np.zeros((T, A))
    for (lo, hi), plan in zip(ensemble.chunks, ensemble.plans, strict=True):
        models = [m.model for m in ensemble.members[lo:hi]]
        base = [m.space.base_values for m in models]
        values = np.concatenate([b[list(m.space.uncertain)] for b, m in zip(base, models, strict=True)])[
            None, :
        ]
        chunk_gains, chunk_costs = np.empty((1, hi - lo, T, A, C)), np.empty((1, hi - lo, T, A))
        args = plan.kernel_args()
        # fixed inputs at their base too (a fixed distribution's `base` may differ from its value)
        args = (args[0], np.concatenate(base), *args[2:])
        evaluate_cases(
            np.ascontiguousarray(values),
            *args,
            True,
            npv,
            np.empty((1, hi - lo)),
            net,
            discounted,
            pv,
            chunk_gains,
            chunk_costs,
        )
        gains += chunk_gains[0].sum(axis=0)
        costs += chunk_costs[0].sum(axis=0)
    series, payback = np.empty((1, T, A + 2)), np.empty(1, dtype=np.int64)
    finish_block(net, discounted, series, payback)
    return Deterministic(
        actors=layout.actors,
        years=layout.years,
        npv=npv[0],
        net=series[0, :, :A].copy(),
        costs=costs,
        gains=gains,
        cumulative=series[0, :, -1].copy(),
        payback=int(payback[0]),
        pv_gains=float(pv[0, 0]),
        pv_costs=float(pv[0, 1]),
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
    """The cube's arrays for draws [start, stop) of a run (and, from a Dask worker writing a
    portfolio's cube, for its cases [first, stop) only), handed to a cube writer."""

    start: int
    stop: int
    dataset: xr.Dataset
    cases: tuple[int, int] | None = None


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
    def actors(self) -> tuple[str, ...]:
        return self.model.case.actors

    @property
    def years(self) -> tuple[int, ...]:
        return self.model.case.years

    @property
    def money(self) -> str:
        """The unit of every amount: currency and price level."""
        return f"{self.case.info.currency}, {self.case.info.price_level} prices"

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
    scheduler: str | None = None,
    keep_cube: bool = False,
    keep_inputs: bool | int = False,
    cube_sink: Callable[[CubeBlock], None] | None = None,
    block_writer: Callable[[CubeBlock], None] | None = None,
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
    scheduler : str, optional
        ``threads`` (default: this process), ``local:N`` (a Dask LocalCluster of N workers, started
        for the run) or ``tcp://HOST:PORT`` (a running Dask cluster). Results do not depend on it.
    keep_cube : bool
        Keep the whole cube (gains by consequence for every draw) in memory as `Simulation.cube`.
    keep_inputs : bool or int
        Keep the input values of every draw as `Simulation.inputs` (for analyses on the draws of a
        run: value of information, what drives a loss); a number keeps those of the first draws only.
    cube_sink : callable, optional
        Called with each block's :class:`CubeBlock`, in draw order, in this process (to stream the
        cube to a file).
    block_writer : callable, optional
        Called with each block's :class:`CubeBlock` where the block is computed (on a Dask worker),
        in any order; it must pickle (to write a block's region of a Zarr store made beforehand).
    progress : callable, optional
        Called as ``progress(draws_done, draws)`` after each block.

    Returns
    -------
    Simulation

    Raises
    ------
    UsageError
        For a bad sampler name, seed, number of draws, threads or scheduler.
    OutputError
        Where `keep_cube` asks for a cube larger than half the available memory.
    """
    model = case if isinstance(case, Model) else prepare(case)
    ensemble = single(model)
    result = run_ensemble(
        ensemble,
        draws=draws,
        seed=seed,
        sampler=sampler,
        threads=threads,
        scheduler=scheduler,
        keep_cube=keep_cube,
        keep_inputs=keep_inputs,
        cube_sink=cube_sink,
        block_writer=block_writer,
        progress=progress,
        attrs=make_attrs(model.case, seed=seed, sampler=sampler, draws=draws),
    )
    return Simulation(
        model=model,
        seed=seed,
        sampler=sampler,
        draws=draws,
        npv=result.npv,
        payback=result.payback,
        pv_gains_mean=result.pv_gains_mean,
        pv_costs_mean=result.pv_costs_mean,
        yearly_sample=result.yearly_sample,
        yearly_mean=result.yearly_mean,
        yearly_var=result.yearly_var,
        deterministic=run_deterministic(model),
        attrs=result.attrs,
        cube=result.cube,
        inputs=result.inputs,
    )


# --- one case or many: the members of a run -------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Member:
    """One case of a run, with its own random streams.

    Attributes
    ----------
    model : Model
        The compiled case.
    key : tuple of int
        The prefix of its streams (:func:`somrisk.sampling.streams.block_rng`); () for a case run
        on its own.
    shared : int64 (d,)
        For each column of the case's draws, the column of the shared (catalogue) draws it takes,
        or -1 where the case draws it from its own streams. Shared columns come last.
    year_offset : int
        Years from the run's first year to the case's first year.
    """

    model: Model
    key: tuple[int, ...]
    shared: np.ndarray
    year_offset: int

    @property
    def own_dimension(self) -> int:
        return int(np.count_nonzero(self.shared < 0))


#: A portfolio's cases are evaluated in chunks of at most this many uncertain inputs (columns) ...
CHUNK_COLUMNS = 1024
#: ... and at most this many cases: one kernel call (and one Dask task) per chunk and block.
CHUNK_CASES = 64


@dataclass(frozen=True, eq=False)
class Ensemble:
    """What a run evaluates: one case, or the cases of a portfolio with their shared draws.

    Attributes
    ----------
    members : tuple of Member
    shared_dimension, shared_key
        Number of shared (catalogue) columns, and the prefix of their streams.
    layout : CubeLayout
        The run's years, actors, consequences, cases and inputs.
    chunks : tuple of (first, stop)
        The members evaluated in one kernel call, in order; fixed by the members alone, so that the
        sums over chunks are made in the same order whatever runs them.
    plans : tuple of StackedPlan
        The stacked plan of each chunk.
    input_take : int64 (len(layout.inputs),)
        Columns of the members' values, side by side, that form the run's inputs.
    """

    members: tuple[Member, ...]
    shared_dimension: int
    shared_key: tuple[int, ...]
    layout: CubeLayout
    chunks: tuple[tuple[int, int], ...]
    plans: tuple[StackedPlan, ...]
    input_take: np.ndarray

    @property
    def actors(self) -> tuple[str, ...]:
        return self.layout.actors

    @property
    def years(self) -> tuple[int, ...]:
        return self.layout.years


def single(model: Model) -> Ensemble:
    """The ensemble of a case run on its own."""
    d = model.space.dimension
    member = Member(model, (), np.full(d, -1, dtype=np.int64), 0)
    layout = CubeLayout.of_case(model.case, model.space)
    return Ensemble((member,), 0, (), layout, ((0, 1),), (model.stacked,), np.arange(d, dtype=np.int64))


def make_ensemble(
    members: list[Member], *, shared_dimension: int, shared_key: tuple[int, ...], layout: CubeLayout
) -> Ensemble:
    """Group members into chunks and stack each chunk's plans (a portfolio's run)."""
    chunks: list[tuple[int, int]] = []
    first, columns = 0, 0
    for k, member in enumerate(members):
        d = member.model.space.dimension
        if k > first and (columns + d > CHUNK_COLUMNS or k - first >= CHUNK_CASES):
            chunks.append((first, k))
            first, columns = k, 0
        columns += d
    chunks.append((first, len(members)))
    plans = []
    for lo, hi in chunks:
        offsets, start = [], 0
        for member in members[lo:hi]:
            d = member.model.space.dimension
            offsets.append(np.arange(start, start + d, dtype=np.int64))
            start += d
        plans.append(
            stack_plans(
                [m.model.plan for m in members[lo:hi]],
                column_offsets=offsets,
                actors=layout.actors,
                consequences=layout.consequences,
                year_offsets=[m.year_offset for m in members[lo:hi]],
            )
        )
    # the run's inputs: each shared column once (from the first member that has it), then each
    # member's own columns
    take: list[int] = []
    shared_seen: dict[int, int] = {}
    start = 0
    for member in members:
        for j, col in enumerate(member.shared):
            if col >= 0 and int(col) not in shared_seen:
                shared_seen[int(col)] = start + j
        start += member.model.space.dimension
    take.extend(shared_seen[c] for c in sorted(shared_seen))
    start = 0
    for member in members:
        take.extend(start + j for j in np.flatnonzero(member.shared < 0))
        start += member.model.space.dimension
    return Ensemble(
        tuple(members),
        shared_dimension,
        shared_key,
        layout,
        tuple(chunks),
        tuple(plans),
        np.array(take, dtype=np.int64),
    )


# --- the work of one block: sample, correlate, transform, evaluate ------------------------------


@dataclass(frozen=True, eq=False)
class _Spec:
    """Everything a block needs, sent once to each Dask worker."""

    ensemble: Ensemble
    seed: int
    samplers: tuple[Sampler, ...]
    shared_sampler: Sampler | None
    correlations: tuple[ImanConover, ...]
    write_cube: bool
    keep_values: bool
    block_writer: Callable[[CubeBlock], None] | None
    attrs: dict[str, Any]


@dataclass(frozen=True, eq=False)
class _Partial:
    """The kernel's sums for one block and one chunk of members (:func:`evaluate_cases`)."""

    npv: np.ndarray
    case_npv: np.ndarray
    net: np.ndarray
    discounted: np.ndarray
    pv: np.ndarray
    values: np.ndarray | None
    gains: np.ndarray | None
    costs: np.ndarray | None


def _member_values(spec: _Spec, k: int, index: int, shared_u: np.ndarray | None) -> np.ndarray:
    member = spec.ensemble.members[k]
    u = spec.samplers[k].block(index)
    spec.correlations[k].apply(u, block_rng(spec.seed, Stream.CORRELATION, index, member.key))
    if shared_u is not None and member.own_dimension < member.shared.size:
        full = np.empty((u.shape[0], member.shared.size))
        own = member.shared < 0
        full[:, own] = u
        full[:, ~own] = shared_u[:, member.shared[~own]]
        u = full
    return member.model.transform(u)


def _block_task(spec: _Spec, index: int, chunk: int) -> _Partial:
    """Sample, correlate, transform and evaluate one block of draws for one chunk of members (on a
    thread of this process or on a Dask worker)."""
    ensemble = spec.ensemble
    lo, hi = ensemble.chunks[chunk]
    plan = ensemble.plans[chunk]
    shared_u = spec.shared_sampler.block(index) if spec.shared_sampler is not None else None
    parts = [_member_values(spec, k, index, shared_u) for k in range(lo, hi)]
    values = parts[0] if len(parts) == 1 else np.ascontiguousarray(np.hstack(parts))
    n, T, A, C, K = values.shape[0], plan.years, plan.actors, plan.consequences, hi - lo
    cube = spec.write_cube
    gains = np.empty((n, K, T, A, C) if cube else (0, 0, 0, 0, 0))
    costs = np.empty((n, K, T, A) if cube else (0, 0, 0, 0))
    partial = _Partial(
        np.zeros((n, A)),
        np.empty((n, K)),
        np.zeros((n, T, A)),
        np.zeros((n, T)),
        np.zeros((n, 2)),
        values if spec.keep_values else None,
        gains if cube else None,
        costs if cube else None,
    )
    evaluate_cases(
        values,
        *plan.kernel_args(),
        cube,
        partial.npv,
        partial.case_npv,
        partial.net,
        partial.discounted,
        partial.pv,
        gains,
        costs,
    )
    if spec.block_writer is not None:  # the cube's block is written here; only the sums go back
        spec.block_writer(_worker_block(spec, index, chunk, partial))
        return replace(partial, gains=None, costs=None)
    return partial


def _worker_block(spec: _Spec, index: int, chunk: int, partial: _Partial) -> CubeBlock:
    """The cube's gains, costs and net of one block and chunk, for a writer on the worker."""
    import xarray as xr

    ensemble = spec.ensemble
    lo, hi = ensemble.chunks[chunk]
    start, stop = block_bounds(spec.samplers[0].draws)[index]
    assert partial.gains is not None and partial.costs is not None
    gains, costs = partial.gains, partial.costs
    net = gains.sum(axis=-1) - costs
    layout = ensemble.layout
    dims: tuple[str, ...] = ("draw", "case") if layout.cases is not None else ("draw",)
    if layout.cases is None:
        gains, costs, net = gains[:, 0], costs[:, 0], net[:, 0]
    dataset = xr.Dataset(
        {
            "gains": ((*dims, "year", "actor", "consequence"), gains),
            "costs": ((*dims, "year", "actor"), costs),
            "net": ((*dims, "year", "actor"), net),
        }
    )
    return CubeBlock(start, stop, dataset, (lo, hi) if layout.cases is not None else None)


# --- the run: blocks in flight, collected in order -----------------------------------------------


@dataclass(frozen=True, eq=False)
class EnsembleResult:
    """The arrays of a run (see :class:`Simulation`); `case_npv` (cases, draws) for portfolios."""

    npv: np.ndarray
    case_npv: np.ndarray | None
    payback: np.ndarray
    pv_gains_mean: float
    pv_costs_mean: float
    yearly_sample: np.ndarray
    yearly_mean: np.ndarray
    yearly_var: np.ndarray
    attrs: dict[str, Any]
    cube: xr.Dataset | None
    inputs: np.ndarray | None


def run_ensemble(
    ensemble: Ensemble,
    *,
    draws: int,
    seed: int,
    sampler: str,
    threads: int | None,
    scheduler: str | None,
    keep_cube: bool,
    keep_inputs: bool | int,
    cube_sink: Callable[[CubeBlock], None] | None,
    block_writer: Callable[[CubeBlock], None] | None,
    progress: Callable[[int, int], None] | None,
    attrs: dict[str, Any],
) -> EnsembleResult:
    """Simulate an ensemble (one case or a portfolio); see :func:`simulate` for the arguments."""
    n_threads = _threads(threads)
    samplers = tuple(
        make_sampler(sampler, seed=seed, draws=draws, dimension=m.own_dimension, key=m.key)
        for m in ensemble.members
    )
    shared = (
        make_sampler(
            sampler, seed=seed, draws=draws, dimension=ensemble.shared_dimension, key=ensemble.shared_key
        )
        if ensemble.shared_dimension
        else None
    )
    layout = ensemble.layout
    A = len(layout.actors)
    if keep_cube:
        needed, limit = layout.nbytes(draws), available_memory() * CUBE_MEMORY_SHARE
        if needed > limit:
            raise OutputError(
                f"the cube of {draws:,} draws needs {format_bytes(needed)} of memory, more than "
                f"the {format_bytes(limit)} available for it; write it to a .zarr file instead, "
                "which streams it block by block, or use fewer draws"
            )
    if not isinstance(keep_inputs, bool) and (not isinstance(keep_inputs, int) or keep_inputs < 0):
        raise UsageError(f"keep_inputs must be true, false or a whole number >= 0; got {keep_inputs!r}")
    # what every run keeps per draw: NPV per actor (and per case), payback year, kept inputs
    kept = (
        0 if keep_cube or not keep_inputs else draws if keep_inputs is True else min(int(keep_inputs), draws)
    )
    cases = len(ensemble.members) if layout.cases is not None else 0
    needed = (8 * (A + cases) + 2) * draws + 8 * len(layout.inputs) * kept
    limit = available_memory() * CUBE_MEMORY_SHARE
    if needed > limit:
        raise OutputError(
            f"{draws:,} draws need {format_bytes(needed)} of memory for their results, more than the "
            f"{format_bytes(limit)} available; use fewer draws"
        )
    pool = open_scheduler(scheduler, n_threads)
    try:
        spec = _Spec(
            ensemble=ensemble,
            seed=seed,
            samplers=samplers,
            shared_sampler=shared,
            correlations=tuple(
                ImanConover(m.model.space.correlated, m.model.space.rank_correlation)
                for m in ensemble.members
            ),
            write_cube=keep_cube or cube_sink is not None or block_writer is not None,
            keep_values=keep_cube or cube_sink is not None or kept > 0,
            block_writer=block_writer,
            attrs=attrs,
        )
        run = _Run(spec, pool, draws, keep_cube, cube_sink, progress, kept)
        return run.execute()
    finally:
        pool.close()


class _Run:
    """State of one run: the blocks in flight and the arrays they fill (in this process)."""

    def __init__(
        self,
        spec: _Spec,
        pool: Scheduler,
        draws: int,
        keep_cube: bool,
        cube_sink: Callable[[CubeBlock], None] | None,
        progress: Callable[[int, int], None] | None,
        keep_inputs: int,
    ) -> None:
        self.spec, self.pool, self.draws = spec, pool, draws
        self.cube_sink, self.progress = cube_sink, progress
        layout = spec.ensemble.layout
        self.layout = layout
        self.T, self.A, self.C = len(layout.years), len(layout.actors), len(layout.consequences)
        self.portfolio = layout.cases is not None
        K = len(spec.ensemble.members)
        D, d = draws, len(layout.inputs)
        self.bounds = block_bounds(D)
        self.npv = np.empty((self.A, D))
        self.case_npv = np.empty((K, D)) if self.portfolio else None
        self.payback = np.empty(D, dtype=np.int16)
        self.pv_sums = np.zeros(2)  # present values of gains and costs, summed in block order
        by_memory = YEARLY_SAMPLE_BYTES // (8 * self.T * (self.A + 2))
        self.sample_draws = min(
            D, max(BLOCK_DRAWS, min(YEARLY_SAMPLE_DRAWS, by_memory) // BLOCK_DRAWS * BLOCK_DRAWS)
        )
        self.yearly_sample = np.empty((self.T, self.A + 2, self.sample_draws))
        self.moments = _Moments()
        cases = (K,) if self.portfolio else ()
        self.cube_arrays: dict[str, np.ndarray] | None = None
        if keep_cube:
            self.cube_arrays = {
                "gains": np.empty((D, *cases, self.T, self.A, self.C)),
                "costs": np.empty((D, *cases, self.T, self.A)),
                "net": np.empty((D, *cases, self.T, self.A)),
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

    def collect(self, index: int, partials: list[_Partial]) -> None:
        """Combine one block's results with the run's (in block order, chunks in order)."""
        start, stop = self.bounds[index]
        n = stop - start
        first = partials[0]
        npv, net, discounted, pv = first.npv, first.net, first.discounted, first.pv
        for p in partials[1:]:
            npv, net, discounted, pv = npv + p.npv, net + p.net, discounted + p.discounted, pv + p.pv
        if not np.isfinite(npv).all():  # before anything of the block is kept or written
            _not_finite(npv, start)
        series = np.empty((n, self.T, self.A + 2))
        payback = np.empty(n, dtype=np.int64)
        finish_block(net, discounted, series, payback)
        self.npv[:, start:stop] = npv.T
        self.payback[start:stop] = payback
        if self.case_npv is not None:
            self.case_npv[:, start:stop] = np.hstack([p.case_npv for p in partials]).T
        if stop <= self.sample_draws:
            self.yearly_sample[:, :, start:stop] = series.transpose(1, 2, 0)
        mean, m2 = np.empty(series.shape[1:]), np.empty(series.shape[1:])
        series_moments(series, mean, m2)
        self.moments.add(n, mean, m2)
        self.pv_sums += pv.sum(axis=0)
        values = None
        if first.values is not None:
            joined = first.values if len(partials) == 1 else np.hstack([p.values for p in partials])
            values = joined if not self.portfolio else joined[:, self.spec.ensemble.input_take]
            if self.inputs is not None and start < self.inputs.shape[0]:
                kept = min(stop, self.inputs.shape[0])
                self.inputs[start:kept] = values[: kept - start]
        if first.gains is not None:
            gains = np.concatenate([p.gains for p in partials], axis=1)
            costs = np.concatenate([p.costs for p in partials], axis=1)
            if not self.portfolio:
                gains, costs = gains[:, 0], costs[:, 0]
            cube_net = gains.sum(axis=-1) - costs
            if self.cube_arrays is not None:
                self.cube_arrays["gains"][start:stop] = gains
                self.cube_arrays["costs"][start:stop] = costs
                self.cube_arrays["net"][start:stop] = cube_net
            if self.cube_sink is not None:
                assert values is not None
                dataset = cube_dataset(
                    self.layout,
                    draw_start=start,
                    gains=gains,
                    costs=costs,
                    net=cube_net,
                    inputs=values,
                    attrs=self.spec.attrs,
                )
                self.cube_sink(CubeBlock(start, stop, dataset))
        elif self.cube_sink is not None and values is not None:  # gains written on the workers
            self.cube_sink(CubeBlock(start, stop, _inputs_dataset(values)))
        if self.progress is not None:
            self.progress(stop, self.draws)

    def execute(self) -> EnsembleResult:
        spec = self.pool.share(self.spec)
        chunks = len(self.spec.ensemble.chunks)
        pending: deque[tuple[int, list[Handle]]] = deque()
        window = 2 * self.pool.workers
        # with at least a chunk per worker, each worker keeps its chunks (and builds their tables once)
        spread = chunks >= self.pool.workers > 1
        next_block = 0
        try:
            while next_block < len(self.bounds) or pending:
                # keep a bounded number of blocks in flight, collect them in order
                while next_block < len(self.bounds) and len(pending) < window:
                    handles = [
                        self.pool.submit(_block_task, spec, next_block, c, affinity=c if spread else None)
                        for c in range(chunks)
                    ]
                    pending.append((next_block, handles))
                    next_block += 1
                index, handles = pending.popleft()
                self.collect(index, [h.result() for h in handles])
        finally:
            for _, handles in pending:
                for h in handles:
                    cancel = getattr(h, "cancel", None)
                    if cancel is not None:
                        cancel()
        cube = None
        if self.cube_arrays is not None:
            cube = cube_dataset(self.layout, draw_start=0, attrs=self.spec.attrs, **self.cube_arrays)
        assert self.moments.mean is not None
        return EnsembleResult(
            npv=self.npv,
            case_npv=self.case_npv,
            payback=self.payback,
            pv_gains_mean=float(self.pv_sums[0] / self.draws),
            pv_costs_mean=float(self.pv_sums[1] / self.draws),
            yearly_sample=self.yearly_sample,
            yearly_mean=self.moments.mean,
            yearly_var=self.moments.variance(),
            attrs=self.spec.attrs,
            cube=cube,
            inputs=self.inputs,
        )


def _not_finite(npv: np.ndarray, start: int) -> NoReturn:
    """Refuse a block whose NPVs (draws x actors) hold NaN or infinity, naming the first such draw."""
    draw = start + int(np.flatnonzero(~np.isfinite(npv).all(axis=1))[0])
    raise NumericalError(
        f"draw {draw:,} gives an NPV that is not a finite number ({npv[draw - start].tolist()}); "
        "some number of the case is too large or too extreme to compute with. Nothing was written."
    )


def _inputs_dataset(values: np.ndarray) -> xr.Dataset:
    """The `inputs` of one block, for a cube whose other variables the workers write."""
    import xarray as xr

    return xr.Dataset({"inputs": (("draw", "input"), values)})
