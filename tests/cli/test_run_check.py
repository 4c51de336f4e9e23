"""The two commands of the core: `somrisk run` and `somrisk check`, as a user meets them."""

from __future__ import annotations

import json

from somrisk.runner import example_case_path


def test_run_without_a_case_runs_the_bundled_example(cli):
    result = cli("run", "--draws", "500")
    assert result.code == 0, result.stderr
    assert "Gruppeforløb for unge med hashmisbrug" in result.stdout
    for heading in ("Deterministic", "Mean", "5 %", "95 %", "P(NPV > 0)", "kommune", "Total"):
        assert heading in result.stdout
    assert "Payback within the horizon" in result.stdout


def test_json_prints_only_json_on_stdout(cli):
    result = cli("run", str(example_case_path()), "--draws", "300", "--json", "--seed", "7")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)  # nothing but JSON
    assert document["seed"] == 7 and document["draws"] == 300 and document["sampler"] == "lhs"


def test_check_reports_what_a_valid_case_holds(cli):
    result = cli("check", str(example_case_path()))
    assert result.code == 0, result.stderr
    assert "OK" in result.stdout and "uncertain" in result.stdout
    assert "effect.success_rate" in result.stdout


def test_check_of_a_missing_file_is_exit_2_without_traceback(cli, tmp_path):
    result = cli("check", str(tmp_path / "nope.toml"))
    assert result.code == 2
    assert "nope.toml: no such file" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_option_values_are_exit_2(cli):
    assert cli("run", "--draws", "0").code == 2
    assert cli("run", "--draws", "many").code == 2
    assert cli("run", "--sampler", "quasi").code == 2
    assert cli("run", "--seed", "-1").code == 2


def test_unknown_output_suffix_is_refused_before_simulating(cli, tmp_path):
    result = cli("run", "--draws", "100", "--out", str(tmp_path / "cube.csv"))
    assert result.code == 2
    assert ".nc" in result.stderr and ".zarr" in result.stderr
    assert list(tmp_path.iterdir()) == []
