"""`somrisk evsi --plot`: the chart's title names the input by its label in the chosen language (as
the other charts name inputs), never by its path; matplotlib writes SVG text as glyphs with the
string in a comment, which is what is read here."""

from __future__ import annotations

import re
from html import unescape

import pytest

from somrisk import example_case_path

EXAMPLE = str(example_case_path())
ARGS = ("--input", "effect.success_rate", "--n", "20,80", "--draws", "1000")


def svg_texts(path) -> set[str]:
    return {unescape(c) for c in re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8"), re.DOTALL)}


@pytest.mark.parametrize(
    ("lang", "title", "axis"),
    [
        (
            "da",
            "Hvad en undersøgelse af Effekt: succesrate er værd før beslutningen",
            "deltagere i undersøgelsen (N)",
        ),
        (
            "en",
            "What a study of Effect: success rate is worth before deciding",
            "participants in the study (N)",
        ),
    ],
)
def test_the_evsi_chart_names_the_input_by_its_label(cli, tmp_path, lang, title, axis):
    chart = tmp_path / "evsi.svg"
    result = cli("evsi", EXAMPLE, *ARGS, "--plot", chart, "--lang", lang)
    assert result.code == 0, result.stderr
    texts = svg_texts(chart)
    assert title in texts and axis in texts, texts
    assert not [t for t in texts if "effect.success_rate" in t]


def test_the_chart_follows_the_locale(cli, tmp_path):
    chart = tmp_path / "evsi.svg"
    assert cli("evsi", EXAMPLE, *ARGS, "--plot", chart, env={"LANG": "da_DK.UTF-8"}).code == 0
    assert "Hvad en undersøgelse af Effekt: succesrate er værd før beslutningen" in svg_texts(chart)


def test_without_a_label_the_chart_names_the_input_by_its_path():
    from somrisk import load_case
    from somrisk.engine import prepare
    from somrisk.report.evsi_chart import evsi_figure
    from somrisk.sensitivity import evsi

    result = evsi(prepare(load_case(EXAMPLE)), input="effect.success_rate", n=[20, 80], draws=1000)
    assert evsi_figure(result).axes[0].get_title() == (
        "What a study of effect.success_rate is worth before deciding"
    )
    labelled = evsi_figure(result, lang="da", label="Effekt: succesrate")
    assert (
        labelled.axes[0].get_title() == "Hvad en undersøgelse af Effekt: succesrate er værd før beslutningen"
    )
