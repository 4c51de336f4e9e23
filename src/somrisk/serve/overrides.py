"""What-ifs: a run body's ``set`` and ``scale``, with the command line's ``--set``/``--scale`` semantics.

The changes are applied by :func:`somrisk.case.overrides.apply_overrides`, the CLI's own function:
``set`` is the same as editing the file, ``scale`` multiplies every draw of the input (a distribution of
any family becomes a ``Scaled`` one), and the run's provenance (``overrides``, as ``--set PATH=VALUE``
texts) is the one ``somrisk run --set ... --json`` writes. This module only checks the body's shape and
turns the CLI's problems into the API's (one ``{"where", "message"}`` per problem, 422).
"""

from __future__ import annotations

from typing import Any

from somrisk.case import Case
from somrisk.case.overrides import Overrides, apply_overrides
from somrisk.errors import CaseError, Problem, format_value

__all__ = ["KINDS", "api_problems", "edited_case", "shape_problems"]

#: The body's keys of a what-if, in the order the command line applies them.
KINDS = ("set", "scale")


def shape_problems(body: dict[str, Any]) -> list[dict[str, str]]:
    """The problems of a run body's ``set`` and ``scale`` that come before the case: each must be an
    object of input path -> value (the values are checked by the CLI's rules, with the case)."""
    return [
        {"where": kind, "message": "must be an object of input path -> number (or distribution table)"}
        for kind in KINDS
        if kind in body and not isinstance(body[kind], dict)
    ]


def edited_case(case: Case, overrides: dict[str, dict[str, Any]]) -> Case:
    """The case with a run's ``set`` and ``scale`` applied, as ``--set``/``--scale`` would apply them.

    Raises
    ------
    CaseError
        With every problem, as the command line reports them (see :func:`api_problems`).
    """
    return apply_overrides(case, Overrides(set=overrides.get("set", {}), scale=overrides.get("scale", {})))


def api_problems(error: CaseError, overrides: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """The CLI's problems of an edited case as the API's: ``where`` is the body's key (``set.PATH``,
    ``scale.PATH``) where the problem is at or under a changed input, else the case's key path."""
    return [{"where": _where(p.key_path, overrides), "message": _message(p)} for p in error.problems]


def _where(key_path: str, overrides: dict[str, dict[str, Any]]) -> str:
    for kind in KINDS:
        for path in overrides.get(kind, {}):
            if key_path == path or key_path.startswith(path + "."):
                return f"{kind}.{key_path}"
    return key_path or "case"


def _message(problem: Problem) -> str:
    if problem.value is Problem.NO_VALUE:
        return problem.message
    return f"{problem.message} (found {format_value(problem.value)})"
