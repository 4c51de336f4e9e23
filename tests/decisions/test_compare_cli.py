"""`somrisk compare` and `somrisk scenarios` as a user meets them: the JSON of outputs.md, the cube,
the chart, and exit 2 for bad input."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pytest

from somrisk.testing import ONE_CONSEQUENCE, minimal_case

GAINS = ONE_CONSEQUENCE
COSTS = """
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "normal", mean = 30000, sd = 4000 }
"""
EFFECT = '{ dist = "beta", alpha = 4, beta = 6 }'
A = minimal_case(effect=EFFECT, cohorts="[10, 12]", costs=COSTS, consequences=GAINS)
B = minimal_case(effect=EFFECT, cohorts="[20, 24]", costs=COSTS, consequences=GAINS)
SCENARIOS = """
[[scenarios]]
name = "Effekt 25 % lavere"
scale = { "effect.effect" = 0.75 }
[[scenarios]]
name = "Dyrere forløb"
set = { "costs.forloeb.amount" = { dist = "normal", mean = 45000, sd = 5000 } }
"""
KEYS = {
    "mean",
    "sd",
    "mcse",
    "p05",
    "p25",
    "p50",
    "p75",
    "p95",
    "prob_positive",
    "prob_positive_se",
    "expected_shortfall_05",
}


def test_compare_json_is_the_contract(cli, write_case):
    a, b = write_case(A, "lille.toml"), write_case(B, "stor.toml")
    result = cli("compare", a, b, "--draws", "800", "--seed", "4", "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["draws"] == 800 and document["seed"] == 4 and document["sampler"] == "lhs"
    assert document["reference"] == "lille" and document["alternatives"] == ["lille", "stor"]
    assert set(document["npv"]) == {"lille", "stor"}
    assert set(document["npv"]["lille"]) == {"total", "kommune", "region", "stat"}
    assert set(document["npv"]["stor"]["total"]) == KEYS
    assert list(document["difference"]) == ["stor"]
    difference = document["difference"]["stor"]["total"]
    assert set(difference) == {"mean", "sd", "p05", "p50", "p95", "prob_positive"}
    # B doubles every participant count: B - A = A draw by draw
    assert difference["prob_positive"] == document["npv"]["lille"]["total"]["prob_positive"]
    assert difference["mean"] == pytest.approx(document["npv"]["lille"]["total"]["mean"], rel=1e-12)


def test_compare_writes_a_cube_with_an_alternative_dimension_and_a_chart(cli, write_case, tmp_path):
    import xarray as xr

    a, b = write_case(A, "lille.toml"), write_case(B, "stor.toml")
    out, plot = tmp_path / "cmp.nc", tmp_path / "diff.png"
    result = cli("compare", a, b, "--draws", "500", "--out", out, "--plot", plot)
    assert result.code == 0, result.stderr
    assert "P(better)" in result.stdout and "stor" in result.stdout
    with xr.open_dataset(out) as cube:
        assert list(cube.alternative.values) == ["lille", "stor"]
        assert cube.npv.dims == ("alternative", "draw", "actor")
        np.testing.assert_allclose(cube.difference.sel(alternative="stor"), cube.npv.sel(alternative="lille"))
    assert plot.stat().st_size > 1000


def test_scenarios_json_names_base_and_the_scenarios(cli, write_case):
    case = write_case(A + SCENARIOS)
    result = cli("scenarios", case, "--draws", "600", "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["alternatives"] == ["base", "Effekt 25 % lavere", "Dyrere forløb"]
    assert document["reference"] == "base"
    assert document["difference"]["Dyrere forløb"]["total"]["mean"] == pytest.approx(-15000 * 22, rel=0.05)
    assert document["overrides"]["Effekt 25 % lavere"][-1] == "--scale effect.effect=0.75"


def test_scenarios_take_set_and_scale_from_the_command_line_too(cli, write_case):
    case = write_case(A + SCENARIOS)
    plain = json.loads(cli("scenarios", case, "--draws", "300", "--json").stdout)
    changed = json.loads(
        cli("scenarios", case, "--draws", "300", "--json", "--scale", "effect.effect=0.5").stdout
    )
    assert changed["npv"]["base"]["total"]["mean"] != plain["npv"]["base"]["total"]["mean"]
    assert changed["overrides"]["base"] == ["--scale effect.effect=0.5"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["compare", "{a}"], ["two or more case files", "got 1"]),
        (["compare", "{a}", "{same}"], ["the same name 'lille'"]),
        (["compare", "{a}", "{missing}"], ["no such file"]),
        (["scenarios", "{a}"], ["no [[scenarios]]"]),
        (["compare", "{a}", "{b}", "--out", "{folder}/x.csv"], [".nc"]),
        (["compare", "{a}", "{b}", "--plot", "{folder}/x.gif"], [".png"]),
        (["compare", "{a}", "{b}", "--draws", "0"], ["draws"]),
    ],
)
def test_bad_input_is_exit_2(cli, write_case, tmp_path, args, words):
    names = {
        "a": write_case(A, "lille.toml"),
        "b": write_case(B, "stor.toml"),
        "same": (tmp_path / "sub").mkdir() or write_case(A, "sub/lille.toml"),
        "missing": tmp_path / "nope.toml",
        "folder": tmp_path,
    }
    result = cli(*(arg.format(**names) for arg in args))
    assert result.code == 2, result.stdout
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    assert not list(tmp_path.glob("x.*"))


def test_the_base_of_scenarios_is_the_run_of_the_case(cli, write_case):
    """Scenarios that only set and scale have the case's paths: the base's draws are its run's."""
    case = write_case(A + SCENARIOS)
    scenarios = json.loads(cli("scenarios", case, "--draws", "700", "--seed", "3", "--json").stdout)
    run = json.loads(cli("run", case, "--draws", "700", "--seed", "3", "--json").stdout)
    assert scenarios["npv"]["base"] == run["npv"]


