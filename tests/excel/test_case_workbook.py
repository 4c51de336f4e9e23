"""Cases as Excel workbooks (docs/excel.md): the template, TOML -> .xlsx -> TOML without loss, and
workbooks with errors reported at their sheet and cell."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from somrisk.errors import CaseError
from somrisk.io.excel import export_case, import_case, read_case_workbook, write_template
from somrisk.io.excel.case_toml import case_toml
from somrisk.io.excel.layout import SHEETS
from somrisk.runner import run

ROOT = Path(__file__).parents[2]
BUNDLED = sorted([*ROOT.glob("cases/*.toml"), *ROOT.glob("src/somrisk/data/cases/*.toml")])

#: Every distribution form of case-format.md, with base and source; every section and list.
EVERY_FORM = """
[case]
name = "Alle fordelinger"
description = "Line one\\nline \\"two\\" with æøå"
currency = "DKK"
price_year = 2024
start_year = 2025
horizon = 8
actors = ["kommune", "region", "stat", "Borger og pårørende"]

[economy]
discount_rate = { dist = "triangular", min = 0.02, mode = 0.035, max = 0.05, source = "FM" }
price_growth = { dist = "truncnormal", mean = 0.01, sd = 0.005, min = -0.02 }

[participants]
cohorts = [
  20,
  { dist = "pert", min = 10, mode = 20, max = 30, lambda = 3, base = 21 },
  { dist = "gamma", shape = 20, scale = 1.0 },
  { dist = "empirical", values = [18, 20.5, 25, 19] },
]

[effect]
measure = "=Ophørt med misbrug"
success_rate = { dist = "beta", successes = 18, trials = 40, base = 0.45, source = "trial, 2019" }
comparison_rate = { dist = "beta", alpha = 4, beta = 12 }

[persistence]
onset = 1
window = 6
full_years = { dist = "lognormal", mean = 2, sd = 0.5 }
decay = { dist = "truncnormal", mean = 0.2, sd = 0.1, min = 0.0, max = 1.0 }

[[costs]]
name = "opstart"
label = "Uddannelse"
actor = "kommune"
kind = "fixed"
years = [0, 2]
amount = { dist = "uniform", min = 100000, max = 300000 }

