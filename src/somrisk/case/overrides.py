"""Inputs replaced (``set``) or scaled (``scale``): ``--set``/``--scale`` and a case's scenarios.

``set`` is the same as editing the file: the value is written into the case's TOML at the input's
key and the whole case is validated again, so a bad value gets the message the file would get.
``scale`` multiplies every draw of the input (model.md, "Decisions between alternatives"): a plain
number (or a ``fixed`` value) is multiplied in the TOML and validated like a number written there; a
distribution becomes a :class:`~somrisk.distributions.scaled.Scaled` one, which keeps the input's
path, hence its uniforms, and is refused where it would leave the input's range.

:func:`applying` makes every :func:`~somrisk.case.load_case` of a block apply the same changes (the
command line's ``--set``/``--scale`` reach every command that reads a case this way).
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import tomli
from pydantic import BaseModel

from somrisk.case.inputs import InputSpec, inputs_of
from somrisk.case.limits import decimal_comma_hint
from somrisk.case.load import Case, case_from_raw
from somrisk.case.schema import RATE
from somrisk.distributions import Distribution
from somrisk.distributions.scaled import Scaled
from somrisk.errors import CaseError, Problem, format_value

__all__ = ["Overrides", "apply_active", "apply_overrides", "applying", "input_paths", "parse_assignment"]


@dataclass(frozen=True)
class Overrides:
    """Inputs to replace and to scale, by input path (case-format.md, "Input paths").

    Attributes
    ----------
    set : mapping
        Path -> a number or a distribution table, as it would be written in the file.
    scale : mapping
        Path -> the factor every draw of the input is multiplied by (a finite number).
    origin : str
        Where they came from, named in every problem and in the provenance (``"--set/--scale"``,
        ``"scenario 'Effekt 25 % lavere'"``).
    """

    set: Mapping[str, Any] = field(default_factory=dict)
    scale: Mapping[str, Any] = field(default_factory=dict)
    origin: str = "--set/--scale"

    def __bool__(self) -> bool:
        return bool(self.set or self.scale)

    def texts(self) -> tuple[str, ...]:
        """Each change as the command line writes it: ``--scale effect.success_rate=0.75``."""
        return (
            *(f"--set {path}={format_value(value)}" for path, value in self.set.items()),
            *(f"--scale {path}={format_value(value)}" for path, value in self.scale.items()),
        )


def input_specs(case: Case) -> dict[str, InputSpec]:
    """Every scalar input of the case (its own, not a catalogue's), by path."""
    return {spec.path: spec for spec in inputs_of(case)}


def input_paths(case: Case) -> tuple[str, ...]:
    """The paths ``set`` and ``scale`` may name, in the order of the draws' columns."""
    return tuple(input_specs(case))


def apply_overrides(case: Case, overrides: Overrides) -> Case:
    """The case with `overrides` applied, validated as if the file had been edited.

    Raises
    ------
    CaseError
        With every problem: a path the case does not have (with the nearest path), a value that is
        not a number or distribution table, a non-finite scale, a negative scale of a rate, and
        whatever the file would get for the edited value (a rate outside [0, 1], ...).
    """
    if not overrides:
        return case
    specs = input_specs(case)
    where = f"{case.source} ({overrides.origin})"
    problems = [
        *_path_problems(overrides, specs, where),
        *_scale_problems(overrides.scale, specs, where),
        *_set_problems(overrides.set, where),
    ]
    if problems:
        raise CaseError(problems)
    raw = copy.deepcopy(case.raw)
    raw.pop("scenarios", None)  # checked against the file's case; kept as they are (below)
    for path, value in overrides.set.items():
        _put(raw, path, copy.deepcopy(value))
    # distributions scaled before (raw holds them unscaled), unless this replaces them
    scaled_distributions = {path: factor for path, factor in case.scaled if path not in overrides.set}
    for path, factor in overrides.scale.items():
        container, key = _locate(raw, path)
        value = container[key] if isinstance(container, list) else container.get(key, specs[path].value)
        if path in scaled_distributions:
            scaled_distributions[path] *= float(factor)
        elif _is_number(value):
            container[key] = value * factor
        elif isinstance(value, dict) and value.get("dist") == "fixed":
            container[key] = {k: v * factor if k in ("value", "base") else v for k, v in value.items()}
        else:
            scaled_distributions[path] = float(factor)
    try:
        edited = case_from_raw(raw, source=where, sha256=case.sha256)
    except CaseError as error:
        raise CaseError(error.problems) from None
    edited = _scale(edited, scaled_distributions, where)
    return replace(
        edited,
        source=case.source,
        overrides=(*case.overrides, *overrides.texts()),
        scenarios=case.scenarios,
        scaled=tuple(scaled_distributions.items()),
    )


def _path_problems(overrides: Overrides, specs: Mapping[str, InputSpec], where: str) -> Iterator[Problem]:
    for kind, paths in (("set", overrides.set), ("scale", overrides.scale)):
        for path in paths:
            if path not in specs:
                near = difflib.get_close_matches(path, list(specs), n=1, cutoff=0.5)
                hint = f"; did you mean {near[0]!r}?" if near else f"; the case's inputs: {', '.join(specs)}"
                yield Problem(where, path, f"`{kind}` names an input the case does not have{hint}")


def _scale_problems(
    scale: Mapping[str, Any], specs: Mapping[str, InputSpec], where: str
) -> Iterator[Problem]:
    for path, factor in scale.items():
        if not _is_number(factor) or not math.isfinite(factor):
            yield Problem(where, path, "a scale must be a finite number, e.g. 0.75", factor)
        elif path in specs and specs[path].range == RATE and factor < 0:
            yield Problem(where, path, "a rate's scale must be a number >= 0 (a rate lies in [0, 1])", factor)


def _set_problems(values: Mapping[str, Any], where: str) -> Iterator[Problem]:
    for path, value in values.items():
        if not (_is_number(value) or isinstance(value, dict)):
            message = 'a set value must be a number or a distribution table, e.g. {dist = "pert", ...}'
            yield Problem(where, path, message, value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _locate(raw: dict[str, Any], path: str) -> tuple[dict[str, Any] | list[Any], Any]:
    """The table (or list) holding the input at `path` in the case's TOML, and its key there.

    Costs and consequences are found by their `name`; a section the file leaves out
    (``[economy]``) is made, as editing the file would.
    """
    *parents, last = path.split(".")
    node: Any = raw
    for part in parents:
        if isinstance(node, list):
            node = node[int(part)] if part.isdigit() else next(t for t in node if t.get("name") == part)
        else:
            node = node.setdefault(part, {})
    if isinstance(node, list):
        return node, int(last)
    return node, last


def _put(raw: dict[str, Any], path: str, value: Any) -> None:
    container, key = _locate(raw, path)
    container[key] = value


def _scale(case: Case, factors: Mapping[str, float], where: str) -> Case:
    """The case with each input of `factors` (a distribution) made a Scaled one, range-checked."""
    problems = []
    for path, factor in factors.items():
        spec = input_specs(case)[path]
        assert isinstance(spec.value, Distribution)
        try:
            scaled = Scaled(inner=spec.value, factor=factor)
            spec.range(scaled)
        except ValueError as error:
            problems.append(Problem(where, path, f"scaled by {factor:g}: {error}"))
            continue
        case = _replaced(case, path.split("."), scaled)
    if problems:
        raise CaseError(problems)
    return case


def _replaced(node: Any, parts: list[str], value: Any) -> Any:
    """`node` (a Case, section, list or table) with the value at `parts` replaced by `value`."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(node, Case):
        return replace(node, **{head: _replaced(getattr(node, head), rest, value)})
    if isinstance(node, tuple | list):
        index = int(head) if head.isdigit() else next(i for i, t in enumerate(node) if t.name == head)
        items = list(node)
        items[index] = _replaced(items[index], rest, value)
        return type(node)(items)
    if isinstance(node, dict):
        return {**node, head: _replaced(node[head], rest, value)}
    assert isinstance(node, BaseModel)
    return node.model_copy(update={head: _replaced(getattr(node, head), rest, value)})


# --- the command line's changes, for every case a command reads -------------------------------
_ACTIVE: ContextVar[Overrides | None] = ContextVar("somrisk_overrides", default=None)


@contextmanager
def applying(overrides: Overrides) -> Iterator[None]:
    """Within the block, every :func:`~somrisk.case.load_case` applies `overrides`."""
    token = _ACTIVE.set(overrides if overrides else None)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def apply_active(case: Case) -> Case:
    """The case with the changes of the enclosing :func:`applying` block (none outside one)."""
    overrides = _ACTIVE.get()
    return case if overrides is None else apply_overrides(case, overrides)


def parse_assignment(text: str, option: str) -> tuple[str, Any]:
    """``PATH=VALUE`` of ``--set`` or ``--scale`` (`option`): the path and the value as TOML reads it.

    Raises
    ------
    CaseError
        Naming the option and the text: no ``=``, an empty path, or a value TOML cannot read.
    """
    path, equals, value_text = text.partition("=")
    path = path.strip()
    if not equals or not path:
        message = "expected PATH=VALUE, e.g. effect.success_rate=0.3"
        if option == "--scale":
            message = "expected PATH=FACTOR, e.g. effect.success_rate=0.75"
        raise CaseError([Problem(option, "", message, text)])
    try:
        value = tomli.loads(f"value = {value_text.strip()}")["value"]
    except tomli.TOMLDecodeError:
        allowed = 'a number or a TOML inline table such as {dist="pert",min=1,mode=2,max=4}'
        if option == "--scale":
            allowed = "a number"
        hint = decimal_comma_hint(value_text)
        message = f"the value must be {allowed}" + (f"; {hint}" if hint else "")
        raise CaseError([Problem(option, path, message, value_text)]) from None
    return path, value
