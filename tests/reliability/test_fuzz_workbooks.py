"""Fuzzing: valid case workbooks, mutated at random, never crash ``somrisk excel import``.

Each example starts from a workbook that ``somrisk excel export`` wrote for a valid case (the bundled
example, a case of cases/ and a small case with most distribution families, an empirical
distribution, a profile, a group and correlations), applies one to three mutations to its cells, rows,
columns and sheets (a cell cleared; text, numbers, NaN, infinity, huge, negative and zero numbers,
booleans, dates, error values and formulas with and without a computed value put in it; an unknown
distribution, actor, key or input path; a row deleted or duplicated; a sheet deleted or renamed; a
column header renamed, deleted or added; columns swapped; broken correlations), saves it and runs
``somrisk excel import`` in-process; when the import succeeds, also ``somrisk check`` and
``somrisk run`` on the TOML file it wrote. The promise (docs/excel.md): exit 0, or exit 2 with one
message per problem naming the workbook, the sheet and the cell (the sheet alone where nothing in it
holds the problem: a missing sheet or key); never a traceback and never exit 1 (an internal error,
i.e. a bug); no TOML file unless the import succeeds; and a case the import accepts is one ``check``
and ``run`` accept.

The examples are few so that the file runs in seconds; ``HYPOTHESIS_PROFILE=long`` (tests/conftest.py)
runs 1,000 of each (docs/reliability.md, "Fuzzing").
"""

from __future__ import annotations

import datetime
import math
import re
import tempfile
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from reliability.test_fuzz import SMALL as FUZZ_SMALL
from reliability.test_fuzz import assert_finite_json
from somrisk.case.schema import CATEGORIES
from somrisk.distributions import FAMILIES
from somrisk.io.excel import export_case
from somrisk.io.excel import layout as L
from somrisk.runner import check_case, example_case_path

ROOT = Path(__file__).parents[2]

# ---------------------------------------------------------------------------------------------
# The valid workbooks that are mutated

#: test_fuzz.py's small case, with what a workbook holds differently: cohorts as a list (with an
#: empirical one, on the sheet Empirisk), a parametric persistence, and a source.
SMALL = (
    FUZZ_SMALL.replace("horizon = 4", "horizon = 5")
    .replace(
        'per_year = { dist = "gamma", mean = 12, sd = 3 }\nyears = [0, 1]',
        'cohorts = [{ dist = "gamma", mean = 12, sd = 3 }, 10, { dist = "empirical", values = [8, 9, 12] }]',
    )
    .replace(
        "window = 2\nprofile = [1.0, 0.6]",
        'window = 3\nfull_years = { dist = "pert", min = 1, mode = 2, max = 3 }\ndecay = 0.3',
    )
    .replace("ci95 = [25000, 40000] }", 'ci95 = [25000, 40000], source = "budget" }')
)

CASES: dict[str, Callable[[Path], Path]] = {
    "example": lambda folder: example_case_path(),
    "housing-first": lambda folder: ROOT / "cases" / "housing-first.toml",
    "small": lambda folder: _write(folder / "small.toml", SMALL),
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Base:
    """A valid case's workbook and the words a mutation may use in its cells.

    The workbook is read from its file for each example, so that the test's arguments stay small:
    with the workbook's bytes in an argument, hypothesis (6.170) reported flaky data generation
    while shrinking a failure.
    """

    workbook: Path
    paths: tuple[str, ...] = field(repr=False)  # the case's input paths
    names: tuple[str, ...] = field(repr=False)  # the names of its costs and consequences


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Base]:
    """Each case of CASES exported to a workbook once per module."""
    folder = tmp_path_factory.mktemp("bases")
    made = {}
    for name, case in CASES.items():
        path = case(folder)
        workbook = export_case(path, folder / f"{name}.xlsx")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        names = [item["name"] for section in ("costs", "consequences") for item in raw.get(section, [])]
        paths = [spec.path for spec in check_case(path).space.inputs]
        made[name] = Base(workbook, tuple(paths), tuple(names))
    return made


# ---------------------------------------------------------------------------------------------
# What may be put in a cell


@dataclass(frozen=True)
class Raw:
    """A cell's value as the file holds it, written into the file after saving (openpyxl writes no
    such value): with `formula`, the value Excel computed and saved for a formula."""

    text: str
    kind: str = "n"  # the cell's type in the file: t="n", "str", "e" or "b"
    formula: bool = False


