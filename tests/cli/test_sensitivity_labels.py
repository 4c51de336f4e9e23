"""The sensitivity commands' tables name each input by its label in the chosen language, its path
dimmed below it (the id for --set and the case file), and each group by its name for readers; the
JSON keeps the paths."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from somrisk import example_case_path, load_case
from somrisk.cli.render_labelled import row_name
from somrisk.labels import labels

EXAMPLE = str(example_case_path())
GROUPS = {
    "da": {"effect": "Effekt", "costs": "Omkostninger", "consequences": "Økonomiske konsekvenser"},
    "en": {"effect": "Effect", "costs": "Costs", "consequences": "Budget consequences"},
}


def svg_texts(path) -> set[str]:
    """The strings of an SVG that matplotlib wrote (each text as glyphs, its string in a comment)."""
    return {unescape(c) for c in re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8"), re.DOTALL)}


def first_column(text: str) -> list[tuple[str, str]]:
    """Each table row's first cell, folded over several lines, as (words joined by spaces, the
    characters joined without them): a label folds at spaces, a path anywhere."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) < 2:
            continue
        if any(cells[1:]):  # the numbers are on a row's first line
            rows.append([])
        rows[-1].append(cells[0])
    return [(" ".join(p for p in row if p), "".join(row)) for row in rows]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_tornado_rows_are_labels_with_their_paths(cli, lang):
    bars = json.loads(cli("tornado", EXAMPLE, "--json").stdout)["bars"]
    result = cli("tornado", EXAMPLE, "--lang", lang)
    assert result.code == 0, result.stderr
    rows = first_column(result.stdout)
    assert len(rows) == len(bars)
    names = labels(load_case(EXAMPLE), lang)
    for (spaced, joined), bar in zip(rows, bars, strict=True):  # the table keeps the JSON's order
        path = bar["input"]
        assert spaced.startswith(names[path]) and joined.endswith(path), (spaced, path)
    first = rows[0][0]
    assert first == (
        "Effekt: succesrate effect.success_rate"
        if lang == "da"
        else "Effect: success rate effect.success_rate"
    )


@pytest.mark.parametrize("lang", ["da", "en"])
def test_groups_are_named_for_readers(cli, lang):
    result = cli("voi", EXAMPLE, "--draws", "1000", "--groups", "--lang", lang)
    assert result.code == 0, result.stderr
    shown = {spaced for spaced, _ in first_column(result.stdout)}
    assert set(GROUPS[lang].values()) <= shown, shown
    document = json.loads(cli("voi", EXAMPLE, "--draws", "1000", "--groups", "--json").stdout)
    assert {row["name"] for row in document["evppi"]} >= set(GROUPS["en"])  # the JSON keeps the keys


def test_row_names():
    names = labels(load_case(EXAMPLE), "da")
    assert row_name("effect.success_rate", False) == "effect.success_rate"
    assert (
        row_name("effect.success_rate", False, names) == "Effekt: succesrate\n[dim]effect.success_rate[/dim]"
    )
    merged = "effect.success_rate + effect.comparison_rate"
    assert row_name(merged, False, names) == (
        f"Effekt: succesrate + Effekt: succesrate uden indsatsen\n[dim]{merged}[/dim]"
    )
    assert row_name("consequences", True, names) == "Økonomiske konsekvenser"
    assert row_name("costs", True) == "costs"


@pytest.mark.parametrize(
    ("lang", "label", "legend"),
    [("da", "Effekt: succesrate", "10 %-fraktil"), ("en", "Effect: success rate", "10 % quantile")],
)
def test_the_tornado_chart_names_its_bars_by_label_in_the_language(cli, tmp_path, lang, label, legend):
    chart = tmp_path / "tornado.svg"
    result = cli("tornado", EXAMPLE, "--plot", chart, "--lang", lang)
    assert result.code == 0, result.stderr
    texts = svg_texts(chart)
    assert label in texts, texts
    assert any(legend in t for t in texts), texts
    paths = list(labels(load_case(EXAMPLE), lang))
    assert not [t for t in texts for p in paths if p in t]


