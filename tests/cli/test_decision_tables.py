"""`--lang da|en` on `compare`, `scenarios` and `evsi`: Danish words and figures (formatted here,
independently of the code, from the JSON), numbers whole at 80 columns and in a pipe, the JSON the
same in both languages."""

from __future__ import annotations

import json

import pytest

from somrisk import example_case_path
from somrisk.testing import ONE_CONSEQUENCE, minimal_case
from somrisk.testing import danish_number as danish

EXAMPLE = str(example_case_path())
GAINS = ONE_CONSEQUENCE
COSTS = """
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "normal", mean = 30000, sd = 4000 }
"""
EFFECT = '{ dist = "beta", alpha = 4, beta = 6 }'
SMALL = minimal_case(effect=EFFECT, cohorts="[10, 12]", costs=COSTS, consequences=GAINS)
LARGE = minimal_case(effect=EFFECT, cohorts="[20, 24]", costs=COSTS, consequences=GAINS)
SCENARIOS = """
[[scenarios]]
name = "Effekt 25 % lavere"
scale = { "effect.effect" = 0.75 }
"""
EVSI_ARGS = ("--input", "effect.success_rate", "--n", "20,80", "--cost", "1000", "--draws", "2000")
ACTORS_DA = {"total": "I alt", "kommune": "Kommune", "region": "Region", "stat": "Stat"}


def english(x: float, decimals: int = 0) -> str:
    return f"{x:,.{decimals}f}"


def tables(text: str) -> list[dict[tuple[str, str], list[str]]]:
    """The cells of each table's rows, keyed by (alternative, actor); an alternative's name is
    written on its first row only, so it is carried down."""
    found: list[dict[tuple[str, str], list[str]]] = []
    name = ""
    for line in text.splitlines():
        if line.startswith("┏"):
            found.append({})
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) > 2:
            name = cells[0] or name
            found[-1][(name, cells[1])] = cells[2:]
    return found


@pytest.fixture
def two_cases(write_case):
    return write_case(SMALL, "lille.toml"), write_case(LARGE, "stor.toml")


@pytest.mark.parametrize(("lang", "write", "actors"), [("da", danish, ACTORS_DA), ("en", english, None)])
def test_compare_tables_show_the_json_figures_in_the_language(cli, two_cases, lang, write, actors):
    document = json.loads(cli("compare", *two_cases, "--draws", "600", "--json").stdout)
    result = cli("compare", *two_cases, "--draws", "600", "--lang", lang)
    assert result.code == 0, result.stderr
    npv, difference = tables(result.stdout)
    name = {a: (actors[a] if actors else ("Total" if a == "total" else a)) for a in document["npv"]["lille"]}
    # an actor whose NPV is 0 in every draw has no payments (as the report says), and a difference
    # of 0 in every draw is "the same", where 0 % would read as a certain loss
    no_payments, same = ("ingen betalinger", "det samme") if lang == "da" else ("no payments", "the same")
    idle = 0
    for alternative, by_actor in document["npv"].items():
        for actor, stats in by_actor.items():
            expected = [write(stats[key]) for key in ("mean", "p05", "p50", "p95")]
            zero = stats["mean"] == stats["p05"] == stats["p95"] == 0 and stats["sd"] == 0
            idle += zero
            expected.append(no_payments if zero else f"{write(100 * stats['prob_positive'], 1)} %")
            assert npv[(alternative, name[actor])] == expected, (alternative, actor)
    assert idle > 0  # the test cases leave one actor without payments
    for actor, stats in document["difference"]["stor"].items():
        expected = [write(stats[key]) for key in ("mean", "p05", "p50", "p95")]
        zero = stats["mean"] == stats["sd"] == 0
        expected.append(same if zero else f"{write(100 * stats['prob_positive'], 1)} %")
        assert difference[("stor", name[actor])] == expected, actor
    text = " ".join(result.stdout.split())
    if lang == "da":
        for word in ("Nutidsværdi (NPV) af hvert alternativ", "Alternativ", "Aktør", "Gennemsnit"):
            assert word in text
        assert "Forskel i forhold til lille (referencen)" in text and "P(bedre)" in text
        assert "600 trækninger" in text and "fælles tilfældige tal" in text
        for english_word in ("Mean", "Total", "Actor", "Difference", "P(better)", "draws"):
            assert english_word not in text
    else:
        assert "NPV of each alternative" in text and "P(better)" in text and "600 draws" in text


def test_scenarios_tables_follow_the_locale_and_lang_overrides_it(cli, write_case):
    case = write_case(SMALL + SCENARIOS)
    document = json.loads(cli("scenarios", case, "--draws", "500", "--json").stdout)
    locale = cli("scenarios", case, "--draws", "500", env={"LANG": "da_DK.UTF-8"})
    assert locale.code == 0, locale.stderr
    text = " ".join(locale.stdout.split())
    # the case itself is named as the report names it, not by the JSON's key "base"
    assert "I alt" in text and "Forskel i forhold til Grundberegning (referencen)" in text
    assert "┃ Grundberegning" not in text and "│ Grundberegning" in text and " base " not in text
    mean = document["difference"]["Effekt 25 % lavere"]["total"]["mean"]
    assert danish(mean) in locale.stdout
    english_run = cli("scenarios", case, "--draws", "500", "--lang", "en", env={"LANG": "da_DK.UTF-8"})
    assert "Total" in english_run.stdout and english(mean) in english_run.stdout


