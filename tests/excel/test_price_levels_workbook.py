"""Price levels in the case workbook: `price_year` on cost and consequence rows, and the sheet
Prisindeks (``[economy] price_index``), both ways without loss, and their errors at sheet and cell."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from somrisk.io.excel import export_case, import_case
from somrisk.runner import run
from somrisk.testing import minimal_case

CASE = minimal_case(
    horizon=4,
    costs='[[costs]]\nname = "kurs"\nactor = "kommune"\nkind = "fixed"\nyear = 0\namount = 200000\n'
    "price_year = 2015\n"
    '[[comparison_costs]]\nname = "samtaler"\nactor = "kommune"\nkind = "per_participant"\namount = 9000\n'
    "price_year = 2021\n",
    consequences='[[consequences]]\nname = "herberg"\nchange = -20.0\nprice = { kommune = 600, stat = 550 }\n'
    "price_year = 2019\n",
).replace("[economy]", "[economy]\nprice_index = { 2024 = 120.0, 2025 = 122.5 }", 1)


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Path]:
    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    return case, export_case(case, tmp_path / "case.xlsx")


def _column(sheet, name: str) -> str:
    return next(c.column_letter for c in sheet[2] if c.value == name)  # the keys, under the captions


def test_price_years_and_the_index_round_trip_with_identical_results(exported, tmp_path: Path) -> None:
    case, workbook = exported
    book = load_workbook(workbook)
    index = book["Prisindeks"]
    assert [c.value for c in index[1]] == ["Indeksår", "Nettoprisindeks"]
    assert [c.value for c in index[2]] == ["index_year", "index_value"]
    assert [[c.value for c in row] for row in index.iter_rows(min_row=3)] == [[2024, 120.0], [2025, 122.5]]
    costs = book["Omkostninger"]
    assert costs[f"{_column(costs, 'price_year')}1"].value == "Prisår"
    assert costs[f"{_column(costs, 'price_year')}3"].value == 2015
    back = import_case(workbook, tmp_path / "back.toml")
    assert tomllib.loads(back.read_text(encoding="utf-8")) == tomllib.loads(CASE)
    first, second = (run(path, draws=300, seed=5).simulation for path in (case, back))
    np.testing.assert_array_equal(first.npv, second.npv)
    # the conversion is in effect: the 2015 cost is 200000 * 120.0 / 100.0 at the case's 2024 prices
    assert first.deterministic.costs[0, 0] == pytest.approx(240000.0 - 10 * 9000 * 120.0 / 105.4)


def test_a_workbook_without_the_index_sheet_still_imports(exported, tmp_path: Path) -> None:
    _, workbook = exported
    book = load_workbook(workbook)
    del book["Prisindeks"]
    for sheet in ("Omkostninger", "Sammenligning", "Konsekvenser"):
        sheet = book[sheet]
        sheet.delete_cols(sheet[f"{_column(sheet, 'price_year')}2"].column)
    book.save(workbook)
    raw = tomllib.loads(import_case(workbook, tmp_path / "back.toml").read_text(encoding="utf-8"))
    assert "price_index" not in raw["economy"] and "price_year" not in raw["costs"][0]


@pytest.mark.parametrize(
    ("sheet", "column", "row", "value", "where", "message"),
    [
        (
            "Prisindeks",
            "index_value",
            3,
            0,
            "index_value",
            "economy.price_index.2024: must be greater than 0",
        ),
        (
            "Prisindeks",
            "index_value",
            4,
            -5,
            "index_value",
            "economy.price_index.2025: must be greater than 0",
        ),
        ("Prisindeks", "index_year", 3, "år 2024", "index_year", "economy.price_index: expected a number"),
        (
            "Prisindeks",
            "index_year",
            3,
            2024.5,
            "index_year",
            "economy.price_index.2024.5: a key of price_index",
        ),
        (
            "Prisindeks",
            "index_year",
            4,
            2024,
            "index_year",
            "economy.price_index.2024: the year is given twice",
        ),
        ("Omkostninger", "price_year", 3, 2010, "price_year", "costs.kurs.price_year: a cost at 2010 prices"),
        (
            "Konsekvenser",
            "price_year",
            3,
            1999.5,
            "price_year",
            "consequences.herberg.price_year: expected a whole number",
        ),
    ],
)
def test_a_bad_price_level_cell_is_exit_2_naming_sheet_and_cell(
    exported, cli, tmp_path: Path, sheet: str, column: str, row: int, value, where: str, message: str
) -> None:
    _, workbook = exported
    book = load_workbook(workbook)
    cell = f"{_column(book[sheet], column)}{row}"
    book[sheet][cell] = value
    book.save(workbook)
    result = cli("excel", "import", workbook, tmp_path / "back.toml")
    assert result.code == 2 and "Traceback" not in result.stderr
    where_cell = f"{_column(book[sheet], where)}{row}"
    assert f'{workbook}, sheet "{sheet}", cell {where_cell}: {message}' in result.stderr, result.stderr
    assert not (tmp_path / "back.toml").exists()


def test_a_workbook_with_the_keys_in_row_1_reads_the_price_levels_too(exported, tmp_path: Path) -> None:
    """As written between the sheet Prisindeks and the captions: keys in row 1, data from row 2."""
    _, workbook = exported
    book = load_workbook(workbook)
    for title in book.sheetnames:
        if title not in ("Empirisk", "Hjælp", "Stier"):
            book[title].delete_rows(1)  # the captions
    book.save(workbook)
    assert book["Prisindeks"]["A1"].value == "index_year" and book["Prisindeks"]["A2"].value == 2024
    raw = tomllib.loads(import_case(workbook, tmp_path / "back.toml").read_text(encoding="utf-8"))
    assert raw == tomllib.loads(CASE)
