"""Read a case workbook back into a case's raw TOML dict, and validate it as a TOML case.

The reader builds the raw dict the TOML case would have, and remembers for each key path the sheet
and cell it came from. The dict is then written as TOML text and validated by
:func:`somrisk.case.load.parse_case`, the validation of every TOML case; each problem found is
reported at the cell of its key path. Problems of the workbook itself (a missing sheet or column,
text in a number cell, an unknown distribution) are found while reading, each naming its cell; the
validation's problems about the same keys are then left out, as they would repeat them.
"""

from __future__ import annotations

import io
import sys
import warnings
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from somrisk._files import check_writable, write_atomic
from somrisk.case.checks import item_suffix
from somrisk.case.load import parse_case, read_bytes
from somrisk.case.schema import DEFAULT_ACTORS
from somrisk.distributions import FAMILIES, PAIR_COLUMNS
from somrisk.errors import CaseError, Problem, format_value
from somrisk.io.excel import layout as L
from somrisk.io.excel.archive import MAX_WORKBOOK_BYTES, check_archive
from somrisk.io.excel.case_toml import case_toml

__all__ = ["CASE_SUFFIXES", "import_case", "read_case_workbook"]

CASE_SUFFIXES = {".toml": "TOML case file"}

#: The column of each item of a pair and its key path below the input: ci95_lo -> ci95.0.
_PAIR_ITEM = {column: f"{key}.{i}" for key, both in PAIR_COLUMNS.items() for i, column in enumerate(both)}

#: A cell that could not be read (its problem is recorded); its key is left out of the dict.
_BAD: Any = type("_Bad", (), {"__repr__": lambda self: "<unreadable cell>"})()

#: The sheet a section's problems go to when no cell is known.
SECTION_SHEET = {
    "case": L.SAG,
    "economy": L.SAG,
    "participants": L.DELTAGERE,
    "effect": L.EFFEKT,
    "persistence": L.VARIGHED,
    "costs": L.OMK,
    "comparison_costs": L.SAMMENLIGNING,
    "consequences": L.KONSEKVENSER,
    "correlations": L.KORRELATIONER,
    "groups": L.GRUPPER,
}


def read_case_workbook(path: str | Path) -> dict[str, Any]:
    """The raw TOML dict of the case in a case workbook, after validating it as a TOML case.

    Raises
    ------
    CaseError
        With every problem, each naming the sheet and cell (e.g. ``case.xlsx, sheet "Priser",
        cell H3: ...``).
    """
    return _import(path)[0]


def import_case(xlsx_path: str | Path, out_toml_path: str | Path) -> Path:
    """Read a case workbook and write it as a TOML case file; returns the file's path.

    The file is written only if the case is valid, and appears complete or not at all.

    Raises
    ------
    CaseError
        With every problem of the workbook, each naming the sheet and cell.
    UsageError, OutputError
        For an output that is not ``.toml``, or a folder that does not exist or cannot be written.
    """
    target = check_writable(out_toml_path, "output", CASE_SUFFIXES)
    _, text = _import(xlsx_path)
    return write_atomic(target, lambda temporary: temporary.write_bytes(text.encode("utf-8")))


def _import(path: str | Path) -> tuple[dict[str, Any], str]:
    book = _Book(path)
    raw = book.read()
    header = f"Imported from {Path(path).name} by `somrisk excel import`."
    text = case_toml(raw, header)
    problems = list(book.problems)
    try:
        with warnings.catch_warnings():
            if problems:  # the case is refused anyway; its warnings may stem from the cells in error
                warnings.simplefilter("ignore")
            parse_case(text, source=book.name)
    except CaseError as error:
        problems.extend(book.locate(p) for p in error.problems if not book.is_broken(p.key_path))
    if problems:
        raise CaseError(problems)
    return raw, text


def _defused(exc: BaseException) -> BaseException | None:
    """The defusedxml refusal (an XML entity or DTD) behind an error of openpyxl, if any."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None and not isinstance(seen, DefusedXmlException):
        seen = seen.__cause__ or seen.__context__
    return seen


@dataclass
class _Sheet:
    """A sheet's header (column name -> index, from 1) and its non-empty rows."""

    title: str
    columns: dict[str, int]
    rows: list[tuple[int, dict[int, Any]]]
    spill: int | None = None

    def coord(self, row: int, name: str) -> str | None:
        from openpyxl.utils import get_column_letter

        column = self.columns.get(name)
        return None if column is None else f"{get_column_letter(column)}{row}"


@dataclass
class _Empirical:
    """A ``dist = "empirical"`` waiting for its values from the sheet Empirisk."""

    table: dict[str, Any]
    section: str
    index: int | None  # item of a list section, or None for a table
    key: str  # the key path inside the item or table
    path: str  # the key path as registered (``costs[2].amount``)
    sheet: str
    cell: str | None


