"""`--lang da|en`: Danish or English tables, the default from the locale, JSON the same in both."""

from __future__ import annotations

import json
import re

import pytest

from sensitivity.cases import product_case
from somrisk import example_case_path
from somrisk.report.table_words import locale_language
from somrisk.testing import danish_number as danish

EXAMPLE = str(example_case_path())


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "da_DK.UTF-8"}, "da"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "da_DK.UTF-8"}, "da"),
        ({"LANG": "da_DK.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "da_DK.UTF-8", "LC_ALL": ""}, "da"),  # an empty variable is not set
        ({"LC_ALL": "da"}, "da"),
    ],
)
def test_the_default_language_follows_the_locale(environ, expected):
    assert locale_language(environ) == expected


def test_danish_run_table_has_danish_words_and_number_formats(cli):
    document = json.loads(cli("run", "--draws", "500", "--json").stdout)
    result = cli("run", "--draws", "500", "--lang", "da")
    assert result.code == 0, result.stderr
    text = result.stdout
    for word in ("Nutidsværdi (NPV)", "Aktør", "Deterministisk", "Gennemsnit", "Kommune", "I alt"):
        assert word in text
    assert "Tilbagebetaling inden for tidshorisonten" in " ".join(text.split())
    total = document["npv"]["total"]
    assert danish(total["mean"]) in text and danish(document["deterministic"]["npv"]["total"]) in text
    assert f"{danish(100 * total['prob_positive'], 1)} %" in text
    assert "500 trækninger" in text
    for english in ("Deterministic", "Mean", "Total", "Payback"):
        assert english not in text


def test_the_locale_gives_danish_and_lang_overrides_it(cli):
    locale = {"LANG": "da_DK.UTF-8"}
    assert "Gennemsnit" in cli("run", "--draws", "200", env=locale).stdout
    assert "Mean" in cli("run", "--draws", "200", "--lang", "en", env=locale).stdout
    assert "Mean" in cli("run", "--draws", "200", env={"LANG": "da_DK.UTF-8", "LC_ALL": "en_US.UTF-8"}).stdout


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--draws", "300", "--json"),
        ("tornado", EXAMPLE, "--json"),
        ("voi", EXAMPLE, "--draws", "300", "--json"),
        ("catalog", "--json"),
    ],
)
def test_json_never_changes_with_the_language(cli, args):
    english = cli(*args, env={"LANG": "en_US.UTF-8"})
    assert english.code == 0, english.stderr
    assert cli(*args, env={"LANG": "da_DK.UTF-8"}).stdout == english.stdout
    assert cli(*args, "--lang", "da").stdout == english.stdout


def test_danish_check(cli):
    result = cli("check", EXAMPLE, "--lang", "da")
    assert result.code == 0, result.stderr
    assert "tidshorisont 10 år" in result.stdout and "usikre" in result.stdout
    assert "basis 0,48" in result.stdout  # effect.success_rate's mean, in Danish notation
    assert "advarsel:" in result.stdout and "tidshorisonten (10 år)" in result.stdout


def test_danish_sensitivity_tables(cli, write_case):
    tornado = cli("tornado", EXAMPLE, "--lang", "da")
    assert tornado.code == 0, tornado.stderr
    for word in ("Lav", "Høj", "Udsving", "Skifter ved", "P(forbi)", "Basis (deterministisk)"):
        assert word in tornado.stdout
    bars = json.loads(cli("tornado", EXAMPLE, "--json").stdout)["bars"]
    assert danish(bars[0]["swing"]) in tornado.stdout
    sobol = cli("sobol", write_case(product_case()), "--n", "256", "--lang", "da")
    assert "Første orden S1" in sobol.stdout and "modelberegninger" in sobol.stdout
    indices = re.findall(r"(\d),(\d{3}) ± (\d),(\d{3})", sobol.stdout)
    assert indices, sobol.stdout  # decimal commas
    voi = cli("voi", EXAMPLE, "--draws", "500", "--lang", "da")
    assert "Andel af EVPI" in voi.stdout and "beslutningen at investere" in " ".join(voi.stdout.split())
    drivers = cli("drivers", EXAMPLE, "--draws", "1000", "--lang", "da")
    assert "Afstand D" in drivers.stdout and "Hvad driver et tab" in drivers.stdout
    morris = cli("morris", EXAMPLE, "--lang", "da")
    assert "Morris-screening" in morris.stdout
    breakeven = cli("breakeven", EXAMPLE, "--draws", "500", "--lang", "da")
    assert "Break-even-effekt" in breakeven.stdout and "Effekt (procentpoint)" in breakeven.stdout


def test_catalog_follows_the_locale(cli):
    assert "Betegnelse" in cli("catalog", env={"LANG": "da_DK.UTF-8"}).stdout
    assert "Label" in cli("catalog").stdout
