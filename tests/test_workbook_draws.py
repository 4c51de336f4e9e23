"""The results workbook's Draws sheet, whose number rows are written in bulk (io/workbook_draws.py),
not cell by cell through XlsxWriter: read back with openpyxl they are the run's numbers exactly, each
cell in its column's format, a number that is not finite an empty cell; the sheet is what XlsxWriter
itself writes for the same cells; a failure part way leaves no file."""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from somrisk import example_case_path, load_case, prepare, simulate
from somrisk.io.workbook import write_workbook
from somrisk.io.workbook_draws import DrawRows, write_with_draws
from somrisk.summary import summarize

#: Numbers whose text is hard to get right: the smallest subnormal, the largest double, exponents,
#: negative zero, whole numbers, 17 significant digits.
AWKWARD = [5e-324, -1.7976931348623157e308, 1e-5, 1e16, -0.0, 3.0, 0.1 + 0.2, -123456789.12345679]


def draws_table(path, sheet: str = "Trækninger") -> list[tuple]:
    return list(load_workbook(path, read_only=False)[sheet].iter_rows(values_only=True))


@pytest.fixture(scope="module")
def awkward_run(tmp_path_factory):
    """A 4,500-draw run of the example (three blocks of rows) with awkward numbers put into its
    first draws: extreme values, an input that is NaN, an NPV that is infinite."""
    sim = simulate(prepare(load_case(example_case_path())), draws=4500, seed=3, keep_inputs=4500)
    assert (sim.payback < 0).any() and (sim.payback >= 0).any()  # draws with and without payback
    sim.inputs[0, : len(AWKWARD)] = AWKWARD
    sim.inputs[1, 2] = math.nan
    sim.npv[0, 2] = -2.5e-300
    sim.npv_total[3] = math.inf
    path = tmp_path_factory.mktemp("draws") / "w.xlsx"
    write_workbook(path, summarize(sim), sim)
    return sim, path, draws_table(path)


def test_the_draws_read_back_as_the_runs_numbers_exactly(awkward_run):
    sim, _, table = awkward_run
    n_in, actors = sim.inputs.shape[1], len(sim.case.actors)
    assert len(table) == 1 + 4500
    body = table[1:]
    assert [row[0] for row in body] == list(range(4500))
    for draw in (0, 1, 2, 3, 4, 1999, 2000, 4499):  # the awkward draws and the blocks' edges
        row = body[draw]
        for c, value in enumerate(sim.inputs[draw]):
            assert row[1 + c] == (value if math.isfinite(value) else None), (draw, c)
        npv = [*sim.npv[:, draw], sim.npv_total[draw]]
        for a, value in enumerate(npv):
            assert row[1 + n_in + a] == (value if math.isfinite(value) else None), (draw, a)
    inputs = np.array([[np.nan if v is None else v for v in row[1 : 1 + n_in]] for row in body], dtype=float)
    np.testing.assert_array_equal(inputs, np.where(np.isfinite(sim.inputs), sim.inputs, np.nan))
    total = np.array([np.nan if row[1 + n_in + actors] is None else row[1 + n_in + actors] for row in body])
    np.testing.assert_array_equal(total, np.where(np.isfinite(sim.npv_total), sim.npv_total, np.nan))
    assert math.copysign(1, body[0][5]) == -1  # -0.0 stays negative zero


def test_a_draw_that_does_not_pay_back_has_an_empty_payback_cell(awkward_run):
    sim, _, table = awkward_run
    years = np.array(sim.case.years)
    assert [row[-1] for row in table[1:]] == [int(years[p]) if p >= 0 else None for p in sim.payback]


def test_every_cell_is_in_its_columns_format(awkward_run):
    from somrisk.io.workbook_words import WorkbookWords

    sim, path, _ = awkward_run
    sheet = load_workbook(path)["Trækninger"]
    space = sim.model.space
    bases = space.base_values[list(space.uncertain)]
    words = WorkbookWords("da", "DKK")
    expected = [words.input_formats[WorkbookWords.input_format_index(abs(float(b)))] for b in bases]
    expected += [words.money_format] * (len(sim.case.actors) + 1) + [words.year_format]
    for col, code in enumerate(expected, start=2):
        rows = (
            (2, 6, 2001, 2002, 4501) if col < 1 + len(expected) else np.flatnonzero(sim.payback >= 0)[:5] + 2
        )
        assert {sheet.cell(int(row), col).number_format for row in rows} == {code}, col
    assert sheet.cell(2, 1).number_format == "General"  # the draw's number
    assert sheet.dimensions == f"A1:{sheet.cell(1, len(expected) + 1).column_letter}4501"


def test_the_draws_sheet_is_no_zip64_entry_unless_it_may_need_it(awkward_run, tmp_path, monkeypatch):
    _, path, _ = awkward_run

    def zip64_in_local_header(file) -> bool:
        with zipfile.ZipFile(file) as archive:
            info = archive.getinfo("xl/worksheets/sheet4.xml")
        raw = file.read_bytes()[info.header_offset :]
        name, extra = struct.unpack("<HH", raw[26:30])
        fields = raw[30 + name : 30 + name + extra]
        ids = []
        while fields:
            kind, size = struct.unpack("<HH", fields[:4])
            ids.append(kind)
            fields = fields[4 + size :]
        return 0x0001 in ids

    assert not zip64_in_local_header(path)  # 4,500 draws: far below 2 GiB
    # a sheet that might pass zipfile's limit (2 GiB; here 200 kB) is written in ZIP64 form, whole
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 200_000)
    sim = simulate(prepare(load_case(example_case_path())), draws=1000, seed=3, keep_inputs=1000)
    big = write_workbook(tmp_path / "big.xlsx", summarize(sim), sim)
    assert zip64_in_local_header(big)
    monkeypatch.undo()
    table = draws_table(big)
    assert len(table) == 1001 and table[-1][1] == sim.inputs[-1, 0]


