"""The results workbook (somrisk run --xlsx): its figures equal the JSON summary of the same run,
money and probabilities carry number formats, every sheet prints on A4, texts are in the language."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from somrisk import example_case_path, load_case, prepare, simulate

DRAWS, SEED = 3000, 5


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    from somrisk.runner import run

    path = tmp_path_factory.mktemp("xlsx") / "results.xlsx"
    result = run(example_case_path(), draws=DRAWS, seed=SEED, xlsx=path)
    return load_workbook(path), result, path


@pytest.fixture(scope="module")
def expected(workbook):
    """The JSON summary of the same run, as `somrisk run --json` writes it."""
    from somrisk.io import summary_json

    return json.loads(json.dumps(summary_json(workbook[1].summary)))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def by_label(sheet) -> dict[str, list]:
    """Each row's cells after its first, by its first cell (the first row of a repeated label)."""
    found: dict[str, list] = {}
    for row in sheet.iter_rows():
        if row and isinstance(row[0].value, str):
            found.setdefault(row[0].value, list(row[1:]))
    return found


def block(sheet, heading: str) -> dict[str, list]:
    """The rows of the year sheet's block under `heading` (an actor), by label, up to an empty row."""
    table = list(sheet.iter_rows())
    start = next(k for k, row in enumerate(table) if row[0].value == heading)
    found: dict[str, list] = {}
    for row in table[start + 1 :]:
        if row[0].value is None:
            break
        found[row[0].value] = list(row[1:])
    return found


def values(cells) -> list:
    return [c.value for c in cells]


def test_the_sheets_are_named_in_danish_by_default(workbook):
    book, _, _ = workbook
    assert book.sheetnames == ["Overblik", "År for år", "Antagelser", "Trækninger"]


def test_npv_per_actor_equals_the_json_with_number_formats(workbook, expected):
    book, _, _ = workbook
    summary = by_label(book["Overblik"])
    header = values(summary["Aktør"])
    assert header[:7] == [
        "Deterministisk (SØM)",
        "Gennemsnit",
        "Median",
        "Nedre (5 %)",
        "Øvre (95 %)",
        "P(NPV > 0)",
        "Usikkerhed på P (±, 95 %)",
    ]
    for actor, label in (("kommune", "Kommune"), ("region", "Region"), ("stat", "Stat"), ("total", "I alt")):
        cells = summary[label]
        npv = expected["npv"][actor]
        figures = [expected["deterministic"]["npv"][actor], npv["mean"], npv["p50"], npv["p05"], npv["p95"]]
        for cell, figure in zip(cells[:5], figures, strict=True):
            assert cell.value == pytest.approx(figure, rel=1e-12)
            assert cell.number_format == '#,##0 "kr."'
        assert cells[5].value == pytest.approx(npv["prob_positive"], rel=1e-12)
        assert cells[5].number_format == "0.0%" and cells[6].number_format == "0.0%"
        # as the report's "(±0,3)": 1.96 standard errors, or 3 / draws where all draws fell one side
        se, draws = npv["prob_positive_se"], expected["draws"]
        assert cells[6].value == pytest.approx(1.96 * se if se > 0 else 3 / draws, rel=1e-12)


def test_investment_payback_and_som_figures_equal_the_json(workbook, expected):
    book, _, _ = workbook
    summary = by_label(book["Overblik"])
    costs, gains = (
        summary["Nutidsværdi af nettomeromkostninger"],
        summary["Nutidsværdi af økonomiske konsekvenser (gevinster)"],
    )
    ratio = summary["Afkast pr. investeret krone"]
    # the benefit-cost ratio is gains over costs, in both columns (deterministic, mean)
    for k, key in ((0, "deterministic"), (1, None)):
        figure = expected["deterministic"]["benefit_cost_ratio"] if key else expected["benefit_cost_ratio"]
        assert gains[k].value / costs[k].value == pytest.approx(figure, rel=1e-12)
        assert ratio[k].value == pytest.approx(figure, rel=1e-12) and ratio[k].number_format == "0.00"
        assert costs[k].number_format == '#,##0 "kr."'
    assert summary["Sandsynlighed for tilbagebetaling inden udgangen af 2034"][0].value == pytest.approx(
        expected["payback"]["prob_within_horizon"]
    )
    assert summary["Medianår for tilbagebetaling"][0].value == expected["payback"]["median_year"]
    assert (
        summary["Tilbagebetalingsår, deterministisk (SØM)"][0].value
        == expected["deterministic"]["payback_year"]
    )
    total = summary["Nettoresultat over 10 år, udiskonteret, i alt"]
    assert values(total[:5]) == pytest.approx(
        [expected["deterministic"]["net_total"]["total"]]
        + [expected["net_total"]["total"][k] for k in ("mean", "p50", "p05", "p95")],
        rel=1e-12,
    )
    per = expected["per_participant"]
    assert values(summary["Nutidsværdi pr. deltager"][:2]) == pytest.approx(
        [expected["deterministic"]["npv_per_participant"], per["npv"]["mean"]], rel=1e-12
    )
    assert values(summary["Nettoresultat over 10 år pr. deltager"][:2]) == pytest.approx(
        [expected["deterministic"]["net_total_per_participant"], per["net_total"]["mean"]], rel=1e-12
    )
    assert summary["Trækninger"][0].value == DRAWS and summary["Seed"][0].value == SEED
    assert summary["Diskonteringsrente"][0].number_format == "0.0%"


