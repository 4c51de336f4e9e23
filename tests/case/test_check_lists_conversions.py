"""``somrisk check`` lists every item at another price year than the case's, with the factor the
calculation multiplies it by (model.md, "Price level": kappa = I(P) / I(Y)), so that an analyst can
hold it against their own conversion. Factors by hand from som-background.md's index values."""

from __future__ import annotations

from somrisk.testing import minimal_case

CONSEQUENCES = (
    '[[consequences]]\nname = "k"\nlabel = "Kontanthjælp"\nchange = -1.0\nprice = { kommune = 1000 }\n'
    "price_year = 2015\n"
    '[[consequences]]\nname = "kontanthjaelp"\nchange = -0.5\nprice = "catalog"\n'
    '[[consequences]]\nname = "same"\nchange = -0.5\nprice = { stat = 10 }\nprice_year = 2023\n'
)
COSTS = (
    '[[costs]]\nname = "forloeb"\nlabel = "Forløb"\nactor = "kommune"\nkind = "per_participant"\n'
    "amount = 100\nprice_year = 2024\n"
)


def test_check_lists_each_conversion_with_its_factor(cli, write_case):
    text = minimal_case(consequences=CONSEQUENCES, costs=COSTS).replace(
        "price_year = 2024", "price_year = 2023", 1
    )
    text = text.replace("[economy]", "[economy]\nprice_index = { 2024 = 120.2 }", 1)
    result = cli("check", write_case(text))
    assert result.code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "converted to 2023 prices with the net price index" in out and "[economy] price_index" in out
    # 118.0 / 120.2 = 0.98170: the case's own 2024 value beside the bundled 2023
    assert (
        "Forløb (costs.forloeb): amount at 2024 prices x 0.9817 (index 2023 = 118 / index 2024 = 120.2)"
        in out
    )
    # 118.0 / 100.0
    assert (
        "Kontanthjælp (consequences.k): prices at 2015 prices x 1.1800 (index 2023 = 118 / index 2015 = 100)"
        in out
    )
    # the knowledge base is at 2024 prices: the catalogue's label, 118.0 / 120.2
    assert "(consequences.kontanthjaelp): catalogue prices at 2024 prices x 0.9817" in out
    assert "catalogue prices at 2024 prices x 0.9817 (index 2023 = 118 / index 2024 = 120.2)" in out
    assert "consequences.same" not in out  # at the case's own level: nothing converted


def test_a_case_at_one_price_level_lists_no_conversion(cli, write_case):
    text = minimal_case(consequences='[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 1 }\n')
    result = cli("check", write_case(text))
    assert result.code == 0 and "converted" not in result.stdout


def test_an_index_on_another_base_shows_in_the_values_check_prints(cli, write_case):
    # given values on 2020 = 100 for both years: the ratio is theirs, 104.5 / 100.0, and check shows
    # the values, so that an index on an unexpected base stands out
    cost = '[[costs]]\nname = "c"\nactor = "kommune"\nkind = "fixed"\namount = 100\nprice_year = 2020\n'
    text = minimal_case(costs=cost).replace(
        "[economy]", "[economy]\nprice_index = { 2020 = 100.0, 2024 = 104.5 }", 1
    )
    result = cli("check", write_case(text))
    assert result.code == 0, result.stderr
    assert "c (costs.c): amount at 2020 prices x 1.0450 (index 2024 = 104.5 / index 2020 = 100)" in " ".join(
        result.stdout.split()
    )