[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
duration = 1.5
amount = { dist = "normal", mean = 30000, sd = 3000, source = "budget" }

[[costs]]
name = "materialer"
actor = "region"
kind = "fixed"
year = 1
amount = { dist = "fixed", value = 5000, base = 5500 }

[[costs]]
name = "supervision"
actor = "stat"
kind = "per_participant"
amount = { dist = "gamma", mean = 4000, sd = 800 }

[[costs]]
name = "husleje"
actor = "kommune"
kind = "fixed"
amount = { dist = "lognormal", mu = 9.5, sigma = 0.2 }

[[comparison_costs]]
name = "samtaler"
actor = "kommune"
kind = "per_participant"
duration = 1
amount = 12000

[[consequences]]
name = "kontanthjaelp"
label = "Kontanthjælp"
category = "beskaeftigelse"
unit = "år på ydelse"
change = { dist = "normal", estimate = -0.2, ci95 = [-0.35, -0.05] }
profile = [0.5, 1.0]
price = { kommune = 95000, stat = { dist = "uniform", min = 40000, max = 50000 }, "Borger og pårørende" = -1000 }
price_factor = { dist = "lognormal", estimate = 1.0, ci95 = [0.8, 1.25] }

[[consequences]]
name = "indlaeggelser"
category = "sundhed"
change = { dist = "empirical", values = [-1, -0.5, 0.0, -2.5] }
price = { region = { dist = "beta", mean = 0.5, sd = 0.1, base = 0.30000000000000004 } }

[[consequences]]
name = "sagsbehandling"
category = "social"
change = { dist = "lognormal", mu = -1, sigma = 0.3 }
profile = [1.0, 0.75, 0.5, 0.0]
price = { kommune = { dist = "gamma", mean = 5000, sd = 1000, source = "=local data" } }

[[consequences]]
name = "uddannelse"
category = "uddannelse"
change = { dist = "truncnormal", mean = 0.1, sd = 0.05, max = 0.3 }
price = { stat = { dist = "normal", mean = 1000, sd = 100 } }
price_factor = 1.05

[[correlations]]
inputs = ["effect.success_rate", "persistence.full_years"]
rank = 0.3

[[correlations]]
inputs = ["costs.forloeb.amount", "consequences.kontanthjaelp.change"]
rank = -0.2

[[groups]]
name = "study"
label = "What the trial settles"
inputs = ["effect.success_rate", "effect.comparison_rate"]
"""

#: The other forms: per-year participants, an effect given directly, a profile, no optional tables.
OTHER_FORMS = """
[case]
name = "Per year"
start_year = 2025
horizon = 6

[participants]
per_year = { dist = "uniform", min = 8, max = 12 }
years = [1, 3]

[effect]
effect = { dist = "normal", estimate = 0.15, ci95 = [0.05, 0.25] }

[persistence]
profile = [1.0, 0.8, 0.5]

[[costs]]
name = "programme"
actor = "kommune"
kind = "per_participant"
amount = { dist = "gamma", shape = 9, scale = 1000.0 }

[[consequences]]
name = "saving"
change = { dist = "beta", mean = 0.3, sd = 0.1 }
price = { kommune = 20000, region = { dist = "fixed", value = 300 } }
"""

NUMBER_OF_YEARS = """
[case]
name = "Years as a number"
start_year = 2025

[participants]
per_year = 10
years = 3

[effect]
effect = 0.1
"""

#: A consequence that takes its price from the catalogue (portfolios).
CATALOG = """
[case]
name = "Katalogpris"
start_year = 2025

[participants]
cohorts = [10]

[effect]
success_rate = 0.4

[[consequences]]
name = "kontanthjaelp"
change = -0.2
price = "catalog"
"""

#: The effect from a standardised mean difference, in both its forms (the second in a cohort list).
SMD_EFFECT = OTHER_FORMS.replace(
    'effect = { dist = "normal", estimate = 0.15, ci95 = [0.05, 0.25] }',
    'effect = { dist = "smd", estimate = 0.35, ci95 = [0.1, 0.6], comparison_rate = 0.25 }',
)
SMD_MEAN_SD = OTHER_FORMS.replace(
    'effect = { dist = "normal", estimate = 0.15, ci95 = [0.05, 0.25] }',
    'effect = { dist = "smd", mean = 0.2, sd = 0.1, comparison_rate = 0.4, base = 0.05 }',
)
SYNTHETIC = {
    "every_form": EVERY_FORM,
    "other_forms": OTHER_FORMS,
    "years_number": NUMBER_OF_YEARS,
    "smd_effect": SMD_EFFECT,
    "smd_mean_sd": SMD_MEAN_SD,
}


def write(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def round_trip(case: Path, tmp_path: Path) -> tuple[dict, Path]:
    """Export `case`, import it again; return the original raw dict and the imported file."""
    original = tomllib.loads(case.read_text(encoding="utf-8"))
    workbook = export_case(case, tmp_path / "case.xlsx")
    back = import_case(workbook, tmp_path / "back.toml")
    return original, back


def assert_same_results(a: Path, b: Path) -> None:
    first, second = (run(path, draws=600, seed=11).simulation for path in (a, b))
    np.testing.assert_array_equal(first.npv, second.npv)
    np.testing.assert_array_equal(first.payback, second.payback)
    np.testing.assert_array_equal(first.deterministic.npv, second.deterministic.npv)


def types(value):
    """A raw dict with its numbers as floats: int and float of the same value are the same here."""
    if isinstance(value, dict):
        return {k: types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [types(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


# --- round trips --------------------------------------------------------------------------------


def test_there_are_bundled_cases():
    assert BUNDLED


@pytest.mark.parametrize("case", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_cases_round_trip_with_identical_results(case, tmp_path):
    original, back = round_trip(case, tmp_path)
    assert tomllib.loads(back.read_text(encoding="utf-8")) == original
    assert_same_results(case, back)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_every_form_round_trips_with_identical_results(name, tmp_path):
    case = write(tmp_path, SYNTHETIC[name])
    original, back = round_trip(case, tmp_path)
    imported = tomllib.loads(back.read_text(encoding="utf-8"))
    assert imported == original
    assert types(imported) == types(original)
    assert_same_results(case, back)


def test_exact_numbers_and_text_survive(tmp_path):
    case = write(tmp_path, EVERY_FORM)
    _, back = round_trip(case, tmp_path)
    imported = tomllib.loads(back.read_text(encoding="utf-8"))
    price = imported["consequences"][1]["price"]["region"]
    assert price["base"] == 0.30000000000000004  # 17 significant digits
    assert imported["effect"]["measure"] == "=Ophørt med misbrug"  # text, not a formula
    assert imported["case"]["description"] == 'Line one\nline "two" with æøå'


def test_an_auto_horizon_round_trips_as_the_word(tmp_path):
    text = BUNDLED[0].read_text(encoding="utf-8")
    lines = ['horizon = "auto"' if line.startswith("horizon =") else line for line in text.splitlines()]
    text = "\n".join(lines) + "\n"
    if "window =" not in text:
        text = text.replace("[persistence]", "[persistence]\nwindow = 10", 1)
    case = write(tmp_path, text)
    original, back = round_trip(case, tmp_path)
    assert original["case"]["horizon"] == "auto"
    assert tomllib.loads(back.read_text(encoding="utf-8")) == original
    assert_same_results(case, back)


def test_catalog_price_round_trips_as_the_word(tmp_path):
    case = write(tmp_path, CATALOG)
    original, back = round_trip(case, tmp_path)
    imported = tomllib.loads(back.read_text(encoding="utf-8"))
    assert imported == original
    assert imported["consequences"][0]["price"] == "catalog"


def test_the_layout_holds_numbers_as_numbers_and_lists_in_cells(tmp_path):
    workbook = load_workbook(export_case(write(tmp_path, EVERY_FORM), tmp_path / "case.xlsx"))
    prices = workbook["Priser"]
    assert [c.value for c in prices[1]][:4] == ["Konsekvens", "Aktør", "Fast værdi", "Fordeling"]
    header = [c.value for c in prices[2]]
    assert header[:4] == ["consequence", "actor", "value", "dist"]
    rows = [[c.value for c in row] for row in prices.iter_rows(min_row=3)]
    assert rows[0][:3] == ["kontanthjaelp", "kommune", 95000]
    assert rows[1][:5] == ["kontanthjaelp", "stat", None, "uniform", 40000]
    consequences = workbook["Konsekvenser"]
    profile = [c.value for c in consequences[5]][[c.value for c in consequences[2]].index("profile") :]
    assert profile[:4] == [1, 0.75, 0.5, 0]
    empirical = workbook["Empirisk"]
    columns = {col[0].value: [c.value for c in col[1:] if c.value is not None] for col in empirical.columns}
    assert columns == {
        "participants.cohorts.3": [18, 20.5, 25, 19],
        "consequences.indlaeggelser.change": [-1, -0.5, 0, -2.5],
    }
    assert all(isinstance(c.value, int | float) for c in workbook["Sag"]["B"][5:8])


def test_the_toml_writer_writes_cases_as_people_do():
    raw = tomllib.loads(EVERY_FORM)
    text = case_toml(raw, "a header")
    assert text.startswith("# a header\n\n[case]\n")
    assert "\n[[costs]]\n" in text
    assert 'amount = { dist = "uniform", min = 100000, max = 300000 }' in text
    assert tomllib.loads(text) == raw


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_export_then_import_gives_the_same_json(cli, tmp_path):
    case = write(tmp_path, EVERY_FORM)
    assert cli("excel", "export", case, tmp_path / "case.xlsx").code == 0
    result = cli("excel", "import", tmp_path / "case.xlsx", tmp_path / "back.toml")
    assert result.code == 0, result.stderr
    assert "Case written to" in result.stdout
    summaries = [
        json.loads(cli("run", path, "--json", "--draws", "400", "--seed", "5").stdout)
        for path in (case, tmp_path / "back.toml")
    ]
    assert summaries[0] == summaries[1]


def test_template_has_every_sheet_and_help(cli, tmp_path):
    result = cli("excel", "template", tmp_path / "template.xlsx")
    assert result.code == 0, result.stderr
    workbook = load_workbook(tmp_path / "template.xlsx")
    assert workbook.sheetnames == [*SHEETS, "Stier"]  # Stier: the hidden list of input paths
    assert [workbook["Sag"][f"A{row}"].value for row in (1, 2, 3)] == ["Nøgle", "key", "name"]
    assert [c.value for c in workbook["Aktører"]["A"][2:]] == ["kommune", "region", "stat"]
    assert "Usikre værdier" in [c.value for c in workbook["Hjælp"]["A"]]
    lists = {dv.formula1 for dv in workbook["Omkostninger"].data_validations.dataValidation}
    assert '"fixed,per_participant"' in lists and "'Aktører'!$A$3:$A$502" in lists


def test_importing_the_unfilled_template_says_what_is_missing(cli, tmp_path):
    write_template(tmp_path / "template.xlsx")
    result = cli("excel", "import", tmp_path / "template.xlsx", tmp_path / "case.toml")
    assert result.code == 2
    assert 'sheet "Sag", cell B3: case.name: required key is missing' in result.stderr
    assert 'sheet "Sag", cell B7: case.start_year: required key is missing' in result.stderr
    assert 'sheet "Deltagere": participants: give `cohorts' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "case.toml").exists()


def test_export_refuses_what_the_workbook_cannot_hold(cli, tmp_path):
    case = write(tmp_path, NUMBER_OF_YEARS + "\n[extra]\nx = 1\n")
    result = cli("excel", "export", case, tmp_path / "case.xlsx")
    assert result.code == 2
    assert "case.toml: extra: unknown section" in result.stderr
    assert not (tmp_path / "case.xlsx").exists()


def test_wrong_suffixes_are_refused_before_any_work(cli, tmp_path):
    assert cli("excel", "template", tmp_path / "t.xls").code == 2
    case = write(tmp_path, NUMBER_OF_YEARS)
    assert cli("excel", "export", case, tmp_path / "case.csv").code == 2
    export_case(case, tmp_path / "case.xlsx")
    result = cli("excel", "import", tmp_path / "case.xlsx", tmp_path / "case.txt")
    assert result.code == 2 and ".toml" in result.stderr


def test_a_file_that_is_not_a_workbook_is_exit_2(cli, tmp_path):
    case = write(tmp_path, NUMBER_OF_YEARS)
    result = cli("excel", "import", case, tmp_path / "back.toml")
    assert result.code == 2
    assert "this is a TOML case file: `somrisk excel export" in result.stderr  # the command it needs
    other = tmp_path / "notes.txt"
    other.write_text("not a workbook", encoding="utf-8")
    result = cli("excel", "import", other, tmp_path / "back.toml")
    assert result.code == 2
    assert "is not an Excel workbook (.xlsx)" in result.stderr


# --- workbooks with errors ----------------------------------------------------------------------


def bundled_workbook(tmp_path: Path) -> tuple[Path, object]:
    path = export_case(ROOT / "src/somrisk/data/cases/youth-cannabis.toml", tmp_path / "case.xlsx")
    return path, load_workbook(path)


def column(sheet, name: str) -> str:
    """The letter of the column headed `name` (the key, in row 2 under the Danish captions)."""
    return next(c.column_letter for c in sheet[2] if c.value == name)


def edit_sheet(sheet, name: str, row: int, value) -> str:
    cell = f"{column(sheet, name)}{row}"
    sheet[cell] = value
    return cell


def text_in_a_number_cell(book):
    return edit_sheet(book["Omkostninger"], "min", 3, "100 000"), (
        'sheet "Omkostninger", cell {cell}: costs.opstart.amount.min: expected a number, found text'
    )


def unknown_distribution(book):
    return edit_sheet(book["Effekt"], "dist", 4, "betta"), (
        'sheet "Effekt", cell {cell}: effect.success_rate.dist: unknown distribution; dist must be one of'
    )


def actor_not_in_the_case(book):
    return edit_sheet(book["Priser"], "actor", 4, "staten"), (
        'sheet "Priser", cell {cell}: consequences.uddannelseshjaelp.price.staten: unknown actor; '
        "case.actors are kommune, region, stat"
    )


def sd_not_positive(book):
    return edit_sheet(book["Konsekvenser"], "sd", 3, -0.08), (
        'sheet "Konsekvenser", cell {cell}: consequences.uddannelseshjaelp.change.sd: must be greater than 0'
    )


def rate_out_of_range(book):
    edit_sheet(book["Effekt"], "max", 5, 1.3)
    return f"{column(book['Effekt'], 'dist')}5", (
        'sheet "Effekt", cell {cell}: effect.comparison_rate: a rate must lie in [0, 1]'
    )


def missing_column(book):
    sheet = book["Omkostninger"]
    sheet[f"{column(sheet, 'actor')}2"] = None
    return "A2", 'sheet "Omkostninger", cell {cell}: the column "actor" is missing'


def missing_sheet(book):
    del book["Priser"]
    return "", 'sheet "Priser": the sheet is missing'


def formula_without_value(book):
    return edit_sheet(
        book["Sag"], "value", 8, "=5+5"
    ), 'sheet "Sag", cell {cell}: a formula without a computed value'


def empirical_without_values(book):
    return edit_sheet(book["Omkostninger"], "dist", 4, "empirical"), (
        'sheet "Omkostninger", cell {cell}: costs.gruppeforloeb.amount: dist = empirical takes its values '
        'from the sheet "Empirisk": a column headed costs.gruppeforloeb.amount'
    )


def parameters_without_dist(book):
    edit_sheet(book["Sag"], "dist", 9, None)
    return edit_sheet(book["Sag"], "sd", 9, 0.01), (
        'sheet "Sag", cell {cell}: economy.discount_rate: sd given without `dist`'
    )


def duplicate_name(book):
    return edit_sheet(book["Konsekvenser"], "name", 4, "uddannelseshjaelp"), (
        'sheet "Konsekvenser", cell {cell}: consequences[2].name: this name is already used by consequences[1]'
    )


def price_for_unknown_consequence(book):
    return edit_sheet(book["Priser"], "consequence", 3, "kontanthjaelp"), (
        'sheet "Priser", cell {cell}: no consequence has this name on the sheet "Konsekvenser" (found "kontanthjaelp")'
    )


BROKEN = [
    text_in_a_number_cell,
    unknown_distribution,
    actor_not_in_the_case,
    sd_not_positive,
    rate_out_of_range,
    missing_column,
    missing_sheet,
    formula_without_value,
    empirical_without_values,
    parameters_without_dist,
    duplicate_name,
    price_for_unknown_consequence,
]


@pytest.mark.parametrize("breaks", BROKEN, ids=lambda f: f.__name__)
def test_a_wrong_cell_is_exit_2_naming_sheet_and_cell(breaks, cli, tmp_path):
    path, book = bundled_workbook(tmp_path)
    cell, expected = breaks(book)
    book.save(path)
    result = cli("excel", "import", path, tmp_path / "back.toml")
    assert result.code == 2
    assert f"{path}, {expected.format(cell=cell)}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "back.toml").exists()


def test_a_workbook_problem_is_not_repeated_by_the_validation(tmp_path):
    path, book = bundled_workbook(tmp_path)
    text_in_a_number_cell(book)
    book.save(path)
    with pytest.raises(CaseError) as error:
        read_case_workbook(path)
    assert [p.key_path for p in error.value.problems] == ["costs.opstart.amount.min"]


def test_every_problem_is_reported_at_once(tmp_path):
    path, book = bundled_workbook(tmp_path)
    for breaks in (unknown_distribution, sd_not_positive, actor_not_in_the_case):
        breaks(book)
    book.save(path)
    with pytest.raises(CaseError) as error:
        read_case_workbook(path)
    assert len(error.value.problems) == 3


def test_formulas_with_computed_values_are_read(tmp_path):
    path, book = bundled_workbook(tmp_path)
    sheet = book["Sag"]
    sheet[f"{column(sheet, 'value')}8"] = "=5+5"
    book.save(path)
    # openpyxl keeps no computed values; write the one Excel would have saved beside the formula
    import zipfile

    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/worksheets/sheet1.xml"] = files["xl/worksheets/sheet1.xml"].replace(
        b"<f>5+5</f><v />", b"<f>5+5</f><v>10</v>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    assert read_case_workbook(path)["case"]["horizon"] == 10


def test_own_sheets_and_moved_rows_are_fine(tmp_path):
    path, book = bundled_workbook(tmp_path)
    book.create_sheet("Mine beregninger")["A1"] = "not read"
    book["Sag"].move_range("A3:V4", rows=20)  # name and description below the other keys
    book.save(path)
    original = tomllib.loads(
        (ROOT / "src/somrisk/data/cases/youth-cannabis.toml").read_text(encoding="utf-8")
    )
    assert read_case_workbook(path) == original


def test_empirical_values_must_be_numbers_in_a_used_column(tmp_path):
    path = export_case(write(tmp_path, EVERY_FORM), tmp_path / "case.xlsx")
    book = load_workbook(path)
    sheet = book["Empirisk"]
    sheet["A3"] = "tyve"
    sheet["C1"] = "costs.opstart.amount"
    sheet["C2"] = 1
    book.save(path)
    with pytest.raises(CaseError) as error:
        read_case_workbook(path)
    messages = [str(p) for p in error.value.problems]
    assert messages == [
        f'{path}, sheet "Empirisk", cell A3: expected a number, found text (found "tyve")',
        f'{path}, sheet "Empirisk", cell C1: no input with dist = empirical has this path; check the name, '
        'or delete the column (found "costs.opstart.amount")',
    ]


def test_importing_over_a_commented_file_says_the_comments_are_gone(cli, tmp_path):
    case = write(tmp_path, "# a comment\n" + NUMBER_OF_YEARS)
    export_case(case, tmp_path / "case.xlsx")
    result = cli("excel", "import", tmp_path / "case.xlsx", case, "--force")
    assert result.code == 0, result.stderr
    assert "a workbook does not keep them" in result.stdout
    assert "# a comment" not in case.read_text(encoding="utf-8")
    again = cli("excel", "import", tmp_path / "case.xlsx", case, "--force")
    assert "a workbook does not keep them" not in again.stdout


def test_actors_typed_in_capitals_are_the_cases_actors(tmp_path):
    # "Kommune", as every result table writes it, on the cost and price sheets
    path, book = bundled_workbook(tmp_path)
    typed = []
    for title in ("Omkostninger", "Priser"):
        sheet = book[title]
        col = column(sheet, "actor")
        for row in range(3, sheet.max_row + 1):
            value = sheet[f"{col}{row}"].value
            if isinstance(value, str):
                sheet[f"{col}{row}"] = value.capitalize() if row % 2 else f" {value.upper()} "
                typed.append(title)
    assert set(typed) == {"Omkostninger", "Priser"} and len(typed) >= 4
    book.save(path)
    original = tomllib.loads(
        (ROOT / "src/somrisk/data/cases/youth-cannabis.toml").read_text(encoding="utf-8")
    )
    assert read_case_workbook(path) == original


@pytest.mark.parametrize(("title", "name"), [("Omkostninger", "min"), ("Sag", "value")])
def test_a_formula_without_its_value_is_one_problem_at_its_cell(tmp_path, title, name):
    # openpyxl saves no computed values: as a workbook written by a program, not Excel
    path, book = bundled_workbook(tmp_path)
    cell = edit_sheet(book[title], name, 3, "=25000*1.2")
    book.save(path)
    with pytest.raises(CaseError) as error:
        read_case_workbook(path)
    [problem] = error.value.problems
    assert "a formula without a computed value" in problem.message
    assert f"cell {cell}" in str(problem.file)
