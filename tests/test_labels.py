"""Labels of input paths and groups (somrisk.labels): the case's and catalogue's words and the kind
of input, in Danish and English, for every path of case-format.md's "Input paths" table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from somrisk import load_case, parse_case
from somrisk.labels import labels
from somrisk.testing import minimal_case

CASES = sorted((Path(__file__).parents[1] / "cases").glob("*.toml"))

CASE = minimal_case(
    effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
    costs="""
[[costs]]
name = "gruppe"
label = "Gruppeforløb"
actor = "kommune"
kind = "per_participant"
amount = 29000

[[costs]]
name = "opstart"
actor = "kommune"
kind = "fixed"
amount = 100000

[[comparison_costs]]
name = "gruppe"
label = "Sædvanlig behandling"
actor = "kommune"
kind = "per_participant"
amount = 25000
""",
    consequences="""
[[consequences]]
name = "kontanthjaelp"
label = "Kontanthjælp"
change = -0.2
price = { kommune = 100000, stat = 20000 }
price_factor = 1.0

[[consequences]]
name = "ophold"
label = "Ophold på herberg"
change = -3
price = { kommune = 500 }
""",
    extra='[[groups]]\nname = "studiet"\nlabel = "Effektstudiet"\ninputs = ["effect.effect"]',
)

#: Every row of case-format.md's "Input paths" table, each with a path of this case, and its labels.
EXPECTED = {
    "participants.cohorts.0": ("Deltagere, hold 1", "Participants, cohort 1"),
    "participants.per_year": ("Deltagere pr. år", "Participants per year"),
    "effect.success_rate": ("Effekt: succesrate", "Effect: success rate"),
    "effect.comparison_rate": (
        "Effekt: succesrate uden indsatsen",
        "Effect: success rate without the intervention",
    ),
    "effect.effect": (
        "Effekt: forskel i succesrate",
        "Effect: difference in success rate",
    ),
    "effect.cohort_factor.2": (
        "Effekt: indfasning, hold 3 (andel af den fulde effekt)",
        "Effect: phase-in, cohort 3 (share of the full effect)",
    ),
    "persistence.full_years": ("Varighed: år med fuld effekt", "Persistence: years of full effect"),
    "persistence.decay": ("Varighed: årligt aftag i effekten", "Persistence: yearly decay of the effect"),
    "costs.gruppe.amount": ("Gruppeforløb: beløb pr. deltager", "Gruppeforløb: amount per participant"),
    "costs.opstart.amount": ("Opstart: beløb", "Opstart: amount"),
    "comparison_costs.gruppe.amount": (
        "Sædvanlig behandling (sammenligning): beløb pr. deltager",
        "Sædvanlig behandling (comparison): amount per participant",
    ),
    "consequences.kontanthjaelp.change": (
        "Kontanthjælp: ændring pr. person med effekt",
        "Cash benefit (social assistance): change per person with the effect",
    ),
    "consequences.ophold.during": (
        "Ophold på herberg: ændring under forløbet",
        "Ophold på herberg: change during the course",
    ),
    "consequences.kontanthjaelp.price.kommune": (
        "Kontanthjælp: pris, kommune",
        "Cash benefit (social assistance): price, municipality",
    ),
    "consequences.kontanthjaelp.price_factor": (
        "Kontanthjælp: prisfaktor",
        "Cash benefit (social assistance): price factor",
    ),
    "economy.discount_rate": ("Diskonteringsrente", "Discount rate"),
    "economy.price_growth": ("Real prisvækst", "Real price growth"),
    "catalog.dagpenge.price.stat": ("Arbejdsløshedsdagpenge (katalog): pris, stat", None),
    "catalog.kontanthjaelp.price_factor": (
        "Kontanthjælp (katalog): prisfaktor",
        "Cash benefit (social assistance) (catalogue): price factor",
    ),
}

#: The path patterns of case-format.md's table, for the check that EXPECTED covers each.
SPEC_PATTERNS = (
    "participants.cohorts.<i>",
    "effect.success_rate",
    "effect.comparison_rate",
    "effect.effect",
    "effect.cohort_factor.<i>",
    "persistence.full_years",
    "persistence.decay",
    "costs.<name>.amount",
    "comparison_costs.<name>.amount",
    "consequences.<name>.change",
    "consequences.<name>.during",
    "consequences.<name>.price.<actor>",
    "consequences.<name>.price_factor",
    "economy.discount_rate",
    "economy.price_growth",
    "catalog.<name>.price.<actor>",
    "catalog.<name>.price_factor",
)


def _matches(pattern: str, path: str) -> bool:
    regex = (
        re.escape(pattern).replace("<i>", r"\d+").replace("<name>", "[a-z0-9_]+").replace("<actor>", r"[^.]+")
    )
    return re.fullmatch(regex, path) is not None


def test_every_row_of_the_input_paths_table_has_an_expected_label():
    for pattern in SPEC_PATTERNS:
        assert any(_matches(pattern, path) for path in EXPECTED), pattern


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_each_kind_of_input_is_labelled_in_both_languages(path):
    case = parse_case(CASE)
    danish, english = EXPECTED[path]
    assert labels(case, "da")[path] == danish
    if english is not None:
        assert labels(case, "en")[path] == english


def test_the_mapping_lists_the_case_inputs_in_order():
    case = parse_case(CASE)
    names = labels(case, "da")
    assert list(names)[:2] == ["participants.cohorts.0", "effect.effect"]
    assert "consequences.ophold.price.kommune" in names and len(names) == len(list(names))
    assert "catalog.dagpenge.price.stat" not in names  # looked up, not listed


def test_groups_are_named_in_the_language_declared_groups_by_their_label():
    case = parse_case(CASE)
    da, en = labels(case, "da"), labels(case, "en")
    assert (
        da.group("consequences") == "Økonomiske konsekvenser"
        and en.group("consequences") == "Budget consequences"
    )
    assert da.group("studiet") == "Effektstudiet"
    assert da.group("prices + economy") == "Priser + Økonomi"
    assert en.group("effect.effect") == "Effect: difference in success rate"


def test_a_path_the_format_does_not_have_yet_is_still_labelled():
    names = labels(parse_case(CASE), "en")
    assert names["effect.something_new"] == "Effect something new"


def test_other_actors_keep_their_names():
    text = minimal_case(
        consequences='[[consequences]]\nname = "x"\nchange = -1\nprice = { bydel = 5 }'
    ).replace("[case]", '[case]\nactors = ["bydel", "stat"]')
    assert labels(parse_case(text), "en")["consequences.x.price.bydel"] == "X: price, bydel"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="da, en"):
        labels(parse_case(CASE), "fr")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bundled_cases_have_distinct_labels_that_are_not_paths(path):
    case = load_case(path)
    for lang in ("da", "en"):
        names = labels(case, lang)
        shown = [names[p] for p in names]
        assert len(set(shown)) == len(shown), lang
        assert not any(re.search(r"\b[a-z_]+\.[a-z0-9_]+\b", label) for label in shown), shown


@given(st.integers(min_value=0, max_value=99))
def test_cohorts_count_from_one(i):
    names = labels(parse_case(CASE), "da")
    assert names[f"participants.cohorts.{i}"] == f"Deltagere, hold {i + 1}"
    assert (
        names[f"effect.cohort_factor.{i}"] == f"Effekt: indfasning, hold {i + 1} (andel af den fulde effekt)"
    )


@given(
    st.lists(
        st.sampled_from(["costs", "consequences", "catalog", "price", "x", "0", "amount", "kommune"]),
        min_size=1,
        max_size=5,
    )
)
def test_any_path_gets_a_label_and_is_never_refused(parts):
    path = ".".join(parts)
    for lang in ("da", "en"):
        label = labels(parse_case(CASE), lang)[path]
        assert isinstance(label, str) and label.strip(), path


def test_the_illustrative_marker_of_a_source_is_in_the_readers_language():
    from somrisk.labels import source_text

    assert source_text("illustrative", "da") == "illustrativ"
    assert (
        source_text("illustrative: the two years of support", "da") == "illustrativ: the two years of support"
    )
    assert source_text("illustrative", "en") == "illustrative"
    assert source_text("KRF2015: 1,469 DKK a day", "da") == "KRF2015: 1,469 DKK a day"  # the case's own
    assert source_text("illustratively chosen", "da") == "illustratively chosen"
    assert source_text(None, "da") == source_text("", "en") == ""
