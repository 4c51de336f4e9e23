"""`during`, `during_years` (sheet "Under indsatsen") and `effect.cohort_factor` (sheet Effekt) in the
case workbook: TOML -> .xlsx -> TOML without loss, errors at their sheet and cell, and workbooks
written before the sheet existed still import."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from somrisk.errors import CaseError
from somrisk.io.excel import export_case, import_case, read_case_workbook
from somrisk.runner import run

CASE = """
[case]
name = "Housing First med indfasning"
start_year = 2025
horizon = 8

[participants]
cohorts = [10, 20, 20]

[effect]
effect = { dist = "normal", estimate = 0.3, ci95 = [0.2, 0.4] }
cohort_factor = [0.5, { dist = "pert", min = 0.6, mode = 0.8, max = 1.0, source = "ekspertvurdering" }, 1]

[[consequences]]
name = "herberg"
label = "Herbergsophold"
change = -0.4
price = { kommune = 300000 }
during = { dist = "pert", min = -0.9, mode = -0.7, max = -0.3, base = -0.7 }
during_years = 2

[[consequences]]
name = "skat"
change = 0.1
price = { stat = -50000 }
during = 0.05

[[consequences]]
name = "psykiatri"
change = -0.1
price = { region = 80000 }
"""


def exported(tmp_path: Path) -> Path:
    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    return export_case(case, tmp_path / "case.xlsx")


def test_during_and_cohort_factors_round_trip_with_identical_results(tmp_path):
    workbook = exported(tmp_path)
    back = import_case(workbook, tmp_path / "back.toml")
    assert tomllib.loads(back.read_text(encoding="utf-8")) == tomllib.loads(CASE)
    first, second = (run(path, draws=300, seed=5).simulation for path in (tmp_path / "case.toml", back))
    np.testing.assert_array_equal(first.npv, second.npv)


def test_the_sheets_hold_the_new_keys_in_their_columns(tmp_path):
    book = load_workbook(exported(tmp_path))
    during = [[c.value for c in row] for row in book["Under indsatsen"].iter_rows()]
    captions, header = during[0], during[1]  # Danish captions above the keys, data from row 3
    assert captions[:3] == ["Konsekvens", "År under indsatsen", "Fast værdi"]
    assert header[:3] == ["consequence", "during_years", "value"]
    rows = [dict(zip(header, row, strict=True)) for row in during[2:]]
    assert rows[0]["consequence"] == "herberg" and rows[0]["during_years"] == 2 and rows[0]["dist"] == "pert"
    assert rows[1]["consequence"] == "skat" and rows[1]["during_years"] is None and rows[1]["value"] == 0.05
    assert len(rows) == 2  # psykiatri has no change during the course
    effect = [[c.value for c in row] for row in book["Effekt"].iter_rows(min_row=3)]
    factors = [row for row in effect if row[0] == "cohort_factor"]
    assert [row[1] for row in factors] == [0.5, None, 1]


def test_a_workbook_without_the_sheet_imports_as_before(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(CASE.replace("during = 0.05\n", "").split("during = {")[0] + "\n", encoding="utf-8")
    original = tomllib.loads(path.read_text(encoding="utf-8"))
    workbook = export_case(path, tmp_path / "case.xlsx")
    book = load_workbook(workbook)
    assert book["Under indsatsen"].max_row == 2  # captions and keys only
    del book["Under indsatsen"]
    book.save(workbook)
    assert read_case_workbook(workbook) == original


def edit(book, sheet: str, name: str, row: int, value) -> str:
    ws = book[sheet]
    letter = next(c.column_letter for c in ws[2] if c.value == name)  # the keys, under the captions
    ws[f"{letter}{row}"] = value
    return f"{letter}{row}"


@pytest.mark.parametrize(
    ("sheet", "column", "row", "value", "expected"),
    [
        ("Under indsatsen", "during_years", 3, 0, "consequences.herberg.during_years: must be greater than"),
        (
            "Under indsatsen",
            "during_years",
            3,
            1.5,
            "consequences.herberg.during_years: expected a whole number",
        ),
        (
            "Under indsatsen",
            "during_years",
            4,
            "to",
            "consequences.skat.during_years: expected a number, found text",
        ),
        (
            "Under indsatsen",
            "consequence",
            4,
            "skatt",
            'no consequence has this name on the sheet "Konsekvenser"',
        ),
        ("Under indsatsen", "value", 4, "x", "consequences.skat.during: expected a number, found text"),
        ("Effekt", "value", None, 1.5, "effect.cohort_factor.0: a cohort factor"),
    ],
)
def test_bad_cells_are_exit_2_naming_sheet_and_cell(cli, tmp_path, sheet, column, row, value, expected):
    path = exported(tmp_path)
    book = load_workbook(path)
    if sheet == "Effekt":  # the first cohort_factor row
        row = next(r for r in range(3, 20) if book["Effekt"][f"A{r}"].value == "cohort_factor")
    cell = edit(book, sheet, column, row, value)
    book.save(path)
    result = cli("excel", "import", path, tmp_path / "back.toml")
    assert result.code == 2
    text = " ".join(result.stderr.split())
    assert f'sheet "{sheet}", cell {cell}: ' in text and expected in text, text
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "back.toml").exists()


def test_the_change_during_the_course_given_twice_is_refused(tmp_path):
    path = exported(tmp_path)
    book = load_workbook(path)
    edit(book, "Under indsatsen", "consequence", 4, "herberg")
    book.save(path)
    with pytest.raises(CaseError) as error:
        read_case_workbook(path)
    assert any(
        "given twice" in p.message and p.key_path == "consequences.herberg.during"
        for p in error.value.problems
    )


def test_a_workbook_with_the_keys_in_row_1_reads_the_new_sheets_too(tmp_path):
    """As written between the new sheets and the captions: keys in row 1, data from row 2."""
    path = exported(tmp_path)
    book = load_workbook(path)
    for title in book.sheetnames:
        if title not in ("Empirisk", "Hjælp", "Stier"):
            book[title].delete_rows(1)  # the captions
    book.save(path)
    assert book["Under indsatsen"]["B1"].value == "during_years" and book["Under indsatsen"]["A2"].value
    assert read_case_workbook(path) == tomllib.loads(CASE)


def test_the_sheet_has_the_drop_downs_and_highlighting_of_the_other_sheets(tmp_path):
    sheet = load_workbook(exported(tmp_path))["Under indsatsen"]
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert lists["A3:A502"] == "'Konsekvenser'!$A$3:$A$502"  # the consequences' names
    assert lists["D3:D502"].startswith('"fixed,uniform,')  # dist
    rules = {
        str(cells.sqref): items[0].formula[0]
        for cells, items in sheet.conditional_formatting._cf_rules.items()
    }
    assert rules["E3:E502"] == 'OR($D3="uniform",$D3="triangular",$D3="pert",$D3="truncnormal")'  # min