#: Numbers no double holds, written as Excel never does (openpyxl reads infinity, and the int).
INFINITY = Raw("1e999")
MINUS_INFINITY = Raw("-1e999")
HUGE_INT = Raw("1" + "0" * 400)

ERROR_VALUES = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!"]
TEXTS = [
    "text",
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e300",
    "100 000",
    "0,5",
    "-5",
    "kommune",
    "catalog",
    "a.b",
    "Æblegrød",
    *ERROR_VALUES,
]
NUMBERS = [
    math.nan,  # openpyxl saves NaN and infinity as empty cells
    math.inf,
    INFINITY,
    MINUS_INFINITY,
    1e300,
    -1e300,
    1e-300,
    10**30,
    -(10**30),
    2**63,
    HUGE_INT,
    0,
    0.0,
    -0.0,
    -1,
    -0.5,
    0.5,
    1,
    1.5,
    2,
    3,
    50,
    51,
    2024,
    9999,
    10000,
    1e15,
    -1e15,
    1e16,
]
OTHERS = [
    True,
    False,
    datetime.date(2025, 1, 1),
    datetime.datetime(2025, 1, 1, 12, 30),
    datetime.time(12, 0),
    datetime.timedelta(days=2),
    "=A1+1",  # a formula without a computed value
    "=1/0",
    "=Sag!B6",
    Raw("42", formula=True),
    Raw("-0.5", formula=True),
    Raw("text", "str", formula=True),
    Raw("#DIV/0!", "e", formula=True),
    Raw("1", "b", formula=True),
    Raw("1e999", formula=True),
    Raw(HUGE_INT.text, formula=True),
]
DISTS = [*FAMILIES, "poisson", "Normal", "pert ", "catalog", "number", "empirical"]
ACTORS = ["kommune", "region", "stat", "amt", "Kommune", "total", "a.b", "Borger og pårørende"]
KEYS = [key.name for keys in L.KEY_SHEETS.values() for key in keys]
COLUMNS = sorted(
    {"key", *L.INPUT_COLUMNS, *(c for s in L.ROW_SHEETS.values() for c, _ in s.columns), "profile", "inputs"}
)
RANKS = [2, -2, 1, -1, 0, 0.999, 1.0000001, "0.5", math.nan, INFINITY, True, None]
UNKNOWN_PATHS = ["effect.nope", "costs.nope.amount", "participants.cohorts.99", "consequences", "", "effect"]


def words(base: Base) -> dict[str, list[Any]]:
    """What fits (or nearly fits) each column, by its header: values the reader must understand."""
    paths = [*base.paths, *UNKNOWN_PATHS]
    return {
        "dist": DISTS,
        "actor": ACTORS,
        "kind": ["fixed", "per_participant", "monthly", "Fixed"],
        "key": [*KEYS, "bogus", "Name", "actors"],
        "input_1": paths,
        "input_2": paths,
        "inputs": paths,
        "price": ["catalog", "Catalog", "kommune"],
        "name": [*base.names, "nope", "Bad Name", "x" * 100],
        "consequence": [*base.names, "nope"],
        "category": [*CATEGORIES, "bogus"],
        "rank": RANKS,
        "source": ["a study", 1],
    }


@st.composite
def values(draw: st.DrawFn, base: Base, column: Any = None) -> Any:
    """A value for a cell: one that suits its column (by the header's name), or anything."""
    fitting = words(base).get(column)
    pools = [TEXTS, NUMBERS, OTHERS, DISTS, base.paths]
    if fitting:
        pools = [fitting, fitting, *pools]
    return draw(st.one_of(st.sampled_from(pools[draw(st.integers(0, len(pools) - 1))]), st.floats(-1e6, 1e6)))


# ---------------------------------------------------------------------------------------------
# Mutations


