"""The scalar inputs of a case, each with its path (case-format.md, "Input paths").

:func:`case_inputs` is the one place that lists which values of a case are model inputs, in a fixed
order: participants, effect (rates or effect, then cohort factors), persistence, costs, comparison
costs, consequences (change, during-course change, price per actor, price factor), economy. The order
fixes the columns of random numbers, so it must not change; inputs added later come where a case
without them has none, so that such a case keeps its columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from somrisk.case.schema import (
    AMOUNT,
    ANY,
    COHORT_FACTOR,
    DISCOUNT,
    EFFECT,
    FULL_YEARS,
    GROWTH,
    PARTICIPANTS,
    RATE,
    Consequence,
    Cost,
    Economy,
    Effect,
    Participants,
    Persistence,
    Range,
)
from somrisk.distributions import Distribution

if TYPE_CHECKING:
    from somrisk.case.load import Case

__all__ = ["GROUPS", "InputSpec", "case_inputs", "inputs_of"]

#: The default groups of inputs, in the order sensitivity analyses list them.
GROUPS = ("effect", "persistence", "costs", "consequences", "prices", "participants", "economy")


@dataclass(frozen=True)
class InputSpec:
    """One scalar input of the model: its path, value (number or distribution), range and group."""

    path: str
    value: float | Distribution
    range: Range
    group: str

    @property
    def is_uncertain(self) -> bool:
        return isinstance(self.value, Distribution) and self.value.is_uncertain


def case_inputs(
    *,
    actors: Sequence[str],
    participants: Participants | None = None,
    effect: Effect | None = None,
    persistence: Persistence | None = None,
    costs: Sequence[Cost] = (),
    comparison_costs: Sequence[Cost] = (),
    consequences: Sequence[Consequence] = (),
    economy: Economy | None = None,
) -> list[InputSpec]:
    """Every scalar input of the given sections, in the fixed order; sections left out are skipped.

    Consequences whose price is ``"catalog"`` contribute no price inputs here (a portfolio's shared
    catalogue provides them).
    """
    return [
        *_participants(participants),
        *_effect(effect),
        *_persistence(persistence),
        *_costs("costs", costs),
        *_costs("comparison_costs", comparison_costs),
        *(spec for c in consequences for spec in _consequence(c, actors)),
        *_economy(economy),
    ]


def inputs_of(case: Case) -> list[InputSpec]:
    """Every scalar input of a validated case (its own, not a catalogue's), in the fixed order."""
    return case_inputs(
        actors=case.actors,
        participants=case.participants,
        effect=case.effect,
        persistence=case.persistence,
        costs=case.costs,
        comparison_costs=case.comparison_costs,
        consequences=case.consequences,
        economy=case.economy,
    )


def _participants(participants: Participants | None) -> Iterator[InputSpec]:
    if participants is None:
        return
    if participants.cohorts is not None:
        for i, n in enumerate(participants.cohorts):
            yield InputSpec(f"participants.cohorts.{i}", n, PARTICIPANTS, "participants")
    elif participants.per_year is not None:
        yield InputSpec("participants.per_year", participants.per_year, PARTICIPANTS, "participants")


def _effect(effect: Effect | None) -> Iterator[InputSpec]:
    if effect is None:
        return
    for key, rng in (("success_rate", RATE), ("comparison_rate", RATE), ("effect", EFFECT)):
        value = getattr(effect, key)
        if value is not None:
            yield InputSpec(f"effect.{key}", value, rng, "effect")
    for i, factor in enumerate(effect.cohort_factor or ()):
        yield InputSpec(f"effect.cohort_factor.{i}", factor, COHORT_FACTOR, "effect")


def _persistence(persistence: Persistence | None) -> Iterator[InputSpec]:
    if persistence is None:
        return
    if persistence.full_years is not None:
        yield InputSpec("persistence.full_years", persistence.full_years, FULL_YEARS, "persistence")
    if persistence.decay is not None:
        yield InputSpec("persistence.decay", persistence.decay, RATE, "persistence")


def _costs(section: str, items: Sequence[Cost]) -> Iterator[InputSpec]:
    for cost in items:
        yield InputSpec(f"{section}.{cost.name}.amount", cost.amount, AMOUNT, "costs")


def _consequence(c: Consequence, actors: Sequence[str]) -> Iterator[InputSpec]:
    yield InputSpec(f"consequences.{c.name}.change", c.change, ANY, "consequences")
    if c.during is not None:
        yield InputSpec(f"consequences.{c.name}.during", c.during, ANY, "consequences")
    if isinstance(c.price, dict):
        for actor in actors:
            if actor in c.price:
                yield InputSpec(f"consequences.{c.name}.price.{actor}", c.price[actor], ANY, "prices")
    if c.price_factor is not None:
        yield InputSpec(f"consequences.{c.name}.price_factor", c.price_factor, ANY, "prices")


def _economy(economy: Economy | None) -> Iterator[InputSpec]:
    if economy is not None:
        yield InputSpec("economy.discount_rate", economy.discount_rate, DISCOUNT, "economy")
        yield InputSpec("economy.price_growth", economy.price_growth, GROWTH, "economy")
