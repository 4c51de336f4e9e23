"""The knowledge base (somrisk's consequence catalogue): its entries, ``somrisk catalog``,
``price = "catalog"`` in a case run on its own, and ``somrisk new``.

The catalogue file is read here with tomllib, independently of somrisk's loader.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from somrisk.case.catalog import builtin_catalog, builtin_catalog_path
from somrisk.case.scaffold import slug_file_name
from somrisk.testing import minimal_case

RAW = tomllib.loads(builtin_catalog_path().read_text(encoding="utf-8"))
ENTRIES = {entry["name"]: entry for entry in RAW["prices"]}
AREAS = {"beskaeftigelse", "uddannelse", "social", "sundhed", "kriminalitet"}
#: SØM's 33 consequence types in five areas (som-background.md), as the catalogue names them
SOM_33 = [
    "kontanthjaelp",
    "uddannelseshjaelp",
    "foertidspension",
    "dagpenge",
    "sygedagpenge",
    "ressourceforloeb",
    "ledighedsydelse",
    "aktivering",
    "skat_beskaeftigelse",
    "skat_ydelser",
    "ungdomsuddannelse",
    "videregaaende_uddannelse",
    "su",
    "misbrugsbehandling",
    "herberg",
    "botilbud_midlertidigt",
    "botilbud_laengerevarende",
    "socialpaedagogisk_stoette",
    "aktivitets_samvaer",
    "beskyttet_beskaeftigelse",
    "somatisk_indlaeggelse",
    "psykiatrisk_indlaeggelse",
    "somatisk_ambulant",
    "psykiatrisk_ambulant",
    "skadestue",
    "praktiserende_laege",
    "speciallaege",
    "medicin",
    "faengselsdage",
    "dom_vold",
    "dom_ejendom",
    "dom_oevrig",
    "politi",
]


def test_the_catalogue_has_somes_33_consequence_types_in_its_five_areas() -> None:
    assert len(SOM_33) == 33
    assert set(SOM_33) <= set(ENTRIES)
    assert {entry["category"] for entry in ENTRIES.values()} == AREAS
    assert builtin_catalog().info.price_year == RAW["catalog"]["price_year"]
    assert [p.name for p in builtin_catalog().prices] == list(ENTRIES)


@pytest.mark.parametrize("name", list(ENTRIES))
def test_every_entry_has_a_unit_an_area_labels_a_price_and_a_source(name: str) -> None:
    entry = ENTRIES[name]
    assert entry["unit"].strip() and entry["label"].strip() and entry["label_en"].strip()
    assert entry["category"] in AREAS
    assert entry["price"] and set(entry["price"]) <= {"kommune", "region", "stat"}
    assert len(entry["source"].strip()) > 20, "a source says where the number comes from"
    if entry.get("illustrative"):
        assert "llustrativ" in entry["source"], "an illustrative price says so in its source"


@pytest.mark.parametrize("name", list(ENTRIES))
def test_every_entry_has_a_price_year_and_names_its_refusion_rules(name: str) -> None:
    entry = ENTRIES[name]
    assert isinstance(entry.get("price_year"), int) and 2015 <= entry["price_year"] <= 2024
    assert "Refusion: " in entry["source"], "the source says which reimbursement rules the split assumes"


def test_the_shelter_split_says_which_rules_it_follows() -> None:
    # since the 2023 homelessness reform the state refunds only a limited number of shelter days a year
    source = ENTRIES["herberg"]["source"]
    assert "hjemløsereformen 2023" in source and "kun et begrænset antal døgn" in source
    assert "50/50 følger reglen før hjemløsereformen" in source


def test_catalog_json_lists_every_entry_with_the_keys_of_outputs_md(cli) -> None:
    result = cli("catalog", "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    listed = {item["name"]: item for item in document["consequences"]}
    assert list(listed) == list(ENTRIES)
    for name, item in listed.items():
        assert set(item) >= {"name", "label", "category", "unit", "actors", "price", "source"}
        raw = ENTRIES[name]
        assert item["actors"] == list(raw["price"])
        assert (item["unit"], item["category"], item["source"]) == (
            raw["unit"],
            raw["category"],
            raw["source"],
        )
        for actor, value in raw["price"].items():
            if isinstance(value, dict):  # the distribution as written, plus defaults (pert's lambda)
                assert item["price"][actor].items() >= value.items()
            else:
                assert item["price"][actor] == value


def test_catalog_table_in_danish_and_english(cli) -> None:
    danish, english = cli("catalog", "--lang", "da"), cli("catalog", "--lang", "en")
    assert danish.code == english.code == 0
    assert "Betegnelse" in danish.stdout and ENTRIES["herberg"]["label"] in danish.stdout
    assert "Label" in english.stdout and ENTRIES["herberg"]["label_en"][:20] in english.stdout


def _case_with(price: str, *, actors: str = '["kommune", "region", "stat"]', year: int = 2024) -> str:
    consequence = f'[[consequences]]\nname = "herberg"\nchange = -10.0\nprice = {price}\n'
    text = minimal_case(consequences=consequence, discount_rate="0.035")
    text = text.replace("price_year = 2024", f"price_year = {year}\nactors = {actors}", 1)
    return text


def _toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def test_a_case_on_its_own_takes_the_knowledge_base_price(cli, tmp_path: Path) -> None:
    # the same case with the entry's price written out must give the same deterministic result
    entry = ENTRIES["herberg"]
    explicit = _toml_value(entry["price"])
    extra = f"\nprice_factor = {_toml_value(entry['price_factor'])}" if "price_factor" in entry else ""
    (tmp_path / "catalog.toml").write_text(_case_with('"catalog"'), encoding="utf-8")
    (tmp_path / "explicit.toml").write_text(_case_with(explicit + extra), encoding="utf-8")
    results = {}
    for name in ("catalog", "explicit"):
        run = cli("run", tmp_path / f"{name}.toml", "--draws", "500", "--json")
        assert run.code == 0, run.stderr
        results[name] = json.loads(run.stdout)
    assert results["catalog"]["deterministic"] == results["explicit"]["deterministic"]
    assert results["catalog"]["deterministic"]["npv"]["total"] != 0
    check = cli("check", tmp_path / "catalog.toml")
    assert check.code == 0 and "catalog.herberg.price" in check.stdout


def test_the_knowledge_base_needs_the_index_of_the_cases_price_level_and_its_actors(cli, write_case) -> None:
    # the entry is at the catalogue's 2024 prices; a 2025 case converts it, and the bundled index
    # (2015-2023) has neither year: exit 2 naming the years, the key path and how to add them
    year = RAW["catalog"]["price_year"]
    result = cli("check", write_case(_case_with('"catalog"', year=year + 1)))
    assert result.code == 2
    assert "consequences.herberg.price" in result.stderr and f"{year} and {year + 1}" in result.stderr
    assert f"price_index = {{ {year} = ..., {year + 1} = ... }}" in result.stderr
    assert "covers 2015-2023" in result.stderr
    payers = list(ENTRIES["herberg"]["price"])
    others = [a for a in ("kommune", "region", "stat") if a not in payers]
    result = cli("check", write_case(_case_with('"catalog"', actors=json.dumps(others or ["amt"]))))
    assert result.code == 2
    assert "consequences.herberg.price" in result.stderr and f'prices actor "{payers[0]}"' in result.stderr


def test_somrisk_new_writes_a_case_that_checks_and_runs(cli, tmp_path: Path) -> None:
    out = tmp_path / "mentor.toml"
    result = cli("new", "Mentorordning", "--out", out, "-c", "kontanthjaelp", "-c", "skat_beskaeftigelse")
    assert result.code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert raw["case"]["name"] == "Mentorordning"
    assert [c["name"] for c in raw["consequences"]] == ["kontanthjaelp", "skat_beskaeftigelse"]
    assert all(c["price"] == "catalog" for c in raw["consequences"])
    for name in ENTRIES:  # every other entry is there, commented out
        assert f'name = "{name}"' in text
    assert "TODO" in text
    assert cli("check", out).code == 0
    run = cli("run", out, "--draws", "500", "--json")
    assert run.code == 0, run.stderr
    # change 0 everywhere: the NPV is minus the discounted costs, a loss for the kommune only
    npv = json.loads(run.stdout)["deterministic"]["npv"]
    assert npv["kommune"] < 0 and npv["stat"] == 0 and npv["region"] == 0


def test_somrisk_new_refuses_unknown_consequences_and_existing_files(cli, tmp_path: Path) -> None:
    out = tmp_path / "x.toml"
    result = cli("new", "X", "--out", out, "-c", "kontanthjalp")
    assert result.code == 2 and "did you mean kontanthjaelp?" in result.stderr
    assert not out.exists()
    out.write_text("mine", encoding="utf-8")
    result = cli("new", "X", "--out", out)
    assert result.code == 2 and "exists" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert cli("new", "X", "--out", out, "--force").code == 0
    assert out.read_text(encoding="utf-8") != "mine"


def test_case_file_names_from_case_names() -> None:
    assert slug_file_name("Gruppeforløb for unge (MOVE)") == "gruppeforloeb-for-unge-move.toml"
    assert slug_file_name("Housing First – Århus") == "housing-first-aarhus.toml"
    assert slug_file_name("???") == "case.toml"


def test_a_portfolio_without_a_catalogue_shares_the_knowledge_base_prices(tmp_path: Path) -> None:
    from scipy import stats

    from somrisk.runner import run_portfolio

    assert "price_factor" in ENTRIES["kontanthjaelp"]  # the one uncertain input of these cases
    consequence = '[[consequences]]\nname = "kontanthjaelp"\nchange = -1.0\nprice = "catalog"\n'
    for name, cohorts in (("A", "[10]"), ("B", "[30]")):
        text = minimal_case(consequences=consequence, cohorts=cohorts).replace("Toy case", name)
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    path = tmp_path / "portfolio.toml"
    path.write_text('[portfolio]\nname = "P"\ncases = ["A.toml", "B.toml"]\n', encoding="utf-8")
    result = run_portfolio(path, draws=2000)
    a, b = result.simulation.case_npv
    assert stats.spearmanr(a, b).statistic == pytest.approx(1.0)
    np.testing.assert_allclose(b, 3 * a)  # three times the participants, the same shared price


def test_somrisk_new_writes_its_comments_in_the_language_and_the_same_case(tmp_path: Path) -> None:
    from somrisk.case.scaffold import scaffold_case

    da = scaffold_case("Ny sag", ["kontanthjaelp"], start_year=2026, lang="da")
    en = scaffold_case("Ny sag", ["kontanthjaelp"], start_year=2026, lang="en")
    assert tomllib.loads(da) == tomllib.loads(en)  # only the comments differ
    for danish in ("pr. person med effekt pr. år", "betales af kommune, stat", "# --- Beskæftigelse ---"):
        assert danish in da and danish not in en
    for english in ("per person with effect per year", "paid by kommune, stat", "# --- Employment ---"):
        assert english in en and english not in da
    assert "Decimaltal skrives med punktum" in da
