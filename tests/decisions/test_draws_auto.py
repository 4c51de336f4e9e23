"""--draws auto: whole blocks until P(NPV > 0) is precise, reproducible, capped (model.md, "Precision")."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from somrisk.case import parse_case
from somrisk.compare import compare
from somrisk.engine import simulate
from somrisk.precision import BLOCK_DRAWS, Z95, auto_draws, half_widths
from somrisk.runner import run
from somrisk.testing import ONE_CONSEQUENCE, danish_number, minimal_case

GAINS = ONE_CONSEQUENCE
COSTS = """
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "normal", mean = 45000, sd = 8000 }
"""
# P(NPV > 0) near 0.6 for kommune and the total: it takes tens of thousands of draws at 0.005
TEXT = minimal_case(
    effect='{ dist = "beta", alpha = 4, beta = 6 }', cohorts="[10]", costs=COSTS, consequences=GAINS
)


def widths(summary) -> np.ndarray:
    return Z95 * summary.npv_prob_positive_se.values


@pytest.fixture(scope="module")
def case():
    return parse_case(TEXT)


def test_auto_meets_its_tolerance_and_equals_a_run_of_that_many_draws(case):
    result = run(case, draws="auto", tolerance=0.01, threads=2)
    draws = int(result.summary.attrs["draws"])
    assert draws % BLOCK_DRAWS == 0 and draws > BLOCK_DRAWS  # more than the first block was needed
    assert np.all(widths(result.summary) <= 0.01)
    fixed = simulate(case, draws=draws, threads=1)
    np.testing.assert_array_equal(result.simulation.npv, fixed.npv)
    assert result.summary.attrs["draws_auto_met"] == 1


def test_auto_is_reproducible_and_a_tighter_tolerance_takes_more_draws(case):
    loose = run(case, draws="auto", tolerance=0.01, threads=2)
    again = run(case, draws="auto", tolerance=0.01, threads=1)
    tight = run(case, draws="auto", tolerance=0.004, threads=2)
    np.testing.assert_array_equal(loose.simulation.npv, again.simulation.npv)
    assert tight.summary.attrs["draws"] > loose.summary.attrs["draws"]
    assert np.all(widths(tight.summary) <= 0.004)


def half_positive(label: str, seen: list[int] | None = None):
    """A run for auto_draws whose one output (`label`) is positive in exactly half of the draws
    (p = 0.5); `seen` records the draws each call asked for."""

    def run(draws: int):
        if seen is not None:
            seen.append(draws)
        rows = np.zeros((1, draws))
        rows[0, : draws // 2] = 1.0
        return draws, rows, [label]

    return run


def test_the_draws_asked_for_follow_p_of_the_first_block():
    """The second run has the blocks that p (1 - p) (1.96 / T)^2 asks for, from the first block's p."""
    seen: list[int] = []
    result, precision = auto_draws(half_positive("total", seen), tolerance=0.01)
    needed = 0.25 * (1.96 / 0.01) ** 2  # 9604 draws
    assert seen == [BLOCK_DRAWS, math.ceil(needed / BLOCK_DRAWS) * BLOCK_DRAWS]
    assert precision.met and result == seen[-1]
    assert precision.half_width == pytest.approx(1.96 * math.sqrt(0.25 / seen[-1]))


def test_the_cap_stops_it_with_a_warning_in_words():
    result, precision = auto_draws(half_positive("kommune"), tolerance=0.001, cap=3 * BLOCK_DRAWS)
    assert result == 3 * BLOCK_DRAWS and not precision.met
    assert "cap" in precision.reason and "kommune" in precision.reason


def test_half_widths_are_those_of_the_run_summary(case):
    result = run(case, draws=5000, threads=1)
    rows = np.vstack([result.simulation.npv, result.simulation.npv_total[None, :]])
    np.testing.assert_allclose(half_widths(rows), widths(result.summary), rtol=1e-12)


def test_compare_auto_makes_every_alternative_and_difference_precise(case):
    other = parse_case(TEXT.replace("mean = 45000", "mean = 40000"))
    result = compare([case, other], ["A", "B"], draws="auto", tolerance=0.01, threads=2)
    draws = result.draws
    assert draws % BLOCK_DRAWS == 0
    for name in result.names:
        assert np.all(half_widths(result.npv(name)) <= 0.01)
    assert np.all(half_widths(result.difference("B")) <= 0.01)
    fixed = compare([case, other], ["A", "B"], draws=draws, threads=1)
    np.testing.assert_array_equal(fixed.difference("B"), result.difference("B"))


