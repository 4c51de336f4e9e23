"""The command-line defects of issue 16, each through the CLI: exit codes and messages."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensitivity.cases import additive_case, product_case
from somrisk import example_case_path
from somrisk.cli.options import plain_integer
from somrisk.sensitivity import distinguishable
from somrisk.sensitivity.sobol import MIN_N

EXAMPLE = str(example_case_path())


# --- whole numbers in plain digits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (["run", "--draws", "10.000"], "write 10000"),
        (["run", "-n", "10,000"], "write 10000"),
        (["run", "--draws", "1e4"], "write 10000"),
        (["run", "--draws", "10_000"], "write 10000"),
        (["run", "--draws", "1.5"], "write digits only"),
        (["sobol", EXAMPLE, "--n", "2.000"], "write 2000"),
        (["voi", EXAMPLE, "--draws", "2.000"], "write 2000"),
        (["portfolio", "p.toml", "--draws", "1.000.000"], "write 1000000"),
        (["morris", EXAMPLE, "--trajectories", "2e1"], "write 20"),
        (["run", "--seed", "1.0"], "write 1"),
    ],
)
def test_a_number_with_a_separator_or_exponent_is_exit_2_with_the_number_to_write(cli, args, written):
    result = cli(*args)
    assert result.code == 2, result.stdout
    assert written in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_plain_digits_are_read_as_written(number):
    assert plain_integer(str(number)) == number


@given(st.integers(min_value=1000, max_value=10**9), st.sampled_from([".", ",", "_", " "]))
def test_any_thousands_separator_is_refused_with_the_plain_number(number, separator):
    import typer

    grouped = f"{number:,}".replace(",", separator)
    with pytest.raises(typer.BadParameter, match=f"write {number} "):
        plain_integer(grouped)


def test_plain_draws_still_run(cli):
    result = cli("run", "--draws", "300", "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["draws"] == 300


# --- Sobol: the minimum n, what is distinguishable, second-order indices -----------------------------


@pytest.mark.parametrize("n", ["2", "32", str(MIN_N - 1)])
def test_sobol_refuses_n_below_the_minimum(cli, n):
    result = cli("sobol", EXAMPLE, "--n", n)
    assert result.code == 2, result.stdout
    assert f"n must be a whole number from {MIN_N}" in result.stderr
    assert result.stdout == ""


def test_an_interval_above_0_is_distinguishable_however_wide():
    index = np.array([0.10, 0.10, 0.10, -0.20, np.nan])
    conf = np.array([0.09, 0.10, 0.30, 0.05, 0.01])
    # wider than the index (2 x 0.09 > 0.10) but above 0: distinguishable; reaching 0: not;
    # wholly below 0 (an estimator's artefact): not; undefined: not
    assert distinguishable(index, conf).tolist() == [True, False, False, False, False]


def test_second_order_indices_are_in_the_table(cli, write_case):
    path = write_case(product_case())
    table = cli("sobol", path, "--n", "256", "--second-order")
    document = json.loads(cli("sobol", path, "--n", "256", "--second-order", "--json").stdout)
    assert table.code == 0, table.stderr
    assert "Second-order Sobol indices S2" in table.stdout
    names = [entry["name"] for entry in document["indices"]]
    for k, entry in enumerate(document["indices"]):
        for other, s2 in entry["S2"].items():
            assert other in names[k + 1 :]
            conf = entry["S2_conf"][other]
            if s2 - conf > 0:
                assert f"{s2:.3f} ± {conf:.3f}" in table.stdout
    assert table.stdout.count("≈ 0 (not distinguishable)") >= sum(
        1
        for entry in document["indices"]
        for other, s2 in entry["S2"].items()
        if not s2 - entry["S2_conf"][other] > 0
    )


# --- the other commands --------------------------------------------------------------------------


def test_voi_says_not_invest(cli, write_case):
    # NPV = -c + 500 * (-q) + 5 v with c uniform on [0, 3000]: mean -1500 + 500 + 300 < 0
    losing = write_case(additive_case().replace("max = 600.0", "max = 3000.0"))
    result = cli("voi", losing, "--draws", "500")
    assert result.code == 0, result.stderr
    assert "the decision is to not invest" in result.stdout
    assert "do not invest" not in result.stdout


def test_reproduce_errors_name_reproduce(cli, tmp_path):
    result = cli("run", "--reproduce", str(tmp_path / "X.json"), EXAMPLE)
    assert result.code == 2
    assert "--reproduce" in result.stderr and "X.json" in result.stderr
    assert "--out" not in result.stderr


@pytest.mark.parametrize("year", ["20000", "-1", "2026.5"])
def test_new_refuses_a_start_year_outside_the_case_formats_range(cli, tmp_path, year):
    out = tmp_path / "case.toml"
    result = cli("new", "Mentorordning", "--out", out, "--start-year", year)
    assert result.code == 2, result.stdout
    assert "--start-year" in result.stderr
    assert not out.exists()


def test_new_takes_a_start_year_in_range(cli, tmp_path):
    out = tmp_path / "case.toml"
    assert cli("new", "Mentorordning", "--out", out, "--start-year", "2030").code == 0
    assert "start_year = 2030" in out.read_text(encoding="utf-8")


def test_excel_import_does_not_overwrite_without_force(cli, tmp_path):
    workbook = tmp_path / "case.xlsx"
    assert cli("excel", "export", EXAMPLE, workbook).code == 0
    out = tmp_path / "case.toml"
    out.write_text("# mine\n", encoding="utf-8")
    refused = cli("excel", "import", workbook, out)
    assert refused.code == 2
    assert "exists" in refused.stderr and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "# mine\n"
    forced = cli("excel", "import", workbook, out, "--force")
    assert forced.code == 0, forced.stderr
    assert "[case]" in out.read_text(encoding="utf-8")


def test_one_draw_reports_the_monte_carlo_error_as_unknown(cli):
    table = cli("run", "--draws", "1")
    assert table.code == 0, table.stderr
    assert "standard error of the mean total NPV: unknown" in " ".join(table.stdout.split())
    document = json.loads(cli("run", "--draws", "1", "--json").stdout)
    for stats in (document["npv"]["total"], document["npv"]["kommune"], document["net_total"]["total"]):
        assert stats["mcse"] is None and stats["prob_positive_se"] is None
    two = json.loads(cli("run", "--draws", "2", "--json").stdout)["npv"]["total"]
    assert two["mcse"] == pytest.approx(two["sd"] / np.sqrt(2), rel=1e-12)
