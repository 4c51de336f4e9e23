"""Bad `effect.cohort_factor`, `during` and `during_years` (case-format.md, "Ranges"): exit 2 from
``somrisk check`` with the file, the key path, the value and what is allowed; never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from somrisk import parse_case, run_deterministic
from somrisk.space import build_space
from somrisk.testing import minimal_case

CONSEQUENCE = '[[consequences]]\nname = "herberg"\nchange = -0.5\nprice = { kommune = 1000 }\n'


def case_text(cohort_factor: str = "", consequence: str = "") -> str:
    text = minimal_case(cohorts="[5, 5]", consequences=CONSEQUENCE + consequence)
    return text.replace("[effect]\n", f"[effect]\n{cohort_factor}\n")


@pytest.mark.parametrize(
    ("cohort_factor", "consequence", "path", "says"),
    [
        ("cohort_factor = [1.2]", "", "effect.cohort_factor.0", "must lie in [0, 1] (found 1.2)"),
        ("cohort_factor = [1.0, -0.1]", "", "effect.cohort_factor.1", "must lie in [0, 1] (found -0.1)"),
        (
            'cohort_factor = [{ dist = "normal", mean = 0.5, sd = 0.3 }]',
            "",
            "effect.cohort_factor.0",
            "puts 9.6 % of its probability outside",
        ),
        ("cohort_factor = []", "", "effect.cohort_factor", "at least 1 item (found [])"),
        ("cohort_factor = 0.5", "", "effect.cohort_factor", "expected a list"),
        ("", "during = -0.3\nduring_years = 0", "consequences.herberg.during_years", "(found 0)"),
        (
            "",
            "during = -0.3\nduring_years = 1.5",
            "consequences.herberg.during_years",
            "whole number (found 1.5)",
        ),
        (
            "",
            'during = -0.3\nduring_years = "2"',
            "consequences.herberg.during_years",
            'whole number (found "2")',
        ),
        ("", 'during = "x"', "consequences.herberg.during", 'not text (remove the quotes?) (found "x")'),
        ("", 'during = { dist = "normal", mean = 0, sd = 0 }', "consequences.herberg.during.sd", "(found 0)"),
    ],
)
def test_bad_phase_in_and_during_exit_2_naming_file_path_and_value(
    cli, tmp_path, cohort_factor, consequence, path, says
):
    file = tmp_path / "case.toml"
    file.write_text(case_text(cohort_factor, consequence), encoding="utf-8")
    result = cli("check", file)
    assert result.code == 2
    text = " ".join(result.stderr.split())
    assert f"case.toml: {path}:" in text and says in text
    assert "Traceback" not in result.stderr


def test_a_cohort_factor_of_one_and_zero_and_a_distribution_inside_are_valid(cli, tmp_path):
    file = tmp_path / "case.toml"
    factors = 'cohort_factor = [0.0, 1.0, { dist = "beta", alpha = 2, beta = 2 }]'
    file.write_text(case_text(factors, "during = 0.4\nduring_years = 3"), encoding="utf-8")
    result = cli("check", file)
    assert result.code == 0, result.stderr
    assert "2 uncertain" not in result.stdout and "1 uncertain" in " ".join(result.stdout.split())


def test_during_years_without_during_is_ignored_with_a_warning():
    with pytest.warns(UserWarning, match="`during_years` counts the years of `during`"):
        with_years = run_deterministic(parse_case(case_text("", "during_years = 2")))
    without = run_deterministic(parse_case(case_text()))
    np.testing.assert_array_equal(with_years.gains, without.gains)


def test_the_new_inputs_have_their_paths_and_default_groups():
    factors = 'cohort_factor = [{ dist = "beta", alpha = 2, beta = 2 }, 1.0]'
    during = 'during = { dist = "uniform", min = -1, max = 0 }\nduring_years = 2'
    space = build_space(parse_case(case_text(factors, during)))
    assert dict(zip(space.paths, space.groups, strict=True)) == {
        "effect.cohort_factor.0": "effect",
        "consequences.herberg.during": "consequences",
    }
    paths = [spec.path for spec in space.inputs]
    # right after the effect's inputs, and right after the consequence's change
    assert paths.index("effect.cohort_factor.1") == paths.index("effect.effect") + 2
    assert paths.index("consequences.herberg.during") == paths.index("consequences.herberg.change") + 1
