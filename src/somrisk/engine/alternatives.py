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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from somrisk.engine.model import Ensemble, Model
from somrisk.sampling import ImanConover, Sampler, Stream, block_rng, make_sampler

__all__ = ["CommonDraws", "union_paths"]


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

    def values(self, ensemble: Ensemble, index: int, chunk: int) -> np.ndarray:
        u = np.ascontiguousarray(self.design.block(index)[:, self.take])
        self.correlation.apply(u, block_rng(self.seed, Stream.CORRELATION, index, ()))
        return ensemble.members[0].model.transform(u)

    def constants(self, ensemble: Ensemble, chunk: int) -> np.ndarray | None:
        return None
