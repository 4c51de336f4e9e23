"""The work of one block: its rows of input values (random draws, a design, or the base values),
through :func:`somrisk.engine.evaluate.evaluate_block`, for one chunk of cases.

A :class:`Job` holds everything the blocks of a run need; it is sent once to each Dask worker, and
:func:`run_block` is the one task every run submits, on a thread of this process or on a worker.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from somrisk.engine.evaluate import evaluate_block, participants
from somrisk.engine.model import Ensemble
from somrisk.engine.result import CubeBlock
from somrisk.kernel import KernelOutputs, finish_block, series_moments
from somrisk.sampling import (
    BLOCK_DRAWS,
    GaussianCopula,
    ImanConover,
    Sampler,
    Stream,
    block_bounds,
    block_rng,
    make_sampler,
    merge_columns,
)

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "YEARLY_SAMPLE_DRAWS",
    "BaseRows",
    "Block",
    "DesignRows",
    "Draws",
    "Job",
    "Rows",
    "UniformDesign",
    "Yearly",
    "run_block",
    "yearly_series",
]

#: The yearly results of at most this many (first) draws are kept for their percentiles.
YEARLY_SAMPLE_DRAWS = 2**18

#: Uniforms of designed samples are kept this far inside (0, 1), where every inverse CDF is finite.
UNIFORM_MARGIN = 2.0**-40


class Rows(Protocol):
    """Where the input values of a block come from."""

    @property
    def rows(self) -> int:
        """Number of rows (draws, design points) in all."""
        ...

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        """Values of the chunk's uncertain inputs for the rows of block `index` (n, d)."""
        ...

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        """Values replacing the kernel's constants for the chunk (None: the plan's own)."""
        ...


@dataclass(frozen=True, eq=False)
class Draws:
    """Random draws: each member's sampler and rank correlation, and the shared catalogue draws."""

    rows: int
    seed: int
    samplers: tuple[Sampler, ...]
    shared_sampler: Sampler | None
    correlations: tuple[ImanConover, ...]

    @classmethod
    def of(cls, ensemble: Ensemble, *, draws: int, seed: int, sampler: str) -> Draws:
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
        correlations = tuple(
            ImanConover(m.model.space.correlated, m.model.space.rank_correlation) for m in ensemble.members
        )
        return cls(draws, seed, samplers, shared, correlations)

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        lo, hi = ensemble.chunks[chunk]
        shared_u = self.shared_sampler.block(index) if self.shared_sampler is not None else None
        if hi - lo == 1:
            return ensemble.members[lo].model.transform(self._uniforms(ensemble, lo, index, shared_u))
        # each case's values straight into its columns of the chunk's array (no copy, as hstack)
        stops = np.cumsum([ensemble.members[k].shared.size for k in range(lo, hi)])
        values: np.ndarray | None = None
        for k, stop in zip(range(lo, hi), stops, strict=True):
            u = self._uniforms(ensemble, k, index, shared_u)
            if values is None:
                values = np.empty((u.shape[0], int(stops[-1])))
            ensemble.members[k].model.transform(u, out=values[:, stop - u.shape[1] : stop])
        assert values is not None
        return values

    def _uniforms(self, ensemble: Ensemble, k: int, index: int, shared_u: np.ndarray | None) -> np.ndarray:
        """Member k's uniforms (n, d) for block `index`: its own, rank-correlated, and the shared."""
        member = ensemble.members[k]
        u = self.samplers[k].block(index)
        self.correlations[k].apply(u, block_rng(self.seed, Stream.CORRELATION, index, member.key))
        if shared_u is not None and member.own_dimension < member.shared.size:
            u = merge_columns(u, shared_u, member.shared)
        return u

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        return None


@dataclass(frozen=True, eq=False)
class DesignRows:
    """Given values of a case's uncertain inputs (rows, d), and of its other inputs (`fixed`)."""

    design: np.ndarray
    fixed: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return int(self.design.shape[0])

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        start = index * BLOCK_DRAWS
        return self.design[start : start + BLOCK_DRAWS]

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        return self.fixed


@dataclass(frozen=True, eq=False)
class UniformDesign:
    """A design in a case's unit cube (rows, d): through its rank correlations (a Gaussian copula,
    row by row, so that rows a design copies from each other stay copies) and its inverse CDFs."""

    design: np.ndarray

    @property
    def rows(self) -> int:
        return int(self.design.shape[0])

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        start = index * BLOCK_DRAWS
        model = ensemble.members[0].model
        u = np.clip(self.design[start : start + BLOCK_DRAWS], UNIFORM_MARGIN, 1.0 - UNIFORM_MARGIN)
        GaussianCopula(model.space.correlated, model.space.rank_correlation).apply(u)
        return model.transform(u)

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        return None


@dataclass(frozen=True, eq=False)
class BaseRows:
    """The deterministic run: one row, every input at its base value."""

    rows: int = 1

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        return ensemble.base_values(chunk)[0]

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        return ensemble.base_values(chunk)[1]


