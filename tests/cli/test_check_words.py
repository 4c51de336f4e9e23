"""`somrisk check --lang da|en`: each input by its label and path, its distribution in the family's
own words (distributions.FAMILIES) with the language's numbers, never in parameter notation."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from somrisk import example_case_path
from somrisk.testing import danish_number as danish

EXAMPLE = example_case_path()
CASE = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
#: parameter notation, as `Distribution.describe` writes it ("pert(min=16, ...)")
NOTATION = re.compile(r"\b(?:fixed|uniform|triangular|pert|normal|lognormal|beta|gamma|empirical)\(")


def line_of(text: str, path: str) -> str:
    """The check's line of the input `path` ('label (path): words, base x'), the one line naming it."""
    found = [line.strip() for line in text.splitlines() if f"({path}):" in line]
    assert len(found) == 1, text
    return found[0]


def consequence(name: str) -> dict:
    return next(c for c in CASE["consequences"] if c["name"] == name)


def cost(name: str) -> dict:
    return next(c for c in CASE["costs"] if c["name"] == name)


def test_danish_check_names_each_input_by_label_and_describes_it_in_danish_words(cli):
    result = cli("check", EXAMPLE, "--lang", "da")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert not NOTATION.search(text), text

    cohort = CASE["participants"]["cohorts"][0]
    pert_mean = (cohort["min"] + 4 * cohort["mode"] + cohort["max"]) / 6
    assert line_of(text, "participants.cohorts.0") == (
        f"Deltagere, hold 1 (participants.cohorts.0): PERT-fordeling {cohort['min']}-{cohort['max']}, "
        f"mest sandsynligt {cohort['mode']}, basis {danish(pert_mean, 4)}"
    )
    rate = CASE["effect"]["success_rate"]
    assert line_of(text, "effect.success_rate") == (
        f"Effekt: succesrate (effect.success_rate): betafordeling, middelværdi {danish(rate['mean'], 2)}, "
        f"basis {danish(rate['mean'], 2)}"
    )
    amount = cost("opstart")["amount"]
    base = (amount["min"] + 4 * amount["mode"] + amount["max"]) / 6
    assert line_of(text, "costs.opstart.amount").endswith(
        f": PERT-fordeling {danish(amount['min'])}-{danish(amount['max'])}, mest sandsynligt "
        f"{danish(amount['mode'])}, basis {danish(base)}"
    )
    change = consequence("uddannelseshjaelp")["change"]
    assert line_of(text, "consequences.uddannelseshjaelp.change") == (
        "Uddannelseshjælp: ændring pr. person med effekt (consequences.uddannelseshjaelp.change): "
        f"normalfordeling, middelværdi {danish(change['mean'], 2)}, spredning {danish(change['sd'], 2)}, "
        f"basis {danish(change['mean'], 2)}"
    )
    # a negative range joined by "til", not a dash that reads as a minus sign
    price = consequence("skat_beskaeftigelse")["price"]["kommune"]
    assert line_of(text, "consequences.skat_beskaeftigelse.price.kommune").startswith(
        "Skat af beskæftigelse: pris, kommune (consequences.skat_beskaeftigelse.price.kommune): "
        f"PERT-fordeling {danish(price['min'])} til {danish(price['max'])}, mest sandsynligt "
        f"{danish(price['mode'])}, basis "
    )
    decay = CASE["persistence"]["decay"]
    assert line_of(text, "persistence.decay") == (
        "Varighed: årligt aftag i effekten (persistence.decay): ligefordeling "
        f"{danish(decay['min'], 1)}-{danish(decay['max'], 1)}, basis {danish((decay['min'] + decay['max']) / 2, 1)}"
    )


def test_english_check_describes_inputs_in_english_words(cli):
    result = cli("check", EXAMPLE, "--lang", "en")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert not NOTATION.search(text), text
    cohort = CASE["participants"]["cohorts"][1]
    pert_mean = (cohort["min"] + 4 * cohort["mode"] + cohort["max"]) / 6
    assert line_of(text, "participants.cohorts.1") == (
        f"Participants, cohort 2 (participants.cohorts.1): PERT {cohort['min']}-{cohort['max']}, "
        f"most likely {cohort['mode']}, base {pert_mean:.4f}"
    )
    amount = cost("opstart")["amount"]
    base = (amount["min"] + 4 * amount["mode"] + amount["max"]) / 6
    assert line_of(text, "costs.opstart.amount").endswith(
        f": PERT {amount['min']:,}-{amount['max']:,}, most likely {amount['mode']:,}, base {base:,.0f}"
    )
    days = consequence("faengselsdage")["change"]
    assert line_of(text, "consequences.faengselsdage.change") == (
        "Days in prison: change per person with the effect (consequences.faengselsdage.change): "
        f"triangular −{-days['min']:g} to {days['max']:g}, most likely −{-days['mode']:g}, "
        f"base {(days['min'] + days['mode'] + days['max']) / 3:.5f}"
    )


@pytest.mark.parametrize("lang", ["da", "en"])
def test_check_json_is_the_same_in_both_languages(cli, lang):
    english = cli("check", EXAMPLE, "--json", env={"LANG": "en_US.UTF-8"})
    assert english.code == 0, english.stderr
    shown = cli("check", EXAMPLE, "--json", "--lang", lang)
    assert shown.stdout == english.stdout
    document = json.loads(shown.stdout)
    assert "effect.success_rate" in json.dumps(document)  # the JSON keeps the paths


