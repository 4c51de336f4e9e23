"""Stage 2: the input space of a case, one immutable description reused by every method.

:class:`InputSpace` lists every scalar input of the model (case-format.md, "Input paths") in a fixed
order, with its value (a number or a distribution), base value, range and group. The uncertain
inputs, those with a distribution other than ``fixed``, are the columns of the random draws; the rank
correlations between them come with the space.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from somrisk.case import Case, InputSpec, inputs_of
from somrisk.case.catalog import Catalog, builtin_catalog, catalog_inputs, catalog_problems, uses_catalog
from somrisk.case.checks import correlation_matrix
from somrisk.distributions import Distribution, as_distribution
from somrisk.errors import CaseError

__all__ = ["InputSpace", "build_space"]


@dataclass(frozen=True, eq=False)
class InputSpace:
    """Every scalar input of a case, and which of them are uncertain.

    Attributes
    ----------
    inputs : tuple of InputSpec
        Every scalar input, fixed or uncertain, in the order of :func:`somrisk.case.case_inputs`.
    uncertain : tuple of int
        Positions in `inputs` of the uncertain inputs; column j of the draws is ``inputs[uncertain[j]]``.
    correlated : tuple of int
        Columns (indices into `uncertain`) that take part in rank correlations.
    rank_correlation : ndarray, shape (len(correlated), len(correlated))
        Target Spearman rank correlation matrix among the `correlated` columns.
    declared_groups : dict
        Input path -> the group the case declares for it (``[[groups]]``); each spec keeps its
        default group.
    """

    inputs: tuple[InputSpec, ...]
    uncertain: tuple[int, ...]
    correlated: tuple[int, ...]
    rank_correlation: np.ndarray
    declared_groups: dict[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> tuple[str, ...]:
        """Paths of the uncertain inputs: the ``input`` coordinate of every result."""
        return tuple(self.inputs[i].path for i in self.uncertain)

    @property
    def distributions(self) -> tuple[Distribution, ...]:
        """Distributions of the uncertain inputs, in column order."""
        return tuple(as_distribution(self.inputs[i].value) for i in self.uncertain)

    @property
    def groups(self) -> tuple[str, ...]:
        """Group of each uncertain input: the one the case declares for it (``[[groups]]``), else its
        default group (effect, persistence, costs, consequences, prices, participants, economy)."""
        return tuple(
            self.declared_groups.get(self.inputs[i].path, self.inputs[i].group) for i in self.uncertain
        )

    @property
    def dimension(self) -> int:
        """Number of uncertain inputs (columns of random numbers)."""
        return len(self.uncertain)

    @property
    def base_values(self) -> np.ndarray:
        """Base value of every input (`inputs` order): the deterministic run's values."""
        return np.array([as_distribution(spec.value).base_value for spec in self.inputs])

    @property
    def fixed_values(self) -> np.ndarray:
        """Value every input takes in the draws where it is not uncertain (`inputs` order): a plain
        number, or a ``fixed`` distribution's `value` (its `base` is for the deterministic run)."""
        return np.array([as_distribution(spec.value).mean for spec in self.inputs])


def build_space(case: Case, catalog: Catalog | None = None) -> InputSpace:
    """The input space of a validated case, with the inputs it takes from a price catalogue.

    The catalogue's inputs (``catalog.<name>.price.<actor>``, ``catalog.<name>.price_factor``) of
    the entries the case uses come last, after the case's own inputs.

    Raises
    ------
    CaseError
        If a consequence takes its price from a catalogue (``price = "catalog"``: `catalog`, or
        else somrisk's knowledge base) that has no entry of its name, or one for actors the case
        does not have; with the knowledge base, also a case of another currency or price level.
    """
    entries = []
    if uses_catalog(case):
        catalog = builtin_catalog() if catalog is None else catalog
        problems = catalog_problems(case, catalog)
        if problems:
            raise CaseError(problems)
        entries = [catalog.entry(c.name) for c in case.consequences if c.price == "catalog"]
    declared = {path: group.name for group in case.groups for path in group.inputs}
    inputs = (
        *inputs_of(case),
        *(spec for entry in entries for spec in catalog_inputs(entry)),
    )
    uncertain = tuple(i for i, spec in enumerate(inputs) if spec.is_uncertain)
    paths = [inputs[i].path for i in uncertain]
    names, matrix = correlation_matrix(case.correlations)
    correlated = tuple(paths.index(name) for name in names)
    return InputSpace(
        inputs=inputs,
        uncertain=uncertain,
        correlated=correlated,
        rank_correlation=matrix,
        declared_groups=declared,
    )
