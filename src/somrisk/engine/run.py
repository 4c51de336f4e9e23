"""The run loop: blocks of rows submitted to one scheduler and collected in block order, for random
draws (:func:`simulate`, :func:`run_ensemble`), designs (:func:`evaluate`, :func:`evaluate_uniforms`)
and the deterministic run (:func:`deterministic`) alike.

Each block's numbers depend only on the job and the block's index, and the blocks are collected in
order, so the results do not depend on the number of threads or on where a block ran (this
process, or a Dask cluster).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import numpy as np

from somrisk._resources import available_cpus, available_memory, format_bytes
from somrisk._scheduler import Handle, Scheduler, open_scheduler
from somrisk.case import Case
from somrisk.cube import make_attrs
from somrisk.engine.accumulate import DrawResults, RowResults
from somrisk.engine.jobs import BaseRows, DesignRows, Draws, Job, Rows, UniformDesign, run_block
from somrisk.engine.model import Ensemble, Model, prepare, single
from somrisk.engine.result import CubeBlock, Deterministic, Simulation
from somrisk.errors import OutputError, UsageError
from somrisk.kernel import finish_block

__all__ = [
    "CUBE_MEMORY_SHARE",
    "deterministic",
    "evaluate",
    "evaluate_uniforms",
    "execute",
    "finish_simulation",
    "run_deterministic",
    "run_ensemble",
    "scheduler",
    "simulate",
]

#: Share of the available memory a cube (or a run's per-draw results) may take in memory.
CUBE_MEMORY_SHARE = 0.5

#: The scheduler designs run on, where :func:`scheduler` opened one (None: threads, opened per call).
_CURRENT: contextvars.ContextVar[Scheduler | None] = contextvars.ContextVar("somrisk_scheduler", default=None)


class _Work(Protocol):
    """What the run loop reads of a job: its chunks of cases and its blocks' bounds."""

    @property
    def ensemble(self) -> Ensemble: ...

    @property
    def bounds(self) -> list[tuple[int, int]]: ...


class _Collector(Protocol):
    def collect(self, index: int, blocks: list[Any]) -> None: ...


def _threads(threads: int | None) -> int:
    if threads is None:
        return available_cpus()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise UsageError(f"threads must be a whole number >= 1; got {threads!r}")
    return threads


@contextlib.contextmanager
def scheduler(spec: str | None = None, threads: int | None = None) -> Iterator[Scheduler]:
    """Open a scheduler for every evaluation inside the block: ``threads`` (this process),
    ``local:N`` or ``tcp://HOST:PORT`` (a Dask cluster); the sensitivity analyses, break-even and
    value of information then run their designs on it."""
    pool = open_scheduler(spec, _threads(threads))
    token = _CURRENT.set(pool)
    try:
        yield pool
    finally:
        _CURRENT.reset(token)
        pool.close()


@contextlib.contextmanager
def _pool(spec: str | None, threads: int | None) -> Iterator[Scheduler]:
    """The scheduler a call runs on: the one asked for, else the one :func:`scheduler` opened, else
    threads of this process."""
    current = _CURRENT.get()
    if spec is None and current is not None and threads is None:
        yield current
        return
    pool = open_scheduler(spec, _threads(threads))
    try:
        yield pool
    finally:
        pool.close()


def current_workers() -> int | None:
    """How many evaluations the scheduler opened by :func:`scheduler` runs at once (None outside
    one)."""
    current = _CURRENT.get()
    return None if current is None else current.workers


