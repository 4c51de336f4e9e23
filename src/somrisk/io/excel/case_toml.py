"""Write a case's raw TOML dict as a TOML file laid out as case-format.md writes cases.

Tables are ``[case]``, ``[economy]``, ...; lists of tables are ``[[costs]]``, ...; every value inside
them (a distribution, a price table, a list) is written inline on one line, as a person writes a case.
Scalars are formatted by tomli-w. The text is parsed back and compared with the dict before it is
returned, so what is written is exactly the dict (else tomli-w's own layout is used).
"""

from __future__ import annotations

import re
from typing import Any

import tomli
import tomli_w

__all__ = ["case_toml"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def case_toml(raw: dict[str, Any], header: str = "") -> str:
    """TOML text of a case's raw dict, with `header` as comment lines at the top."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    comment += "\n" if comment else ""
    blocks = [[_assignment(k, v) for k, v in raw.items() if not _is_table(v) and not _is_table_list(v)]]
    for key, value in raw.items():
        if _is_table(value):
            blocks.append([f"[{_key(key)}]", *(_assignment(k, v) for k, v in value.items())])
        elif _is_table_list(value):
            blocks.extend(
                [f"[[{_key(key)}]]", *(_assignment(k, v) for k, v in item.items())] for item in value
            )
    text = comment + "\n\n".join("\n".join(block) for block in blocks if block) + "\n"
    parsed = tomli.loads(text)
    if parsed != raw or _types(parsed) != _types(raw):
        text = comment + tomli_w.dumps(raw)
    return text


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _scalar(key)


def _assignment(key: str, value: Any) -> str:
    """``key = value``; a list of tables (participants' cohorts) one table a line."""
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return f"{_key(key)} = [\n" + "".join(f"  {_inline(v)},\n" for v in value) + "]"
    return f"{_key(key)} = {_inline(value)}"


def _inline(value: Any) -> str:
    """A value on one line: inline tables and arrays, scalars as tomli-w writes them."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    return tomli_w.dumps({"x": value}).removeprefix("x = ").rstrip("\n")


def _types(value: Any) -> Any:
    """The value with each scalar replaced by its type: ``1 == 1.0`` must not hide int/float."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value)
