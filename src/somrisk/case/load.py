"""Read a case file, validate it, and collect every problem with its key path.

Sections (and each item of the ``[[...]]`` lists) are validated one by one, so that a bad cost does
not hide a bad consequence; the cross-section rules of :mod:`somrisk.case.checks` then run on every
part that validated. All problems of a file are raised together as one :class:`CaseError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli
from pydantic import BaseModel, ValidationError

from somrisk._files import name_problem, shown_path
from somrisk.case import checks, prices
from somrisk.case.limits import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    decimal_comma_hint,
    deep_key_at,
    shape_problems,
    toml_key,
)
from somrisk.case.scenarios import Scenario, scenario_problems
from somrisk.case.schema import (
    CaseInfo,
    Consequence,
    Correlation,
    Cost,
    Economy,
    Effect,
    Group,
    Participants,
    Persistence,
)
from somrisk.distributions import FAMILIES
from somrisk.errors import CaseError, Problem

__all__ = ["Case", "load_case", "parse_case"]

#: Top-level tables: name -> (model, required). Lists of tables are marked with a list.
SECTIONS: dict[str, tuple[type[BaseModel] | list[type[BaseModel]], bool]] = {
    "case": (CaseInfo, True),
    "economy": (Economy, False),
    "participants": (Participants, True),
    "effect": (Effect, True),
    "persistence": (Persistence, False),
    "costs": ([Cost], False),
    "comparison_costs": ([Cost], False),
    "consequences": ([Consequence], False),
    "correlations": ([Correlation], False),
    "groups": ([Group], False),
    "scenarios": ([Scenario], False),
}


@dataclass(frozen=True)
class Case:
    """A validated case (case-format.md). Immutable; build it with :func:`load_case`.

    Attributes
    ----------
    source : str
        The file the case came from (``"<string>"`` for text).
    sha256 : str
        SHA-256 of the file's bytes, recorded in every result for provenance.
    info, economy, participants, effect, persistence
        The sections; `persistence` is None where the file has none (full effect throughout).
    costs, comparison_costs, consequences, correlations, groups
        The lists of tables, in file order.
    horizon_auto : bool
        The file said ``horizon = "auto"``; ``info.horizon`` holds the years it gave (the last
        intake year + onset + window).
    scenarios : tuple of Scenario
        The ``[[scenarios]]`` (case-format.md), checked against the case; a scenario's own case has none.
    scaled : tuple of (str, float)
        The inputs whose distributions `overrides` scaled, and the factors: `raw` holds them
        unscaled, so that further changes (a scenario on top of ``--scale``) keep them.
    overrides : tuple of str
        The ``--set``/``--scale`` changes (and the scenario) applied to the file, as the user wrote
        them (``"--scale effect.success_rate=0.75"``); recorded in every result's provenance.
    """

    source: str
    sha256: str
    info: CaseInfo
    economy: Economy
    participants: Participants
    effect: Effect
    persistence: Persistence | None
    costs: tuple[Cost, ...] = ()
    comparison_costs: tuple[Cost, ...] = ()
    consequences: tuple[Consequence, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    groups: tuple[Group, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    horizon_auto: bool = False
    overrides: tuple[str, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    scaled: tuple[tuple[str, float], ...] = ()

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def actors(self) -> tuple[str, ...]:
        return tuple(self.info.actors)

    @property
    def horizon(self) -> int:
        """T, the years of the horizon (``horizon = "auto"`` resolved)."""
        horizon = self.info.horizon
        assert isinstance(horizon, int), "a loaded case's horizon is resolved"
        return horizon

    @property
    def years(self) -> tuple[int, ...]:
        """Calendar years of the horizon."""
        return tuple(self.info.start_year + t for t in range(self.horizon))


def load_case(path: str | Path) -> Case:
    """Read and validate a case file.

    Parameters
    ----------
    path : str or Path
        A TOML case file (case-format.md).

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        With every problem found (file, key path, value, what is allowed): unreadable file, TOML
        syntax, schema and cross-section rules.

    Within :func:`somrisk.case.overrides.applying` (the command line's ``--set``/``--scale``), the
    case comes with those changes applied.
    """
    from somrisk.case.overrides import apply_active  # imports this module

    return apply_active(parse_case(read_bytes(path, "a case file (.toml)"), source=str(path)))


def parse_case(data: bytes | str, *, source: str = "<string>") -> Case:
    """Validate a case given as TOML text or bytes; see :func:`load_case`."""
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else data
    raw = _parse_toml(raw_bytes, source)
    return case_from_raw(raw, source=source, sha256=hashlib.sha256(raw_bytes).hexdigest())


def case_from_raw(raw: dict[str, Any], *, source: str, sha256: str) -> Case:
    """Validate a case's parsed TOML (`sha256`: of the file's bytes); see :func:`load_case`."""
    problems: list[Problem] = []
    parts = validate_sections(raw, source, problems)
    horizon_auto = "case" in parts and parts["case"].horizon == "auto"
    problems.extend(checks.resolve_horizon(parts, raw, source))
    problems.extend(checks.cross_check(parts, raw, source))
    if problems:
        raise CaseError(problems)
    case = Case(
        source=source,
        sha256=sha256,
        info=parts["case"],
        economy=parts.get("economy") or Economy(),
        participants=parts["participants"],
        effect=parts["effect"],
        persistence=parts.get("persistence"),
        costs=tuple(parts.get("costs", ())),
        comparison_costs=tuple(parts.get("comparison_costs", ())),
        consequences=tuple(parts.get("consequences", ())),
        correlations=tuple(parts.get("correlations", ())),
        groups=tuple(parts.get("groups", ())),
        raw=raw,
        horizon_auto=horizon_auto,
        scenarios=tuple(parts.get("scenarios", ())),
    )
    problems = prices.case_price_problems(case)  # the price years of its own items
    if case.scenarios:
        problems += scenario_problems(case, source)
    if problems:
        raise CaseError(problems)
    return case


#: Union tags pydantic puts into error locations (they are not keys of the file).
TAGS = frozenset({*FAMILIES, "number", "table", "catalog", "list", "auto"})
#: Labels pydantic gives the members of an untagged union, e.g. ``function-before[whole_number(), int]``.
_UNION_LABEL = re.compile(r"^[a-z][a-z-]*\[.*\]$")

_LOCATION = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)


def _syntax_problem(source: str, exc: tomli.TOMLDecodeError, text: str = "") -> Problem:
    match = _LOCATION.match(str(exc))
    if match is None:
        return Problem(source, "", f"TOML syntax error: {exc}")
    where = f"{source}:{match['line']}:{match['col']}"
    lines = text.splitlines()
    line = int(match["line"])
    hint = decimal_comma_hint(lines[line - 1]) if 0 < line <= len(lines) else None
    return Problem(where, "", f"TOML syntax error: {match['msg']}" + (f"; {hint}" if hint else ""))


def read_toml(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """The parsed TOML of a file, and its bytes (for its SHA-256).

    Raises
    ------
    CaseError
        For a missing, unreadable or non-UTF-8 file, or TOML syntax, naming the file (and line).
    """
    data = read_bytes(path, "a .toml file")
    return _parse_toml(data, str(path)), data


def read_bytes(path: str | Path, wanted: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a file; a CaseError naming the file where it cannot be read or holds more than
    `limit` bytes (read no further than that: the file may be ``/dev/zero`` or still growing)."""
    name = str(path)
    too_long = name_problem(path)
    if too_long is not None:  # one message with the name shortened, not the OS's ENAMETOOLONG
        raise CaseError([Problem(shown_path(name), "", f"cannot be read: {too_long}")])
    try:
        with Path(path).open("rb") as file:
            data = file.read(limit + 1)
    except FileNotFoundError:
        raise CaseError([Problem(name, "", "no such file")]) from None
    except IsADirectoryError:
        raise CaseError([Problem(name, "", f"is a folder; give {wanted}")]) from None
    except OSError as exc:
        raise CaseError([Problem(name, "", f"cannot be read: {exc.strerror}")]) from None
    if len(data) > limit:
        message = f"is larger than {limit / 2**20:g} MiB, the most somrisk reads as {wanted}"
        raise CaseError([Problem(name, "", message)])
    return data


