"""Write a case workbook: the empty template, or a TOML case laid out in it (layout.py).

The export works from the case's raw TOML dict, not from the validated case, so that every key the
file gives is written and nothing the file leaves out is added: importing the workbook again gives
the same dict. It does not check the case (``somrisk check`` does); it refuses only what the layout
cannot hold (an unknown key, a table where a number belongs), naming the key path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from somrisk._files import check_writable, write_atomic
from somrisk.case.checks import item_suffix
from somrisk.case.load import read_toml
from somrisk.case.schema import CATEGORIES, DEFAULT_ACTORS
from somrisk.distributions import FAMILIES, PAIR_COLUMNS
from somrisk.errors import CaseError, Problem
from somrisk.io.excel import layout as L
from somrisk.io.workbook import WORKBOOK_FORMATS as WORKBOOK_SUFFIXES

__all__ = ["WORKBOOK_SUFFIXES", "case_workbook", "export_case", "write_template"]

#: Rows below the header that get the drop-down lists (more where the sheet has more rows).
VALIDATION_ROWS = 500
#: The hidden sheet that holds the input paths of the drop-down lists on Korrelationer and Grupper.
PATHS_SHEET = "Stier"
#: The paths offered where no case gives its own (the template): those every case may have.
GENERIC_PATHS = (
    "effect.success_rate",
    "effect.comparison_rate",
    "effect.effect",
    "persistence.full_years",
    "persistence.decay",
    "participants.per_year",
    "economy.discount_rate",
    "economy.price_growth",
)
_HEADER_FILL = "DDEBF7"
#: The fill of the parameter columns the row's distribution needs (conditional formatting).
_NEEDED_FILL = "FFF2CC"
_KEY_FILL = "F2F2F2"
_MAX_WIDTH = 50
#: Keys of a distribution table that have a column of their own (a pair such as ``ci95`` has two).
_DIST_KEYS = frozenset(L.INPUT_COLUMNS) - {column for both in PAIR_COLUMNS.values() for column in both}


def write_template(path: str | Path) -> Path:
    """Write an empty case workbook for an analyst to fill in; returns its path.

    It has every sheet with its headers, drop-down lists and Danish help (the sheet "Hjælp"); the
    key sheets list their keys, and the sheet Aktører lists SØM's three actors.

    Raises
    ------
    UsageError, OutputError
        For a path that is not ``.xlsx``, or a folder that does not exist or cannot be written.
    """
    target = check_writable(path, "output", WORKBOOK_SUFFIXES)
    workbook = case_workbook({"case": {"actors": list(DEFAULT_ACTORS)}}, template=True)
    return write_atomic(target, workbook.save)


def _input_paths(case_path: str | Path) -> tuple[str, ...]:
    """The paths of the case's inputs, for the drop-down lists; the generic ones where the case does
    not validate (it may still be exported, to be fixed in Excel)."""
    from somrisk.case import load_case
    from somrisk.space import build_space

    try:
        return tuple(spec.path for spec in build_space(load_case(case_path)).inputs)
    except (CaseError, ValueError, KeyError):
        return GENERIC_PATHS


def export_case(case_path: str | Path, out_path: str | Path) -> Path:
    """Write the TOML case `case_path` as a case workbook at `out_path`; returns its path.

    Every key of the file is written (comments are not: a workbook has no place for them); importing
    the workbook gives the same case (docs/excel.md).

    Raises
    ------
    CaseError
        For a file that cannot be read or is not TOML, or a key the workbook cannot hold.
    UsageError, OutputError
        For an output that is not ``.xlsx``, or a folder that does not exist or cannot be written.
    """
    target = check_writable(out_path, "output", WORKBOOK_SUFFIXES)
    raw, _ = read_toml(case_path)
    workbook = case_workbook(raw, source=str(case_path), input_paths=_input_paths(case_path))
    return write_atomic(target, workbook.save)


def case_workbook(
    raw: dict[str, Any],
    *,
    source: str = "<case>",
    template: bool = False,
    input_paths: tuple[str, ...] = GENERIC_PATHS,
) -> Any:
    """The openpyxl workbook of a case's raw TOML dict (not saved); `input_paths` are offered in the
    drop-down lists of the sheets Korrelationer and Grupper.

    Raises
    ------
    CaseError
        Naming every key the layout cannot hold.
    """
    writer = _Writer(raw, source, template, input_paths)
    workbook = writer.build()
    _paths_sheet(workbook, input_paths)
    if writer.problems:
        raise CaseError(writer.problems)
    return workbook


class _Writer:
    """Lays out one case; collects what cannot be laid out as problems."""

    def __init__(self, raw: dict[str, Any], source: str, template: bool, paths: tuple[str, ...]) -> None:
        from openpyxl import Workbook

        self.raw = raw
        self.source = source
        self.template = template
        self.problems: list[Problem] = []
        self.empirical: list[tuple[str, list[Any]]] = []
        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        self.paths_list = f"'{PATHS_SHEET}'!$A$1:$A${max(len(paths), 1)}"
        actors = self._table("case").get("actors")
        if isinstance(actors, list) and actors:
            self.actor_list = f"'{L.AKTOERER}'!$A${L.FIRST_ROW}:$A${VALIDATION_ROWS + L.FIRST_ROW - 1}"
        else:  # no actors given: the defaults
            self.actor_list = '"' + ",".join(DEFAULT_ACTORS) + '"'

    def problem(self, path: str, message: str, value: Any = Problem.NO_VALUE) -> None:
        self.problems.append(Problem(self.source, path, message, value))

    # --- the raw dict ------------------------------------------------------------------------
    def _table(self, section: str) -> dict[str, Any]:
        value = self.raw.get(section, {})
        return value if isinstance(value, dict) else {}

    def _items(self, section: str) -> list[dict[str, Any]]:
        value = self.raw.get(section, [])
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
        return []

    def _check_shapes(self) -> None:
        """Sections of the wrong shape, and keys no sheet has a place for."""
        known = {
            section: {k.name for keys in L.KEY_SHEETS.values() for k in keys if k.section == section}
            for section in L.TABLE_SECTIONS
        }
        known["case"].add("actors")
        known["economy"].add("price_index")
        for section, value in self.raw.items():
            if section in known:
                if not isinstance(value, dict):
                    self.problem(section, f"expected a table written as [{section}]", value)
                    continue
                for key in value:
                    if key not in known[section]:
                        self.problem(f"{section}.{key}", "unknown key: the workbook has no place for it")
            elif section in L.LIST_SECTIONS:
                if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                    self.problem(section, f"expected tables written as [[{section}]]", value)
                for index, item in enumerate(value if isinstance(value, list) else []):
                    if item == {}:
                        self.problem(
                            f"{section}[{index + 1}]", "an empty table: the workbook has no row for it"
                        )
            else:
                self.problem(section, "unknown section: the workbook has no place for it", value)

    # --- cells -------------------------------------------------------------------------------
    def _scalar(self, path: str, value: Any) -> bool:
        if isinstance(value, str | int | float):  # bool is an int
            return True
        self.problem(path, "expected one number or text here: the workbook cell cannot hold it", value)
        return False

    def _list(self, path: str, value: Any) -> list[Any]:
        if isinstance(value, list) and all(self._scalar(f"{path}.{i}", v) for i, v in enumerate(value)):
            return value
        if not isinstance(value, list):
            self.problem(path, "expected a list [...]", value)
        return []

    def _input(self, path: str, value: Any) -> dict[str, Any]:
        """The INPUT_COLUMNS of a number or a distribution table."""
        if not isinstance(value, dict):
            return {"value": value} if self._scalar(path, value) else {}
        if "dist" not in value:
            self.problem(path, "a distribution table needs `dist`; the workbook cannot hold it", value)
            return {}
        cells: dict[str, Any] = {}
        for key, item in value.items():
            where = f"{path}.{key}"
            if key in PAIR_COLUMNS:
                if isinstance(item, list) and len(item) == 2 and all(self._scalar(where, v) for v in item):
                    low, high = PAIR_COLUMNS[key]
                    cells[low], cells[high] = item
                else:
                    self.problem(where, "expected [low, high]: two numbers", item)
            elif key == "values" and value["dist"] == "empirical":
                self.empirical.append((path, self._list(where, item)))
            elif key in _DIST_KEYS and self._scalar(where, item):
                cells[key] = item
            elif key not in _DIST_KEYS:
                self.problem(where, "unknown key: the workbook has no column for it", item)
        return cells

    # --- sheets ------------------------------------------------------------------------------
    def build(self) -> Any:
        self._check_shapes()
        for title in L.SHEETS:
            if title in L.KEY_SHEETS:
                self._key_sheet(title)
            elif title == L.AKTOERER:
                self._actors()
            elif title in (L.OMK, L.SAMMENLIGNING):
                self._costs(title, "costs" if title == L.OMK else "comparison_costs")
            elif title == L.KONSEKVENSER:
                self._consequences()
            elif title == L.PRISINDEKS:
                self._price_index()
            elif title == L.KORRELATIONER:
                self._correlations()
            elif title == L.GRUPPER:
                self._groups()
            elif title == L.SCENARIER:
                self._scenarios()
            elif title == L.EMPIRICAL:
                self._empirical()
            elif title == L.HELP:
                _help_sheet(self.workbook)
        return self.workbook

    def _key_sheet(self, title: str) -> None:
        rows: list[dict[str, Any]] = []
        for key in L.KEY_SHEETS[title]:
            table = self._table(key.section)
            if key.name not in table:
                rows.extend({"key": key.name} for _ in range(key.template_rows if self.template else 1))
                continue
            value, path = table[key.name], f"{key.section}.{key.name}"
            if key.repeat and key.name != "years" and not isinstance(value, list):
                self.problem(path, "expected a list [...]", value)
                continue
            values = value if key.repeat and isinstance(value, list) else [value]
            for i, item in enumerate(values):
                where = f"{path}.{i}" if values is value else path
                if key.kind == "input":
                    rows.append({"key": key.name, **self._input(where, item)})
                elif self._scalar(where, item):
                    rows.append({"key": key.name, "value": item})
        sheet = self._sheet(title, rows)
        helps = {key.name: key.help for key in L.KEY_SHEETS[title]}
        for row in range(L.FIRST_ROW, len(rows) + L.FIRST_ROW):
            cell = sheet.cell(row, 1)
            cell.comment = _comment(helps.get(cell.value, ""))
        self._lists(sheet, {"key": '"' + ",".join(helps) + '"'}, len(rows))

    def _actors(self) -> None:
        actors = self._table("case").get("actors", [])
        rows = [{"actor": a} for a in self._list("case.actors", actors)]
        self._sheet(L.AKTOERER, rows)

    def _costs(self, title: str, section: str) -> None:
        items = self._items(section)
        rows = []
        for i, item in enumerate(items):
            path = f"{section}{item_suffix(items, i)}"
            row: dict[str, Any] = {}
            for key, value in item.items():
                if key == "amount":
                    row.update(self._input(f"{path}.amount", value))
                elif key == "years":
                    self._pair(
                        row, f"{path}.years", value, ("years_first", "years_last"), "[first, last]: two years"
                    )
                else:
                    self._own(row, path, key, value, L.ROW_SHEETS[title])
            rows.append(row)
        sheet = self._sheet(title, rows)
        self._lists(sheet, {"actor": self.actor_list, "kind": '"fixed,per_participant"'}, len(rows))

    def _pair(self, row: dict[str, Any], path: str, value: Any, columns: tuple[str, str], what: str) -> None:
        """A list of two (``years = [first, last]``, a correlation's inputs) in two columns."""
        items = self._list(path, value)
        if len(items) == 2:
            row[columns[0]], row[columns[1]] = items
        elif isinstance(value, list):
            self.problem(path, f"expected {what}", value)

    def _own(self, row: dict[str, Any], path: str, key: str, value: Any, spec: L.RowSheet) -> None:
        """A key with a column of its own on a row sheet."""
        if key in dict(spec.columns) and key not in L.DERIVED:
            if self._scalar(f"{path}.{key}", value):
                row[key] = value
        else:
            self.problem(f"{path}.{key}", "unknown key: the workbook has no column for it", value)

    def _consequences(self) -> None:
        items = self._items("consequences")
        names = [item.get("name") for item in items]
        rows, prices, factors, spills, during = [], [], [], [], []
        for i, item in enumerate(items):
            path = f"consequences{item_suffix(items, i)}"
            row: dict[str, Any] = {}
            spill: list[Any] = []
            in_course: dict[str, Any] = {}  # its row on the sheet Under indsatsen
            for key, value in item.items():
                if key == "change":
                    row.update(self._input(f"{path}.change", value))
                elif key == "profile":
                    spill = self._list(f"{path}.profile", value)
                elif key in ("during", "during_years") and (
                    not isinstance(item.get("name"), str) or names.count(item["name"]) > 1
                ):
                    self.problem(
                        f"{path}.{key}",
                        "a change during the course needs the consequence's name, once in the case, to go "
                        "on its own sheet",
                    )
                elif key == "during":
                    in_course.update(self._input(f"{path}.during", value))
                elif key == "during_years":
                    if self._scalar(f"{path}.during_years", value):
                        in_course["during_years"] = value
                elif key in ("price", "price_factor") and (isinstance(value, dict) or key == "price_factor"):
                    if not isinstance(item.get("name"), str) or names.count(item["name"]) > 1:
                        self.problem(
                            f"{path}.{key}",
                            "prices need the consequence's name, once in the case, to go on their own sheet",
                        )
                    elif key == "price_factor":
                        factors.append({"consequence": item["name"], **self._input(f"{path}.{key}", value)})
                    else:
                        prices.extend(
                            {
                                "consequence": item["name"],
                                "actor": actor,
                                **self._input(f"{path}.price.{actor}", v),
                            }
                            for actor, v in value.items()
                        )
                else:
                    self._own(row, path, key, value, L.ROW_SHEETS[L.KONSEKVENSER])
            rows.append(row)
            spills.append(spill)
            if in_course:
                during.append({"consequence": item["name"], **in_course})
        sheet = self._sheet(L.KONSEKVENSER, rows)
        _spill(sheet, spills)
        self._lists(sheet, {"category": '"' + ",".join(CATEGORIES) + '"', "price": '"catalog"'}, len(rows))
        names_list = f"'{L.KONSEKVENSER}'!$A${L.FIRST_ROW}:$A${VALIDATION_ROWS + L.FIRST_ROW - 1}"
        for title, table in ((L.PRISER, prices), (L.PRISFAKTORER, factors), (L.UNDER_INDSATSEN, during)):
            sheet = self._sheet(title, table)
            self._lists(sheet, {"consequence": names_list, "actor": self.actor_list}, len(table))

    def _price_index(self) -> None:
        """``[economy] price_index = { 2024 = 120.0 }``: one row per year (a key that is not a year
        is written as text, and the import reports it)."""
        index = self._table("economy").get("price_index", {})
        rows = []
        if not isinstance(index, dict):
            self.problem("economy.price_index", "expected a table of years and index values", index)
            index = {}
        for year, value in index.items():
            if self._scalar(f"economy.price_index.{year}", value):
                rows.append(
                    {
                        "index_year": int(year) if year.isascii() and year.isdigit() else year,
                        "index_value": value,
                    }
                )
        self._sheet(L.PRISINDEKS, rows)

    def _correlations(self) -> None:
        items = self._items("correlations")
        rows = []
        for i, item in enumerate(items):
            path, row = f"correlations[{i + 1}]", {}
            for key, value in item.items():
                if key == "inputs":
                    self._pair(row, f"{path}.inputs", value, ("input_1", "input_2"), "two inputs")
                else:
                    self._own(row, path, key, value, L.ROW_SHEETS[L.KORRELATIONER])
            rows.append(row)
        sheet = self._sheet(L.KORRELATIONER, rows)
        self._lists(sheet, {"input_1": self.paths_list, "input_2": self.paths_list}, len(rows))

    def _groups(self) -> None:
        items = self._items("groups")
        rows, spills = [], []
        for i, item in enumerate(items):
            path, row, spill = f"groups{item_suffix(items, i)}", {}, []
            for key, value in item.items():
                if key == "inputs":
                    spill = self._list(f"{path}.inputs", value)
                else:
                    self._own(row, path, key, value, L.ROW_SHEETS[L.GRUPPER])
            rows.append(row)
            spills.append(spill)
        sheet = self._sheet(L.GRUPPER, rows)
        first = sheet.max_column
        _spill(sheet, spills)
        longest = max((len(spill) for spill in spills), default=0)
        _path_lists(sheet, self.paths_list, first, max(longest, _GROUP_INPUT_COLUMNS), len(rows))

    def _scenarios(self) -> None:
        """One row per changed input: the scenario's name, set or scale, the input's path, the value."""
        rows = []
        for i, item in enumerate(self._items("scenarios")):
            path = f"scenarios[{i + 1}]"
            name = item.get("name")
            if not isinstance(name, str):
                self.problem(f"{path}.name", "a scenario needs its name (text) to go on its rows", name)
                continue
            for key in item:
                if key not in ("name", "set", "scale"):
                    self.problem(f"{path}.{key}", "unknown key: the workbook has no column for it")
            changes = [(kind, item.get(kind)) for kind in ("set", "scale") if kind in item]
            if not any(isinstance(table, dict) and table for _, table in changes):
                self.problem(path, "a scenario without set or scale: the workbook has no row for it")
            for kind, table in changes:
                if not isinstance(table, dict):
                    self.problem(f"{path}.{kind}", "expected a table { path = value, ... }", table)
                    continue
                for input_path, value in table.items():
                    where = f"{path}.{kind}.{input_path}"
                    if isinstance(value, dict) and value.get("dist") == "empirical":
                        self.problem(
                            where, "an empirical distribution in a scenario: keep it in the TOML file"
                        )
                        continue
                    cells = self._input(where, value) if kind == "set" else self._scale_cells(where, value)
                    rows.append({"scenario": name, "change": kind, "input": input_path, **cells})
        sheet = self._sheet(L.SCENARIER, rows)
        self._lists(sheet, {"change": '"set,scale"'}, len(rows))

    def _scale_cells(self, path: str, value: Any) -> dict[str, Any]:
        return {"value": value} if self._scalar(path, value) else {}

    def _empirical(self) -> None:
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(L.EMPIRICAL)
        sheet.freeze_panes = "A2"
        for column, (path, values) in enumerate(self.empirical, start=1):
            _put(sheet.cell(1, column), path)
            _style_header(sheet.cell(1, column))
            for row, value in enumerate(values, start=2):
                _put(sheet.cell(row, column), value)
            sheet.column_dimensions[get_column_letter(column)].width = max(14, len(path) + 2)

    # --- writing -----------------------------------------------------------------------------
    def _sheet(self, title: str, rows: list[dict[str, Any]]) -> Any:
        """A sheet with its header (:func:`layout.header`) and a row per dict of column -> value."""
        from openpyxl.utils import get_column_letter

        header = L.header(title)
        assert header is not None, title
        sheet = self.workbook.create_sheet(title)
        sheet.freeze_panes = f"B{L.FIRST_ROW}" if len(header) > 1 else f"A{L.FIRST_ROW}"
        sheet.row_dimensions[L.CAPTION_ROW].height = 30  # two lines of a wrapped caption
        for column, name in enumerate(header, start=1):
            _header_cells(sheet, column, name)
            for r, row in enumerate(rows, start=L.FIRST_ROW):
                if name in row:
                    try:
                        _put(sheet.cell(r, column), row[name])
                    except ValueError:  # openpyxl's IllegalCharacterError
                        self.problem(
                            "", f"sheet {title}: text with control characters Excel cannot hold", row[name]
                        )
            lengths = [len(str(row.get(name, ""))) for row in rows]
            width = max([len(name) + 3, min(len(L.caption(name)), 18) + 2, 10, *lengths])
            sheet.column_dimensions[get_column_letter(column)].width = min(width, _MAX_WIDTH)
        if header and header[0] == "key":
            for r in range(L.FIRST_ROW, len(rows) + L.FIRST_ROW):
                sheet.cell(r, 1).font = _bold()
        if "dist" in header:
            _needed_columns(sheet, header, max(len(rows), VALIDATION_ROWS))
        sheet.print_title_rows = f"{L.CAPTION_ROW}:{L.KEY_ROW}"
        _print_setup(sheet, landscape=len(header) > 8)
        return sheet

    def _lists(self, sheet: Any, lists: dict[str, str], rows: int) -> None:
        """Drop-down lists: `lists` maps a column to its list (a range, or quoted comma-separated names)."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        lists = {"dist": '"' + ",".join(FAMILIES) + '"', **lists}
        last = max(rows, VALIDATION_ROWS) + L.FIRST_ROW - 1
        for column in range(1, sheet.max_column + 1):
            name = sheet.cell(L.KEY_ROW, column).value
            if name not in lists:
                continue
            strict = name in ("dist", "kind", "category", "price", "key")  # a path may be new: a warning
            validation = DataValidation(
                type="list",
                formula1=lists[name],
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if strict else "warning",
                errorTitle="somrisk",
                error=f"Vælg {name} fra listen (se arket Hjælp).",
            )
            sheet.add_data_validation(validation)
            letter = get_column_letter(column)
            validation.add(f"{letter}{L.FIRST_ROW}:{letter}{last}")


def _put(cell: Any, value: Any) -> None:
    """Write a value so that it reads back exactly: text stays text, never a formula, whatever its
    first character (``=HYPERLINK(...)`` in a case's name), and a number keeps all 17 significant
    digits (openpyxl writes 16; Excel itself reads and keeps 17). Every cell of a case workbook is
    written through here."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, int | float) and not isinstance(value, bool) and float(f"{value:.16g}") != value:
        cell._value = repr(value)  # written as the cell's <v> text, as is: the shortest exact form


def _spill(sheet: Any, spills: list[list[Any]]) -> None:
    """Write each row's list from the sheet's last column rightwards."""
    from openpyxl.utils import get_column_letter

    first = sheet.max_column
    for r, values in enumerate(spills, start=L.FIRST_ROW):
        for k, value in enumerate(values):
            _put(sheet.cell(r, first + k), value)
    longest = max((len(values) for values in spills), default=0)
    for k in range(1, longest):
        _style_header(sheet.cell(L.CAPTION_ROW, first + k))
        _style_header(sheet.cell(L.KEY_ROW, first + k))
        sheet.column_dimensions[get_column_letter(first + k)].width = 10


def _header_cells(sheet: Any, column: int, name: str) -> None:
    """A column's Danish caption (bold, wrapped, with the column's help as a comment) above its key
    (small and grey: the reader's, not the analyst's)."""
    from openpyxl.styles import Alignment, Font

    top, key = sheet.cell(L.CAPTION_ROW, column), sheet.cell(L.KEY_ROW, column)
    _put(top, L.caption(name))
    _style_header(top)
    top.alignment = Alignment(wrap_text=True, vertical="bottom")
    top.comment = _comment(L.COLUMN_HELP.get(name, ""))
    _put(key, name)
    key.font = Font(size=8, color="808080")
    key.fill = _fill(_HEADER_FILL)


def _needed_columns(sheet: Any, header: list[str], rows: int) -> None:
    """Conditional formatting: in each row, the parameter columns its distribution needs are filled
    (``min``, ``mode`` and ``max`` for ``dist = pert``; ``value`` for ``fixed``)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.utils import get_column_letter

    dist = get_column_letter(header.index("dist") + 1)
    first, last = L.FIRST_ROW, rows + L.FIRST_ROW - 1
    for k, name in enumerate(header, start=1):
        families = [family for family, spec in FAMILIES.items() if name in spec.columns]
        if not families:
            continue
        test = ",".join(f'${dist}{first}="{family}"' for family in families)
        letter = get_column_letter(k)
        rule = FormulaRule(formula=[f"OR({test})"], fill=_fill(_NEEDED_FILL), stopIfTrue=False)
        sheet.conditional_formatting.add(f"{letter}{first}:{letter}{last}", rule)


#: Columns of a group's inputs that get the drop-down list of paths (more where a group has more).
_GROUP_INPUT_COLUMNS = 12


def _paths_sheet(workbook: Any, paths: tuple[str, ...]) -> None:
    """The hidden sheet Stier: the input paths the drop-down lists offer (not read on import)."""
    sheet = workbook.create_sheet(PATHS_SHEET)
    sheet.sheet_state = "hidden"
    for row, path in enumerate(paths, start=1):
        _put(sheet.cell(row, 1), path)
    sheet.column_dimensions["A"].width = max([20, *(len(p) + 2 for p in paths)])


def _path_lists(sheet: Any, paths: str, first: int, columns: int, rows: int) -> None:
    """The drop-down list `paths` (of input paths) on `columns` columns from `first` (a group's
    inputs)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(
        type="list",
        formula1=paths,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="somrisk",
        error="Vælg et inputs sti fra listen (se arket Hjælp).",
    )
    sheet.add_data_validation(validation)
    last = max(rows, VALIDATION_ROWS) + L.FIRST_ROW - 1
    validation.add(f"{get_column_letter(first)}{L.FIRST_ROW}:{get_column_letter(first + columns - 1)}{last}")


def _print_setup(sheet: Any, *, landscape: bool) -> None:
    """A4, one page wide, as many pages down as needed."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _style_header(cell: Any) -> None:
    cell.font = _bold()
    cell.fill = _fill(_HEADER_FILL)


def _bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True)


def _comment(text: str) -> Any:
    from openpyxl.comments import Comment

    if not text:
        return None
    comment = Comment(text, "somrisk")
    comment.width, comment.height = 320, 110
    return comment


def _help_sheet(workbook: Any) -> None:
    """The sheet "Hjælp": how to fill in the workbook, in Danish."""
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(L.HELP)
    sheet.column_dimensions["A"].width = _HELP_WIDTHS[0]
    sheet.column_dimensions["B"].width = _HELP_WIDTHS[1]
    rows: list[tuple[str, str, str]] = []  # (style, column A, column B)
    rows.append(("title", "Sag som Excel-projektmappe (somrisk)", ""))
    rows.extend(("text", "", line) for line in L.INTRO)
    rows.append(("head", "Usikre værdier", "Kolonnerne value, dist og fordelingens kolonner:"))
    rows.extend(("text", name or "(tom dist)", text) for name, text in L.DIST_HELP.items())
    rows.append(
        ("text", "base, source", "Alle fordelinger: " + L.COLUMN_HELP["base"] + " " + L.COLUMN_HELP["source"])
    )
    for title in L.SHEETS[:-1]:
        rows.append(("head", title, L.SHEET_HELP[title]))
        if title in L.KEY_SHEETS:
            rows.extend(("text", key.name, key.help) for key in L.KEY_SHEETS[title])
        elif title in L.ROW_SHEETS:
            spec = L.ROW_SHEETS[title]
            rows.extend(("text", name, L.COLUMN_HELP[name]) for name, _ in spec.columns)
            if spec.input:
                rows.append(
                    (
                        "text",
                        "value, dist, ...",
                        f"{spec.input}: et fast tal eller en fordeling (se ovenfor).",
                    )
                )
            if spec.spill:
                rows.append(("text", spec.spill[0], L.COLUMN_HELP[spec.spill[0]]))
    for r, (style, first, second) in enumerate(rows, start=1):
        a, b = sheet.cell(r, 1), sheet.cell(r, 2)
        _put(a, first or None)
        _put(b, second or None)
        b.alignment = Alignment(wrap_text=True, vertical="top")
        a.alignment = Alignment(wrap_text=True, vertical="top")
        # LibreOffice shows a row at its stored height, and openpyxl stores none: give each row the
        # height of its wrapped text, so that every line shows on screen and on paper
        sheet.row_dimensions[r].height = _LINE_HEIGHT * max(
            _lines(first, _HELP_WIDTHS[0]), _lines(second, _HELP_WIDTHS[1])
        )
        if style == "title":
            a.font = Font(bold=True, size=14)
            a.alignment = Alignment(vertical="top")  # one line, over the empty cell beside it
            sheet.row_dimensions[r].height = 24
        elif style == "head":
            a.font = b.font = Font(bold=True)
            a.fill = b.fill = _fill(_KEY_FILL)
    sheet.print_title_rows = None
    _print_setup(sheet, landscape=False)
    sheet.page_margins.left = sheet.page_margins.right = 0.5


#: The help sheet's column widths (in characters): together they fit the width of an A4 page.
_HELP_WIDTHS = (22, 78)
#: Points per line of wrapped text (Calibri 11), and the characters a line of width w holds at most.
_LINE_HEIGHT = 15.0


def _lines(text: str, width: int) -> int:
    """Lines `text` takes when wrapped in a column `width` characters wide (by whole words; a little
    generous, as proportional fonts vary)."""
    if not text:
        return 1
    lines, used = 1, 0
    room = width - 2
    for word in text.split():
        if used and used + 1 + len(word) > room:
            lines, used = lines + 1 + len(word) // room, len(word) % room
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _fill(color: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=color)
