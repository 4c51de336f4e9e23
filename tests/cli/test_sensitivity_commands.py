"""The sensitivity commands: JSON contracts of outputs.md, charts, and bad input (exit 2)."""

from __future__ import annotations

import json

import pytest

from sensitivity.cases import linear_case, product_case
from somrisk import example_case_path
from somrisk.testing import ONE_CONSEQUENCE, minimal_case

EXAMPLE = str(example_case_path())


def test_tornado_json_has_the_keys_of_outputs_md(cli):
    result = cli("tornado", EXAMPLE, "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"output", "base", "low_quantile", "high_quantile", "bars"} <= set(data)
    assert data["output"] == "npv" and data["low_quantile"] == 0.1 and data["high_quantile"] == 0.9
    bar = data["bars"][0]
    assert {
        "input",
        "low",
        "high",
        "npv_low",
        "npv_high",
        "swing",
        "switch_value",
        "prob_beyond_switch",
    } <= set(bar)


def test_tornado_table_and_chart(cli, tmp_path):
    png, svg = tmp_path / "tornado.png", tmp_path / "tornado.svg"
    result = cli("tornado", EXAMPLE, "--plot", png, "--low", "0.05", "--high", "0.95")
    assert result.code == 0, result.stderr
    assert "effect.success_rate" in result.stdout and "Switch at" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli("tornado", EXAMPLE, "--plot", svg, "--output", "npv:kommune").code == 0
    assert b"<svg" in svg.read_bytes()[:500]
    assert not list(tmp_path.glob(".*partial*"))


def test_sobol_json(cli, write_case):
    path = write_case(product_case())
    result = cli("sobol", path, "--n", "512", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["output"] == "npv" and data["n"] == 512 and data["evaluations"] == 512 * 5
    entry = data["indices"][0]
    assert {"name", "S1", "S1_conf", "ST", "ST_conf"} <= set(entry)
    assert isinstance(entry["S1_distinguishable"], bool)


def test_sobol_table_marks_indices_not_distinguishable_from_zero(cli):
    result = cli("sobol", EXAMPLE, "--n", "256", "--groups")
    assert result.code == 0, result.stderr
    assert "not distinguishable" in result.stdout
    assert "per group" in result.stdout


def test_sobol_rounds_n_and_says_so(cli, write_case):
    result = cli("sobol", write_case(product_case()), "--n", "300")
    assert result.code == 0 and "rounded up from 300 to 512" in result.stdout


def test_sobol_of_an_output_that_does_not_vary(cli, write_case):
    result = cli("sobol", write_case(product_case()), "--n", "64", "--output", "npv:stat", "--json")
    assert result.code == 0
    data = json.loads(result.stdout)
    assert data["variance"] == 0 and data["indices"][0]["S1"] is None


def test_morris_json_and_chart(cli, tmp_path):
    chart = tmp_path / "morris.png"
    result = cli("morris", EXAMPLE, "--trajectories", "4", "--json", "--plot", chart)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["evaluations"] == 4 * (len(data["indices"]) + 1)
    assert chart.exists()


def test_breakeven_json(cli, write_case, tmp_path):
    chart = tmp_path / "curve.svg"
    result = cli("breakeven", write_case(linear_case()), "--draws", "200", "--json", "--plot", chart)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["output"] == "npv" and data["effect"] == pytest.approx(1 / 15)
    assert data["full_years"] is None
    assert all(len(point) == 2 for point in data["curve"])
    assert chart.exists()


def test_voi_json(cli, write_case):
    path = write_case(linear_case(effect='{ dist = "normal", mean = 0.07, sd = 0.05 }'))
    result = cli("voi", path, "--draws", "2000", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["output"] == "npv" and data["draws"] == 2000 and data["evpi"] > 0
    assert data["evppi"][0]["name"] == "effect.effect"


def test_voi_and_drivers_tables(cli):
    voi = cli("voi", EXAMPLE, "--draws", "2000", "--groups")
    assert voi.code == 0, voi.stderr
    assert "EVPI" in voi.stdout and "Effect" in voi.stdout  # the group by its label
    drivers = cli("drivers", EXAMPLE, "--draws", "2000")
    assert drivers.code == 0, drivers.stderr
    assert "Distance D" in drivers.stdout
    data = json.loads(cli("drivers", EXAMPLE, "--draws", "2000", "--json").stdout)
    assert data["loss_draws"] > 0 and data["drivers"][0]["input"] == "effect.success_rate"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tornado", EXAMPLE, "--low", "0.9", "--high", "0.1"], "0 < low < high < 1"),
        (["tornado", EXAMPLE, "--low", "0"], "0 < low < high < 1"),
        (["tornado", EXAMPLE, "--output", "npv:kommunen"], "allowed: npv, npv:kommune"),
        (["sobol", EXAMPLE, "--n", "1"], "n must be a whole number from 64"),
        (["sobol", EXAMPLE, "--n", "2"], "cannot tell an index from 0"),
        (["sobol", EXAMPLE, "--seed", "-1"], "seed must be a whole number >= 0"),
        (["morris", EXAMPLE, "--levels", "3"], "levels must be an even whole number"),
        (["morris", EXAMPLE, "--trajectories", "1"], "trajectories must be a whole number from 2 to 10,000"),
        (["voi", EXAMPLE, "--draws", "0"], "draws"),
        (["drivers", EXAMPLE, "--output", "gains"], "is not an output of this case"),
        (["tornado", EXAMPLE, "--plot", "chart.gif"], "allowed are PNG (.png), SVG (.svg), PDF (.pdf)"),
        (["morris", EXAMPLE, "--plot", "/no/such/folder/chart.png"], "does not exist"),
        (["tornado", "no-such-case.toml"], "no-such-case.toml"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(cli, args, message):
    result = cli(*args)
    assert result.code == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_case_without_uncertain_inputs_has_nothing_to_attribute(cli, write_case):
    path = write_case(linear_case())
    for command in ("sobol", "morris"):
        result = cli(command, path)
        assert result.code == 2 and "no uncertain input" in result.stderr


def test_a_bad_plot_is_refused_before_the_analysis_runs(cli, tmp_path, monkeypatch):
    import somrisk.sensitivity

    def fail(*args, **kwargs):
        raise AssertionError("the analysis ran")

    monkeypatch.setattr(somrisk.sensitivity, "tornado", fail)
    result = cli("tornado", EXAMPLE, "--plot", tmp_path / "missing" / "t.png")
    assert result.code == 2 and "does not exist" in result.stderr


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("da", "0,00 år (basis 2,00): NPV er ikke negativ, selv uden et år med fuld effekt"),
        ("en", "0.00 years (base 2.00): the NPV is not negative even without a year of full effect"),
    ],
)
def test_a_break_even_persistence_of_0_says_what_it_means(cli, write_case, lang, words):
    # gains without a cost: the NPV is positive with any persistence
    persistence = "[persistence]\nonset = 0\nwindow = 5\nfull_years = 2\ndecay = 0.3"
    case = write_case(minimal_case(consequences=ONE_CONSEQUENCE, persistence=persistence))
    result = cli("breakeven", case, "--draws", "200", "--lang", lang)
    assert result.code == 0, result.stderr
    assert words in " ".join(result.stdout.split())
