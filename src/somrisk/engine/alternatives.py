"""Alternatives on common random numbers (model.md, "Decisions between alternatives").

The alternatives share one design of uniforms over the union of their uncertain inputs' paths (in
the order first seen: the reference's, then each other alternative's new ones); each alternative
takes the columns of its own paths. An input with the same path therefore takes the same uniform
in every draw in every alternative, whatever its column in the alternative's own draws, and an input
of one alternative only takes its own column. The design is keyed like a single run's (seed, block,
sampler), so where every alternative has the reference's paths, the reference's draws are those of
its own run.

Rank correlations (Iman-Conover) are then imposed on each alternative's columns, with the same
random permutation stream in every alternative: alternatives that correlate the same inputs alike
keep common random numbers for them too.

:func:`simulate_alternatives` runs every alternative in one pass over the blocks: each block's task
makes the design block once and, for each alternative, takes its columns, correlates them, maps
them through the inverse CDFs and evaluates the alternative's model. A column whose input has the
same path, the identical distribution and range, and the identical rank correlations (or none) as
in an earlier alternative takes that alternative's values instead of being mapped again: the
values are the same numbers, so the results are those of running each alternative on its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from somrisk.engine.accumulate import DrawResults
from somrisk.engine.jobs import YEARLY_SAMPLE_DRAWS, Block, Job, run_block, yearly_series
from somrisk.engine.model import Ensemble, Model, single
from somrisk.engine.result import Simulation
from somrisk.engine.run import _check_memory, _pool, deterministic, execute, finish_simulation
from somrisk.sampling import ImanConover, Sampler, Stream, block_bounds, block_rng, make_sampler
from somrisk.transform import Transform

__all__ = ["AlternativesJob", "CommonDraws", "run_alternatives_block", "simulate_alternatives", "union_paths"]


def union_paths(models: Sequence[Model]) -> tuple[str, ...]:
    """The uncertain inputs' paths of every alternative, each once, in the order first seen."""
    seen: dict[str, None] = {}
    for model in models:
        seen.update(dict.fromkeys(model.space.paths))
    return tuple(seen)


@dataclass(frozen=True, eq=False)
class CommonDraws:
    """The rows of one alternative: its columns of the alternatives' shared design."""

    rows: int
    seed: int
    design: Sampler
    take: np.ndarray
    correlation: ImanConover

    @classmethod
    def of(cls, model: Model, paths: Sequence[str], *, draws: int, seed: int, sampler: str) -> CommonDraws:
        """`model`'s rows of the design over `paths` (:func:`union_paths` of the alternatives)."""
        design = make_sampler(sampler, seed=seed, draws=draws, dimension=len(paths))
        column = {path: j for j, path in enumerate(paths)}
        take = np.array([column[path] for path in model.space.paths], dtype=np.intp)
        correlation = ImanConover(model.space.correlated, model.space.rank_correlation)
        return cls(draws, seed, design, take, correlation)

    def uniforms(self, design_block: np.ndarray, index: int) -> np.ndarray:
        """The alternative's correlated uniforms (n, d) of block `index`, from the design's block."""
        u = np.take(design_block, self.take, axis=1)  # C order, unlike design_block[:, take]
        self.correlation.apply(u, block_rng(self.seed, Stream.CORRELATION, index, ()))
        return u

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        return ensemble.members[0].model.transform(self.uniforms(self.design.block(index), index))

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        return None


@dataclass(frozen=True, eq=False)
class _GivenValues:
    """One block's input values, already made (the rows of :func:`run_block` for that block)."""

    given: np.ndarray

    @property
    def rows(self) -> int:
        return int(self.given.shape[0])

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        return self.given

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        return None


