"""The case workbook for analysts: Danish captions above the keys (and workbooks of the previous
version, with the keys in row 1, still read), the columns a distribution needs highlighted, drop-downs
of input paths, and a help sheet that prints on A4."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from excel.test_case_workbook import EVERY_FORM, ROOT, write
from somrisk.io.excel import export_case, read_case_workbook, write_template
from somrisk.io.excel import layout as L

DATA = Path(__file__).parent / "data"
BUNDLED = ROOT / "src/somrisk/data/cases/youth-cannabis.toml"
#: the bundled case as it was when version 0.1.0 exported youth-cannabis-0.1.0.xlsx (the bundled
#: case has since given its prison price a price year); the same file as the older cases' copy
BUNDLED_0_1_0 = ROOT / "tests/reliability/older_cases/youth-cannabis.toml"


@pytest.mark.parametrize(
    ("workbook", "case"),
    [("youth-cannabis-0.1.0.xlsx", None), ("every-form-0.1.0.xlsx", EVERY_FORM)],
)
def test_workbooks_of_the_previous_version_read_as_before(tmp_path, workbook, case):
    """Written by `somrisk excel export` of version 0.1.0 (commit 385d574): keys in row 1, no captions."""
    book = load_workbook(DATA / workbook)
    assert book["Priser"]["A1"].value == "consequence" and "Stier" not in book.sheetnames
    text = (
        BUNDLED_0_1_0.read_text(encoding="utf-8")
        if case is None
        else write(tmp_path, case).read_text(encoding="utf-8")
    )
    assert read_case_workbook(DATA / workbook) == tomllib.loads(text)


def test_a_new_workbook_has_captions_above_the_keys_and_reads_back(tmp_path):
    path = export_case(write(tmp_path, EVERY_FORM), tmp_path / "case.xlsx")
    book = load_workbook(path)
    costs = book["Omkostninger"]
    captions = [c.value for c in costs[1]][:4]
    keys = [c.value for c in costs[2]][:4]
    assert captions == ["Navn (kort)", "Betegnelse", "Aktør", "Type"]
    assert keys == ["name", "label", "actor", "kind"]
    assert costs.freeze_panes == "B3" and costs.print_title_rows == "$1:$2"
    assert read_case_workbook(path) == tomllib.loads(write(tmp_path, EVERY_FORM).read_text(encoding="utf-8"))


def test_no_caption_is_a_key_of_any_sheet():
    """The reader tells a workbook with captions from one without by this."""
    keys = {key for title in L.SHEETS if (header := L.header(title)) for key in header}
    captions = {L.caption(key) for key in keys}
    assert not captions & keys
    assert L.caption("a_later_key") == "A later key"  # a key added without a caption


def test_every_column_of_every_sheet_has_a_danish_caption():
    """The keys added with cohort factors, the consequences during the course, price levels and the
    smd family's comparison rate included."""
    keys = {key for title in L.SHEETS if (header := L.header(title)) for key in header}
    assert keys - set(L.CAPTIONS) == set()
    assert {"during_years", "price_year", "index_year", "index_value", "comparison_rate"} <= keys
    for title in L.SHEETS:  # an analyst tells the columns of a sheet apart by their captions
        header = L.header(title) or []
        assert len({L.caption(key) for key in header}) == len(header), title


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ({"consequence", "actor", "value"}, {"kontanthjaelp", "kommune"}, 1),  # the previous version
        ({"Konsekvens", "Aktør"}, {"consequence", "actor", "value"}, 2),  # captions above keys
        ({"Konsekvens", "value"}, {"consequence", "actor"}, 1),  # a key typed into row 1: row 1
        ({"Konsekvens"}, {"kontanthjaelp"}, 1),  # no keys in row 2: row 1 (and its problems)
    ],
)
def test_the_key_row(first, second, expected):
    assert L.key_row(L.PRISER, first, second) == expected


def test_the_empirical_sheet_keeps_its_paths_in_row_1():
    assert L.key_row(L.EMPIRICAL, {"costs.opstart.amount"}, {1.0}) == 1