@dataclass
class Mutant:
    """A workbook being mutated; `raw` holds the values written into its file after saving."""

    book: Workbook = field(repr=False)
    base: Base = field(repr=False)
    raw: list[Raw] = field(default_factory=list)
    lies: list[tuple[int, int]] = field(default_factory=list)  # (entry, size) for the zip's directory
    #: (sheet, row, column, value) written just before saving: a far cell makes a sheet's span huge,
    #: which the mutations that follow would walk through cell by cell
    far: list[tuple[str, int, int, Any]] = field(default_factory=list)

    def set(self, ws: Any, row: int, column: int, value: Any) -> None:
        """Put `value` in a cell (a Raw value: a marker, replaced in the file after saving)."""
        if isinstance(value, Raw):
            self.raw.append(value)
            marker = 7_777_777_000 + len(self.raw)
            value = f"=0*1+{marker}" if value.formula else marker
        ws.cell(row, column).value = value

    def save(self, path: Path) -> Path:
        """Save the workbook, then write the Raw values into the file, then the lies into its directory."""
        self._save(path)
        for entry, size in self.lies:
            lie_about_size(path, entry, size)
        return path

    def _save(self, path: Path) -> Path:
        for title, row, column, value in self.far:
            if title in self.book.sheetnames and isinstance(self.book[title], Worksheet):
                self.set(self.book[title], row, column, value)
        self.book.save(path)
        if not self.raw:
            return path
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        for name, data in files.items():
            if name.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                for k, value in enumerate(self.raw, 7_777_777_001):
                    if value.formula:
                        old, new = (
                            rf"<c ([^>]*)><f>0\*1\+{k}</f><v\s*/>",
                            rf"<f>0*1+{k}</f><v>{value.text}</v>",
                        )
                    else:
                        old, new = rf"<c ([^>]*?)(?: t=\"n\")?><v>{k}</v>", f"<v>{value.text}</v>"
                    text = re.sub(old, lambda m, v=value, new=new: f'<c {m[1]} t="{v.kind}">{new}', text)
                files[name] = text.encode("utf-8")
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return path


def key_row(ws: Any) -> int:
    """The row of the sheet's column names: row 2, under the Danish captions (row 1 on Empirisk,
    whose columns are input paths, and on sheets of one's own)."""
    return L.KEY_ROW if ws.title in L.SHEETS and L.header(ws.title) is not None else 1


def header(ws: Any) -> dict[str, int]:
    """The sheet's column names (its key row) -> column index."""
    return {str(c.value).strip(): c.column for c in ws[key_row(ws)] if c.value is not None}


def column_name(ws: Any, column: int) -> Any:
    return ws.cell(key_row(ws), column).value


@st.composite
def sheets(draw: st.DrawFn, mutant: Mutant) -> Any:
    """One of the workbook's worksheets (not a chart sheet)."""
    return draw(st.sampled_from(mutant.book.worksheets))


def worksheet(mutant: Mutant, title: str) -> Any:
    """The worksheet of this title; None where there is none (deleted, or a chart sheet)."""
    ws = mutant.book[title] if title in mutant.book.sheetnames else None
    return ws if isinstance(ws, Worksheet) else None


# Each mutation changes the workbook in place (draw: hypothesis's draw) and says what it did.
Mutation = Callable[[st.DrawFn, Mutant], str]


def _cell(draw: st.DrawFn, mutant: Mutant) -> str:
    """Clear a cell or put any value in it: a filled cell, or one of the used range or next to it."""
    ws = draw(sheets(mutant))
    filled = [(c.row, c.column) for cells in ws.iter_rows() for c in cells if c.value is not None]
    if filled and draw(st.booleans()):
        row, column = draw(st.sampled_from(filled))
    else:
        row, column = draw(st.integers(1, ws.max_row + 1)), draw(st.integers(1, ws.max_column + 1))
    value = None if draw(st.integers(0, 4)) == 0 else draw(values(mutant.base, column_name(ws, column)))
    mutant.set(ws, row, column, value)
    return f"{ws.title}!{ws.cell(row, column).coordinate} = {value!r}"


def _nudge(draw: st.DrawFn, mutant: Mutant) -> str:
    """Scale a number in a filled cell: a little (the case often stays valid), to zero, negative or huge."""
    ws = draw(sheets(mutant))
    numbers = [
        c
        for cells in ws.iter_rows()
        for c in cells
        if isinstance(c.value, int | float) and c.data_type == "n"
    ]
    if not numbers:
        return "nothing"
    cell = draw(st.sampled_from(numbers))
    factor = draw(st.sampled_from([0.5, 0.9, 1.1, 2, 1, 0, -1, 1e6, 1e-6, 1e300]))
    cell.value *= factor
    return f"{ws.title}!{cell.coordinate} * {factor}"