def test_second_order_pairs_are_named_by_label(cli):
    result = cli("sobol", EXAMPLE, "--n", "64", "--groups", "--second-order", "--lang", "da")
    assert result.code == 0, result.stderr
    s2 = result.stdout[result.stdout.index("Andenordens") :]
    pairs = {
        tuple(c.strip() for c in line.split("│")[1:3]) for line in s2.splitlines() if line.count("│") == 4
    }
    named = set(GROUPS["da"].values())
    assert any(a in named and b in named for a, b in pairs), pairs
    assert not [pair for pair in pairs for key in GROUPS["en"] if key in pair]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "da",
            {
                "Morris-screening af NPV (20 baner)",
                "Varighed: år med fuld effekt",
                "sigma (kr.): samspil og ikke-linearitet",
            },
        ),
        (
            "en",
            {
                "Morris screening of NPV (20 trajectories)",
                "Persistence: years of full effect",
                "sigma (DKK): interactions and non-linearity",
            },
        ),
    ],
)
def test_the_morris_chart_is_in_the_language_with_labels(cli, tmp_path, lang, expected):
    chart = tmp_path / "morris.svg"
    result = cli("morris", EXAMPLE, "--plot", chart, "--lang", lang)
    assert result.code == 0, result.stderr
    texts = svg_texts(chart)
    assert expected <= texts, expected - texts
    paths = list(labels(load_case(EXAMPLE), lang))
    assert not [t for t in texts for p in paths if p in t]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("da", {"effekt (procentpoint)", "basiseffekt", "break-even (basisværdier)", "80 %"}),
        ("en", {"effect (percentage points)", "base effect", "break-even (base values)", "80 %"}),
    ],
)
def test_the_breakeven_chart_is_in_the_language(cli, tmp_path, lang, expected):
    chart = tmp_path / "breakeven.svg"
    result = cli("breakeven", EXAMPLE, "--draws", "300", "--plot", chart, "--lang", lang)
    assert result.code == 0, result.stderr
    assert expected <= svg_texts(chart), expected - svg_texts(chart)


@pytest.mark.parametrize(
    ("lang", "whom", "title"),
    [
        ("da", "NPV for kommunen", "Tornado: NPV for kommunen med ét input ad gangen"),
        ("en", "NPV for the municipality", "Tornado: NPV for the municipality with one input at a time"),
    ],
)
def test_the_analysed_output_is_named_in_words_not_by_the_options_value(cli, lang, whom, title):
    tornado = cli("tornado", EXAMPLE, "--output", "npv:kommune", "--lang", lang)
    assert tornado.code == 0, tornado.stderr
    text = " ".join(tornado.stdout.split())
    assert text.startswith(title) and "npv:kommune" not in text
    breakeven = cli("breakeven", EXAMPLE, "--output", "npv:kommune", "--draws", "300", "--lang", lang)
    assert f"P({whom} > 0)" in " ".join(breakeven.stdout.split()), breakeven.stdout
    assert "npv:kommune" not in breakeven.stdout
    document = json.loads(cli("tornado", EXAMPLE, "--output", "npv:kommune", "--json", "--lang", lang).stdout)
    assert document["output"] == "npv:kommune"  # the JSON keeps the option's value
    total = cli("tornado", EXAMPLE, "--lang", lang)
    assert "Tornado: NPV " in total.stdout and "npv" not in total.stdout


def test_a_tiny_p_value_is_shown_as_below_a_thousandth():
    from somrisk.cli.render_labelled import pvalue
    from somrisk.report.table_words import TableWords

    assert pvalue(1.1e-321, TableWords("da")) == "< 0,001"
    assert pvalue(1.1e-321, TableWords("en")) == "< 0.001"
    assert pvalue(0.0123, TableWords("da")) == "0,012"
    assert pvalue(float("nan"), TableWords("en")) == "-"
