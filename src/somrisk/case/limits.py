"""Limits on the size and shape of a TOML file (case, portfolio, catalogue), checked before validation.

Case files travel by e-mail between municipalities, so a file may be hostile or broken: nested
thousands of levels deep, a profile of millions of values, tens of thousands of consequences. Each
such file is refused with one message per limit exceeded, naming the key path and the limit,
before the schema looks at it (validation, the run and the workbooks would otherwise take minutes
and gigabytes). The limits and their reasons are in docs/reliability.md ("Hostile and extreme
files"); each is far above what a real case needs.
"""

from __future__ import annotations

import re
from typing import Any

from somrisk.case.checks import item_suffixes
from somrisk.errors import Problem

__all__ = [
    "ITEM_LISTS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "MAX_LIST",
    "MAX_TEXT",
    "MAX_YEAR_VALUES",
    "YEAR_LISTS",
    "deep_key_at",
    "shape_problems",
    "toml_key",
]

#: Largest TOML file read, in bytes (an empirical distribution of 100,000 values is about 2 MB).
MAX_FILE_BYTES = 8 * 2**20
#: Deepest nesting of tables and lists (a real case needs 5: consequences, an item, its prices,
#: an actor's distribution, its ci95).
MAX_DEPTH = 10
#: Most tables in one ``[[...]]`` list (costs, comparison costs, consequences, correlations,
#: groups, a catalogue's prices), and most cases in a portfolio.
MAX_ITEMS = 1_000
ITEM_LISTS = frozenset({"cases"})
#: Most values in any other list (an empirical distribution's values).
MAX_LIST = 100_000
#: Most values in a list by year (``profile``, ``cohorts``): the horizon is at most 50 years, and
#: the values of a profile beyond it are not used.
MAX_YEAR_VALUES = 1_000
YEAR_LISTS = frozenset({"profile", "cohorts"})
#: Longest text, in characters: what one Excel cell holds (texts are written to workbooks).
MAX_TEXT = 32_767
#: Problems reported per file; a file over the limits in a million places gets one more line.
MAX_PROBLEMS = 20

#: Control characters that no workbook (XML 1.0) can hold; tab, line feed and carriage return can.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


#: A key of more than MAX_DEPTH dotted parts: at the start of a line (``a.b.c = 1``, ``[a.b.c]``)
#: or in an inline table (``{ a.b.c = 1 }``).
_PART = r"""(?:[A-Za-z0-9_-]++|"[^"\n]*+"|'[^'\n]*+')[ \t]*+"""  # possessive: no backtracking
_DEEP_KEY = re.compile(
    rf"(?:^[ \t]*+\[{{0,2}}+|[{{,])[ \t]*+{_PART}(?:\.[ \t]*+{_PART}){{{MAX_DEPTH}}}", re.MULTILINE
)


#: A number written with a decimal comma right after a key's `=` (``change = -0,8``, ``mode = 0,1``):
#: never valid TOML there (a list starts with ``[``, an inline table's next key with a letter).
_DECIMAL_COMMA = re.compile(r"(?P<key>[A-Za-z0-9_\"'.-]+)\s*=\s*(?P<whole>[-+]?\d+),(?P<fraction>\d+)\b")


def decimal_comma_hint(line: str) -> str | None:
    """For a line (or a value) that writes a number with a decimal comma, as Danish does: the hint
    to write it with a point; None otherwise."""
    match = _DECIMAL_COMMA.search(line if "=" in line else f"value = {line.strip()}")
    if match is None:
        return None
    comma, point = f"{match['whole']},{match['fraction']}", f"{match['whole']}.{match['fraction']}"
    key = match["key"]
    where = "" if key == "value" and "=" not in line else f" ({key})"
    return f"a decimal number takes a point, not a comma: write {point}, not {comma}{where}"


def deep_key_at(text: str) -> tuple[int, int] | None:
    """The line and column (from 1) of the first dotted key deeper than MAX_DEPTH, or None.

    Checked before parsing: Python's TOML parser takes time quadratic in a key's parts (a key of
    100,000 parts, a 200 kB file, takes a minute). A line inside a multi-line string that looks like
    such a key (or a text holding ``, a.b.c.d.e.f.g.h.i.j.k``) is taken for one; no real text does.
    """
    match = _DEEP_KEY.search(text)
    if match is None:
        return None
    line_start = text.rfind("\n", 0, match.start()) + 1
    return text.count("\n", 0, match.start()) + 1, match.start() - line_start + 1