@pytest.mark.parametrize(("lang", "write"), [("da", danish), ("en", english)])
def test_compare_numbers_stay_whole_at_80_columns_and_in_a_pipe(cli, two_cases, lang, write):
    document = json.loads(cli("compare", *two_cases, "--draws", "400", "--json").stdout)
    result = cli("compare", *two_cases, "--draws", "400", "--lang", lang, env={"COLUMNS": "80"})
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    for section in (document["npv"]["lille"], document["npv"]["stor"], document["difference"]["stor"]):
        for stats in section.values():
            for key in ("mean", "p05", "p50", "p95"):
                assert any(f" {write(stats[key])} " in line for line in lines), (key, write(stats[key]))


@pytest.mark.parametrize(("lang", "write"), [("da", danish), ("en", english)])
def test_evsi_table_shows_the_json_figures_whole_at_80_columns(cli, lang, write):
    document = json.loads(cli("evsi", EXAMPLE, *EVSI_ARGS, "--json").stdout)
    result = cli("evsi", EXAMPLE, *EVSI_ARGS, "--lang", lang, env={"COLUMNS": "80"})
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in result.stdout
    table = {}
    for line in lines:
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0]:
            table[cells[0]] = cells[1:]
    ceiling = document["evppi"]
    for entry, net in zip(document["evsi"], document["enbs"], strict=True):
        expected = [write(entry["value"]), write(1.96 * entry["se"])]
        expected += [f"{write(100 * entry['value'] / ceiling, 1)} %", write(net["value"])]
        assert table[write(entry["n"])] == expected, entry
    text = " ".join(result.stdout.split())
    assert f"{write(document['evppi'])};" in text and f"{write(document['evpi'])}." in text
    if lang == "da":
        assert "Værdien af en undersøgelse af Effekt: succesrate (effect.success_rate)" in text
        for word in ("Andel af EVPPI", "EVSI − pris", "trækninger", "beslutningen", "binomial"):
            assert word in text
        for english_word in ("Share of EVPPI", "draws", "decision", "cost"):
            assert english_word not in text
    else:
        assert "Value of a study of Effect: success rate (effect.success_rate)" in text
        assert "Share of EVPPI" in text and "2,000 draws" in text


@pytest.mark.parametrize(
    "args",
    [
        ("compare", "{a}", "{b}", "--draws", "300", "--json"),
        ("scenarios", "{s}", "--draws", "300", "--json"),
        ("evsi", EXAMPLE, *EVSI_ARGS, "--json"),
    ],
)
def test_json_never_changes_with_the_language(cli, write_case, two_cases, args):
    scenario_case = write_case(SMALL + SCENARIOS)
    args = tuple(str(a).format(a=two_cases[0], b=two_cases[1], s=scenario_case) for a in args)
    english_json = cli(*args, env={"LANG": "en_US.UTF-8"})
    assert english_json.code == 0, english_json.stderr
    assert cli(*args, env={"LANG": "da_DK.UTF-8"}).stdout == english_json.stdout
    assert cli(*args, "--lang", "da").stdout == english_json.stdout


def test_evsi_chart_in_danish(cli, tmp_path, monkeypatch):
    import somrisk.report.evsi_chart as chart

    languages = []
    original = chart.evsi_figure

    def recording(result, currency="DKK", lang="en", **named):
        languages.append(lang)
        return original(result, currency, lang, **named)

    monkeypatch.setattr(chart, "evsi_figure", recording)
    result = cli("evsi", EXAMPLE, *EVSI_ARGS, "--plot", tmp_path / "evsi.png", "--lang", "da")
    assert result.code == 0, result.stderr
    assert languages == ["da"] and (tmp_path / "evsi.png").stat().st_size > 1000


def test_compare_chart_in_danish():
    import numpy as np

    from somrisk import parse_case
    from somrisk.compare import compare
    from somrisk.report.compare_chart import difference_figure

    result = compare([parse_case(SMALL), parse_case(LARGE)], ["lille", "stor"], draws=400)
    figure = difference_figure(result, "DKK", lang="da")
    axes = figure.axes
    assert axes[0].get_title() == "Nutidsværdi minus referencens (lille), trækning for trækning"
    assert [ax.get_ylabel() for ax in axes] == [ACTORS_DA[a] for a in result.labels]
    for ax, row in zip(axes, result.difference("stor"), strict=True):
        share = np.count_nonzero(row > 0) / row.size
        (legend,) = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend.startswith(f"stor: P(bedre) = {danish(100 * share, 1)} %"), legend
    figure.canvas.draw()
    ticks = [t.get_text() for t in axes[0].xaxis.get_ticklabels()]
    assert any("mio." in t or "t." in t for t in ticks), ticks


def test_compare_plot_follows_lang(cli, two_cases, tmp_path, monkeypatch):
    import somrisk.report.compare_chart as chart

    languages = []
    original = chart.difference_figure

    def recording(result, currency="DKK", lang="en"):
        languages.append(lang)
        return original(result, currency, lang=lang)

    monkeypatch.setattr(chart, "difference_figure", recording)
    plot = tmp_path / "difference.png"
    result = cli("compare", *two_cases, "--draws", "300", "--plot", plot, env={"LANG": "da_DK.UTF-8"})
    assert result.code == 0, result.stderr
    assert languages == ["da"] and plot.stat().st_size > 1000


@pytest.mark.parametrize(("lang", "words"), [("da", "ingen betalinger"), ("en", "no payments")])
def test_the_run_table_says_an_actor_has_no_payments_as_the_report_does(cli, write_case, lang, words):
    document = json.loads(cli("run", write_case(SMALL), "--draws", "300", "--json").stdout)
    idle = [a for a, stats in document["npv"].items() if stats["sd"] == 0 and stats["mean"] == 0]
    assert idle == ["region"]  # the case's costs and gains fall to kommune and stat
    lines = cli("run", write_case(SMALL), "--draws", "300", "--lang", lang).stdout.splitlines()
    region = next(line for line in lines if line.lower().startswith("│ region"))
    assert words in region
    assert sum(words in line for line in lines) == 1
