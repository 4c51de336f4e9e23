"""The case workbook's sheet Scenarier, both ways."""

from __future__ import annotations

import tomllib

import pytest
from openpyxl import load_workbook

from somrisk.errors import CaseError
from somrisk.io.excel import export_case, import_case
from somrisk.testing import minimal_case

TEXT = (
    minimal_case(
        effect='{ dist = "beta", alpha = 4, beta = 6 }',
        costs="""
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = 30000
""",
    )
    + """
[[scenarios]]
name = "Effekt 25 % lavere"
scale = { "effect.effect" = 0.75 }

[[scenarios]]
name = "Dyrere"
set = { "costs.forloeb.amount" = { dist = "pert", min = 30000, mode = 40000, max = 60000 } }
scale = { "effect.effect" = 0.9 }
"""
)


def test_scenarios_go_to_their_sheet_and_come_back(write_case, tmp_path):
    case = write_case(TEXT)
    book = export_case(case, tmp_path / "case.xlsx")
    rows = list(load_workbook(book)["Scenarier"].iter_rows(values_only=True))
    # row 1 holds the Danish captions, row 2 the keys, the data follow (layout.FIRST_ROW)
    assert rows[1][:4] == ("scenario", "change", "input", "value")
    assert [row[:3] for row in rows[2:]] == [
        ("Effekt 25 % lavere", "scale", "effect.effect"),
        ("Dyrere", "set", "costs.forloeb.amount"),
        ("Dyrere", "scale", "effect.effect"),
    ]
    import_case(book, tmp_path / "back.toml")
    back = tomllib.loads((tmp_path / "back.toml").read_text(encoding="utf-8"))
    assert back["scenarios"] == tomllib.loads(TEXT)["scenarios"]


def test_a_workbook_without_the_sheet_has_no_scenarios(write_case, tmp_path):
    book = export_case(write_case(minimal_case()), tmp_path / "case.xlsx")
    workbook = load_workbook(book)
    del workbook["Scenarier"]
    workbook.save(book)
    import_case(book, tmp_path / "back.toml")
    assert "scenarios" not in tomllib.loads((tmp_path / "back.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (
            ["x", "double", "effect.effect", 2],
            ["Scenarier", "cell B3", "must be set (a new value) or scale", "double"],
        ),
        (["x", "scale", "effect.effect", None, "normal"], ["Scenarier", "a scale is a number"]),
        (["x", "scale", None, 0.5], ["Scenarier", "fill in input"]),
        (["x", "set", "effect.effect", 3], ["effect.effect", "[-1, 1]"]),
    ],
)
def test_bad_scenario_rows_are_problems_at_their_cell(write_case, tmp_path, row, words):
    book = export_case(
        write_case(minimal_case(effect='{ dist = "beta", alpha = 4, beta = 6 }')), tmp_path / "c.xlsx"
    )
    workbook = load_workbook(book)
    workbook["Scenarier"].append(row)
    workbook.save(book)
    with pytest.raises(CaseError) as error:
        import_case(book, tmp_path / "back.toml")
    for word in words:
        assert word in str(error.value)
    assert not (tmp_path / "back.toml").exists()