def test_problems_name_the_cells_below_the_captions(cli, tmp_path):
    path = export_case(BUNDLED, tmp_path / "case.xlsx")
    book = load_workbook(path)
    sheet = book["Omkostninger"]
    actor = next(c.column_letter for c in sheet[2] if c.value == "actor")
    sheet[f"{actor}2"] = None
    sheet["Z2"] = "bogus"
    book.save(path)
    result = cli("excel", "import", path, tmp_path / "case.toml")
    assert result.code == 2
    assert 'sheet "Omkostninger", cell A2: the column "actor" is missing (row 2 holds' in result.stderr
    assert 'sheet "Omkostninger", cell Z2: unknown column "bogus"' in result.stderr


def rules(sheet) -> dict[str, str]:
    """Conditional formatting: the formula of each column's rule, by the column's key."""
    keys = {c.column_letter: c.value for c in sheet[2]}
    found = {}
    for cells, items in sheet.conditional_formatting._cf_rules.items():
        letter = str(cells.sqref).split(":")[0].rstrip("0123456789")
        assert str(cells.sqref) == f"{letter}3:{letter}{L.FIRST_ROW + 499}"
        found[keys[letter]] = items[0].formula[0]
    return found


def test_the_columns_a_distribution_needs_are_highlighted(tmp_path):
    book = load_workbook(write_template(tmp_path / "template.xlsx"))
    for title in ("Omkostninger", "Effekt", "Priser", "Under indsatsen"):
        found = rules(book[title])
        dist = next(c.column_letter for c in book[title][2] if c.value == "dist")
        assert (
            found["min"]
            == f'OR(${dist}3="uniform",${dist}3="triangular",${dist}3="pert",${dist}3="truncnormal")'
        )
        assert found["mode"] == f'OR(${dist}3="triangular",${dist}3="pert")'
        assert found["value"] == f'OR(${dist}3="fixed")'
        assert found["shape"] == f'OR(${dist}3="gamma")'
        assert found["comparison_rate"] == f'OR(${dist}3="smd")'
        assert "base" not in found and "source" not in found and "dist" not in found
    assert rules(book["Korrelationer"]) == {}


def test_input_paths_are_offered_on_the_correlation_and_group_sheets(tmp_path):
    path = export_case(BUNDLED, tmp_path / "case.xlsx")
    book = load_workbook(path)
    paths = [c.value for c in book["Stier"]["A"]]
    assert book["Stier"].sheet_state == "hidden"
    assert {"effect.success_rate", "costs.opstart.amount", "consequences.psykiatri.price.region"} <= set(
        paths
    )
    assert len(paths) == len(set(paths)) == 28  # every input of the case, once
    listed = f"'Stier'!$A$1:$A${len(paths)}"
    for title, columns in (("Korrelationer", ("input_1", "input_2")), ("Grupper", ("inputs",))):
        sheet = book[title]
        letters = {c.value: c.column_letter for c in sheet[2]}
        ranges = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation if dv.formula1 == listed}
        for column in columns:
            found = [dv for sqref, dv in ranges.items() if sqref.startswith(f"{letters[column]}3:")]
            assert len(found) == 1 and found[0].errorStyle == "warning", (title, column, ranges)
    # the template offers the paths every case may have
    template = load_workbook(write_template(tmp_path / "template.xlsx"))
    assert [c.value for c in template["Stier"]["A"]][:2] == ["effect.success_rate", "effect.comparison_rate"]


def test_the_help_sheet_prints_on_a4_with_rows_as_high_as_their_text(tmp_path):
    sheet = load_workbook(write_template(tmp_path / "template.xlsx"))["Hjælp"]
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    widths = sheet.column_dimensions["A"].width + sheet.column_dimensions["B"].width
    assert widths <= 100  # characters: an A4 page's width at 100 %, within its margins
    for row in sheet.iter_rows(min_row=2):
        text = row[1].value or ""
        height = sheet.row_dimensions[row[0].row].height
        # at least one line of 15 points per 76 characters of the wrapped text
        assert height >= 15 * -(-len(text) // 76), (row[0].row, text, height)
        assert row[1].alignment.wrap_text
