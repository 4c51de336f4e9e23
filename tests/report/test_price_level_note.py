"""The report says which amounts were at another price year and the factor each was multiplied by
(model.md, "Price level": kappa = I(P) / I(Y)); factors by hand from som-background.md's index."""

from __future__ import annotations

import pytest

from somrisk import parse_case
from somrisk.report.i18n import Words
from somrisk.report.price_levels import price_level_note
from somrisk.runner import report
from somrisk.testing import minimal_case

CONSEQUENCES = (
    '[[consequences]]\nname = "k"\nlabel = "Kontanthjælp"\nchange = -1.0\nprice = { kommune = 1000 }\n'
    "price_year = 2015\n"
    '[[consequences]]\nname = "same"\nlabel = "Samme niveau"\nchange = -0.5\nprice = { stat = 10 }\n'
)
COSTS = (
    '[[costs]]\nname = "forloeb"\nlabel = "Forløb"\nactor = "kommune"\nkind = "per_participant"\n'
    "amount = 100\nprice_year = 2021\n"
)
TEXT = minimal_case(consequences=CONSEQUENCES, costs=COSTS).replace(
    "price_year = 2024", "price_year = 2023", 1
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "da",
            [
                "Beløb i andre prisår er omregnet til 2023-priser med Danmarks Statistiks nettoprisindeks",
                "<li>Forløb (beløb): 2021-priser × 1,1195 (indeks 118,0 / 105,4)</li>",  # 118.0 / 105.4
                "<li>Kontanthjælp (priser): 2015-priser × 1,1800 (indeks 118,0 / 100,0)</li>",
            ],
        ),
        (
            "en",
            [
                "Amounts of other price years are converted to 2023 prices",
                "<li>Forløb (amount): 2021 prices × 1.1195 (index 118.0 / 105.4)</li>",
                "<li>Kontanthjælp (prices): 2015 prices × 1.1800 (index 118.0 / 100.0)</li>",
            ],
        ),
    ],
)
def test_the_note_lists_each_conversion_with_its_factor(lang, expected):
    note = price_level_note(parse_case(TEXT), Words(lang))
    for text in expected:
        assert text in note
    assert "Samme niveau" not in note


def test_a_case_at_one_price_level_has_no_note():
    assert price_level_note(parse_case(minimal_case()), Words("da")) == ""


def test_the_report_holds_the_note(write_case, tmp_path):
    out = tmp_path / "report.html"
    report(write_case(TEXT), out=out, lang="da", draws=300)
    assert "<li>Kontanthjælp (priser): 2015-priser × 1,1800 (indeks 118,0 / 100,0)</li>" in out.read_text(
        encoding="utf-8"
    )