def _row(draw: st.DrawFn, mutant: Mutant) -> str:
    """Delete a row (the header too), or duplicate one (right below it, or at the end)."""
    ws = draw(sheets(mutant))
    row = draw(st.integers(1, max(ws.max_row, 1)))
    how = draw(st.sampled_from(["delete", "duplicate below", "duplicate at the end"]))
    if how == "delete":
        ws.delete_rows(row)
    else:
        copy = [c.value for c in ws[row]]
        target = ws.max_row + 1
        if how == "duplicate below":
            ws.insert_rows(row + 1)
            target = row + 1
        for column, value in enumerate(copy, 1):
            ws.cell(target, column).value = value
    return f"{how} row {row} of {ws.title}"


def _column(draw: st.DrawFn, mutant: Mutant) -> str:
    """Rename, delete or add a column header; delete a column; swap two columns (a valid move)."""
    ws = draw(sheets(mutant))
    columns = max(ws.max_column, 1)
    column = draw(st.integers(1, columns))
    how = draw(st.sampled_from(["rename", "clear header", "delete", "add", "swap"]))
    if how == "rename":
        name = draw(
            st.one_of(st.sampled_from(COLUMNS), st.sampled_from(["bogus", "Value", " value ", 5, True]))
        )
        ws.cell(key_row(ws), column).value = name
        return f"{ws.title}: header of column {column} = {name!r}"
    if how == "clear header":
        ws.cell(key_row(ws), column).value = None
    elif how == "delete":
        ws.delete_cols(column)
    elif how == "add":
        column = columns + draw(st.integers(1, 2))
        ws.cell(key_row(ws), column).value = draw(
            st.sampled_from(["bogus", "note", "value", "profile", None])
        )
        for row in draw(st.lists(st.integers(key_row(ws) + 1, ws.max_row + 1), max_size=3)):
            mutant.set(ws, row, column, draw(values(mutant.base)))
    else:
        other = draw(st.integers(1, columns))
        for row in range(1, ws.max_row + 1):
            a, b = ws.cell(row, column), ws.cell(row, other)
            a.value, b.value = b.value, a.value
        return f"{ws.title}: swap columns {column} and {other}"
    return f"{ws.title}: {how} column {column}"


def _sheet(draw: st.DrawFn, mutant: Mutant) -> str:
    """Delete or rename a sheet, empty it (all but its header), put a chart sheet in its place, or add
    a sheet of one's own."""
    ws = draw(sheets(mutant))
    how = draw(st.sampled_from(["delete", "rename", "empty", "chart sheet", "add"]))
    if how == "delete" and len(mutant.book.worksheets) > 1:
        mutant.book.remove(ws)
    elif how == "chart sheet" and len(mutant.book.worksheets) > 1:
        to_chart_sheet(mutant.book, ws)
    elif how == "rename":
        title = draw(st.sampled_from(["sag", f"{ws.title} ", "Ark1", *mutant.book.sheetnames]))
        ws.title = title  # a title already there becomes e.g. "Priser1"
        return f"rename {ws.title!r} to {title!r}"
    elif how == "empty" and ws.max_row > key_row(ws):
        ws.delete_rows(key_row(ws) + 1, ws.max_row)
    elif how == "add":
        mutant.book.create_sheet("Mine tal")["A1"] = "not read"
    return f"{how} sheet {ws.title}"


def to_chart_sheet(book: Workbook, ws: Any) -> None:
    """Put a chart sheet of the same title in the place of the worksheet `ws`."""
    index = book.index(ws)
    book.remove(ws)
    chart = BarChart()
    chart.add_data(Reference(book.worksheets[0], min_col=1, min_row=1, max_row=2))
    book.create_chartsheet(ws.title, index).add_chart(chart)


