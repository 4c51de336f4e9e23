"""model.md's warnings hold exactly when their conditions do, also with cohort factors and
consequences during the course: a cohort factor scales a cohort's effect, it does not shorten its
window nor fade it; a during-course change is not a year-by-year profile. Checked in the case's
warnings and in the JSON of a run."""

from __future__ import annotations

import pytest

from somrisk import parse_case, simulate, summarize
from somrisk.case.model_warnings import model_warnings
from somrisk.io import summary_json
from somrisk.testing import minimal_case

FLAT = '[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 1000 }\n'
DURING = FLAT + 'during = { dist = "uniform", min = -0.5, max = 0.0 }\nduring_years = 3\n'
PROFILED = FLAT + "profile = [0.5, 1.0]\n"
FACTORS = 'cohort_factor = [0.3, { dist = "beta", alpha = 4, beta = 2 }, 0.0]\n'


def case_text(persistence: str, consequences: str, factors: str = "", horizon: int = 10) -> str:
    text = minimal_case(
        horizon=horizon, cohorts="[5, 5, 5]", persistence=persistence, consequences=consequences
    )
    return text.replace("[effect]\n", f"[effect]\n{factors}")


@pytest.mark.parametrize(
    ("persistence", "consequences", "factors", "horizon", "expected"),
    [
        # window 10 from intake years 0-2 in 10 years: 0 + 1 + 2 = 3 of 30 cohort-years cut
        ("[persistence]\nwindow = 10", FLAT, FACTORS, 10, ["window_cut"]),
        ("[persistence]\nwindow = 10", DURING, "", 10, ["window_cut"]),
        ("[persistence]\nwindow = 10", DURING, FACTORS, 12, []),  # years 2..11 fit in 12
        ("[persistence]\nwindow = 10\ndecay = 0.2", DURING, FACTORS, 10, ["window_cut"]),  # flat
        ("[persistence]\nwindow = 10\ndecay = 0.2", PROFILED, FACTORS, 10, ["window_cut", "relapse_twice"]),
        ("[persistence]\ndecay = 0.2", DURING + "profile = [0.5, 1.0]\n", FACTORS, 10, ["relapse_twice"]),
        ("[persistence]\ndecay = 0.2", DURING, FACTORS, 10, []),
        ("", PROFILED + "during = -0.5\n", FACTORS, 10, []),  # SØM's way: no persistence layer
    ],
)
def test_warnings_with_cohort_factors_and_during(persistence, consequences, factors, horizon, expected):
    case = parse_case(case_text(persistence, consequences, factors, horizon))
    warnings = model_warnings(case)
    assert [w.code for w in warnings] == expected
    if "window_cut" in expected:
        assert "3 of 30 cohort-years" in warnings[0].en
    document = summary_json(summarize(simulate(case, draws=64, seed=1)))
    assert document["warnings"] == [w.en for w in warnings]
