"""A list too long in a case workbook is reported at its sheet and cell (docs/reliability.md).

The limits of a TOML file (case/limits.py) are checked on the TOML text the workbook import
builds; their key paths name a ``[[...]]`` item as the validation does (``consequences.c.profile``,
or ``consequences[2]``), so that the import finds the cell each came from. Before, a profile of
1,001 values on the sheet Konsekvenser was reported at ``consequences.0.profile`` on the sheet alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from somrisk.case import limits
from somrisk.errors import format_value
from somrisk.io.excel import export_case
from somrisk.io.excel import layout as L
from somrisk.runner import example_case_path

TOO_MANY = limits.MAX_YEAR_VALUES + 1


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exported") / "case.xlsx"
    export_case(example_case_path(), path)
    return path


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def _with_consequence_profile(exported: Path, target: Path, values: int) -> str:
    """The workbook with the first consequence's profile `values` long; returns the profile's first cell."""
    book = load_workbook(exported)
    ws = book[L.KONSEKVENSER]
    keys = [cell.value for cell in ws[L.KEY_ROW]]
    first = keys.index("profile") + 1
    row = L.KEY_ROW + 1
    assert ws.cell(row, 1).value == "uddannelseshjaelp"
    for column in range(first, first + values):
        ws.cell(row, column, 0.5)
    book.save(target)
    return f"{get_column_letter(first)}{row}"


@pytest.mark.parametrize("command", ["import", "check", "run"])
def test_a_consequence_profile_too_long_names_its_sheet_and_cell(cli, exported, tmp_path, command):
    workbook = tmp_path / "long.xlsx"
    cell = _with_consequence_profile(exported, workbook, TOO_MANY)
    out = tmp_path / "long.toml"
    args = {
        "import": ("excel", "import", workbook, out),
        "check": ("check", workbook),
        "run": ("run", workbook, "--draws", "10", "--json"),
    }[command]
    result = cli(*args)
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = _errors(result.stderr)  # one problem, one message
    where = (
        f'error: {workbook}, sheet "{L.KONSEKVENSER}", cell {cell}: consequences.uddannelseshjaelp.profile: '
    )
    assert line.startswith(where), line
    assert "holds 1,001 values by year" in line and "at most 1,000 are allowed" in line
    assert line.endswith(
        "(found [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0...)"
    )
    assert not out.exists() and result.stdout == ""


def test_a_consequence_profile_of_the_limit_imports(cli, exported, tmp_path):
    workbook = tmp_path / "fits.xlsx"
    _with_consequence_profile(exported, workbook, limits.MAX_YEAR_VALUES)
    result = cli("excel", "import", workbook, tmp_path / "fits.toml")
    assert result.code == 0, result.stderr


def test_a_persistence_profile_too_long_names_its_first_row(cli, exported, tmp_path):
    """The persistence profile is one row per year on the sheet Varighed: the first row's value cell."""
    book = load_workbook(exported)
    ws = book[L.VARIGHED]
    for row in range(ws.max_row, L.KEY_ROW, -1):
        if ws.cell(row, 1).value in ("full_years", "decay", "profile"):
            ws.delete_rows(row)
    first = ws.max_row + 1
    for row in range(first, first + TOO_MANY):
        ws.cell(row, 1, "profile")
        ws.cell(row, 2, 0.5)
    workbook = tmp_path / "persistence.xlsx"
    book.save(workbook)
    result = cli("excel", "import", workbook, tmp_path / "out.toml")
    assert result.code == 2
    [line] = _errors(result.stderr)
    assert line.startswith(
        f'error: {workbook}, sheet "{L.VARIGHED}", cell B{first}: persistence.profile: holds 1,001'
    )


PROFILE_CASE = """
[case]
name = "profile"
start_year = 2025
horizon = 3
[participants]
cohorts = [10]
[effect]
effect = 0.5
[[consequences]]
name = {first}
category = "social"
change = 1.0
price = {{ kommune = 1000 }}
profile = {profile}
[[consequences]]
name = "other"
category = "social"
change = 1.0
price = {{ kommune = 1000 }}
"""


@pytest.mark.parametrize(
    ("name", "path"),
    [('"c"', "consequences.c.profile"), ('"Not a slug"', "consequences[1].profile")],
)
def test_a_toml_list_too_long_is_named_as_the_validation_names_its_item(cli, write_case, name, path):
    """The item as every other message of the case names it: by its name, else [n] from 1."""
    case = write_case(PROFILE_CASE.format(first=name, profile=[1.0] * TOO_MANY))
    result = cli("check", case)
    assert result.code == 2
    [line] = _errors(result.stderr)
    assert line.startswith(f"error: {case}: {path}: holds 1,001 values by year"), line


class _Counted:
    """A value that counts how often it is formatted."""

    formatted = 0

    def __repr__(self) -> str:
        _Counted.formatted += 1
        return "v"


def test_a_value_is_shortened_without_formatting_all_of_it():
    """A list of a million values is shown as its first 77 characters and '...', formatting only
    those (formatting each value of a list of 100,000 before cutting the text took a second)."""
    text = format_value([_Counted()] * 1_000_000)
    assert text == ("[" + ", ".join(["v"] * 40))[:77] + "..."
    assert _Counted.formatted < 40
    assert format_value(list(range(1_000))) == ("[" + ", ".join(map(str, range(30))))[:77] + "..."
    assert format_value({"a": [1, 2], "b": "x"}) == '{a = [1, 2], b = "x"}'
    assert format_value([[1, 2]] * 3) == "[[1, 2], [1, 2], [1, 2]]"