def test_cli_says_how_many_draws_and_why(cli, write_case):
    path = write_case(TEXT)
    result = cli("run", path, "--draws", "auto", "--tolerance", "0.02")
    assert result.code == 0, result.stderr
    assert "--draws auto:" in result.stdout and "at most 0.02" in result.stdout
    document = json.loads(cli("run", path, "--draws", "auto", "--tolerance", "0.02", "--json").stdout)
    assert document["draws_auto"]["met"] is True and document["draws_auto"]["tolerance"] == 0.02
    assert document["draws"] % BLOCK_DRAWS == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--draws", "auto", "--tolerance", "0"], ["--tolerance", "(0, 0.5)", "0.0"]),
        (["--draws", "auto", "--tolerance", "0.5"], ["--tolerance", "(0, 0.5)"]),
        (["--draws", "auto", "--tolerance", "-0.1"], ["--tolerance", "(0, 0.5)"]),
        (["--draws", "auto", "--tolerance", "nan"], ["--tolerance", "(0, 0.5)"]),
        (["--draws", "1000", "--tolerance", "0.01"], ["--tolerance", "--draws auto"]),
        (["--tolerance", "0.01"], ["--tolerance", "--draws auto"]),
        (["--draws", "automatic"], ["--draws", "auto", "'automatic'"]),
        (["--draws", "0"], ["draws must be a whole number >= 1", "got 0"]),
    ],
)
@pytest.mark.parametrize("command", ["run", "report", "compare"])
def test_bad_draws_or_tolerance_are_exit_2(cli, write_case, tmp_path, command, args, words):
    path = write_case(TEXT)
    files = {
        "run": [path],
        "report": [path, "--out", tmp_path / "r.html"],
        "compare": [path, write_case(TEXT, "b.toml")],
    }
    result = cli(command, *files[command], *args)
    assert result.code == 2, result.stdout
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_cli_says_why_in_the_chosen_language(cli, write_case, lang):
    path = write_case(TEXT)
    document = json.loads(cli("run", path, "--draws", "auto", "--tolerance", "0.02", "--json").stdout)
    draws, auto = document["draws"], document["draws_auto"]
    blocks = draws // BLOCK_DRAWS
    width = f"{round(auto['half_width'], 4):g}"
    result = cli("run", path, "--draws", "auto", "--tolerance", "0.02", "--lang", lang)
    assert result.code == 0, result.stderr
    text = " ".join(result.stdout.split())  # the console folds long lines at spaces
    if lang == "da":
        expected = (
            f"--draws auto: {danish_number(draws)} trækninger ({blocks} blok{'' if blocks == 1 else 'ke'}); "
            f"da er 1,96 × standardfejlen på P(NPV > 0) højst 0,02 for det samlede resultat og hver aktør "
            f"(størst: {width.replace('.', ',')}, "
        )
    else:
        expected = (
            f"--draws auto: {draws:,} draws ({blocks} block{'' if blocks == 1 else 's'}), at which 1.96 x the "
            f"standard error of P(NPV > 0) is at most 0.02 for the total and every actor (largest: {width}, "
        )
    assert expected in text, text
    assert "prob_positive_se" not in text


def test_the_cap_in_danish_names_the_alternative_and_the_actor():
    from somrisk.report.draws_auto_words import draws_auto_text

    _, precision = auto_draws(half_positive("B - A: kommune"), tolerance=0.001, cap=3 * BLOCK_DRAWS)
    attrs = {"draws": precision.draws, **precision.attrs()}
    width = f"{round(precision.half_width, 4):g}".replace(".", ",")
    assert draws_auto_text(attrs, "da") == (
        f"--draws auto stoppede ved loftet på {danish_number(3 * BLOCK_DRAWS)} trækninger, før P(NPV > 0) "
        f"var præcis til 0,001: 1,96 × standardfejlen er {width} (B - A: Kommune)"
    )
    # a result written before the sentence had its parts keeps its recorded reason
    old = {key: value for key, value in attrs.items() if key != "draws_auto_widest"}
    assert draws_auto_text(old, "da") == precision.reason
    assert draws_auto_text({"draws": 1}, "da") is None


def test_the_danish_report_says_why_in_danish(cli, write_case, tmp_path):
    out = tmp_path / "rapport.html"
    result = cli("report", write_case(TEXT), "--draws", "auto", "--tolerance", "0.05", "--out", out)
    assert result.code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "trækninger (1 blok); da er 1,96 × standardfejlen" in page
    assert "prob_positive_se" not in page and "at most" not in page