@dataclass
class _Book:
    """One workbook being read: its problems, and where each key path came from."""

    path: str | Path
    name: str = ""
    problems: list[Problem] = field(default_factory=list)
    where: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    actor_cells: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    pending: list[_Empirical] = field(default_factory=list)
    #: the case's actors (its sheet's, else the default ones), for actors typed in other cases
    known_actors: list[str] = field(default_factory=lambda: list(DEFAULT_ACTORS))

    def __post_init__(self) -> None:
        from openpyxl import load_workbook

        self.name = str(self.path)
        self.data = read_bytes(self.path, "an Excel workbook (.xlsx)", limit=MAX_WORKBOOK_BYTES)
        check_archive(self.data, self.name)  # sizes, cells and entities, before openpyxl parses
        try:
            with warnings.catch_warnings():  # openpyxl warns of Excel features it does not read
                warnings.simplefilter("ignore")
                self.workbook = load_workbook(io.BytesIO(self.data))
        except Exception as exc:  # any failure to parse means: not a workbook openpyxl can read
            message = "is not an Excel workbook (.xlsx); in Excel, save it as 'Excel Workbook (*.xlsx)'"
            cause = _defused(exc)
            if cause is not None:  # an entity or DTD the archive scan did not see (another encoding)
                message = (
                    f"holds XML that Excel never writes and somrisk does not parse ({type(cause).__name__})"
                )
            raise CaseError([Problem(self.name, "", message)]) from None
        if not set(L.SHEETS) & set(self.workbook.sheetnames):  # one problem, not one per sheet
            message = (
                f"has none of the sheets of a case workbook ({', '.join(L.SHEETS[:-1])}); start from "
                "`somrisk excel template`, or `somrisk excel export` of a case"
            )
            raise CaseError([Problem(self.name, "", message)])
        self._computed: Any = None

    # --- problems and places -----------------------------------------------------------------
    def at(self, sheet: str, cell: str | None = None) -> str:
        return f'{self.name}, sheet "{sheet}"' + (f", cell {cell}" if cell else "")

    def problem(
        self, sheet: str, cell: str | None, path: str, message: str, value: Any = Problem.NO_VALUE
    ) -> Any:
        """Record a problem of the workbook; mark its key path broken. Returns the _BAD marker."""
        self.problems.append(Problem(self.at(sheet, cell), path, message, value))
        if path:
            self.broken.add(path)
        return _BAD

    def put(self, path: str, sheet: str, cell: str | None) -> None:
        """Remember the cell `path` comes from. No cell (a column the sheet lacks) is not remembered:
        the path's problems then go to the cell of the key that holds it (a parameter's to the
        row's dist)."""
        if cell is not None:
            self.where[path] = (sheet, cell)

    def is_broken(self, path: str) -> bool:
        """Whether a validation problem at `path` concerns a key already reported as unreadable."""
        return any(
            path == bad or path.startswith(bad + ".") or bad.startswith(path + ".") for bad in self.broken
        )

    def locate(self, problem: Problem) -> Problem:
        """The validation problem, reported at the cell its key path came from."""
        path = problem.key_path
        places = self.actor_cells if problem.message.startswith("unknown actor") else {}
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            prefix = ".".join(parts[:n])
            place = places.get(prefix) or self.where.get(prefix)
            if place is not None:
                return Problem(self.at(*place), path, problem.message, problem.value)
        return Problem(self.name, path, problem.message, problem.value)

    # --- cells -------------------------------------------------------------------------------
    def _value(self, ws: Any, cell: Any) -> Any:
        """A cell's value; a formula's value as Excel last computed it."""
        value = cell.value
        if cell.data_type != "f":
            return value
        if self._computed is None:
            from openpyxl import load_workbook

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._computed = load_workbook(io.BytesIO(self.data), data_only=True)
        value = self._computed[ws.title][cell.coordinate].value
        if value is None:
            self.problem(
                ws.title,
                cell.coordinate,
                "",
                "a formula without a computed value: open and save the workbook in Excel, or type the value",
            )
            return _BAD
        return value

    def sheet(self, title: str, required: tuple[str, ...] = (), spill: str | None = None) -> _Sheet | None:
        """Read a sheet's header and rows; None (with a problem) where it is missing or unusable."""
        from openpyxl.worksheet.worksheet import Worksheet

        ws = self.workbook[title] if title in self.workbook.sheetnames else None
        if ws is None and title in L.OPTIONAL_SHEETS:  # a workbook from before the sheet existed
            return None
        if not isinstance(ws, Worksheet):  # missing, or a chart sheet (it has no cells)
            message = (
                "the sheet is missing; every sheet of the template must be there (it may be empty)"
                if ws is None
                else "the sheet is a chart sheet; it must be a worksheet, as in the template"
            )
            self.problem(title, None, "", message)
            self.broken.update(_sections(title))
            return None
        by_row: dict[int, dict[int, Any]] = {}
        # Only the cells the file holds: iter_rows() would make a cell for every coordinate of the
        # sheet's span, 17 billion for a sheet with one value in A1 and one in XFD1048576.
        for (row, column), cell in sorted(ws._cells.items()):
            value = self._value(ws, cell)
            if value is not None and not (isinstance(value, str) and not value.strip()):
                by_row.setdefault(row, {})[column] = value
        first, second = ({str(v).strip() for v in by_row.get(row, {}).values()} for row in (1, 2))
        keys = L.key_row(title, first, second)
        if keys == L.KEY_ROW:
            by_row.pop(L.CAPTION_ROW, None)  # the Danish captions, for the analyst
        header = by_row.pop(keys, {})
        return self._header(title, header, sorted(by_row.items()), required, spill, keys)

    def _header(
        self,
        title: str,
        header: dict[int, Any],
        rows: list[tuple[int, dict[int, Any]]],
        required: tuple[str, ...],
        spill: str | None,
        keys: int = 1,
    ) -> _Sheet | None:
        from openpyxl.utils import get_column_letter

        sheet = _Sheet(title, {}, rows)
        known = L.header(title)
        usable = True
        for column, value in sorted(header.items()):
            name = str(value).strip()
            cell = f"{get_column_letter(column)}{keys}"
            if sheet.spill is not None:
                if name != spill:
                    self.problem(
                        title,
                        cell,
                        "",
                        f'the columns right of "{spill}" hold its list; move "{name}" left of it',
                    )
                continue
            if known is not None and name not in known:
                self.problem(title, cell, "", f'unknown column "{name}"; the columns are: {", ".join(known)}')
            elif name in sheet.columns:
                self.problem(title, cell, "", f'the column "{name}" is there twice')
                usable = False
            sheet.columns[name] = column
            if name == spill:
                sheet.spill = column
        for name in required:
            if name not in sheet.columns:
                self.problem(
                    title,
                    f"A{keys}",
                    "",
                    f'the column "{name}" is missing (row {keys} holds the column names)',
                )
                usable = False
        if not usable:
            self.broken.update(_sections(title))
            return None
        headed = set(sheet.columns.values())
        for row, values in rows:
            for column in values:
                if column not in headed and (sheet.spill is None or column < sheet.spill):
                    cell = f"{get_column_letter(column)}{row}"
                    self.problem(
                        title, cell, "", f"a value in a column without a name in row {keys}", values[column]
                    )
        return sheet

    def text(self, sheet: _Sheet, row: int, values: dict[int, Any], name: str, path: str) -> Any:
        """A text cell (None when empty); a number typed there is taken as its text."""
        value = values.get(sheet.columns.get(name, -1))
        if value is _BAD:  # a cell already reported (a formula without its value): no second problem
            self.broken.add(path)
        if value is None or value is _BAD or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return self.problem(
                sheet.title, sheet.coord(row, name), path, "expected text, not TRUE/FALSE", value
            )
        if isinstance(value, int):  # of any size: float() of a huge one overflows
            return str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        return self.problem(sheet.title, sheet.coord(row, name), path, f"expected text, not {_what(value)}")

    def number(self, sheet: _Sheet, row: int, values: dict[int, Any], name: str, path: str) -> Any:
        """A number cell (None when empty)."""
        return self.number_at(
            sheet.title, sheet.coord(row, name), values.get(sheet.columns.get(name, -1)), path
        )

    def number_at(self, title: str, cell: str | None, value: Any, path: str) -> Any:
        if value is _BAD:  # a cell already reported (a formula without its value): no second problem
            self.broken.add(path)
        if value is None or value is _BAD:
            return value
        if isinstance(value, bool):
            return self.problem(title, cell, path, "expected a number, not TRUE/FALSE", value)
        if isinstance(value, int) and abs(value) > sys.float_info.max:  # Excel's numbers are doubles
            message = f"a number larger than any Excel cell holds (at most ±{sys.float_info.max:.3g})"
            return self.problem(title, cell, path, message, value)
        if isinstance(value, int | float):
            return value
        if isinstance(value, str):
            hint = ""
            digits = value.strip().replace(" ", "").replace("\xa0", "").replace(".", "").replace(",", "", 1)
            if digits.lstrip("-").isdigit():
                hint = " (write it as a number; a cell formatted as text keeps it as text)"
            return self.problem(title, cell, path, f"expected a number, found text{hint}", value)
        return self.problem(title, cell, path, f"expected a number, not {_what(value)}")

    # --- an uncertain value ------------------------------------------------------------------
    def input(
        self, sheet: _Sheet, row: int, values: dict[int, Any], path: str, owner: tuple[str, int | None, str]
    ) -> Any:
        """A number or a distribution table from the INPUT_COLUMNS of a row (None where empty)."""
        title = sheet.title
        for name in L.INPUT_COLUMNS:
            self.put(f"{path}.{_PAIR_ITEM.get(name, name)}", title, sheet.coord(row, name))
        for key, (low, _) in PAIR_COLUMNS.items():
            self.put(f"{path}.{key}", title, sheet.coord(row, low))
        filled = [n for n in L.INPUT_COLUMNS if sheet.columns.get(n) in values]
        dist = self.text(sheet, row, values, "dist", f"{path}.dist")
        dist = dist.strip() if isinstance(dist, str) else dist
        self.put(path, title, sheet.coord(row, "dist" if dist is not None else "value"))
        if dist is _BAD:
            return _BAD
        if dist is None:
            others = [n for n in filled if n != "value"]
            if others:
                message = (
                    f"{', '.join(others)} given without `dist`: choose the distribution in dist, "
                    "or give a fixed number in value alone"
                )
                return self.problem(title, sheet.coord(row, others[0]), path, message)
            return self.number(sheet, row, values, "value", path)
        if dist not in FAMILIES:
            message = f"unknown distribution; dist must be one of: {', '.join(FAMILIES)}"
            return self.problem(title, sheet.coord(row, "dist"), f"{path}.dist", message, dist)
        table: dict[str, Any] = {"dist": dist}
        for name in filled:
            if name == "dist" or name in _PAIR_ITEM:
                continue
            if name == "source":
                table[name] = self.text(sheet, row, values, name, f"{path}.{name}")
            else:
                table[name] = self.number(sheet, row, values, name, f"{path}.{name}")
        if not self._pairs(sheet, row, values, path, filled, table):
            return _BAD
        if any(v is _BAD or (isinstance(v, list) and _BAD in v) for v in table.values()):
            return _BAD
        if dist == "empirical":
            section, index, key = owner
            self.pending.append(_Empirical(table, section, index, key, path, title, sheet.coord(row, "dist")))
        return table

    def _pairs(
        self,
        sheet: _Sheet,
        row: int,
        values: dict[int, Any],
        path: str,
        filled: list[str],
        table: dict[str, Any],
    ) -> bool:
        """Each pair given in two columns (ci95_lo, ci95_hi) into `table` as [low, high]; False
        (with its problem) where only one of the two is filled in."""
        for key, both in PAIR_COLUMNS.items():
            given = [n for n in both if n in filled]
            if len(given) == 1:
                message = f"give both {' and '.join(both)}"
                self.problem(sheet.title, sheet.coord(row, given[0]), f"{path}.{key}", message)
                return False
            if given:
                table[key] = [self.number(sheet, row, values, n, f"{path}.{key}") for n in given]
        return True

    # --- the sheets --------------------------------------------------------------------------
    def read(self) -> dict[str, Any]:
        """The case's raw TOML dict, as far as it can be read."""
        for section, title in SECTION_SHEET.items():
            self.where[section] = (title, None)  # a whole section: its sheet
        raw: dict[str, Any] = {}
        tables: dict[str, dict[str, Any]] = {}
        for title in L.KEY_SHEETS:
            for section, table in self._key_sheet(title).items():
                tables.setdefault(section, {}).update(table)
        actors = self._actors()
        self.known_actors = actors or list(DEFAULT_ACTORS)
        for section in L.TABLE_SECTIONS:
            table = tables.get(section, {})
            if section == "case" and actors:
                table["actors"] = actors
            if table or section in L.REQUIRED_SECTIONS:  # validate their keys
                raw[section] = table
        for title, section in ((L.OMK, "costs"), (L.SAMMENLIGNING, "comparison_costs")):
            raw[section] = self._rows(title, section, self._cost)
        for section in ("costs", "comparison_costs"):
            for item in raw[section]:
                if isinstance(item.get("actor"), str):
                    item["actor"] = self._actor(item["actor"])
        raw["consequences"] = self._rows(L.KONSEKVENSER, "consequences", self._consequence)
        self._prices(raw["consequences"])
        self._price_index(raw)
        raw["correlations"] = self._rows(L.KORRELATIONER, "correlations", self._correlation)
        raw["groups"] = self._rows(L.GRUPPER, "groups", self._group)
        raw["scenarios"] = self._scenarios()
        self._empirical(raw)
        self._aliases(raw)
        return _readable({k: v for k, v in raw.items() if v != [] or k not in L.LIST_SECTIONS})

    def _key_sheet(self, title: str) -> dict[str, dict[str, Any]]:
        sheet = self.sheet(title, required=("key", "value", "dist"))
        keys = {key.name: key for key in L.KEY_SHEETS[title]}
        tables: dict[str, dict[str, Any]] = {}
        if sheet is None:
            return tables
        seen: dict[str, int] = {}
        for row, values in sheet.rows:
            name = self.text(sheet, row, values, "key", "")
            if name is _BAD:
                continue
            if name is None:
                self.problem(title, sheet.coord(row, "key"), "", "fill in the key of this row (column key)")
                continue
            key = keys.get(name.strip())
            if key is None:
                message = f"unknown key; the keys of this sheet are: {', '.join(keys)}"
                self.problem(title, sheet.coord(row, "key"), "", message, name)
                continue
            table = tables.setdefault(key.section, {})
            path = f"{key.section}.{key.name}"
            if set(values) == {sheet.columns["key"]}:  # a key without a value: not given
                self.where.setdefault(path, (title, sheet.coord(row, "value")))
                continue
            if key.name in seen and not key.repeat:
                message = f"the key {key.name} is given twice (also in row {seen[key.name]})"
                self.problem(title, sheet.coord(row, "key"), path, message)
                continue
            seen.setdefault(key.name, row)
            self._key_value(sheet, row, values, key, table)
        for key in keys.values():
            table = tables.get(key.section, {})
            if key.repeat and key.name in table:
                items = table[key.name] = [v for v in table[key.name] if v is not _BAD and v is not None]
                if key.name == "years" and len(items) == 1:  # years = 3, not [first, last]
                    table["years"] = items[0]
                    self.where["participants.years"] = self.where["participants.years.0"]
        return {
            section: {k: v for k, v in table.items() if v is not _BAD} for section, table in tables.items()
        }

    def _key_value(self, sheet: _Sheet, row: int, values: dict[int, Any], key: L.Key, table: dict) -> None:
        path = f"{key.section}.{key.name}"
        if key.repeat:  # a list: one row per element
            items = table.setdefault(key.name, [])
            if not items:
                self.put(path, sheet.title, sheet.coord(row, "value"))
            path = f"{path}.{len(items)}"
        if key.kind == "input":
            value = self.input(sheet, row, values, path, (key.section, None, path.split(".", 1)[1]))
        else:
            extra = [n for n in L.INPUT_COLUMNS[1:] if sheet.columns.get(n) in values]
            if extra:
                message = f"{key.name} is a plain {key.kind}: give it in value alone, not as a distribution"
                value = self.problem(sheet.title, sheet.coord(row, extra[0]), path, message)
            elif key.kind == "text":
                value = self.text(sheet, row, values, "value", path)
            elif _word(values.get(sheet.columns.get("value", -1))) in key.words:
                value = _word(values[sheet.columns["value"]])
            else:
                value = self.number(sheet, row, values, "value", path)
            self.put(path, sheet.title, sheet.coord(row, "value"))
        if key.repeat:
            table[key.name].append(value)  # _BAD too, so that later rows keep their index
        elif value is not None:
            table[key.name] = value

    def _actors(self) -> list[str]:
        sheet = self.sheet(L.AKTOERER, required=("actor",))
        actors: list[str] = []
        if sheet is None:
            return actors
        self.put("case.actors", L.AKTOERER, sheet.coord(2, "actor"))
        for row, values in sheet.rows:
            path = f"case.actors.{len(actors)}"
            actor = self.text(sheet, row, values, "actor", path)
            if actor is not None and actor is not _BAD:
                self.put(path, L.AKTOERER, sheet.coord(row, "actor"))
                actors.append(actor)
        return actors

    def _rows(self, title: str, section: str, read_row: Any) -> list[dict[str, Any]]:
        """The items of a row sheet, each read by `read_row(sheet, row, values, path, index)`."""
        spec = L.ROW_SHEETS[title]
        sheet = self.sheet(title, required=spec.required, spill=spec.spill[0] if spec.spill else None)
        items: list[dict[str, Any]] = []
        if sheet is None:
            return items
        for row, values in sheet.rows:
            path = f"{section}[{len(items) + 1}]"
            self.put(path, title, sheet.coord(row, spec.columns[0][0]))
            item: dict[str, Any] = {}
            for name, kind in spec.columns:
                self.put(f"{path}.{name}", title, sheet.coord(row, name))
                if name in L.DERIVED:  # read by the sheet's own reader
                    continue
                read = self.text if kind == "text" else self.number
                value = read(sheet, row, values, name, f"{path}.{name}")
                if value is not None and value is not _BAD:
                    item[name] = value
            read_row(sheet, row, values, path, item, len(items))
            items.append(item)
        return items

    def _pair(
        self, sheet: _Sheet, row: int, values: dict, names: tuple[str, str], path: str, kind: str
    ) -> Any:
        """Two columns that make one list (``years``, a correlation's ``inputs``); None where both are
        empty."""
        read = self.text if kind == "text" else self.number
        pair = [read(sheet, row, values, name, f"{path}.{i}") for i, name in enumerate(names)]
        for i, name in enumerate(names):
            self.put(f"{path}.{i}", sheet.title, sheet.coord(row, name))
        self.put(path, sheet.title, sheet.coord(row, names[0]) or sheet.coord(row, names[1]))
        if _BAD in pair:
            return _BAD
        given = [v for v in pair if v is not None]
        return given or None

    def _cost(self, sheet: _Sheet, row: int, values: dict, path: str, item: dict, index: int) -> None:
        years = self._pair(sheet, row, values, ("years_first", "years_last"), f"{path}.years", "number")
        if years is not None and years is not _BAD:
            if len(years) == 1:
                cell = sheet.coord(row, "years_first" if "years_first" in sheet.columns else "years_last")
                self.problem(
                    sheet.title, cell, f"{path}.years", "give both years_first and years_last, or year"
                )
            else:
                _insert_before(item, "years", years, "duration")
        section = "costs" if sheet.title == L.OMK else "comparison_costs"
        amount = self.input(sheet, row, values, f"{path}.amount", (section, index, "amount"))
        if amount is not None and amount is not _BAD:
            item["amount"] = amount

    def _consequence(self, sheet: _Sheet, row: int, values: dict, path: str, item: dict, index: int) -> None:
        change = self.input(sheet, row, values, f"{path}.change", ("consequences", index, "change"))
        if change is not None and change is not _BAD:
            _insert_before(item, "change", change, "price")
        profile = self._spill(sheet, row, values, f"{path}.profile", self.number_at)
        if profile:
            _insert_before(item, "profile", profile, "price")

    def _spill(self, sheet: _Sheet, row: int, values: dict, path: str, read: Any) -> list[Any]:
        """The list in a row's last columns (a profile, a group's inputs)."""
        from openpyxl.utils import get_column_letter

        if sheet.spill is None:
            return []
        self.put(path, sheet.title, f"{get_column_letter(sheet.spill)}{row}")
        columns = sorted(c for c in values if c >= sheet.spill)
        items: list[Any] = []
        for k, column in enumerate(range(sheet.spill, (columns[-1] + 1) if columns else sheet.spill)):
            cell = f"{get_column_letter(column)}{row}"
            self.put(f"{path}.{k}", sheet.title, cell)
            if column not in values:
                self.problem(
                    sheet.title, cell, path, "an empty cell inside the list: fill it in or move the rest left"
                )
                return [_BAD]
            items.append(read(sheet.title, cell, values[column], f"{path}.{k}"))
        return items

    def _text_at(self, title: str, cell: str | None, value: Any, path: str) -> Any:
        if isinstance(value, str):
            return value
        return self.problem(title, cell, path, "expected text (an input's path)", value)

    def _price_index(self, raw: dict[str, Any]) -> None:
        """The sheet Prisindeks (optional: older workbooks lack it) -> ``economy.price_index``."""
        if L.PRISINDEKS in L.OPTIONAL_SHEETS and L.PRISINDEKS not in self.workbook.sheetnames:
            return
        sheet = self.sheet(L.PRISINDEKS, required=L.ROW_SHEETS[L.PRISINDEKS].required)
        if sheet is None:
            return
        index: dict[str, Any] = {}
        for row, values in sheet.rows:
            path = "economy.price_index"
            year = self.number(sheet, row, values, "index_year", path)
            if year is _BAD:
                continue
            if year is None:
                self.problem(
                    L.PRISINDEKS, sheet.coord(row, "index_year"), path, "fill in the year (index_year)"
                )
                continue
            key = str(int(year)) if isinstance(year, float) and year.is_integer() else str(year)
            path = f"economy.price_index.{key}"
            if key in index:
                message = "the year is given twice"
                self.problem(L.PRISINDEKS, sheet.coord(row, "index_year"), path, message, year)
                continue
            whole = isinstance(year, int) or (isinstance(year, float) and year.is_integer())
            self.put(path, L.PRISINDEKS, sheet.coord(row, "index_value" if whole else "index_year"))
            value = self.number(sheet, row, values, "index_value", path)
            if value is None:
                value = self.problem(
                    L.PRISINDEKS,
                    sheet.coord(row, "index_value"),
                    path,
                    "fill in the index value (index_value)",
                )
            index[key] = value
        if index:
            raw.setdefault("economy", {})["price_index"] = index

    def _correlation(self, sheet: _Sheet, row: int, values: dict, path: str, item: dict, index: int) -> None:
        inputs = self._pair(sheet, row, values, ("input_1", "input_2"), f"{path}.inputs", "text")
        if inputs is not None and inputs is not _BAD:
            _insert_before(item, "inputs", inputs, "rank")

    def _group(self, sheet: _Sheet, row: int, values: dict, path: str, item: dict, index: int) -> None:
        inputs = self._spill(sheet, row, values, f"{path}.inputs", self._text_at)
        if inputs and _BAD not in inputs:
            item["inputs"] = inputs

    def _scenarios(self) -> list[dict[str, Any]]:
        """The sheet Scenarier (optional: older workbooks lack it): rows of one name make one
        scenario, in the order first seen; ``set`` rows take a number or a distribution, ``scale``
        rows a number."""
        if L.SCENARIER not in self.workbook.sheetnames:
            return []
        spec = L.ROW_SHEETS[L.SCENARIER]
        sheet = self.sheet(L.SCENARIER, required=spec.required)
        scenarios: dict[str, dict[str, Any]] = {}
        if sheet is None:
            return []
        for row, values in sheet.rows:
            cells = {
                name: self.text(sheet, row, values, name, "") for name in ("scenario", "change", "input")
            }
            if _BAD in cells.values():
                continue
            missing = [name for name, value in cells.items() if value is None]
            if missing:
                message = f"fill in {', '.join(missing)} (the scenario, set or scale, and the input's path)"
                self.problem(L.SCENARIER, sheet.coord(row, missing[0]), "", message)
                continue
            name, kind, input_path = cells["scenario"], cells["change"].strip(), cells["input"].strip()
            if kind not in ("set", "scale"):
                message = "change must be set (a new value) or scale (every draw times value)"
                self.problem(L.SCENARIER, sheet.coord(row, "change"), "", message, kind)
                continue
            index = list(scenarios).index(name) if name in scenarios else len(scenarios)
            scenario = scenarios.setdefault(name, {"name": name})
            path = f"scenarios[{index + 1}].{kind}.{input_path}"
            if kind == "set":
                value = self.input(sheet, row, values, path, ("scenarios", index, f"{kind}.{input_path}"))
                if isinstance(value, dict) and value.get("dist") == "empirical":
                    message = "an empirical distribution in a scenario: keep it in the TOML file"
                    value = self.problem(L.SCENARIER, sheet.coord(row, "dist"), path, message)
            else:
                extra = [n for n in L.INPUT_COLUMNS[1:] if sheet.columns.get(n) in values]
                if extra:
                    message = "a scale is a number: give it in value alone"
                    value = self.problem(L.SCENARIER, sheet.coord(row, extra[0]), path, message)
                else:
                    self.put(path, L.SCENARIER, sheet.coord(row, "value"))
                    value = self.number(sheet, row, values, "value", path)
            if value is None:
                value = self.problem(L.SCENARIER, sheet.coord(row, "value"), path, "fill in value")
            table = scenario.setdefault(kind, {})
            if input_path in table:
                message = f"{input_path} is given twice for {kind} in the scenario {name!r}"
                self.problem(L.SCENARIER, sheet.coord(row, "input"), path, message)
            elif value is not _BAD:
                table[input_path] = value
        return list(scenarios.values())

    def _prices(self, consequences: list[dict[str, Any]]) -> None:
        """Prices (sheet Priser), price factors (sheet Prisfaktorer) and changes during the course
        (sheet Under indsatsen) into their consequences."""
        names = [item.get("name") for item in consequences]
        for title in (L.PRISER, L.PRISFAKTORER, L.UNDER_INDSATSEN):
            spec = L.ROW_SHEETS[title]
            sheet = self.sheet(title, required=spec.required)
            if sheet is None:
                continue
            for row, values in sheet.rows:
                index = self._consequence_of(sheet, row, values, names)
                if index is None:
                    continue
                item, path = consequences[index], f"consequences[{index + 1}]"
                if title == L.PRISFAKTORER:
                    self._factor(sheet, row, values, item, path, index)
                elif title == L.UNDER_INDSATSEN:
                    self._during(sheet, row, values, item, path, index)
                else:
                    self._price(sheet, row, values, item, path, index)

    def _consequence_of(self, sheet: _Sheet, row: int, values: dict, names: list[Any]) -> int | None:
        name = self.text(sheet, row, values, "consequence", "")
        cell = sheet.coord(row, "consequence")
        if name is _BAD:
            return None
        if name is None:
            self.problem(
                sheet.title, cell, "", "fill in the consequence (its name on the sheet Konsekvenser)"
            )
            return None
        if name not in names:
            message = f'no consequence has this name on the sheet "{L.KONSEKVENSER}"'
            self.problem(sheet.title, cell, "", message, name)
            return None
        if names.count(name) > 1:
            self.problem(
                sheet.title, cell, "", f'two consequences on "{L.KONSEKVENSER}" have this name', name
            )
            return None
        return names.index(name)

    def _actor(self, name: str) -> str:
        """An actor as the sheets name it: "Kommune", as every result table writes it, is the
        case's actor "kommune" (a name that matches no actor but in capitals is left as typed, for
        the validation to name)."""
        if name in self.known_actors:
            return name
        same = [actor for actor in self.known_actors if actor.casefold() == name.strip().casefold()]
        return same[0] if len(same) == 1 else name

    def _price(self, sheet: _Sheet, row: int, values: dict, item: dict, path: str, index: int) -> None:
        actor = self.text(sheet, row, values, "actor", f"{path}.price")
        if actor is _BAD:
            return
        if isinstance(actor, str):
            actor = self._actor(actor)
        if actor is None:
            self.problem(
                sheet.title, sheet.coord(row, "actor"), f"{path}.price", "fill in the actor who pays"
            )
            return
        where = f"{path}.price.{actor}"
        self.actor_cells[where] = (sheet.title, sheet.coord(row, "actor"))
        if isinstance(item.get("price"), str):
            message = (
                f"the consequence takes its price from the catalogue (price = {item['price']} on the sheet "
                f'"{L.KONSEKVENSER}"): delete this row, or that word'
            )
            self.problem(sheet.title, sheet.coord(row, "consequence"), where, message)
            return
        prices = item.setdefault("price", {})
        if actor in prices:
            message = f"the price of {item.get('name')} for {actor} is given twice"
            self.problem(sheet.title, sheet.coord(row, "actor"), where, message, actor)
            return
        value = self.input(sheet, row, values, where, ("consequences", index, f"price.{actor}"))
        if value is None:
            message = "give the price in value, or dist and its columns"
            value = self.problem(sheet.title, sheet.coord(row, "value"), where, message)
        if value is not _BAD:
            prices[actor] = value

    def _factor(self, sheet: _Sheet, row: int, values: dict, item: dict, path: str, index: int) -> None:
        where = f"{path}.price_factor"
        if "price_factor" in item:
            message = f"the price factor of {item.get('name')} is given twice"
            self.problem(sheet.title, sheet.coord(row, "consequence"), where, message)
            return
        value = self.input(sheet, row, values, where, ("consequences", index, "price_factor"))
        if value is None:
            message = "give the price factor in value, or dist and its columns"
            value = self.problem(sheet.title, sheet.coord(row, "value"), where, message)
        if value is not _BAD:
            item["price_factor"] = value

    def _during(self, sheet: _Sheet, row: int, values: dict, item: dict, path: str, index: int) -> None:
        where = f"{path}.during"
        if "during" in item or "during_years" in item:
            message = f"the change during the course of {item.get('name')} is given twice"
            self.problem(sheet.title, sheet.coord(row, "consequence"), where, message)
            return
        value = self.input(sheet, row, values, where, ("consequences", index, "during"))
        years = self.number(sheet, row, values, "during_years", f"{path}.during_years")
        self.put(f"{path}.during_years", sheet.title, sheet.coord(row, "during_years"))
        if value is None and years is None:
            message = "give the change during the course in value, or dist and its columns"
            value = self.problem(sheet.title, sheet.coord(row, "value"), where, message)
        if value is not None and value is not _BAD:
            item["during"] = value
        if years is not None and years is not _BAD:
            item["during_years"] = years

    def _empirical(self, raw: dict[str, Any]) -> None:
        """The values of each empirical distribution, from its column on the sheet Empirisk."""
        from openpyxl.utils import get_column_letter

        sheet = self.sheet(L.EMPIRICAL)
        if sheet is None:
            self.broken.update(pending.path for pending in self.pending)
            return
        columns: dict[str, list[Any]] = {}
        for name, column in sheet.columns.items():
            letter = get_column_letter(column)
            cells = {row: values[column] for row, values in sheet.rows if column in values}
            last = max(cells, default=1)
            values = []
            for row in range(2, last + 1):
                cell = f"{letter}{row}"
                if row not in cells:
                    values.append(
                        self.problem(L.EMPIRICAL, cell, "", "an empty cell inside the list of values")
                    )
                else:
                    values.append(self.number_at(L.EMPIRICAL, cell, cells[row], ""))
            columns[name] = values
        used = set()
        for pending in self.pending:
            if pending.index is None:
                path = f"{pending.section}.{pending.key}"
            else:
                path = f"{pending.section}{item_suffix(raw[pending.section], pending.index)}.{pending.key}"
            if path not in columns:
                message = (
                    f'dist = empirical takes its values from the sheet "{L.EMPIRICAL}": a column headed '
                    f"{path}, with the values below it"
                )
                self.problem(pending.sheet, pending.cell, pending.path, message)
                continue
            used.add(path)
            self.put(f"{pending.path}.values", L.EMPIRICAL, f"{get_column_letter(sheet.columns[path])}1")
            if _BAD in columns[path]:
                self.broken.add(pending.path)
            else:
                pending.table["values"] = columns[path]
        for name, column in sheet.columns.items():
            if name not in used:
                message = "no input with dist = empirical has this path; check the name, or delete the column"
                self.problem(L.EMPIRICAL, f"{get_column_letter(column)}1", "", message, name)

    def _aliases(self, raw: dict[str, Any]) -> None:
        """Register each list item also under the path the validation uses (``costs.opstart``)."""
        renames: dict[str, str] = {}
        for section in L.LIST_SECTIONS:
            items = raw.get(section, [])
            for index in range(len(items)):
                suffix = item_suffix(items, index)
                if suffix != f"[{index + 1}]":
                    renames[f"{section}[{index + 1}]"] = f"{section}{suffix}"
        for old, new in renames.items():
            for path, place in list(self.where.items()):
                if path == old or path.startswith(old + "."):
                    self.where[new + path[len(old) :]] = place
            for path, place in list(self.actor_cells.items()):
                if path.startswith(old + "."):
                    self.actor_cells[new + path[len(old) :]] = place
            for path in list(self.broken):
                if path == old or path.startswith(old + "."):
                    self.broken.add(new + path[len(old) :])
            self.problems = [
                replace(p, key_path=new + p.key_path[len(old) :])
                if p.key_path == old or p.key_path.startswith(old + ".")
                else p
                for p in self.problems
            ]


