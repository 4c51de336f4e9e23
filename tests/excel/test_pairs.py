"""A key holding a pair [low, high] (ci95) takes two workbook columns (distributions.PAIR_COLUMNS)."""

from __future__ import annotations

import tomllib

import pytest
from openpyxl import load_workbook

from somrisk.io.excel import export_case
from somrisk.testing import minimal_case

CASE = minimal_case(
    costs='[[costs]]\nname = "kurs"\nactor = "kommune"\nkind = "fixed"\nyear = 0\n'
    'amount = { dist = "lognormal", estimate = 200, ci95 = [150, 300] }\n'
)


@pytest.fixture
def workbook(tmp_path):
    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    path = export_case(case, tmp_path / "case.xlsx")
    book = load_workbook(path)
    sheet = book["Omkostninger"]
    columns = {cell.value: cell.column_letter for cell in sheet[2]}  # the keys, under the captions
    return path, book, sheet, columns


def test_a_pair_is_written_in_its_two_columns_and_read_back(workbook, cli, tmp_path):
    path, _, sheet, columns = workbook
    assert (sheet[f"{columns['ci95_lo']}3"].value, sheet[f"{columns['ci95_hi']}3"].value) == (150, 300)
    assert cli("excel", "import", path, tmp_path / "back.toml").code == 0
    back = tomllib.loads((tmp_path / "back.toml").read_text(encoding="utf-8"))
    assert back["costs"][0]["amount"]["ci95"] == [150, 300]


@pytest.mark.parametrize("emptied", ["ci95_lo", "ci95_hi"])
def test_one_half_of_a_pair_is_exit_2_at_the_other_half(workbook, cli, tmp_path, emptied):
    path, book, sheet, columns = workbook
    sheet[f"{columns[emptied]}3"] = None
    book.save(path)
    result = cli("excel", "import", path, tmp_path / "back.toml")
    given = "ci95_hi" if emptied == "ci95_lo" else "ci95_lo"
    expected = (
        f'sheet "Omkostninger", cell {columns[given]}3: costs.kurs.amount.ci95: give both ci95_lo and ci95_hi'
    )
    assert result.code == 2
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "back.toml").exists()
