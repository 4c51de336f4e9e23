"""``horizon = "auto"`` (model.md, "Persistence detail"): T = last intake year + onset + window, so
the last cohort's window fits; refused without a window or above 50 years."""

from __future__ import annotations

import numpy as np
import pytest

from somrisk import parse_case, simulate
from somrisk.errors import CaseError
from somrisk.testing import minimal_case

CONSEQUENCE = '[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 1000 }\n'


def case_text(horizon: str, persistence: str, cohorts: str = "[5, 5, 5]") -> str:
    text = minimal_case(cohorts=cohorts, persistence=persistence, consequences=CONSEQUENCE)
    return text.replace("horizon = 5", f"horizon = {horizon}")


@pytest.mark.parametrize(
    ("cohorts", "persistence", "expected"),
    [
        ("[5, 5, 5]", "[persistence]\nwindow = 10", 12),  # intake in years 0-2: 2 + 0 + 10
        ("[5, 5, 5]", "[persistence]\nonset = 1\nwindow = 10", 13),  # a one-year course
        ("[5]", "[persistence]\nwindow = 3\ndecay = 0.2", 3),
    ],
)
def test_auto_gives_the_last_intake_plus_onset_plus_window(cohorts, persistence, expected):
    case = parse_case(case_text('"auto"', persistence, cohorts))
    assert case.horizon == expected and case.horizon_auto
    assert case.years == tuple(range(2025, 2025 + expected))


def test_auto_computes_exactly_what_the_same_horizon_in_years_does():
    persistence = '[persistence]\nonset = 1\nwindow = 4\ndecay = { dist = "uniform", min = 0.1, max = 0.3 }'
    auto = simulate(parse_case(case_text('"auto"', persistence)), draws=500, seed=2)
    fixed = simulate(parse_case(case_text("7", persistence)), draws=500, seed=2)
    np.testing.assert_array_equal(auto.npv, fixed.npv)
    np.testing.assert_array_equal(auto.yearly_mean, fixed.yearly_mean)


@pytest.mark.parametrize(
    ("persistence", "message"),
    [
        ("", 'horizon = "auto" needs persistence.window'),
        ("[persistence]\ndecay = 0.1", 'horizon = "auto" needs persistence.window'),
        (
            "[persistence]\nonset = 5\nwindow = 50",
            'horizon = "auto" gives 57 years (last intake year 2 + onset 5 + window 50), more than 50',
        ),
    ],
)
def test_auto_is_refused_where_it_cannot_be_worked_out(persistence, message):
    with pytest.raises(CaseError) as caught:
        parse_case(case_text('"auto"', persistence))
    (problem,) = caught.value.problems
    assert problem.key_path == "case.horizon" and message in problem.message


def test_other_words_than_auto_are_refused(cli, tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(case_text('"automatic"', "[persistence]\nwindow = 3"), encoding="utf-8")
    result = cli("check", path)
    assert result.code == 2 and "case.horizon" in result.stderr and "Traceback" not in result.stderr


def test_check_says_the_horizon_came_from_auto(cli, tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(case_text('"auto"', "[persistence]\nwindow = 10"), encoding="utf-8")
    result = cli("check", path)
    assert result.code == 0
    assert 'horizon 12 years (2025-2036) from horizon = "auto"' in " ".join(result.stdout.split())
