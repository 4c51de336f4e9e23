"""The files commands read: a case workbook read as a case, and a file of another kind answered with
the command that reads it ("this is a portfolio file: use `somrisk portfolio`").

The kind is told from the suffix and, for TOML, from the first table headers of the file's first
64 KiB (``[case]``, ``[portfolio]``, ``[catalog]`` or ``[[prices]]``). Nothing is parsed here: a file
of unknown kind goes on to the reader, which reports its problems as before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from somrisk.errors import UsageError

if TYPE_CHECKING:
    from somrisk.case import Case

__all__ = ["WORKBOOK_SUFFIXES", "case_argument", "file_kind", "refuse_other_kinds"]

Kind = Literal["case", "portfolio", "catalog", "workbook", "cube", "json", "report", "unknown"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_PEEK = 64 * 1024
_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([A-Za-z_]+)[ \t]*\]\]?", re.MULTILINE)
_TOML_KINDS: dict[str, Kind] = {
    "case": "case",
    "portfolio": "portfolio",
    "catalog": "catalog",
    "prices": "catalog",
}


def file_kind(path: Path) -> Kind:
    """What kind of somrisk file `path` looks like; ``unknown`` where it cannot tell (a missing or
    unreadable file included: its reader says why)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    if suffix in (".nc", ".zarr"):
        return "cube"
    if suffix == ".json":
        return "json"
    if suffix in (".html", ".htm"):
        return "report"
    try:
        with path.open("rb") as file:
            head = file.read(_PEEK).decode("utf-8", errors="replace")
    except OSError:
        return "unknown"
    for match in _HEADER.finditer(head):
        kind = _TOML_KINDS.get(match.group(1))
        if kind is not None:
            return kind
    return "unknown"


def _advice(path: Path, kind: Kind) -> str:
    name = str(path)
    return {
        "case": f"this is a case file: use `somrisk run {name}`",
        "portfolio": f"this is a portfolio file: use `somrisk portfolio {name}`",
        "catalog": "this is a price catalogue: a portfolio file names it (catalog = ...); "
        "`somrisk catalog` lists the built-in one",
        "workbook": f"this is a workbook: `somrisk run {name}` reads a case workbook, "
        f"`somrisk excel import {name} CASE.toml` writes it as a TOML case",
        "cube": f"this is a result cube: use `somrisk run --reproduce {name} CASE`",
        "json": "this is a JSON file; somrisk reads cases as TOML (.toml) or case workbooks (.xlsx)",
        "report": "this is a report; somrisk reads cases as TOML (.toml) or case workbooks (.xlsx)",
        "unknown": "",
    }[kind]


def refuse_other_kinds(path: Path, allowed: tuple[Kind, ...], advice: dict[Kind, str] | None = None) -> Kind:
    """The file's kind, where it is one of `allowed` (or unknown); else a UsageError naming the
    command that reads it (`advice` in place of the usual words for a kind, where given)."""
    kind = file_kind(path)
    if kind == "unknown" or kind in allowed:
        return kind
    raise UsageError(f"{str(path)!r}: {(advice or {}).get(kind) or _advice(path, kind)}")


def case_argument(path: Path | None, *, workbook: bool = True) -> Path | Case | None:
    """The case a command reads: a TOML case file as it is (its reader validates it), a case
    workbook read and validated as a case (problems at their cell) where `workbook`; another kind
    of file is refused with the command that reads it (UsageError)."""
    if path is None:
        return None
    allowed: tuple[Kind, ...] = ("case", "workbook") if workbook else ("case",)
    if refuse_other_kinds(path, allowed) != "workbook":
        return path
    return read_workbook_case(path)


def read_workbook_case(path: Path) -> Case:
    """A case workbook as a validated case, named by the workbook's path; its SHA-256 (recorded in
    every result) is the workbook file's.

    Raises
    ------
    CaseError
        With every problem, each at its sheet and cell.
    """
    import dataclasses
    import hashlib

    from somrisk.case.load import parse_case
    from somrisk.io.excel import read_case_workbook
    from somrisk.io.excel.case_toml import case_toml

    raw = read_case_workbook(path)
    case = parse_case(case_toml(raw, f"Read from {path.name}"), source=str(path))
    return dataclasses.replace(case, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