def _correlation(draw: st.DrawFn, mutant: Mutant) -> str:
    """A row on Korrelationer with inputs known or not and any rank; or three that contradict."""
    ws = worksheet(mutant, L.KORRELATIONER)
    if ws is None:
        return "nothing"
    columns = header(ws)
    where = [columns.get(name, k) for k, name in enumerate(("input_1", "input_2", "rank"), 1)]
    paths = [*mutant.base.paths, *UNKNOWN_PATHS]
    if draw(st.booleans()) and len(mutant.base.paths) >= 3:
        a, b, c = draw(st.lists(st.sampled_from(mutant.base.paths), min_size=3, max_size=3, unique=True))
        rows = [(a, b, 0.9), (b, c, 0.9), (a, c, -0.9)]
    else:
        rows = [(draw(st.sampled_from(paths)), draw(st.sampled_from(paths)), draw(st.sampled_from(RANKS)))]
    for values_ in rows:
        row = ws.max_row + 1
        for column, value in zip(where, values_, strict=True):
            mutant.set(ws, row, column, value)
    return f"correlations {rows}"


def _input(draw: st.DrawFn, mutant: Mutant) -> str:
    """Change a row's dist (to a known or unknown family, or empirical), or one of its parameters."""
    worksheets = [ws for ws in mutant.book.worksheets if "dist" in header(ws)]
    if not worksheets:
        return "nothing"
    ws = draw(st.sampled_from(worksheets))
    columns = header(ws)
    row = draw(st.integers(L.FIRST_ROW, max(ws.max_row, L.FIRST_ROW)))
    name = draw(st.sampled_from(["dist", "dist", *L.INPUT_COLUMNS]))
    value = draw(st.sampled_from(DISTS)) if name == "dist" else draw(values(mutant.base, name))
    mutant.set(ws, row, columns[name] if name in columns else ws.max_column + 1, value)
    return f"{ws.title} row {row}: {name} = {value!r}"


def _empirical(draw: st.DrawFn, mutant: Mutant) -> str:
    """A column on Empirisk headed by an input's path (used or not), with values, gaps or text."""
    ws = worksheet(mutant, L.EMPIRICAL)
    if ws is None:
        return "nothing"
    column = draw(st.integers(1, ws.max_column + 1))
    path = draw(st.sampled_from([*mutant.base.paths, *UNKNOWN_PATHS, None]))
    ws.cell(1, column).value = path
    cells = draw(st.lists(st.one_of(st.none(), values(mutant.base)), max_size=4))
    for row, value in enumerate(cells, 2):
        mutant.set(ws, row, column, value)
    return f"Empirisk column {column} = {path!r}: {cells!r}"


def _actors(draw: st.DrawFn, mutant: Mutant) -> str:
    """No actors, an unknown or repeated one."""
    ws = worksheet(mutant, L.AKTOERER)
    if ws is None:
        return "nothing"
    how = draw(st.sampled_from(["none", "add", "replace"]))
    if how == "none" and ws.max_row > L.KEY_ROW:
        ws.delete_rows(L.FIRST_ROW, ws.max_row)
    actor = draw(st.sampled_from(ACTORS))
    if how == "add":
        ws.cell(ws.max_row + 1, 1).value = actor
    elif how == "replace":
        ws.cell(draw(st.integers(L.FIRST_ROW, max(ws.max_row, L.FIRST_ROW))), 1).value = actor
    return f"actors: {how} {actor!r}"


#: Texts that spreadsheet programs take for formulas; written as text cells they must stay texts.
FORMULA_TEXTS = ["=1+1", '=HYPERLINK("http://example.invalid","klik")', "@SUM(1,2)", "+1", "-1"]
#: Characters a cell can hold that split lines (a message must stay on one line), and others.
ODD_CHARACTERS = ["\n", "\r\n", "\t", "\x85", "\u2028", "\x7f", "\ufeff", "\u200b"]