def _parse_toml(raw_bytes: bytes, source: str) -> dict[str, Any]:
    try:
        text = raw_bytes.decode("utf-8-sig")  # a byte-order mark (Windows editors) is not content
    except UnicodeDecodeError as exc:
        raise CaseError([Problem(source, "", f"is not UTF-8 text (byte {exc.start})")]) from None
    where = deep_key_at(text)
    if where is not None:
        message = (
            f"a key of more than {MAX_DEPTH} dotted parts, nested more than {MAX_DEPTH} tables or lists deep"
        )
        raise CaseError([Problem(f"{source}:{where[0]}:{where[1]}", "", message)])
    try:
        raw = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise CaseError([_syntax_problem(source, exc, text)]) from None
    except RecursionError:  # inline tables or lists nested hundreds deep
        message = f"is nested more than {MAX_DEPTH} tables or lists deep (the parser gave up); not a case"
        raise CaseError([Problem(source, "", message)]) from None
    problems = shape_problems(raw, source)
    if problems:
        raise CaseError(problems)
    return raw


Sections = dict[str, tuple[type[BaseModel] | list[type[BaseModel]], bool]]


def validate_sections(
    raw: dict[str, Any], source: str, problems: list[Problem], sections: Sections = SECTIONS
) -> dict[str, Any]:
    """Validate each section (and list item) on its own; return those that passed.

    Items of a list that fail are left out, and the list is stored as ``"<key>:partial"``.
    """
    parts: dict[str, Any] = {}
    for key in raw:
        if key not in sections:
            allowed = ", ".join(sections)
            problems.append(Problem(source, toml_key(key), f"unknown section; allowed: {allowed}", raw[key]))
    for key, (model, required) in sections.items():
        if key not in raw:
            if required:
                problems.append(Problem(source, key, f"required section [{key}] is missing"))
            continue
        value = raw[key]
        if isinstance(model, list):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                problems.append(Problem(source, key, f"expected tables written as [[{key}]]", value))
                continue
            items = [
                _validate(model[0], item, f"{key}{suffix}", source, problems)
                for item, suffix in zip(value, checks.item_suffixes(value), strict=True)
            ]
            if all(item is not None for item in items):
                parts[key] = items
            else:
                parts[f"{key}:partial"] = [item for item in items if item is not None]
        elif not isinstance(value, dict):
            problems.append(Problem(source, key, f"expected a table written as [{key}]", value))
        else:
            result = _validate(model, value, key, source, problems)
            if result is not None:
                parts[key] = result
    return parts


