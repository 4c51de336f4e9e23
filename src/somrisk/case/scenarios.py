"""``[[scenarios]]``: named what-ifs of a case, each some inputs replaced (``set``) or scaled
(``scale``), compared with the case on common random numbers (case-format.md, model.md).

The table itself is checked by :class:`Scenario`; what it names is checked by applying it to the
case (:func:`scenario_problems`), so a scenario's bad value gets the message the file would get.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from somrisk.errors import CaseError, Problem

__all__ = ["BASE", "Scenario", "scenario_case", "scenario_problems"]

#: The name of the case itself among its scenarios (the reference of ``somrisk scenarios``).
BASE = "base"


class Scenario(BaseModel):
    """One ``[[scenarios]]`` table: a name, inputs to replace and inputs to scale, by input path."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Annotated[str, Field(min_length=1)]
    set: dict[str, Any] = Field(default_factory=dict)
    scale: dict[str, Any] = Field(default_factory=dict)


def scenario_case(case: Any, scenario: Scenario) -> Any:
    """The case with the scenario's changes applied (no scenarios of its own).

    Raises
    ------
    CaseError
        Naming the scenario, the path and the value, as :func:`~somrisk.case.overrides.apply_overrides`.
    """
    from somrisk.case.overrides import Overrides, apply_overrides

    origin = f"scenario {scenario.name!r}"
    changes = Overrides(set=scenario.set, scale=scenario.scale, origin=origin)
    label = f"scenario {scenario.name!r}"
    changed = apply_overrides(case, changes)
    return replace(changed, scenarios=(), overrides=(*case.overrides, label, *changes.texts()))


def scenario_problems(case: Any, source: str) -> list[Problem]:
    """Every problem of the case's scenarios: duplicate names (or the name ``base``), a scenario
    that changes nothing, and whatever applying each to the case finds."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for scenario in case.scenarios:
        where = f"scenarios.{scenario.name}"
        if scenario.name in seen or scenario.name == BASE:
            reason = "names the case itself" if scenario.name == BASE else "is used by another scenario"
            problems.append(
                Problem(source, f"{where}.name", f"duplicate scenario name: {reason}", scenario.name)
            )
        seen.add(scenario.name)
        if not scenario.set and not scenario.scale:
            problems.append(Problem(source, where, "a scenario needs `set` or `scale` (or both)"))
            continue
        try:
            scenario_case(case, scenario)
        except CaseError as error:
            problems.extend(error.problems)
    return problems
