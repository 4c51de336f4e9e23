"""Errors that somrisk reports to its users (leaf module: imports nothing from somrisk).

Every problem with user input is a :class:`Problem` naming the file, the key path, the value found
and what is allowed. :class:`CaseError` carries all problems found in one file at once; the CLI
prints one line per problem and exits with code 2.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CaseError",
    "NumericalError",
    "OutputError",
    "Problem",
    "SchedulerLost",
    "SomriskError",
    "UsageError",
    "format_value",
]


class SomriskError(Exception):
    """Base class of the errors somrisk reports as bad input (exit code 2)."""


class SchedulerLost(Exception):
    """The Dask scheduler of a run went away before the run ended (not bad input: exit code 1)."""


def format_value(value: Any, limit: int = 80) -> str:
    """Render a value the way it looks in a TOML file, shortened to `limit` characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        if math.isnan(value):
            text = "nan"
        elif math.isinf(value):
            text = "inf" if value > 0 else "-inf"
        else:
            text = repr(value)
    elif isinstance(value, str):
        text = '"' + _CONTROL.sub(_escape, value[: limit + 1].replace('"', '\\"')) + '"'
    elif isinstance(value, dict):
        text = "{" + _joined((f"{k} = {format_value(v)}" for k, v in value.items()), limit) + "}"
    elif isinstance(value, list | tuple):
        text = "[" + _joined((format_value(v) for v in value), limit) + "]"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _joined(texts: Any, limit: int) -> str:
    """The texts joined by commas, stopping once past `limit` characters (the rest would be cut:
    a list of 100,000 values is not formatted whole)."""
    joined = ""
    for text in texts:
        joined += (", " if joined else "") + text
        if len(joined) > limit:
            break
    return joined


#: Control characters and line separators, written as TOML escapes so that a message stays one line;
#: and the invisible characters that reorder or hide text on a terminal (bidirectional overrides and
#: isolates, zero-width characters, the byte-order mark), so that a key or value from a hostile file
#: is shown as it is, not as it would have the reader see it.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char, f"\\u{ord(char):04X}")


_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One problem in one input file.

    Attributes
    ----------
    file : str
        The file as the user named it (or ``"<string>"``).
    key_path : str
        Dotted path of the key, e.g. ``costs.opstart.amount.sd``; empty for the whole file.
    message : str
        What is wrong and what is allowed, in one sentence.
    value : Any
        The value found; ``Problem.NO_VALUE`` when the key is missing.
    """

    file: str
    key_path: str
    message: str
    value: Any = _MISSING

    NO_VALUE = _MISSING

    def __str__(self) -> str:
        where = f"{self.file}: {self.key_path}" if self.key_path else self.file
        text = f"{where}: {self.message}"
        if self.value is not _MISSING:
            text += f" (found {format_value(self.value)})"
        return _CONTROL.sub(_escape, text)  # one line, whatever a key or a cell held


class CaseError(SomriskError, ValueError):
    """A case (or portfolio) file with one or more problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(SomriskError, ValueError):
    """A bad argument to a somrisk function or command (exit code 2)."""


class OutputError(SomriskError, OSError):
    """An output that cannot be written: folder missing or read-only, not enough disk or memory."""


class NumericalError(SomriskError, ArithmeticError):
    """Results that are not finite numbers (NaN or infinity). The checks of a case keep every number
    within +-1e15 so that this cannot happen; it is reported (exit code 2) rather than written, should
    it ever."""