def execute(
    pool: Scheduler, job: _Work, collector: _Collector, *, task: Callable[[Any, int, int], Any] | None = None
) -> None:
    """Run every block of `job` on `pool`, each chunk of cases one task, and hand each block's
    results to `collector` in block order (a bounded number of blocks in flight).

    `task` makes a block's results for one chunk (default :func:`run_block`, looked up when the run
    starts); a comparison's task makes those of every alternative at once
    (:mod:`somrisk.engine.alternatives`)."""
    if task is None:
        task = run_block
    shared = pool.share(job)
    chunks = len(job.ensemble.chunks)
    blocks = len(job.bounds)
    # with at least a chunk per worker, each worker keeps its chunks (and builds their tables once)
    spread = chunks >= pool.workers > 1
    window = 2 * pool.workers
    pending: deque[tuple[int, list[Handle]]] = deque()
    next_block = 0
    try:
        while next_block < blocks or pending:
            while next_block < blocks and len(pending) < window:
                handles = [
                    pool.submit(task, shared, next_block, c, affinity=c if spread else None)
                    for c in range(chunks)
                ]
                pending.append((next_block, handles))
                next_block += 1
            index, handles = pending.popleft()
            collector.collect(index, [h.result() for h in handles])
    finally:
        for _, handles in pending:
            for h in handles:
                cancel = getattr(h, "cancel", None)
                if cancel is not None:
                    cancel()


def _rows(
    model: Model, source: DesignRows | UniformDesign, threads: int | None, scheduler: str | None
) -> np.ndarray:
    job = Job(single(model), source, count_participants=False)
    results = RowResults(job)
    if source.rows:
        with _pool(scheduler, threads) as pool:
            execute(pool, job, results)
    return results.npv