@dataclass(frozen=True, eq=False)
class Job:
    """Everything the blocks of a run need.

    Attributes
    ----------
    ensemble : Ensemble
    source : Draws, DesignRows, UniformDesign or BaseRows
        Where each block's input values come from.
    write_cube : bool
        Blocks fill the cube's arrays (gains by consequence, costs, discount factors).
    keep_values : bool
        Blocks hand back their input values.
    block_writer : callable or None
        Writes a block's part of the cube where the block is computed (a Dask worker); only the
        sums go back.
    count_participants : bool
        Blocks count each row's participants (for per-participant figures; not for designs).
    """

    ensemble: Ensemble
    source: Rows
    write_cube: bool = False
    keep_values: bool = False
    block_writer: Callable[[CubeBlock], None] | None = None
    count_participants: bool = True

    @functools.cached_property
    def bounds(self) -> list[tuple[int, int]]:
        """The (start, stop) rows of each block (computed once: every block reads them)."""
        return block_bounds(self.source.rows)


@dataclass(frozen=True, eq=False)
class Yearly:
    """A block's yearly results (:func:`yearly_series`), for n draws, T years and A actors.

    series : float64 (n, T, A + 2), or None
        By year: the net result of each actor, their sum, and the cumulative discounted net result
        (None in a block past the draws whose yearly results a run keeps).
    payback : int64 (n,)
        The payback year's index, -1 where the run does not pay back.
    mean, m2 : float64 (T, A + 2)
        The series' mean over the block's draws and sum of squared deviations from it.
    net_total : float64 (n, A)
        NT_a: each actor's net result summed over the years, undiscounted (SØM's headline).
    """

    series: np.ndarray | None
    payback: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    net_total: np.ndarray


def yearly_series(net: np.ndarray, discounted: np.ndarray) -> Yearly:
    """The yearly series, payback years and moments of a block, from its net results (n, T, A)
    and discounted net results (n, T) summed over the cases."""
    n, T, A = net.shape
    series = np.empty((n, T, A + 2))
    payback = np.empty(n, dtype=np.int64)
    finish_block(net, discounted, series, payback)
    mean, m2 = np.empty((T, A + 2)), np.empty((T, A + 2))
    series_moments(series, mean, m2)
    return Yearly(series, payback, mean, m2, net.sum(axis=1))


@dataclass(frozen=True, eq=False)
class Block:
    """One block's kernel outputs for one chunk of cases, its number of participants per row
    (summed over the chunk's cases), its input values where kept, and, where the chunk is all of a
    run's cases, its yearly results (made in the block's task, in parallel)."""

    out: KernelOutputs
    participants: np.ndarray
    values: np.ndarray | None
    yearly: Yearly | None = None


def run_block(job: Job, index: int, chunk: int) -> Block:
    """Make, transform and evaluate the rows of block `index` for chunk `chunk` of the cases."""
    ensemble = job.ensemble
    values = job.source.values(ensemble, index, chunk)
    plan, constants = ensemble.plans[chunk], job.source.constants(ensemble, chunk)
    out = evaluate_block(plan, values, write_cube=job.write_cube, constants=constants)
    counted = participants(plan, values, constants) if job.count_participants else np.empty(0)
    yearly = None
    if isinstance(job.source, Draws) and len(ensemble.chunks) == 1:
        # one chunk: the block's sums are its own, and its yearly results can be made here, in
        # parallel; the collector then needs neither the net results nor, past the draws whose
        # yearly results a run keeps, the series (less to hold, and to send back from a worker)
        yearly = yearly_series(out.net, out.discounted)
        if job.bounds[index][0] >= YEARLY_SAMPLE_DRAWS:
            yearly = replace(yearly, series=None)
        out = out._replace(net=out.net[:0], discounted=out.discounted[:0])
    block = Block(out, counted, values if job.keep_values else None, yearly)
    if job.block_writer is None:
        return block
    job.block_writer(_worker_block(job, index, chunk, out))  # the cube's part is written here
    empty = out._replace(gains=out.gains[:0], costs=out.costs[:0], discount=out.discount[:0])
    return replace(block, out=empty)


def _worker_block(job: Job, index: int, chunk: int, out: KernelOutputs) -> CubeBlock:
    """The cube's gains, costs and net (and per-draw discount factors) of one block and chunk."""
    import xarray as xr

    ensemble = job.ensemble
    lo, hi = ensemble.chunks[chunk]
    start, stop = job.bounds[index]
    layout = ensemble.layout
    gains, costs, discount = out.gains, out.costs, out.discount
    net = gains.sum(axis=-1) - costs
    dims: tuple[str, ...] = ("draw", "case") if layout.cases is not None else ("draw",)
    if layout.cases is None:
        gains, costs, net, discount = gains[:, 0], costs[:, 0], net[:, 0], discount[:, 0]
    data: dict[str, Any] = {
        "gains": ((*dims, "year", "actor", "consequence"), gains),
        "costs": ((*dims, "year", "actor"), costs),
        "net": ((*dims, "year", "actor"), net),
    }
    if layout.discount_per_draw:
        data["discount_factor"] = ((*dims, "year"), discount)
    dataset: xr.Dataset = xr.Dataset(data)
    return CubeBlock(start, stop, dataset, (lo, hi) if layout.cases is not None else None)