def test_a_comparison_cube_that_does_not_fit_on_disk_is_refused_before_the_run(
    cli, write_case, tmp_path, monkeypatch
):
    # npv and difference of 2 alternatives x 3,000 draws x (total + the 3 actors), and the draw
    # coordinate: 8 x 3,000 x (2 x 2 x 4 + 1) = 408,000 bytes
    a, b = write_case(A, "lille.toml"), write_case(B, "stor.toml")
    out = tmp_path / "cmp.zarr"
    monkeypatch.setattr("somrisk.io.store.free_disk", lambda path: 407_999)
    with monkeypatch.context() as patch:
        patch.setattr(
            importlib.import_module("somrisk.compare"), "compare", lambda *a, **k: pytest.fail("ran")
        )
        result = cli("compare", a, b, "--draws", "3000", "--out", out)
    assert result.code == 2, result.stderr
    assert "the cube needs 408.0 kB but the disk has 408.0 kB free" in result.stderr
    assert not list(tmp_path.glob("*cmp*"))
    monkeypatch.setattr("somrisk.io.store.free_disk", lambda path: 408_000)  # just enough
    assert cli("compare", a, b, "--draws", "3000", "--out", out).code == 0
    assert out.is_dir()


def test_a_case_and_its_workbook_are_named_by_their_file_names(cli, write_case, tmp_path):
    a = write_case(A, "lille.toml")
    assert cli("excel", "export", a, tmp_path / "lille.xlsx").code == 0
    document = json.loads(cli("compare", a, tmp_path / "lille.xlsx", "--draws", "300", "--json").stdout)
    assert document["alternatives"] == ["lille.toml", "lille.xlsx"]
    # the same case twice: every difference is 0 in every draw
    assert all(
        stats["sd"] == 0 and stats["mean"] == 0 for stats in document["difference"]["lille.xlsx"].values()
    )