def evaluate(
    model: Model,
    values: np.ndarray,
    *,
    constants: np.ndarray | None = None,
    threads: int | None = None,
    scheduler: str | None = None,
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
    scheduler : str, optional
        As for :func:`simulate`; default: the one :func:`scheduler` opened, else threads.

    Returns
    -------
    float64 (n, A)
        NPV of each row per actor (``model.case.actors`` order), discounted to the first year.
    """
    design = np.ascontiguousarray(values, dtype=float)
    return _rows(model, DesignRows(design, constants), threads, scheduler)


def evaluate_uniforms(
    model: Model, uniforms: np.ndarray, *, threads: int | None = None, scheduler: str | None = None
) -> np.ndarray:
    """NPV per actor for a design in the unit cube (n, d): each row is mapped through the case's
    rank correlations (a Gaussian copula, row by row) and the inputs' inverse CDFs, then evaluated.

    Uniforms are kept within :data:`somrisk.engine.jobs.UNIFORM_MARGIN` of 0 and 1. Rows are
    transformed one block at a time, so the design's input values are never all in memory at once.
    """
    return _rows(model, UniformDesign(np.asarray(uniforms, dtype=float)), threads, scheduler)


def deterministic(ensemble: Ensemble, pool: Scheduler | None = None) -> Deterministic:
    """The deterministic run of a case or a portfolio (its cases summed), every input at its base
    value (model.md, "Deterministic run")."""
    job = Job(ensemble, BaseRows(), write_cube=True)
    results = RowResults(job)
    if pool is None:
        with _pool(None, 1) as own:
            execute(own, job, results)
    else:
        execute(pool, job, results)
    assert results.first is not None and results.cube is not None
    layout = ensemble.layout
    T, A = len(layout.years), len(layout.actors)
    series, payback = np.empty((1, T, A + 2)), np.empty(1, dtype=np.int64)
    finish_block(results.first.net, results.first.discounted, series, payback)
    gains, costs = results.cube
    return Deterministic(
        actors=layout.actors,
        years=layout.years,
        npv=results.first.npv[0],
        net=series[0, :, :A].copy(),
        costs=costs[0],
        gains=gains[0],
        cumulative=series[0, :, -1].copy(),
        payback=int(payback[0]),
        pv_gains=float(results.first.pv[0, 0]),
        pv_costs=float(results.first.pv[0, 1]),
        participants=float(results.participants[0]),
    )


def run_deterministic(case: Case | Model) -> Deterministic:
    """Evaluate the case once with every input at its base value (model.md, "Deterministic run")."""
    return deterministic(single(case if isinstance(case, Model) else prepare(case)))


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

    Raises
    ------
    UsageError
        For a bad sampler name, seed, number of draws, threads or scheduler.
    OutputError
        Where `keep_cube` asks for a cube larger than half the available memory.
    """
    model = case if isinstance(case, Model) else prepare(case)
    return run_ensemble(
        single(model),
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


def _check_memory(ensemble: Ensemble, draws: int, keep_cube: bool, keep_inputs: bool | int) -> int:
    """Refuse a run whose results would not fit in memory; return the number of draws whose inputs
    are kept."""
    layout = ensemble.layout
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
    # what every run keeps per draw: NPV and net total per actor, participants, NPV per case,
    # payback year, kept inputs
    kept = (
        0 if keep_cube or not keep_inputs else draws if keep_inputs is True else min(int(keep_inputs), draws)
    )
    cases = len(ensemble.members) if ensemble.is_portfolio else 0
    needed = (8 * (2 * len(layout.actors) + 1 + cases) + 2) * draws + 8 * len(layout.inputs) * kept
    limit = available_memory() * CUBE_MEMORY_SHARE
    if needed > limit:
        raise OutputError(
            f"{draws:,} draws need {format_bytes(needed)} of memory for their results, more than the "
            f"{format_bytes(limit)} available; use fewer draws"
        )
    return kept


def run_ensemble(
    ensemble: Ensemble,
    *,
    draws: int,
    seed: int,
    sampler: str,
    threads: int | None = None,
    scheduler: str | None = None,
    keep_cube: bool = False,
    keep_inputs: bool | int = False,
    cube_sink: Callable[[CubeBlock], None] | None = None,
    block_writer: Callable[[CubeBlock], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    attrs: dict[str, Any],
    portfolio: Any = None,
    source: Rows | None = None,
) -> Simulation:
    """Simulate an ensemble (one case or a portfolio); see :func:`simulate` for the arguments.

    `source` gives the rows of the draws where they are not the ensemble's own random draws (an
    alternative's columns of a comparison's common design, :mod:`somrisk.engine.alternatives`).
    """
    n_threads = _threads(threads)
    if source is None:
        source = Draws.of(ensemble, draws=draws, seed=seed, sampler=sampler)
    kept = _check_memory(ensemble, draws, keep_cube, keep_inputs)
    cube = keep_cube or cube_sink is not None or block_writer is not None
    job = Job(
        ensemble,
        source,
        write_cube=cube,
        keep_values=keep_cube or cube_sink is not None or kept > 0,
        block_writer=block_writer,
    )
    results = DrawResults(
        job, keep_cube=keep_cube, keep_inputs=kept, cube_sink=cube_sink, progress=progress, attrs=attrs
    )
    with _pool(scheduler, n_threads if threads is not None or scheduler is not None else None) as pool:
        execute(pool, job, results)
        base = deterministic(ensemble, pool)
    return finish_simulation(
        ensemble, results, base, seed=seed, sampler=sampler, draws=draws, attrs=attrs, portfolio=portfolio
    )


def finish_simulation(
    ensemble: Ensemble,
    results: DrawResults,
    base: Deterministic,
    *,
    seed: int,
    sampler: str,
    draws: int,
    attrs: dict[str, Any],
    portfolio: Any = None,
) -> Simulation:
    """The :class:`Simulation` of a run whose blocks `results` collected and whose deterministic run
    is `base`."""
    assert results.moments.mean is not None
    return Simulation(
        ensemble=ensemble,
        seed=seed,
        sampler=sampler,
        draws=draws,
        npv=results.npv,
        net_total=results.net_total,
        participants=results.participants,
        case_npv=results.case_npv,
        payback=results.payback,
        pv_gains_mean=float(results.pv_sums[0] / draws),
        pv_costs_mean=float(results.pv_sums[1] / draws),
        yearly_sample=results.yearly_sample,
        yearly_mean=results.moments.mean,
        yearly_var=results.moments.variance(),
        deterministic=base,
        attrs=attrs,
        cube=results.whole_cube(),
        inputs=results.inputs,
        portfolio=portfolio,
    )