def shape_problems(raw: dict[str, Any], source: str) -> list[Problem]:
    """The problems of a parsed TOML file's shape: nesting, list lengths, texts.

    Walks the data without recursion (a file nested 100,000 deep must not overflow the stack).
    """
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(raw, ())]
    while stack and len(problems) <= MAX_PROBLEMS:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            problems.append(
                Problem(
                    source, _dotted(path), f"nested more than {MAX_DEPTH} tables or lists deep; not a case"
                )
            )
            continue
        if isinstance(node, str):
            problems.extend(_text_problems(node, path, source))
        elif isinstance(node, dict):
            for key, value in reversed(node.items()):
                if path:  # section names are reported by the validation, as unknown sections
                    problems.extend(_text_problems(key, path, source, key=True))
                stack.append((value, (*path, str(key))))
        elif isinstance(node, list):
            problem = _list_problem(node, path, source)
            if problem is not None:
                problems.append(problem)
                continue
            parts = _item_parts(node, path)
            stack.extend((node[i], (*path, parts[i])) for i in reversed(range(len(node))))
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [
            Problem(source, re.split(r"[.\[]", problems[0].key_path)[0], "and more such problems; not shown")
        ]
    return problems


def _list_problem(items: list[Any], path: tuple[str, ...], source: str) -> Problem | None:
    tables = bool(items) and all(isinstance(v, dict) for v in items)
    if path and path[-1] in YEAR_LISTS:
        limit, what = MAX_YEAR_VALUES, "values by year (the horizon is at most 50 years)"
    elif tables:
        limit, what = MAX_ITEMS, "tables"
    elif path and path[-1] in ITEM_LISTS:
        limit, what = MAX_ITEMS, "items"
    else:
        limit, what = MAX_LIST, "values"
    if len(items) <= limit:
        return None
    message = f"holds {len(items):,} {what}; at most {limit:,} are allowed"
    return Problem(source, _dotted(path), message, items)  # the value is shown shortened


def _text_problems(text: str, path: tuple[str, ...], source: str, key: bool = False) -> list[Problem]:
    if len(text) <= MAX_TEXT and _CONTROL.search(text) is None:
        return []  # every text of a case: no key path to build
    what = "a key" if key else "a text"
    where = _dotted(path)
    if len(text) > MAX_TEXT:
        return [
            Problem(source, where, f"{what} of {len(text):,} characters; at most {MAX_TEXT:,} are allowed")
        ]
    bad = _CONTROL.search(text)
    assert bad is not None
    code = f"U+{ord(bad.group()):04X}"
    return [Problem(source, where, f"{what} holds the control character {code}, which no workbook can hold")]


def _item_parts(items: list[Any], path: tuple[str, ...]) -> list[str]:
    """The part of the key path that names each item of a list: a section's ``[[...]]`` item as
    the validation names it (``opstart``, or ``[3]`` counted from 1, so that the workbook import
    finds its cell), any other list's item by its index from 0 (``cohorts.0``)."""
    if len(path) == 1 and all(isinstance(item, dict) for item in items):
        return [suffix[1:] if suffix.startswith(".") else suffix for suffix in item_suffixes(items)]
    return [str(index) for index in range(len(items))]


def _dotted(path: tuple[str, ...] | list[str]) -> str:
    """A key path for a message: each part shortened, dots between them (none before ``[3]``)."""
    text = ""
    for part in path:
        if not (text and _ITEM.fullmatch(part)):
            text += "." if text else ""
            part = toml_key(part if len(part) <= 40 else part[:37] + "...")
        text += part
    return text


_ITEM = re.compile(r"\[\d+\]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare (``horizon``), or quoted where it holds anything else
    (``"x.y"``, ``"a b"``, ``""``), so that a key path shows which dots are its own."""
    if _BARE_KEY.fullmatch(key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