def _validate(
    model: type[BaseModel], raw: dict[str, Any], path: str, source: str, problems: list[Problem]
) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_problem(error, model, raw, path, source) for error in exc.errors())
        return None


def _problem(error: Any, model: type[BaseModel], raw: Any, path: str, source: str) -> Problem:
    """Turn one pydantic error into a Problem with a TOML key path."""
    keys, node, parent = _walk(raw, error["loc"])
    key_path = ".".join([path, *keys])
    kind, message = error["type"], error["msg"]
    value = error.get("input", Problem.NO_VALUE)
    if kind == "missing":
        return Problem(source, key_path, "required key is missing")
    if kind == "extra_forbidden":  # a key of the user's: as TOML writes it where it is not bare
        key_path = ".".join([path, *keys[:-1], toml_key(keys[-1])]) if keys else key_path
        return Problem(source, key_path, f"unknown key; allowed here: {_allowed(model, parent)}", value)
    if kind == "not_a_value":
        return Problem(source, key_path, _not_a_value(value), value)
    if kind in (
        "float_type",
        "int_type",
        "int_from_float",
        "string_type",
        "list_type",
        "dict_type",
        "bool_type",
    ):
        expected = {
            "float_type": "a number",
            "int_type": "a whole number",
            "int_from_float": "a whole number",
            "string_type": "text in quotes",
            "list_type": "a list [...]",
            "dict_type": "a table { key = value, ... }",
            "bool_type": "true or false",
        }[kind]
        quoted = _quoted_number(value, expected) if "number" in expected else None
        return Problem(source, key_path, quoted or f"expected {expected}", value)
    if kind == "string_pattern_mismatch":
        return Problem(
            source,
            key_path,
            "a name may hold only lower-case letters a-z, digits and "
            "_ (no spaces or æ, ø, å), e.g. kontanthjaelp",
            value,
        )
    if kind in ("too_short", "too_long"):
        size = error.get("ctx", {}).get("min_length" if kind == "too_short" else "max_length")
        bound = "at least" if kind == "too_short" else "at most"
        return Problem(source, key_path, f"must hold {bound} {size} item{'' if size == 1 else 's'}", value)
    if kind == "string_too_short":
        return Problem(source, key_path, "must not be empty", value)
    if kind == "finite_number":
        return Problem(source, key_path, "must be a finite number, not nan or inf", value)
    if kind in ("value_error", "assertion_error"):
        message = message.split(", ", 1)[1] if ", " in message else message
        if isinstance(node, dict) and "dist" not in node and kind == "value_error":
            value = Problem.NO_VALUE  # a rule about a whole table: the message names the keys
        return Problem(source, key_path, message, value)
    return Problem(source, key_path, message.replace("Input should be", "must be"), value)


