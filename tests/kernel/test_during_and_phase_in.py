"""Consequences during the course (d_c, `during_years`) and phase-in (cohort factors f_i) against
model.md worked by hand:

    E[t] = sum_i n_i e f_i pi(t - s_i)
    G[t,a,c] = -(1+g)^t m_c v_{c,a} (E[t] q_c w_c(t - s_i - O) + sum_i n_i [0 <= t - s_i < L^d_c] d_c)
"""

from __future__ import annotations

import numpy as np
import pytest

from somrisk import parse_case, run_deterministic, simulate
from somrisk.testing import assert_cube_valid, minimal_case

HERBERG = """
[[consequences]]
name = "herberg"
change = -0.5
price = { kommune = 1000, stat = 400 }
price_factor = 1.1
during = -0.3
during_years = 2
"""


def hand_case(cohort_factor: str = "", during: str = HERBERG) -> str:
    """Two cohorts (10 in year 0, 20 in year 1), e = 0.2, onset 1, r = 5 %, g = 2 %, 4 years."""
    text = minimal_case(
        horizon=4,
        cohorts="[10, 20]",
        effect="0.2",
        discount_rate="0.05",
        price_growth="0.02",
        persistence="[persistence]\nonset = 1",
        consequences=during,
    )
    return text.replace("[effect]\n", f"[effect]\n{cohort_factor}\n")


def expected_gains(bracket: list[float]) -> np.ndarray:
    """G[t, a] = -(1.02)^t * 1.1 * v_a * bracket[t], v = (kommune 1000, region 0, stat 400)."""
    growth = 1.02 ** np.arange(4)
    prices = np.array([1000.0, 0.0, 400.0])
    return -(growth * np.array(bracket))[:, None] * 1.1 * prices[None, :]


def test_consequences_during_the_course_by_hand():
    # effect from onset 1: E = 0.2 * (10 [t >= 1] + 20 [t >= 2]) = (0, 2, 6, 6)
    # in the course (2 years after intake): 10 [t in 0, 1] + 20 [t in 1, 2] = (10, 30, 20, 0)
    # bracket E q + P d = (0 * -0.5 + 10 * -0.3, 2 * -0.5 + 30 * -0.3, 6 * -0.5 + 20 * -0.3, 6 * -0.5)
    bracket = [-3.0, -10.0, -9.0, -3.0]
    det = run_deterministic(parse_case(hand_case()))
    np.testing.assert_allclose(det.gains[:, :, 0], expected_gains(bracket), rtol=1e-12)
    discount = 1.05 ** -np.arange(4)
    np.testing.assert_allclose(det.npv, (discount[:, None] * expected_gains(bracket)).sum(axis=0), rtol=1e-12)
    # year 0 alone: 1.1 * 1000 * 3 = 3300 saved by the kommune while nobody has the effect yet
    assert det.gains[0, 0, 0] == pytest.approx(3300.0, rel=1e-12)


def test_phase_in_by_hand():
    # f = (0.5, 1.0): E = 0.2 * (10 * 0.5 [t >= 1] + 20 * 1.0 [t >= 2]) = (0, 1, 5, 5); the
    # during-course term is not scaled by f: (10, 30, 20, 0) * -0.3 as before
    bracket = [-3.0, 1 * -0.5 - 9.0, 5 * -0.5 - 6.0, 5 * -0.5]
    det = run_deterministic(parse_case(hand_case("cohort_factor = [0.5, 1.0]")))
    np.testing.assert_allclose(det.gains[:, :, 0], expected_gains(bracket), rtol=1e-12)


def test_last_cohort_factor_repeats():
    # f = (0.25, 0.25): E = 0.2 * 0.25 * (10 [t >= 1] + 20 [t >= 2]) = (0, 0.5, 1.5, 1.5); no during term
    plain = HERBERG.replace("during = -0.3\nduring_years = 2\n", "")
    bracket = [0.0, 0.5 * -0.5, 1.5 * -0.5, 1.5 * -0.5]
    det = run_deterministic(parse_case(hand_case("cohort_factor = [0.25]", plain)))
    np.testing.assert_allclose(det.gains[:, :, 0], expected_gains(bracket), rtol=1e-12)


def test_during_counts_with_no_effect_at_all():
    # e = 0: only the participants in the course count: G = -1.02^t * 1.1 * v * (10, 30, 20, 0) * -0.3
    det = run_deterministic(parse_case(hand_case().replace("effect = 0.2", "effect = 0.0")))
    np.testing.assert_allclose(det.gains[:, :, 0], expected_gains([-3.0, -9.0, -6.0, 0.0]), rtol=1e-12)


def test_uncertain_during_and_factors_in_the_cube():
    text = hand_case(
        'cohort_factor = [{ dist = "beta", alpha = 4, beta = 2 }, 1.0]',
        HERBERG.replace("during = -0.3", 'during = { dist = "uniform", min = -0.5, max = 0.0 }'),
    )
    sim = simulate(parse_case(text), draws=400, seed=3, keep_cube=True)
    cube = sim.cube
    assert_cube_valid(cube)
    assert set(map(str, cube.input.values)) == {"effect.cohort_factor.0", "consequences.herberg.during"}
    d = cube.inputs.sel(input="consequences.herberg.during").values
    f = cube.inputs.sel(input="effect.cohort_factor.0").values
    # year 0 (nobody has the effect): kommune's gain is -1.1 * 1000 * 10 * d
    np.testing.assert_allclose(cube.gains.values[:, 0, 0, 0], -1.1 * 1000 * 10 * d, rtol=1e-12)
    # year 1: E = 0.2 * 10 * f; in the course 30
    expected = -1.02 * 1.1 * 1000 * (0.2 * 10 * f * -0.5 + 30 * d)
    np.testing.assert_allclose(cube.gains.values[:, 1, 0, 0], expected, rtol=1e-12, atol=1e-9)
    # the summary-only run gives the cube's NPV
    np.testing.assert_allclose(sim.npv.T, cube.npv.values, rtol=1e-12, atol=1e-9)


def test_cohort_factors_past_the_last_cohort_have_no_effect():
    # docs/decisions.md: entries beyond the cohorts are accepted and unused (two cohorts here)
    listed = run_deterministic(parse_case(hand_case("cohort_factor = [0.5, 1.0, 0.1, 0.0]")))
    exact = run_deterministic(parse_case(hand_case("cohort_factor = [0.5, 1.0]")))
    np.testing.assert_array_equal(listed.gains, exact.gains)
    np.testing.assert_array_equal(listed.npv, exact.npv)
