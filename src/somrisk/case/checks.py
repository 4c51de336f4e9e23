"""Rules across sections of a case (case-format.md, "Rules the loader enforces").

The checks run on every part of the file that validated on its own, so that one broken section does
not hide problems elsewhere. Each rule returns problems; none raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from somrisk.case.inputs import GROUPS, case_inputs
from somrisk.case.schema import (
    DEFAULT_ACTORS,
    MAX_HORIZON,
    SLUG,
    CaseInfo,
    Correlation,
    Economy,
    Group,
    whole_number,
)
from somrisk.errors import Problem

__all__ = ["correlation_matrix", "cross_check", "item_suffix", "item_suffixes", "smd_placement"]

#: Smallest eigenvalue accepted as "positive semi-definite" (rounding of the user's numbers).
PSD_TOLERANCE = 1e-10


def resolve_horizon(parts: dict[str, Any], raw: dict[str, Any], source: str) -> list[Problem]:
    """Replace ``horizon = "auto"`` in the validated [case] by T = s_last + O + W (model.md,
    "Persistence detail"): the last cohort's window fits. Where it cannot be (no window, more than
    50 years), say so and drop [case] from `parts` (the case is refused)."""
    info: CaseInfo | None = parts.get("case")
    if info is None or info.horizon != "auto":
        return []
    persistence, participants = parts.get("persistence"), parts.get("participants")
    failed = participants is None or ("persistence" in raw and persistence is None)
    if failed:  # their own problems are reported; the horizon cannot be worked out
        del parts["case"]
        return []
    if persistence is None or persistence.window is None:
        del parts["case"]
        return [
            Problem(
                source,
                "case.horizon",
                'horizon = "auto" needs persistence.window (the years each cohort\'s consequences are '
                f"counted, 10 in SØM); give a window, or a horizon in years (1 to {MAX_HORIZON})",
                "auto",
            )
        ]
    last = participants.intake_years[1]
    horizon = last + persistence.onset + persistence.window
    if horizon > MAX_HORIZON:
        del parts["case"]
        return [
            Problem(
                source,
                "case.horizon",
                f'horizon = "auto" gives {horizon} years (last intake year {last} + onset '
                f"{persistence.onset} + window {persistence.window}), more than {MAX_HORIZON}; shorten the "
                "window or the intake, or give a horizon in years",
                "auto",
            )
        ]
    parts["case"] = info.model_copy(update={"horizon": horizon})
    return []


def cross_check(parts: dict[str, Any], raw: dict[str, Any], source: str) -> list[Problem]:
    """Problems that involve more than one section.

    `parts` holds the sections that validated. Actor names, years and names are read from the raw
    data wherever they have the right type, so a cost with a bad amount still has its actor checked.
    """
    info: CaseInfo | None = parts.get("case")
    actors = list(info.actors) if info else _raw_actors(raw)
    horizon = info.horizon if info else _raw_horizon(raw)
    problems: list[Problem] = []

    def add(path: str, message: str, value: Any = Problem.NO_VALUE) -> None:
        problems.append(Problem(source, path, message, value))

    for key in ("costs", "comparison_costs", "consequences", "groups"):
        names = [item.get("name") for item in _raw_items(raw, key)]
        for name in _duplicates(names):
            first = names.index(name)
            for index in [i for i, other in enumerate(names) if other == name][1:]:
                add(
                    f"{key}[{index + 1}].name",
                    f"this name is already used by {key}[{first + 1}]; names must be unique",
                    name,
                )

    intake = _raw_intake(raw.get("participants"))
    if horizon is not None and intake is not None and intake[2] >= horizon:
        path, value, last = intake
        add(
            path,
            f"intake in year {last} lies outside the horizon of {horizon} years "
            f"(years 0..{horizon - 1}); shorten it or lengthen case.horizon",
            value,
        )

    raw_case = raw.get("case")
    auto = isinstance(raw_case, dict) and raw_case.get("horizon") == "auto"
    for section in ("costs", "comparison_costs"):
        problems.extend(_check_costs(_raw_items(raw, section), section, actors, horizon, source, auto=auto))

    items = _raw_items(raw, "consequences")
    for index, consequence in enumerate(items):
        price = consequence.get("price")
        if actors is not None and isinstance(price, dict):
            for actor in price:
                if actor not in actors:
                    add(
                        f"consequences{item_suffix(items, index)}.price.{actor}",
                        f"unknown actor; case.actors are {_names(actors)}",
                        actor,
                    )

    problems.extend(smd_placement(raw, source))
    problems.extend(_check_correlations(parts, raw, actors or list(DEFAULT_ACTORS), source))
    problems.extend(_check_groups(parts, raw, actors or list(DEFAULT_ACTORS), source))
    return problems


#: The one input that may be a standardised mean difference (case-format.md: ``smd``).
SMD_PATH = "effect.effect"


def smd_placement(raw: Any, source: str, path: str = "") -> list[Problem]:
    """``dist = "smd"`` anywhere but effect.effect: its value is a success-rate difference, which
    means nothing for a cost, a consequence or a persistence (case-format.md)."""
    problems = []
    if isinstance(raw, dict):
        if raw.get("dist") == "smd" and path != SMD_PATH:
            problems.append(
                Problem(
                    source,
                    f"{path}.dist" if path else "dist",
                    f"`smd` (an effect from a standardised mean difference) is allowed only for {SMD_PATH}; "
                    "give this input another distribution",
                    "smd",
                )
            )
        for key, value in raw.items():
            problems.extend(smd_placement(value, source, f"{path}.{key}" if path else str(key)))
    elif isinstance(raw, list):
        tables = all(isinstance(v, dict) for v in raw)
        suffixes = item_suffixes(raw) if tables else [f".{index}" for index in range(len(raw))]
        for value, suffix in zip(raw, suffixes, strict=True):
            problems.extend(smd_placement(value, source, path + suffix))
    return problems


def _check_costs(
    items: list[dict[str, Any]],
    section: str,
    actors: list[str] | None,
    horizon: int | None,
    source: str,
    *,
    auto: bool = False,
) -> list[Problem]:
    """Each cost's actor is one of the case's, and its years lie inside the horizon (`auto`: the
    horizon came from ``horizon = "auto"``, which the message then names)."""
    why = ' (horizon = "auto": last intake year + onset + window)' if auto else ""
    problems = []
    for index, cost in enumerate(items):
        path = section + item_suffix(items, index)
        actor = cost.get("actor")
        if actors is not None and isinstance(actor, str) and actor not in actors:
            problems.append(
                Problem(source, f"{path}.actor", f"unknown actor; case.actors are {_names(actors)}", actor)
            )
        for key in ("year", "years"):
            years = cost.get(key)
            years = years if isinstance(years, list) else [years]
            if horizon is not None and any((_whole(y) or 0) >= horizon for y in years):
                problems.append(
                    Problem(
                        source,
                        f"{path}.{key}",
                        f"lies outside the horizon: years are 0..{horizon - 1}{why}",
                        cost[key],
                    )
                )
    return problems


def item_suffix(items: list[Any], index: int) -> str:
    """``.opstart`` for a list item with a usable, unique name, else ``[3]`` (counted from 1)."""
    name = items[index].get("name") if isinstance(items[index], dict) else None
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if isinstance(name, str) and SLUG.fullmatch(name) and names.count(name) == 1:
        return f".{name}"
    return f"[{index + 1}]"


def item_suffixes(items: list[Any]) -> list[str]:
    """:func:`item_suffix` of every item, in one pass over the names (for a loop over the items)."""
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    counts = Counter(name for name in names if isinstance(name, str))  # a name may be any value
    return [
        f".{name}" if isinstance(name, str) and SLUG.fullmatch(name) and counts[name] == 1 else f"[{i + 1}]"
        for i, name in enumerate(names)
    ]


def _raw_items(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = raw.get(key)
    if not isinstance(items, list):
        return []
    return [item if isinstance(item, dict) else {} for item in items]


def _raw_intake(participants: Any) -> tuple[str, Any, int] | None:
    """Key path, value and last intake year of the participants, where they can be read."""
    if not isinstance(participants, dict):
        return None
    cohorts, years = participants.get("cohorts"), participants.get("years")
    if isinstance(cohorts, list) and cohorts:
        return "participants.cohorts", cohorts, len(cohorts) - 1
    if _whole(years) is not None:
        return "participants.years", years, int(years) - 1
    if isinstance(years, list) and len(years) == 2 and _whole(years[1]) is not None:
        return "participants.years", years, int(years[1])
    return None


def _whole(value: Any) -> int | None:
    """The value as a whole number, where it is one (10 or 10.0), else None."""
    number = whole_number(value)
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _items(parts: dict[str, Any], section: str) -> Iterator[Any]:
    yield from parts.get(section) or parts.get(f"{section}:partial") or ()


def _names(items: Sequence[str]) -> str:
    return ", ".join(items)


def _duplicates(names: list[Any]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for name in names:
        if isinstance(name, str):
            if name in seen and name not in repeated:
                repeated.append(name)
            seen.add(name)
    return repeated


def _raw_actors(raw: dict[str, Any]) -> list[str] | None:
    case = raw.get("case")
    if not isinstance(case, dict) or "actors" not in case:
        return list(DEFAULT_ACTORS)
    actors = case["actors"]
    if isinstance(actors, list) and actors and all(isinstance(a, str) for a in actors):
        return actors
    return None  # not a list of names: case.actors has its own error, and actors are not judged


def _raw_horizon(raw: dict[str, Any]) -> int | None:
    case = raw.get("case")
    if not isinstance(case, dict) or "horizon" not in case:
        return 10
    horizon = _whole(case["horizon"])
    return horizon if horizon is not None and 1 <= horizon <= MAX_HORIZON else None


def _uncertain_inputs(
    parts: dict[str, Any], raw: dict[str, Any], actors: list[str]
) -> tuple[dict[str, bool], set[str]]:
    """Every input path -> whether it is uncertain, and the sections that failed validation (whose
    inputs are not judged)."""
    # A section left out takes its defaults; one that failed validation is not judged here.
    economy = parts.get("economy") if "economy" in raw else Economy()
    specs = case_inputs(
        actors=actors,
        participants=parts.get("participants"),
        effect=parts.get("effect"),
        persistence=parts.get("persistence"),
        costs=parts.get("costs", ()),
        comparison_costs=parts.get("comparison_costs", ()),
        consequences=parts.get("consequences", ()),
        economy=economy,
    )
    return {s.path: s.is_uncertain for s in specs}, {key for key in raw if key not in parts}


def _input_problem(name: str, uncertain: dict[str, bool], what: str) -> str | None:
    """Why `name` cannot be used where only uncertain inputs are allowed (None if it can)."""
    if name not in uncertain:
        known = ", ".join(p for p, u in uncertain.items() if u) or "none"
        return f'no input "{name}"; the uncertain inputs are: {known}'
    if not uncertain[name]:
        return f'"{name}" is a fixed number; only uncertain inputs (distributions) can be {what}'
    return None


def _check_groups(
    parts: dict[str, Any], raw: dict[str, Any], actors: list[str], source: str
) -> list[Problem]:
    """Declared groups name uncertain inputs, each input in one group at most, and no group takes
    the name of a default group."""
    groups: list[Group] = list(_items(parts, "groups"))
    if not groups:
        return []
    uncertain, broken = _uncertain_inputs(parts, raw, actors)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, group in enumerate(groups):
        path = f"groups[{index + 1}]"
        if group.name in GROUPS:
            problems.append(
                Problem(
                    source,
                    f"{path}.name",
                    f"is a default group ({', '.join(GROUPS)}); give the group another name",
                    group.name,
                )
            )
        for name in group.inputs:
            if name.split(".", 1)[0] in broken:
                continue
            why = _input_problem(name, uncertain, "grouped")
            if why is None and name in seen:
                why = f'"{name}" is already in group "{seen[name]}"; an input belongs to one group'
            if why is not None:
                problems.append(Problem(source, f"{path}.inputs", why, group.inputs))
            seen.setdefault(name, group.name)
    return problems


def _check_correlations(
    parts: dict[str, Any], raw: dict[str, Any], actors: list[str], source: str
) -> list[Problem]:
    correlations: list[Correlation] = list(_items(parts, "correlations"))
    if not correlations:
        return []
    uncertain, broken = _uncertain_inputs(parts, raw, actors)

    problems: list[Problem] = []
    pairs: dict[tuple[str, str], int] = {}
    for index, corr in enumerate(correlations):
        path = f"correlations[{index + 1}].inputs"
        a, b = corr.inputs
        if a == b:
            problems.append(Problem(source, path, "a correlation needs two different inputs", corr.inputs))
            continue
        for name in (a, b):
            if name.split(".", 1)[0] in broken:
                continue
            why = _input_problem(name, uncertain, "correlated")
            if why is not None:
                problems.append(Problem(source, path, why, corr.inputs))
        key = (min(a, b), max(a, b))
        if key in pairs:
            problems.append(
                Problem(
                    source,
                    path,
                    f"the pair {a}, {b} is correlated twice (also correlations[{pairs[key] + 1}])",
                    corr.inputs,
                )
            )
        pairs[key] = index

    if not problems and "correlations" in parts:
        names, matrix = correlation_matrix(correlations)
        smallest = float(np.linalg.eigvalsh(matrix).min())
        if smallest < -PSD_TOLERANCE:
            problems.append(
                Problem(
                    source,
                    "correlations",
                    "the rank correlations contradict each other: together they do not form a positive "
                    f"semi-definite matrix (smallest eigenvalue {smallest:.3g}) over {_names(names)}; "
                    "weaken some of them",
                )
            )
    return problems


def correlation_matrix(correlations: Sequence[Correlation]) -> tuple[list[str], np.ndarray]:
    """The inputs named in `correlations` (first-seen order) and their rank correlation matrix."""
    names: list[str] = []
    for corr in correlations:
        for name in corr.inputs:
            if name not in names:
                names.append(name)
    index = {name: i for i, name in enumerate(names)}
    matrix = np.eye(len(names))
    for corr in correlations:
        i, j = index[corr.inputs[0]], index[corr.inputs[1]]
        matrix[i, j] = matrix[j, i] = corr.rank
    return names, matrix