def _walk(raw: Any, loc: tuple[Any, ...]) -> tuple[list[str], Any, Any]:
    """Follow a pydantic location through the raw TOML data.

    Pydantic adds union tags (``'normal'``, ``'number'``) to locations; only the parts that are real
    keys or list indices of the data are kept. Returns the key path parts, the node at the end and
    the table holding it.
    """
    keys: list[str] = []
    node, parent = raw, None
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and (part in node or not _is_tag(part)):
            keys.append(part)
            parent, node = node, node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            keys.append(str(part))
            parent, node = node, node[part]
    return keys, node, parent


def _is_tag(part: str) -> bool:
    return part in TAGS or _UNION_LABEL.match(part) is not None


def _allowed(model: type[BaseModel], table: Any) -> str:
    """The keys allowed in the table holding an unknown key."""
    dist = table.get("dist") if isinstance(table, dict) else None
    if isinstance(dist, str) and dist in FAMILIES:
        target: type[BaseModel] = FAMILIES[dist].model
    else:
        target = model
    return ", ".join(f.alias or name for name, f in target.model_fields.items())


def _not_a_value(value: Any) -> str:
    families = ", ".join(FAMILIES)
    if isinstance(value, dict):
        if "dist" not in value:
            return f"a distribution table needs `dist`, one of: {families}"
        return f"unknown distribution; `dist` must be one of: {families}"
    if isinstance(value, str):
        quoted = _quoted_number(value, "a number")
        return quoted or "expected a number or a distribution table, not text (remove the quotes?)"
    return f"expected a number or a distribution table ({{ dist = ..., ... }} with dist one of: {families})"


def _quoted_number(value: Any, expected: str) -> str | None:
    """The message for a Danish decimal number in quotes ("-0,8") where `expected` is asked for;
    None for any other value."""
    hint = decimal_comma_hint(value) if isinstance(value, str) else None
    return None if hint is None else f"expected {expected}, not text; {hint} and without quotes"
