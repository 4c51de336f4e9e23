"""The JSON of ``somrisk check --json`` (docs/cli.md): what a valid case holds, or every problem.

Its keys are a contract (add, never rename), the same in every language.
"""

from __future__ import annotations

from typing import Any

from somrisk.errors import CaseError, Problem, SomriskError, format_value
from somrisk.runner import CaseCheck

__all__ = ["check_json", "problems_json"]


def check_json(checked: CaseCheck) -> dict[str, Any]:
    """A valid case: its settings, counts, uncertain inputs and model.md's warnings (English)."""
    from somrisk.case.model_warnings import model_warnings
    from somrisk.distributions import as_distribution

    case, space = checked.case, checked.space
    info = case.info
    first, last = case.participants.intake_years
    return {
        "valid": True,
        "file": case.source,
        "name": info.name,
        "horizon": info.horizon,
        "horizon_auto": bool(case.horizon_auto),
        "years": [int(case.years[0]), int(case.years[-1])],
        "currency": info.currency,
        "price_level": info.price_level,
        "actors": list(case.actors),
        "intake_years": [int(case.years[first]), int(case.years[last])],
        "costs": len(case.costs),
        "comparison_costs": len(case.comparison_costs),
        "consequences": len(case.consequences),
        "inputs": len(space.inputs),
        "uncertain": space.dimension,
        "rank_correlations": len(case.correlations),
        "groups": len(case.groups),
        "uncertain_inputs": [
            {"path": path, "distribution": dist.describe(), "base": float(as_distribution(dist).base_value)}
            for path, dist in zip(space.paths, space.distributions, strict=True)
        ],
        "warnings": [w.en for w in model_warnings(case)],
    }


def problems_json(error: SomriskError, file: str) -> dict[str, Any]:
    """A case that cannot be used: every problem with its file, key path, message and the value
    found (as it looks in TOML; null where the key is missing or the problem is the whole file)."""
    problems = error.problems if isinstance(error, CaseError) else [Problem(file, "", str(error))]
    return {"valid": False, "problems": [_problem(p) for p in problems]}


def _problem(problem: Problem) -> dict[str, Any]:
    found = None if problem.value is Problem.NO_VALUE else format_value(problem.value)
    return {"file": problem.file, "key_path": problem.key_path, "message": problem.message, "found": found}