def lie_about_size(path: Path, index: int, size: int) -> None:
    """Set the uncompressed size of the zip's entry number `index` in its central directory."""
    data = bytearray(path.read_bytes())
    starts = [m.start() for m in re.finditer(rb"PK\x01\x02", data)]
    start = starts[index % len(starts)]
    data[start + 24 : start + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def _extreme(draw: st.DrawFn, mutant: Mutant) -> str:
    """Extreme shapes (docs/reliability.md, "Hostile and extreme files"): long texts, formula-looking
    and odd texts, many rows, long lists, a value in the sheet's last cell, zip entries whose size
    the directory misstates."""
    kind = draw(st.sampled_from(["text", "formula", "odd", "rows", "list", "far", "lie"]))
    ws = draw(sheets(mutant))
    if kind == "lie":
        entry = draw(st.integers(0, 60))
        size = draw(st.sampled_from([0, 1, 100, 2**20, 2**31, 2**32 - 1]))
        mutant.lies.append((entry, size))
        return f"zip entry {entry} declared {size} bytes"
    if kind == "far":
        row, column = draw(st.sampled_from([(1_048_576, 1), (1, 16_384), (1_048_576, 16_384), (100_000, 2)]))
        mutant.far.append((ws.title, row, column, draw(values(mutant.base))))
        return f"{ws.title}!R{row}C{column} filled"
    if kind == "rows":
        count = 1_001
        last = max(ws.max_row, 2)
        template = [c.value for c in ws[last]]
        for r in range(last + 1, last + count):
            for c, value in enumerate(template, 1):
                ws.cell(r, c).value = f"{value}_{r}" if c == 1 and isinstance(value, str) else value
        return f"{ws.title}: {count} rows like row {last}"
    if kind == "list":
        column = ws.max_column + 1
        if ws.title == L.EMPIRICAL:  # down a column: an empirical distribution's values
            count = draw(st.sampled_from([1_001, 1_001, 1_001, 100_001]))
            for r in range(2, 2 + count):
                ws.cell(r, column).value = 0.5
        else:  # along the first data row: a profile, or values in columns without a name (Excel has 16,384)
            count = 1_001
            for k in range(count):
                ws.cell(key_row(ws) + 1, column + k).value = 0.5
        return f"{ws.title}: {count} values from column {column}"
    filled = [c for cells in ws.iter_rows() for c in cells if c.value is not None]
    if not filled:
        return "nothing"
    cell = draw(st.sampled_from(filled))
    if kind == "text":
        cell.value = draw(st.sampled_from(["x", "=", " "])) * draw(st.sampled_from([32_767, 32_768]))
    elif kind == "formula":
        cell.value = draw(st.sampled_from(FORMULA_TEXTS))
    else:
        cell.value = f"{cell.value}{draw(st.sampled_from(ODD_CHARACTERS))}x"
    cell.data_type = "s"  # as text (a formula typed into Excel is another mutation: OTHERS)
    return f"{ws.title}!{cell.coordinate} = {kind} {str(cell.value)[:40]!r}"


#: Changes to single cells are the most varied, so they are drawn as often as all the others together.
MUTATIONS: list[Mutation] = [
    *[_cell] * 5,
    *[_extreme] * 2,
    _nudge,
    _row,
    _column,
    _sheet,
    _correlation,
    _input,
    _empirical,
    _actors,
]


@st.composite
def mutated(draw: st.DrawFn, base: Base) -> tuple[Mutant, list[str]]:
    mutant = Mutant(load_workbook(base.workbook), base)
    done = [draw(st.sampled_from(MUTATIONS))(draw, mutant) for _ in range(draw(st.integers(1, 3)))]
    return mutant, done


# ---------------------------------------------------------------------------------------------
# What every outcome must satisfy

#: Problems of the whole file (no sheet): it cannot be read as a workbook.
WHOLE_FILE = (
    "is not an Excel workbook",
    "holds ",  # the limits of the archive (docs/reliability.md, "Hostile and extreme files")
    "unpacks to",
    "is larger than",
    "has none of the sheets",
    "no such file",
    "cannot be read",
    "is a folder",
)
#: Problems at a sheet without a cell: nothing in the sheet holds what is missing.
NO_CELL = re.compile(r"^(the sheet is |[a-z_]+: |[a-z_]+\.[a-z_]+: required key is missing)")


def error_lines(result: Any, what: str) -> list[str]:
    """The error lines of a run that exits 0 or 2 (2: at least one), never a traceback."""
    context = f"{what}\nexit {result.code}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, context
    assert "internal error" not in result.stderr, context
    assert result.code in (0, 2), context
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert bool(errors) == (result.code == 2), context
    return errors


def assert_import_outcome(result: Any, workbook: Path, what: str) -> None:
    """Exit 0, or exit 2 with every error naming the workbook, a sheet and a cell (the sheet alone
    where nothing in it holds the problem, the file alone where it cannot be read as a workbook)."""
    context = f"{what}\nstderr:\n{result.stderr}"
    pattern = re.compile(
        rf'^error: {re.escape(str(workbook))}(?:, sheet "(?P<sheet>[^"]+)"(?:, cell (?P<cell>[A-Z]{{1,3}}[1-9]\d*))?)?: (?P<rest>\S.*)$'
    )
    for line in error_lines(result, what):
        match = pattern.match(line)
        assert match is not None, f"the error names no workbook: {line}\n{context}"
        if match["sheet"] is None:
            assert match["rest"].startswith(WHOLE_FILE), f"the error names no sheet: {line}\n{context}"
            continue
        assert match["sheet"] in L.SHEETS, f"the error names an unknown sheet: {line}\n{context}"
        if match["cell"] is None:
            assert NO_CELL.match(match["rest"]), f"the error names no cell: {line}\n{context}"
        assert len(match["rest"]) > 10, context


def uses_catalog(path: Path) -> bool:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return any(item.get("price") == "catalog" for item in raw.get("consequences", []))


def import_check_run(cli: Callable[..., Any], workbook: Path, what: str) -> int:
    """Import `workbook` into a new folder; check and run what it wrote. Returns the import's exit code."""
    folder = Path(tempfile.mkdtemp(dir=workbook.parent))
    out = folder / "case.toml"
    imported = cli("excel", "import", workbook, out)
    assert_import_outcome(imported, workbook, what)
    if imported.code == 2:
        assert list(folder.iterdir()) == [], f"an import that fails writes nothing: {what}"
        return 2
    what = f"{what}\n{out.read_text(encoding='utf-8')}"
    checked = cli("check", out)
    errors = error_lines(checked, what)
    if uses_catalog(out):  # check looks prices up in somrisk's catalogue; the import cannot know which
        assert all("catalog" in line for line in errors), f"{what}\n{checked.stderr}"
    else:
        assert checked.code == 0, f"the import accepts what check refuses: {what}\n{checked.stderr}"
    ran = cli("run", out, "--draws", "50", "--json")
    error_lines(ran, what)
    assert ran.code == checked.code, f"check exits {checked.code} but run {ran.code}: {what}\n{ran.stderr}"
    if ran.code == 0:
        assert_finite_json(ran.stdout, what)
    return 0


#: Examples per fuzz test (one test per case): 30 in the suite's default profile ("ci"), the profile's
#: own number in a longer one (HYPOTHESIS_PROFILE=long: 1,000 each; docs/reliability.md).
EXAMPLES = (
    30 if settings().max_examples <= settings.get_profile("ci").max_examples else settings().max_examples
)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# ---------------------------------------------------------------------------------------------
# The fuzz tests


@pytest.mark.parametrize("name", list(CASES))
def test_the_unmutated_workbooks_import_check_and_run(cli, tmp_path, bases, name):
    workbook = _write_bytes(tmp_path / "case.xlsx", bases[name].workbook.read_bytes())
    assert import_check_run(cli, workbook, name) == 0


@pytest.mark.filterwarnings("default::UserWarning")  # e.g. a consequence without a price: a warning
@pytest.mark.parametrize("name", list(CASES))
@FUZZ
@given(data=st.data())
def test_a_mutated_workbook_exits_0_or_2_with_sheet_and_cell(cli, tmp_path, bases, name, data):
    mutant, done = data.draw(mutated(bases[name]))
    workbook = mutant.save(Path(tempfile.mkdtemp(dir=tmp_path)) / "case.xlsx")
    code = import_check_run(cli, workbook, f"{name}: {'; '.join(done)}")
    event(f"import exits {code}")  # pytest --hypothesis-show-statistics: how many mutants are valid


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# Files that are not case workbooks


def assert_one_clear_error(result: Any, workbook: Path, expected: str) -> None:
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {workbook}: {expected}"), result.stderr


def test_a_text_file_named_xlsx_is_exit_2(cli, tmp_path):
    workbook = _write(tmp_path / "case.xlsx", SMALL)
    result = cli("excel", "import", workbook, tmp_path / "case.toml")
    assert_one_clear_error(result, workbook, "is not an Excel workbook (.xlsx)")
    assert not (tmp_path / "case.toml").exists()


def test_a_truncated_workbook_is_exit_2(cli, tmp_path, bases):
    data = bases["small"].workbook.read_bytes()
    workbook = _write_bytes(tmp_path / "case.xlsx", data[: len(data) // 2])
    result = cli("excel", "import", workbook, tmp_path / "case.toml")
    assert_one_clear_error(result, workbook, "is not an Excel workbook (.xlsx)")
    assert not (tmp_path / "case.toml").exists()


def test_an_empty_workbook_is_exit_2(cli, tmp_path):
    workbook = tmp_path / "case.xlsx"
    Workbook().save(workbook)
    result = cli("excel", "import", workbook, tmp_path / "case.toml")
    assert_one_clear_error(result, workbook, "has none of the sheets of a case workbook")
    assert not (tmp_path / "case.toml").exists()


# ---------------------------------------------------------------------------------------------
# Regressions found by the fuzzer


def edited(bases: dict[str, Base], name: str = "example") -> Mutant:
    """A case's exported workbook, to change by hand."""
    return Mutant(load_workbook(bases[name].workbook), bases[name])


def row_of(ws: Any, key: str) -> int:
    """The row of a key sheet that holds `key`."""
    return next(c.row for c in ws["A"] if c.value == key)


def test_a_whole_number_no_double_holds_in_a_text_cell_is_taken_as_its_text(cli, tmp_path, bases):
    # was: internal error (exit 1), OverflowError in _Book.text (float() of the number)
    mutant = edited(bases)
    ws = mutant.book[L.OMK]
    mutant.set(ws, L.FIRST_ROW, header(ws)["label"], HUGE_INT)
    workbook = mutant.save(tmp_path / "case.xlsx")
    result = cli("excel", "import", workbook, tmp_path / "case.toml")
    assert result.code == 0, result.stderr
    imported = tomllib.loads((tmp_path / "case.toml").read_text(encoding="utf-8"))
    assert imported["costs"][0]["label"] == HUGE_INT.text


def test_a_whole_number_no_double_holds_in_a_number_cell_is_exit_2_at_its_cell(cli, tmp_path, bases):
    # was: internal error (exit 1), OverflowError in the validation of case.horizon (case/checks.py)
    mutant = edited(bases)
    ws = mutant.book[L.SAG]
    row = row_of(ws, "horizon")
    mutant.set(ws, row, header(ws)["value"], HUGE_INT)
    workbook = mutant.save(tmp_path / "case.xlsx")
    result = cli("excel", "import", workbook, tmp_path / "case.toml")
    assert_import_outcome(result, workbook, "horizon = 10**400")
    assert result.code == 2
    assert (
        f'error: {workbook}, sheet "Sag", cell B{row}: case.horizon: a number larger than any Excel cell holds'
        in result.stderr
    )
    assert not (tmp_path / "case.toml").exists()


def test_a_parameter_whose_column_lost_its_name_is_reported_at_the_dist_cell(cli, tmp_path, bases):
    # was: 'sheet "Omkostninger": costs.opstart.amount.min: required key is missing', without a cell
    mutant = edited(bases)
    ws = mutant.book[L.OMK]
    columns = header(ws)
    ws.cell(L.KEY_ROW, columns["min"]).value = None
    workbook = mutant.save(tmp_path / "case.xlsx")
    result = cli("excel", "import", workbook, tmp_path / "case.toml")
    assert_import_outcome(result, workbook, "Omkostninger: the header min deleted")
    dist, unnamed = (ws.cell(L.FIRST_ROW, columns[name]).coordinate for name in ("dist", "min"))
    assert (
        f'sheet "Omkostninger", cell {unnamed}: a value in a column without a name in row 2' in result.stderr
    )
    assert f'sheet "Omkostninger", cell {dist}: costs.opstart.amount.min: required key is missing' in (
        result.stderr
    )


def test_a_chart_sheet_in_the_place_of_a_sheet_is_exit_2_naming_the_sheet(cli, tmp_path, bases):
    # was: internal error (exit 1), AttributeError: 'Chartsheet' object has no attribute 'iter_rows'
    mutant = edited(bases)
    to_chart_sheet(mutant.book, mutant.book[L.KORRELATIONER])
    workbook = mutant.save(tmp_path / "case.xlsx")
    result = cli("excel", "import", workbook, tmp_path / "case.toml")
    assert_import_outcome(result, workbook, "Korrelationer a chart sheet")
    assert result.stderr.startswith(f'error: {workbook}, sheet "Korrelationer": the sheet is a chart sheet;')
    assert len(result.stderr.splitlines()) == 1