def test_a_run_without_kept_draws_has_the_header_only(tmp_path):
    sim = simulate(prepare(load_case(example_case_path())), draws=100, seed=1)
    path = write_workbook(tmp_path / "w.xlsx", summarize(sim), sim)
    table = draws_table(path)
    assert len(table) == 1 and table[0][0] == "Trækning"


def _sheet_with_columns(width: int):
    """An in-memory XlsxWriter workbook in constant-memory mode with a Draws-like sheet: a header row
    and a number format per column (the last two columns share one)."""
    import xlsxwriter

    from somrisk.io.workbook_cells import WORKBOOK_OPTIONS

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    book.add_worksheet("Other").write_string(0, 0, "x")
    sheet = book.add_worksheet("Draws")
    codes = ["0.00", "0.0000", '#,##0 "kr."', "0"]
    formats = [None] + [book.add_format({"num_format": codes[c % 4]}) for c in range(width - 1)]
    formats[-1] = formats[-2]
    for col, style in enumerate(formats):
        sheet.set_column(col, col, 12, style)
    for col in range(width):
        sheet.write_string(0, col, f"column {col}")
    sheet.freeze_panes(1, 1)
    return book, buffer, sheet, formats


def _both_ways(tmp_path, values: np.ndarray, years: np.ndarray):
    """The same rows written by XlsxWriter cell by cell (as before) and in bulk."""
    width = values.shape[1] + 2
    book, buffer, sheet, formats = _sheet_with_columns(width)
    for r, (row, year) in enumerate(zip(values.tolist(), years.tolist(), strict=True)):
        sheet.write_number(1 + r, 0, r)
        for c, value in enumerate(row):
            if math.isfinite(value):
                sheet.write_number(1 + r, 1 + c, value, formats[1 + c])
        if math.isfinite(year):
            sheet.write_number(1 + r, width - 1, int(year), formats[-1])
    book.close()
    cell_by_cell = tmp_path / "xlsxwriter.xlsx"
    cell_by_cell.write_bytes(buffer.getvalue())

    book, buffer, _, _ = _sheet_with_columns(width)
    book.close()
    bulk = tmp_path / "bulk.xlsx"
    write_with_draws(buffer.getvalue(), bulk, DrawRows("Draws", (values,), years))
    return cell_by_cell, bulk


def test_the_bulk_rows_are_the_cells_xlsxwriter_writes(tmp_path):
    rng = np.random.default_rng(7)
    values = rng.normal(size=(30, 6)) * 10.0 ** rng.integers(-8, 9, size=(30, 6))
    values[0, :6] = AWKWARD[:6]
    values[1, 3] = math.nan
    years = rng.choice([2025.0, 2031.0, math.nan], size=30)
    cell_by_cell, bulk = _both_ways(tmp_path, values, years)

    xml = {
        path: zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode() for path in (cell_by_cell, bulk)
    }
    without_numbers = {path: re.sub(r"<v>[^<]*</v>", "<v/>", text) for path, text in xml.items()}
    assert without_numbers[cell_by_cell] == without_numbers[bulk]  # cells, styles, dimension, panes
    assert "<v>1E+16</v>" in xml[bulk] and not re.search(r"<v>[^<]*e", xml[bulk])  # XlsxWriter's "E"

    old, new = (load_workbook(path)["Draws"] for path in (cell_by_cell, bulk))
    assert old.dimensions == new.dimensions == "A1:H31"
    for old_row, new_row in zip(old.iter_rows(), new.iter_rows(), strict=True):
        for a, b in zip(old_row, new_row, strict=True):
            assert (a.data_type, a.number_format, a.style_id) == (b.data_type, b.number_format, b.style_id)
            if isinstance(b.value, float):
                assert a.value == float(f"{b.value:.16G}")  # XlsxWriter keeps 16 digits
            else:
                assert a.value == b.value
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            assert new.cell(2 + r, 2 + c).value == (value if math.isfinite(value) else None)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=3, max_size=3),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.sampled_from([2024.0, 2030.0, math.nan]), min_size=5, max_size=5),
)
def test_any_double_reads_back_exactly_and_no_other_number_as_a_number(tmp_path_factory, rows, years):
    values = np.array(rows, dtype=float)
    path = tmp_path_factory.mktemp("any") / "w.xlsx"
    book, buffer, _, _ = _sheet_with_columns(5)
    book.close()
    write_with_draws(buffer.getvalue(), path, DrawRows("Draws", (values,), np.array(years[: len(rows)])))
    table = list(load_workbook(path)["Draws"].iter_rows(min_row=2, values_only=True))
    for row, written, year in zip(rows, table, years, strict=False):
        assert list(written[1:4]) == [v if math.isfinite(v) else None for v in row]
        assert written[4] == (None if math.isnan(year) else int(year))


def test_a_failure_while_the_rows_are_written_leaves_no_file(tmp_path):
    sim = simulate(prepare(load_case(example_case_path())), draws=4500, seed=1, keep_inputs=4500)
    target = tmp_path / "w.xlsx"

    def fail_after_the_first_block(done: int, total: int) -> None:
        if done > 2000:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        write_workbook(target, summarize(sim), sim, progress=fail_after_the_first_block)
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"the earlier workbook")
    with pytest.raises(RuntimeError, match="stop"):
        write_workbook(target, summarize(sim), sim, progress=fail_after_the_first_block)
    assert list(tmp_path.iterdir()) == [target] and target.read_bytes() == b"the earlier workbook"