def test_warnings_are_in_the_workbooks_language(workbook, expected):
    book, _, _ = workbook
    table = rows(book["Overblik"])
    start = next(k for k, row in enumerate(table) if row[0] == "Advarsler")
    warnings = [row[0] for row in table[start + 1 :] if row[0]][: len(expected["warnings"])]
    assert len(expected["warnings"]) == 2
    assert all(text.startswith(("Tidshorisonten", "Tilbagefald")) for text in warnings), warnings


def test_the_year_table_adds_up_in_soms_layout(workbook, expected):
    book, result, _ = workbook
    sheet = book["År for år"]
    years = result.simulation.case.years
    header = next(row for row in rows(sheet) if row[0] == "År")
    assert list(header[1:]) == list(years)
    for actor, label in (("kommune", "Kommune"), ("region", "Region"), ("stat", "Stat")):
        table = block(sheet, label)
        net = np.array(values(table["Nettoresultat"]))
        parts = [
            np.array(values(cells)) for key, cells in table.items() if key.startswith(("Omkostninger", "Øko"))
        ]
        np.testing.assert_allclose(np.sum(parts, axis=0), net, rtol=1e-12, atol=1e-6)
        # the cumulative net result in a row of its own, the running sum of the net result
        np.testing.assert_allclose(
            values(table["Akkumuleret nettoresultat, udiskonteret"]), np.cumsum(net), rtol=1e-12
        )
        mean = result.summary.net_mean.sel(actor=actor).values
        np.testing.assert_allclose(values(table["Nettoresultat, gennemsnit af trækninger"]), mean, rtol=1e-12)
        assert all(c.number_format == '#,##0 "kr."' for c in table["Nettoresultat"])
    total = block(sheet, "I alt")
    for label, key in (("gennemsnit af trækninger", "mean"), ("nedre (5 %)", "p05"), ("øvre (95 %)", "p95")):
        figures = [expected["net_by_year"][str(year)][key] for year in years]
        np.testing.assert_allclose(values(total[f"Nettoresultat, {label}"]), figures, rtol=1e-12)
    deterministic = values(total["Akkumuleret nettoresultat, tilbagediskonteret (SØM)"])
    np.testing.assert_allclose(deterministic, result.simulation.deterministic.cumulative, rtol=1e-12)
    assert "Akkumuleret, tilbagediskonteret, øvre (95 %)" in total


def test_the_chart_draws_the_cumulative_rows_of_the_year_sheet(workbook):
    _, _, path = workbook
    with zipfile.ZipFile(path) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = archive.read(charts[0]).decode()
    assert "<c:lineChart>" in xml and xml.count("<c:ser>") == 4
    assert "'År for år'!$B$" in xml  # the values are the year sheet's cells


def test_every_sheet_prints_on_a4_fit_to_width_with_header_rows(workbook):
    book, _, _ = workbook
    for sheet in book.worksheets:
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # one page wide (1 is the file format's default, which XlsxWriter leaves out), any number down
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0, sheet.title
    assert book["Antagelser"].print_title_rows == "$1:$1"
    assert book["Trækninger"].print_title_rows == "$1:$1"
    assert book["År for år"].print_title_rows == "$3:$3"
    # the Draws sheet prints its first draws, not thousands of pages
    assert book["Trækninger"].print_area.startswith("'Trækninger'!$A$1:")
    assert book["Trækninger"].print_area.endswith("$51")


def test_draws_sheet_holds_the_draws_of_the_run(workbook):
    book, result, _ = workbook
    sheet = book["Trækninger"]
    table = rows(sheet)
    sim = result.simulation
    assert len(table) == 1 + DRAWS
    header = table[0]
    paths = sim.model.space.paths
    assert header[1 : 1 + len(paths)] == paths
    data = np.array([row[1 : 1 + len(paths)] for row in table[1:]], dtype=float)
    np.testing.assert_allclose(data, sim.inputs, rtol=1e-15)  # 16 significant digits
    total = np.array([row[header.index("NPV I alt")] for row in table[1:]])
    np.testing.assert_allclose(total, sim.npv_total, rtol=1e-15)
    assert sheet.cell(2, header.index("NPV I alt") + 1).number_format == '#,##0 "kr."'
    years = np.array(sim.case.years)
    paid = [row[-1] for row in table[1:]]
    assert paid == [int(years[p]) if p >= 0 else None for p in sim.payback]