def _sections(title: str) -> set[str]:
    """The sections whose keys a sheet holds (whose problems a missing sheet would only repeat)."""
    sections = {section for section, sheet in SECTION_SHEET.items() if sheet == title}
    if title in L.SECTION_OF:
        sections.add(L.SECTION_OF[title])
    return sections


def _readable(value: Any) -> Any:
    """The value without the cells that could not be read (each has its problem already)."""
    if isinstance(value, dict):
        return {k: _readable(v) for k, v in value.items() if v is not _BAD}
    if isinstance(value, list):
        return [_readable(v) for v in value if v is not _BAD]
    return value


def _insert_before(item: dict[str, Any], key: str, value: Any, before: str) -> None:
    """Put `key` into `item` (in file order: before `before` where that is already there)."""
    if before not in item:
        item[key] = value
        return
    entries = list(item.items())
    item.clear()
    for k, v in entries:
        if k == before:
            item[key] = value
        item[k] = v


def _what(value: Any) -> str:
    if isinstance(value, datetime | date | time):
        return "a date or time (format the cell as a number)"
    if isinstance(value, timedelta):
        return "a duration (format the cell as a number)"
    return f"{type(value).__name__} {format_value(value)}"


def _word(value: Any) -> str | None:
    """A cell's text as a word (trimmed, lower case), or None for a cell that is not text."""
    return value.strip().lower() if isinstance(value, str) else None