def test_danish_check_lists_price_conversions_in_danish(cli, write_case):
    from somrisk.testing import minimal_case

    consequences = (
        '[[consequences]]\nname = "k"\nlabel = "Kontanthjælp"\nchange = -1.0\nprice = { kommune = 1000 }\n'
        "price_year = 2015\n"
    )
    cost = '[[costs]]\nname = "c"\nactor = "kommune"\nkind = "fixed"\namount = 100\nprice_year = 2020\n'
    text = minimal_case(costs=cost, consequences=consequences).replace(
        "[economy]", "[economy]\nprice_index = { 2015 = 95.0, 2020 = 100.0, 2024 = 104.5 }", 1
    )
    path = write_case(text)
    result = cli("check", path, "--lang", "da")
    assert result.code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "omregnet til 2024-priser med nettoprisindekset (" in out and "og [economy] price_index" in out
    # 104.5 / 100 and 104.5 / 95, the index values as given, with decimal commas
    assert "c (costs.c): beløb i 2020-priser x 1,0450 (indeks 2024 = 104,5 / indeks 2020 = 100)" in out
    assert (
        f"Kontanthjælp (consequences.k): priser i 2015-priser x {danish(104.5 / 95, 4)} "
        "(indeks 2024 = 104,5 / indeks 2015 = 95)"
    ) in out
    assert "converted" not in out and "prices x" not in out


@given(st.integers(min_value=-999_999, max_value=999_999))
def test_base_values_are_grouped_as_each_language_writes_them(x):
    from somrisk.report.table_words import TableWords

    assert TableWords("da").grouped(float(x), 6) == danish(x)
    assert TableWords("en").grouped(float(x), 6) == f"{x:,}"


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_a_uniform_range_in_words_in_both_languages(low, width):
    from somrisk.distributions.families import Uniform
    from somrisk.report.distribution_words import in_words
    from somrisk.report.i18n import Words

    dist = Uniform(dist="uniform", min=float(low), max=float(low + width))
    assert in_words(dist, Words("da")) == f"ligefordeling {danish(low)}-{danish(low + width)}"
    assert in_words(dist, Words("en")) == f"uniform {low:,}-{low + width:,}"


@pytest.mark.parametrize(
    "params",
    [
        {"mean": 150000.0, "sd": 26921.5},
        {"mu": 0.3, "sigma": 0.5},
        {"estimate": 2.0, "ci95": [1.2, 3.5]},
        {"mean": 0.8, "sd": 0.3},
    ],
)
def test_a_lognormal_in_words_names_the_median_of_its_scipy_twin(params):
    from somrisk.distributions.families import LogNormal
    from somrisk.report.distribution_words import in_words
    from somrisk.report.i18n import Words

    dist = LogNormal(dist="lognormal", **params)
    median = float(dist.scipy().ppf(0.5))  # scipy.stats, the reference
    for lang, words in (("da", "lognormalfordeling, median {}"), ("en", "lognormal, median {}")):
        shown = Words(lang).number(median) if abs(median) >= 1000 else Words(lang).decimal(median)
        assert in_words(dist, Words(lang)) == words.format(shown)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "da",
            [
                "2 omkostninger, 1 omkostning i sammenligningen, 6 konsekvenser",
                "28 input, heraf 23 usikre; 1 rangkorrelation, 0 erklærede grupper",
            ],
        ),
        (
            "en",
            [
                "2 costs, 1 comparison cost, 6 consequences",
                "28 inputs, of which 23 uncertain; 1 rank correlation, 0 declared groups",
            ],
        ),
    ],
)
def test_check_counts_in_the_singular_where_there_is_one(cli, lang, expected):
    # the example case: 2 costs, 1 comparison cost, 6 consequences, 1 correlation, no groups
    assert (len(CASE["costs"]), len(CASE["comparison_costs"]), len(CASE["consequences"])) == (2, 1, 6)
    assert len(CASE["correlations"]) == 1 and "groups" not in CASE
    result = cli("check", EXAMPLE, "--lang", lang)
    assert result.code == 0, result.stderr
    for part in expected:
        assert part in result.stdout, result.stdout


def test_check_names_the_values_still_marked_todo(cli, tmp_path):
    path = tmp_path / "ny.toml"
    assert cli("new", "Ny sag", "-c", "kontanthjaelp", "--out", path, "--lang", "da").code == 0
    text = path.read_text(encoding="utf-8")
    # a value with TODO in its comment; not the file's own notes, not commented-out lines
    expected = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if "TODO" in line and not line.lstrip().startswith("#")
    ]
    assert len(expected) >= 5
    result = cli("check", path, "--lang", "da")
    assert result.code == 0
    line = " ".join(result.stdout.split())
    listed = ", ".join(map(str, expected))
    assert f"bemærk: {len(expected)} værdier er stadig markeret TODO (linje {listed})" in line
    filled = tmp_path / "filled.toml"
    filled.write_text(text.replace("TODO", "done"), encoding="utf-8")
    assert "TODO" not in cli("check", filled, "--lang", "en").stdout
