"""The results workbook (somrisk run --xlsx): real numbers equal to the run's, sheets laid out."""

from __future__ import annotations

import json

import numpy as np
import pytest
from openpyxl import load_workbook

from somrisk import example_case_path, load_case, prepare, simulate


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    from somrisk.runner import run

    path = tmp_path_factory.mktemp("xlsx") / "results.xlsx"
    result = run(example_case_path(), draws=3000, seed=5, xlsx=path)
    return load_workbook(path), result


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_workbook_has_its_sheets_with_frozen_headers(workbook):
    book, _ = workbook
    assert book.sheetnames == ["Summary", "By year", "Assumptions", "Draws"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "B2"
        assert sheet.column_dimensions["A"].width > 5


def test_summary_sheet_holds_the_summary_figures_as_numbers(workbook, cli):
    book, _ = workbook
    table = rows(book["Summary"])
    header = table[0]
    expected = json.loads(cli("run", example_case_path(), "--draws", "3000", "--seed", "5", "--json").stdout)
    for row in table[1:5]:
        values = dict(zip(header, row, strict=True))
        actor = values["actor"]
        for key in ("mean", "sd", "p05", "p50", "p95", "prob_positive"):
            cell = values["prob_positive" if key == "prob_positive" else f"npv_{key}"]
            assert isinstance(cell, float)
            assert cell == pytest.approx(expected["npv"][actor][key], rel=1e-12)
        assert values["npv_deterministic"] == pytest.approx(
            expected["deterministic"]["npv"][actor], rel=1e-12
        )
        assert values["net_total_deterministic"] == pytest.approx(
            expected["deterministic"]["net_total"][actor], rel=1e-12
        )
        assert values["net_total_p50"] == pytest.approx(expected["net_total"][actor]["p50"], rel=1e-12)
    facts = {row[0]: row[1] for row in table[6:] if row and row[0]}
    assert facts["payback_median_year"] == expected["payback"]["median_year"]
    assert facts["seed"] == 5 and facts["draws"] == 3000
    assert facts["npv_per_participant_deterministic"] == pytest.approx(
        expected["deterministic"]["npv_per_participant"], rel=1e-12
    )
    assert facts["net_total_per_participant_mean"] == pytest.approx(
        expected["per_participant"]["net_total"]["mean"], rel=1e-12
    )
    assert facts["benefit_cost_ratio_deterministic"] == pytest.approx(
        expected["deterministic"]["benefit_cost_ratio"], rel=1e-12
    )
    warnings = [row[1] for row in table[6:] if row and row[0] == "warning"]
    assert warnings == expected["warnings"] and len(warnings) == 2


def test_draws_sheet_holds_the_draws_of_the_run(workbook):
    book, result = workbook
    table = rows(book["Draws"])
    sim = result.simulation
    assert len(table) == 1 + 3000
    header = table[0]
    paths = sim.model.space.paths
    assert header[1 : 1 + len(paths)] == paths
    data = np.array([row[1 : 1 + len(paths)] for row in table[1:]], dtype=float)
    np.testing.assert_allclose(data, sim.inputs, rtol=1e-14)  # openpyxl writes 15-16 significant digits
    total = np.array([row[header.index("npv_total")] for row in table[1:]])
    np.testing.assert_allclose(total, sim.npv_total, rtol=1e-12)


def test_by_year_and_assumptions_sheets(workbook):
    book, result = workbook
    by_year = rows(book["By year"])
    summary = result.summary
    case = result.simulation.case
    assert len(by_year) == 1 + len(case.years) * (len(case.actors) + 2)
    first = dict(zip(by_year[0], by_year[1], strict=True))
    assert first["net_mean"] == pytest.approx(
        float(summary.net_mean.sel(year=first["year"], actor=first["actor"]))
    )
    assumptions = rows(book["Assumptions"])
    assert len(assumptions) == 1 + len(result.simulation.model.space.inputs)
    assert all(isinstance(row[3], int | float) for row in assumptions[1:])  # numbers, not text


def test_only_the_first_draws_are_kept_and_they_are_the_runs_draws():
    model = prepare(load_case(example_case_path()))
    every = simulate(model, draws=20_000, seed=2, keep_inputs=True).inputs
    first = simulate(model, draws=20_000, seed=2, keep_inputs=10_000).inputs  # ends inside block 2
    np.testing.assert_array_equal(first, every[:10_000])


def test_a_bad_workbook_path_is_refused_before_the_run(cli, tmp_path):
    result = cli("run", "--xlsx", tmp_path / "results.xls")
    assert result.code == 2 and "--xlsx" in result.stderr and "Excel workbook (.xlsx)" in result.stderr
    result = cli("run", "--xlsx", tmp_path / "missing" / "results.xlsx")
    assert result.code == 2 and "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []
