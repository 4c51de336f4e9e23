"""The compiled model: a case's input space, kernel plan and inverse CDFs, and the ensembles that
a run evaluates (a case on its own is an ensemble of one; a portfolio, an ensemble of its cases)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from somrisk.case import Case
from somrisk.case.catalog import Catalog
from somrisk.case.prices import PriceIndex
from somrisk.cube import CubeLayout
from somrisk.plan import KernelPlan, StackedPlan, make_plan, stack_plans
from somrisk.space import InputSpace, build_space
from somrisk.transform import Transform

__all__ = [
    "CHUNK_CASES",
    "CHUNK_COLUMNS",
    "Ensemble",
    "Member",
    "Model",
    "make_ensemble",
    "prepare",
    "single",
]

#: A portfolio's cases are evaluated in chunks of at most this many uncertain inputs (columns) ...
CHUNK_COLUMNS = 1024
#: ... and at most this many cases: one kernel call (and one task) per chunk and block.
CHUNK_CASES = 64


@dataclass(frozen=True, eq=False)
class Model:
    """A case compiled for evaluation: its input space, kernel plan and inverse CDFs."""

    case: Case
    space: InputSpace
    plan: KernelPlan
    transform: Transform
    stacked: StackedPlan


def prepare(
    case: Case,
    catalog: Catalog | None = None,
    *,
    price_level: int | None = None,
    price_index: PriceIndex | None = None,
) -> Model:
    """Build the input space, kernel plan and inverse CDFs of a case (once per case); `catalog`
    provides the prices of its consequences written ``price = "catalog"``; money at `price_level`
    (a portfolio's, converted with its `price_index`; default the case's own price level)."""
    space = build_space(case, catalog)
    plan = make_plan(case, space, catalog=catalog, price_level=price_level, price_index=price_index)
    stacked = stack_plans(
        [plan],
        column_offsets=[np.arange(space.dimension, dtype=np.int64)],
        actors=case.actors,
        consequences=plan.consequences,
        year_offsets=[0],
    )
    return Model(case, space, plan, Transform(space), stacked)


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
        or -1 where the case draws it from its own streams.
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
    _base_values: dict[int, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def actors(self) -> tuple[str, ...]:
        return self.layout.actors

    @property
    def years(self) -> tuple[int, ...]:
        return self.layout.years

    @property
    def is_portfolio(self) -> bool:
        return self.layout.cases is not None

    def base_values(self, chunk: int) -> tuple[np.ndarray, np.ndarray]:
        """The deterministic run's inputs of a chunk: one row of the uncertain inputs at their base
        values (1, d), and every input's base value (the kernel's constants). Made once per chunk
        (a portfolio's thousands of inputs take a Python call each) and shared: not to be changed."""
        made = self._base_values.get(chunk)
        if made is not None:
            return made
        lo, hi = self.chunks[chunk]
        spaces = [m.model.space for m in self.members[lo:hi]]
        bases = [s.base_values for s in spaces]
        row = np.concatenate([b[list(s.uncertain)] for b, s in zip(bases, spaces, strict=True)])[None, :]
        # fixed inputs at their base too (a fixed distribution's `base` may differ from its value)
        made = np.ascontiguousarray(row), np.concatenate(bases)
        self._base_values[chunk] = made
        return made


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
                years=len(layout.years),
            )
        )
    return Ensemble(
        tuple(members),
        shared_dimension,
        shared_key,
        layout,
        tuple(chunks),
        tuple(plans),
        _input_take(members),
    )


def _input_take(members: list[Member]) -> np.ndarray:
    """The run's inputs among the members' columns side by side: each shared column once (from the
    first member that has it), then each member's own columns."""
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
        take.extend(start + int(j) for j in np.flatnonzero(member.shared < 0))
        start += member.model.space.dimension
    return np.array(take, dtype=np.int64)