def test_assumptions_sheet_lists_every_input_with_numbers(workbook):
    book, result, _ = workbook
    assumptions = rows(book["Antagelser"])
    assert assumptions[0][:5] == ("Input", "Sti i sagsfilen", "Gruppe", "Fordeling", "Basisværdi")
    assert len(assumptions) == 1 + len(result.simulation.model.space.inputs)
    assert all(isinstance(row[4], int | float) for row in assumptions[1:])  # numbers, not text
    assert {row[2] for row in assumptions[1:]} >= {"Effekt", "Priser", "Økonomiske konsekvenser"}
    # each input by the report's label, beside its path in the case file
    by_path = {row[1]: row[0] for row in assumptions[1:]}
    assert by_path["effect.success_rate"] == "Effekt: succesrate"
    assert by_path["participants.cohorts.0"] == "Deltagere, hold 1"
    assert all(label and label != path for path, label in by_path.items())
    # distributions in the report's Danish words, never in parameter notation
    described = {row[1]: row[3] for row in assumptions[1:]}
    assert described["participants.cohorts.0"].startswith("PERT-fordeling 16-30, mest sandsynligt 24")
    assert described["effect.success_rate"].startswith("betafordeling, middelværdi 0,48")
    assert not any(re.match(r"[a-z]+\(", text) for text in described.values()), described
    # somrisk's marker of a number without a public source, in the workbook's language
    sources = [row[7] for row in assumptions[1:] if row[7]]
    assert "illustrativ" in sources and "illustrative" not in sources
    # rates, effects and the discount rate as percentages (as the Summary sheet's discount rate)
    sheet = book["Antagelser"]
    formats = {sheet.cell(r, 2).value: sheet.cell(r, 5).number_format for r in range(2, sheet.max_row + 1)}
    assert formats["effect.success_rate"] == formats["economy.discount_rate"] == "0.0%"
    assert formats["participants.cohorts.0"] != "0.0%"
    # wrapped texts, and rows tall enough for them: a workbook states its rows' heights
    assert sheet.cell(2, 4).alignment.wrap_text
    tallest = max(sheet.row_dimensions[r].height or 0 for r in range(2, sheet.max_row + 1))
    assert tallest >= 2 * 13.5


def test_the_english_workbook(tmp_path, cli):
    path = tmp_path / "en.xlsx"
    result = cli("run", example_case_path(), "--draws", "500", "--xlsx", path, "--lang", "en")
    assert result.code == 0, result.stderr
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "By year", "Assumptions", "Draws"]
    summary = by_label(book["Summary"])
    assert summary["Municipality"][0].number_format == '"DKK "#,##0;"DKK "-#,##0'
    assert "Net result over 10 years, undiscounted, in total" in summary
    assert "Total" in by_label(book["By year"])
    assumptions = {row[1]: row for row in rows(book["Assumptions"])[1:]}
    assert assumptions["effect.success_rate"][0] == "Effect: success rate"
    assert assumptions["participants.cohorts.0"][3].startswith("PERT 16-30, most likely 24")


def test_a_language_the_workbook_is_not_written_in_is_exit_2(cli, tmp_path):
    result = cli("run", "--xlsx", tmp_path / "results.xlsx", "--lang", "de")
    assert result.code == 2 and "--lang" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_runner_refuses_a_language_before_the_run(tmp_path):
    from somrisk.errors import UsageError
    from somrisk.runner import run

    with pytest.raises(UsageError, match="--lang 'de'"):
        run(draws=10, xlsx=tmp_path / "w.xlsx", lang="de")


def test_only_the_first_draws_are_kept_and_they_are_the_runs_draws():
    model = prepare(load_case(example_case_path()))
    every = simulate(model, draws=20_000, seed=2, keep_inputs=True).inputs
    first = simulate(model, draws=20_000, seed=2, keep_inputs=10_000).inputs  # ends inside block 2
    np.testing.assert_array_equal(first, every[:10_000])


def test_writing_reports_progress_in_rows_of_draws(tmp_path):
    from somrisk.io.workbook import write_workbook
    from somrisk.summary import summarize

    sim = simulate(prepare(load_case(example_case_path())), draws=5000, seed=1, keep_inputs=5000)
    calls: list[tuple[int, int]] = []
    write_workbook(
        tmp_path / "w.xlsx", summarize(sim), sim, progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (5000, 5000) and all(total == 5000 for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_bad_workbook_path_is_refused_before_the_run(cli, tmp_path):
    result = cli("run", "--xlsx", tmp_path / "results.xls")
    assert result.code == 2 and "--xlsx" in result.stderr and "Excel workbook (.xlsx)" in result.stderr
    result = cli("run", "--xlsx", tmp_path / "missing" / "results.xlsx")
    assert result.code == 2 and "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_warnings_name_consequences_by_label_as_the_report_does(tmp_path):
    from somrisk.runner import run

    path = tmp_path / "hf.xlsx"
    case = Path(__file__).resolve().parents[1] / "cases" / "housing-first.toml"
    run(case, draws=300, xlsx=path)
    text = " ".join(str(row[0]) for row in rows(load_workbook(path)["Overblik"]) if row[0])
    assert "Almindelig bostøtte (§ 85) efter de to år" in text  # the label, not its name in the file
    assert "bostoette_efter" not in text
