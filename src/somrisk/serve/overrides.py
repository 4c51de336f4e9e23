"""What-ifs: ``set`` and ``scale`` of a run's body, applied to the case's TOML as an edit of the file.

outputs.md: ``--set PATH=VALUE`` and ``--scale PATH=FACTOR`` are "the same as editing the file,
validated the same way". Here `set` replaces an input's value by a number or a distribution table
(``{"dist": "pert", "min": 1, "mode": 2, "max": 4}``, as ``--set`` takes a TOML inline table);
`scale` multiplies every draw of an input by a positive factor, by scaling its distribution's
parameters where that is exact
(a number, fixed, uniform, triangular, pert, normal, truncnormal, gamma, lognormal, empirical), and is
refused for the families where it is not (beta, smd: their draws are proportions or effect sizes).

The seam: the decisions branch adds ``somrisk.case.overrides`` with the CLI's semantics; the merger
replaces :func:`apply_overrides` by that module's function and keeps :func:`override_problems`'s
error shape (one ``{"where", "message"}`` per problem).
"""

from __future__ import annotations

import copy
import math
from typing import Any

from somrisk.space import build_space

__all__ = ["OverrideError", "apply_overrides", "input_paths", "override_problems"]

#: The parameters multiplied by the factor, per family; the others (shape, lambda) stay.
_SCALED = {
    "fixed": ("value",),
    "uniform": ("min", "max"),
    "triangular": ("min", "mode", "max"),
    "pert": ("min", "mode", "max"),
    "normal": ("mean", "sd", "estimate", "ci95"),
    "truncnormal": ("mean", "sd", "min", "max"),
    "gamma": ("scale", "mean", "sd"),
    "lognormal": ("mean", "sd", "estimate", "ci95"),
    "empirical": ("values",),
}


class OverrideError(ValueError):
    """Overrides that cannot be applied; `problems` as in the API's 422 (``where``, ``message``)."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p['where']}: {p['message']}" for p in problems))


def override_problems(body: dict[str, Any], paths: list[str]) -> list[dict[str, str]]:
    """The problems of a run body's ``set`` and ``scale`` against a case's input paths."""
    problems = []
    for key in ("set", "scale"):
        given = body.get(key, {})
        if not isinstance(given, dict):
            problems.append({"where": key, "message": "must be an object of input path -> number"})
            continue
        for path, value in given.items():
            where = f"{key}.{path}"
            if path not in paths:
                problems.append({"where": where, "message": "is not an input of this case; " + _paths(paths)})
            elif key == "set" and isinstance(value, dict):
                continue  # a distribution table: validated with the edited case
            elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                allowed = "a finite number or a distribution table" if key == "set" else "a finite number"
                problems.append({"where": where, "message": f"must be {allowed}, not {value!r}"})
            elif key == "scale" and value <= 0:
                problems.append({"where": where, "message": f"a factor must be above 0, not {value!r}"})
    return problems


def _paths(paths: list[str]) -> str:
    shown = ", ".join(paths[:8])
    return f"the inputs are {shown}" + (f" and {len(paths) - 8} more" if len(paths) > 8 else "")


def input_paths(case: Any) -> list[str]:
    """Every scalar input's path of a loaded case, in the model's order."""
    return [spec.path for spec in build_space(case).inputs]


def apply_overrides(raw: dict[str, Any], set_: dict[str, Any], scale: dict[str, float]) -> dict[str, Any]:
    """A copy of a case's raw TOML dict with the overrides applied (paths already checked).

    Raises
    ------
    OverrideError
        For a scale of a family whose draws cannot be scaled by its parameters.
    """
    edited = copy.deepcopy(raw)
    problems = []
    for path, value in set_.items():
        parent, key = _locate(edited, path)
        parent[key] = dict(value) if isinstance(value, dict) else float(value)
    for path, factor in scale.items():
        parent, key = _locate(edited, path)
        current = parent[key]
        if isinstance(current, int | float):
            parent[key] = current * factor
            continue
        family = current.get("dist") if isinstance(current, dict) else None
        if family not in _SCALED:
            problems.append(
                {
                    "where": f"scale.{path}",
                    "message": f"a {family} distribution cannot be scaled; set a value instead",
                }
            )
            continue
        parent[key] = _scaled(current, family, factor)
    if problems:
        raise OverrideError(problems)
    return edited


def _scaled(table: dict[str, Any], family: str, factor: float) -> dict[str, Any]:
    out = dict(table)
    for name in (*_SCALED[family], "base"):
        if name in out:
            value = out[name]
            out[name] = [v * factor for v in value] if isinstance(value, list) else value * factor
    if family == "lognormal" and "mu" in out:  # log X + log c
        out["mu"] = out["mu"] + math.log(factor)
    return out


def _locate(raw: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container and key of an input path in the raw TOML (list items by their name)."""
    parts = path.split(".")
    node: Any = raw
    for part in parts[:-1]:
        node = _step(node, part)
    last = parts[-1]
    if isinstance(node, list):
        return node, int(last)
    return node, last


def _step(node: Any, part: str) -> Any:
    if isinstance(node, list):
        if part.isdigit() and not (node and isinstance(node[0], dict) and "name" in node[0]):
            return node[int(part)]
        return next(item for item in node if item.get("name") == part)
    return node[part]
