"""The model's warnings on the command line (`run`, `check`, `portfolio`) name consequences by
their labels in the chosen language, as the report does; the JSON's `warnings` keep their English
text with the names of the case file (outputs.md)."""

from __future__ import annotations

import json
import shutil
import tomllib

import pytest

from somrisk import example_case_path, load_case
from somrisk.labels import labels

EXAMPLE = example_case_path()
CASE = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
#: the example's consequences with a year-by-year profile, which the relapse warning names
PROFILED = [c for c in CASE["consequences"] if len(c.get("profile", [])) > 1]
assert len(PROFILED) == 3


def listed(names: list[str], conjunction: str) -> str:
    """Three names as a sentence lists them: "a, b and c"."""
    return f"{names[0]}, {names[1]} {conjunction} {names[2]}"


SLUGS = listed([c["name"] for c in PROFILED], "and")


def english_labels() -> str:
    names = labels(load_case(EXAMPLE), "en")  # the report's labels (somrisk.labels)
    return listed([names.consequence(c["name"]) for c in PROFILED], "and")


def warning_lines(text: str, word: str) -> list[str]:
    """The warnings of a table's output, each on one line however the terminal folded it."""
    joined = " ".join(text.split())
    return [f"{word}:{part}".strip() for part in joined.split(f"{word}:")[1:]]


def test_the_example_has_a_relapse_warning_naming_several_consequences():
    assert len(PROFILED) >= 2 and all(c["label"] != c["name"] for c in PROFILED)


@pytest.mark.parametrize("command", [("check", str(EXAMPLE)), ("run", "--draws", "200")])
def test_danish_warnings_name_consequences_by_their_labels(cli, command):
    result = cli(*command, "--lang", "da")
    assert result.code == 0, result.stderr
    found = warning_lines(result.stdout, "advarsel")
    assert len(found) == 2, result.stdout
    danish = listed([c["label"] for c in PROFILED], "og")  # the case's own (Danish) labels
    assert f"persistensen aftager (decay), mens {danish} også har en profil år for år" in found[1]
    assert found[0].startswith("advarsel: tidshorisonten (10 år) slutter før")
    assert not any(c["name"] in line for c in PROFILED for line in found)


@pytest.mark.parametrize("command", [("check", str(EXAMPLE)), ("run", "--draws", "200")])
def test_english_warnings_name_consequences_by_their_labels(cli, command):
    result = cli(*command, "--lang", "en")
    assert result.code == 0, result.stderr
    found = warning_lines(result.stdout, "warning")
    assert len(found) == 2, result.stdout
    assert f"fades the effect (decay) while {english_labels()} also have a year-by-year profile" in found[1]
    assert not any(c["name"] in line for c in PROFILED for line in found)


def test_the_json_warnings_keep_their_text(cli):
    run = json.loads(cli("run", "--draws", "200", "--json", "--lang", "da").stdout)
    check = json.loads(cli("check", EXAMPLE, "--json", "--lang", "da").stdout)
    for document in (run, check):
        (window, relapse) = document["warnings"]
        assert window.startswith("the horizon (10 years) ends before the last cohorts' 10-year windows do")
        assert f"while {SLUGS} also have a year-by-year profile" in relapse


def test_a_portfolio_names_each_case_and_its_consequences_by_label(cli, tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "hash.toml")
    path = tmp_path / "portfolio.toml"
    path.write_text('[portfolio]\nname = "P"\ncases = ["hash.toml"]\n', encoding="utf-8")
    result = cli("portfolio", path, "--draws", "200", "--lang", "da")
    assert result.code == 0, result.stderr
    found = warning_lines(result.stdout, "advarsel")
    assert len(found) == 2 and all(line.startswith(f"advarsel: {CASE['case']['name']}: ") for line in found)
    assert listed([c["label"] for c in PROFILED], "og") in found[1] and SLUGS not in found[1]
    document = json.loads(cli("portfolio", path, "--draws", "200", "--json").stdout)
    assert SLUGS in document["warnings"][1]