@dataclass(frozen=True, eq=False)
class _Alternative:
    """How one alternative's values of a block are made from the design's block.

    job : its run's Job (source: its :class:`CommonDraws`)
    own : its columns it maps through their inverse CDFs itself; `transform` holds those
    copied : (its column, an earlier alternative, that alternative's column) whose values it takes
    """

    job: Job
    own: np.ndarray
    transform: Transform
    copied: tuple[tuple[int, int, int], ...]

    @functools.cached_property
    def sources(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(earlier alternative, its columns here, their columns there), per earlier alternative."""
        found: dict[int, tuple[list[int], list[int]]] = {}
        for j, k, i in self.copied:
            mine, theirs = found.setdefault(k, ([], []))
            mine.append(j)
            theirs.append(i)
        return [
            (k, np.array(mine, dtype=np.intp), np.array(theirs, dtype=np.intp))
            for k, (mine, theirs) in found.items()
        ]


@dataclass(frozen=True, eq=False)
class AlternativesJob:
    """Everything the blocks of a comparison need: the shared design and each alternative's way
    from the design's block to its block's results. `ensemble` is the reference's (one chunk)."""

    ensemble: Ensemble
    rows: int
    design: Sampler
    alternatives: tuple[_Alternative, ...]

    @functools.cached_property
    def bounds(self) -> list[tuple[int, int]]:
        return block_bounds(self.rows)

    @classmethod
    def of(cls, models: Sequence[Model], *, draws: int, seed: int, sampler: str) -> AlternativesJob:
        paths = union_paths(models)
        sources = [CommonDraws.of(m, paths, draws=draws, seed=seed, sampler=sampler) for m in models]
        alternatives = []
        for k, (model, source) in enumerate(zip(models, sources, strict=True)):
            copied = tuple(
                (j, *found)
                for j in range(model.space.dimension)
                if (found := _same_column(models[:k], model, j)) is not None
            )
            taken = {j for j, _, _ in copied}
            own = np.array([j for j in range(model.space.dimension) if j not in taken], dtype=np.intp)
            job = Job(single(model), source)
            alternatives.append(_Alternative(job, own, model.transform.columns(own), copied))
        return cls(alternatives[0].job.ensemble, draws, sources[0].design, tuple(alternatives))


def _correlation_of(model: Model, j: int) -> tuple[tuple[str, ...], np.ndarray] | None:
    """The rank correlations column `j` of `model` takes part in (all of the model's), or None."""
    space = model.space
    if j not in space.correlated:
        return None
    return tuple(space.paths[c] for c in space.correlated), space.rank_correlation


def _column(model: Model, j: int) -> tuple[Any, ...]:
    """What column `j`'s values depend on besides the design: its inverse CDF and range."""
    t = model.transform
    return model.space.paths[j], t.distributions[j], float(t.factors[j]), float(t.lo[j]), float(t.hi[j])


def _same_column(earlier: Sequence[Model], model: Model, j: int) -> tuple[int, int] | None:
    """(alternative, column) of the first earlier alternative whose column has exactly the values of
    column `j` of `model` in every draw, or None."""
    mine, correlation = _column(model, j), _correlation_of(model, j)
    for k, other in enumerate(earlier):
        if mine[0] not in other.space.paths:
            continue
        i = other.space.paths.index(mine[0])
        theirs, their_correlation = _column(other, i), _correlation_of(other, i)
        if theirs != mine:
            continue
        if correlation is None and their_correlation is None:
            return k, i
        if (
            correlation is not None
            and their_correlation is not None
            and correlation[0] == their_correlation[0]
            and np.array_equal(correlation[1], their_correlation[1])
        ):
            return k, i
    return None


def run_alternatives_block(job: AlternativesJob, index: int, chunk: int) -> list[Block]:
    """Block `index` of every alternative: the design's block made once, then each alternative's
    values (copying the columns an earlier alternative has made alike) through its model."""
    design = job.design.block(index)
    made: list[np.ndarray] = []
    blocks = []
    for alt in job.alternatives:
        values = _values(alt, design, index, made)
        made.append(values)
        block = run_block(replace(alt.job, source=_GivenValues(values)), index, chunk)
        blocks.append(_with_yearly(alt.job, index, block))
    return blocks


def _with_yearly(job: Job, index: int, block: Block) -> Block:
    """The block with its yearly results made here, in the block's task (in parallel), as
    :func:`run_block` makes those of a run's own draws; the collector then needs neither the net
    results nor, past the draws whose yearly results a run keeps, the series."""
    out = block.out
    yearly = yearly_series(out.net, out.discounted)
    if job.bounds[index][0] >= YEARLY_SAMPLE_DRAWS:
        yearly = replace(yearly, series=None)
    return replace(block, out=out._replace(net=out.net[:0], discounted=out.discounted[:0]), yearly=yearly)


def _values(alt: _Alternative, design: np.ndarray, index: int, made: list[np.ndarray]) -> np.ndarray:
    """One alternative's input values (n, d) of a block: its own columns mapped from its (correlated)
    uniforms, the others copied from the earlier alternatives' values `made`."""
    source = alt.job.source
    assert isinstance(source, CommonDraws)
    d = alt.job.ensemble.members[0].model.space.dimension
    if alt.own.size == d:  # nothing to copy: as a run of its own
        return alt.transform(source.uniforms(design, index))
    if alt.own.size == 0:
        own = None
    elif source.correlation.columns.size:
        own = alt.transform(np.take(source.uniforms(design, index), alt.own, axis=1))
    else:  # uncorrelated: the uniforms of its own columns straight from the design
        own = alt.transform(np.take(design, source.take[alt.own], axis=1))
    values: np.ndarray | None = None
    for k, columns, theirs in alt.sources:
        if values is None:  # the first source's columns by one gather (the rest overwritten below)
            gather = np.zeros(d, dtype=np.intp)
            gather[columns] = theirs
            values = np.take(made[k], gather, axis=1)
        else:
            values[:, columns] = np.take(made[k], theirs, axis=1)
    assert values is not None
    if own is not None:
        values[:, alt.own] = own
    return values


class _EachAlternative:
    """Hands each alternative's results of a block to its own :class:`DrawResults`."""

    def __init__(
        self, job: AlternativesJob, results: list[DrawResults], progress: Callable[[int, int], None] | None
    ) -> None:
        self.job, self.results, self.progress = job, results, progress

    def collect(self, index: int, blocks: list[list[Block]]) -> None:
        for k, results in enumerate(self.results):
            results.collect(index, [chunk[k] for chunk in blocks])
        if self.progress is not None:
            count = len(self.results)
            self.progress(count * self.job.bounds[index][1], count * self.job.rows)


def simulate_alternatives(
    models: Sequence[Model],
    *,
    draws: int,
    seed: int,
    sampler: str,
    attrs: Sequence[dict[str, Any]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Simulation, ...]:
    """Each alternative's run on its columns of the shared design, in one pass over the blocks on
    the scheduler :func:`somrisk.engine.scheduler` opened (else threads). `attrs`: each run's
    attributes. `progress(done, total)` counts the draws of every alternative."""
    job = AlternativesJob.of(models, draws=draws, seed=seed, sampler=sampler)
    for alt in job.alternatives:
        _check_memory(alt.job.ensemble, draws, False, False)
    results = [
        DrawResults(alt.job, keep_cube=False, keep_inputs=0, cube_sink=None, progress=None, attrs=a)
        for alt, a in zip(job.alternatives, attrs, strict=True)
    ]
    with _pool(None, None) as pool:
        execute(pool, job, _EachAlternative(job, results, progress), task=run_alternatives_block)
        bases = [deterministic(alt.job.ensemble, pool) for alt in job.alternatives]
    return tuple(
        finish_simulation(alt.job.ensemble, r, base, seed=seed, sampler=sampler, draws=draws, attrs=alt_attrs)
        for alt, r, base, alt_attrs in zip(job.alternatives, results, bases, attrs, strict=True)
    )
