"""Properties of phase-in (cohort factors) and consequences during the course, for generated cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from properties.strategies import CaseSpec, cases
from somrisk import parse_case, simulate
from somrisk.testing import assert_cube_valid

DRAWS = 200


def run(text: str):
    return simulate(parse_case(text), draws=DRAWS, seed=6, sampler="mc", keep_cube=True)


def with_cohort_factors(text: str, factors: list[float]) -> str:
    listed = ", ".join(repr(f) for f in factors)
    return text.replace("[effect]\n", f"[effect]\ncohort_factor = [{listed}]\n", 1)


def with_during(text: str, during: str, years: int) -> str:
    return text.replace(
        "[[consequences]]\n", f"[[consequences]]\nduring = {during}\nduring_years = {years}\n"
    )


def same(a, b) -> None:
    np.testing.assert_array_equal(a.npv, b.npv)
    np.testing.assert_array_equal(a.cube.gains.values, b.cube.gains.values)
    np.testing.assert_array_equal(a.cube.net.values, b.cube.net.values)


@settings(max_examples=25, deadline=None)
@given(spec=cases(), count=st.integers(1, 4))
def test_cohort_factors_of_one_change_nothing(spec: CaseSpec, count: int):
    text = spec.toml()
    same(run(with_cohort_factors(text, [1.0] * count)), run(text))


@settings(max_examples=25, deadline=None)
@given(spec=cases(), years=st.integers(1, 4))
def test_during_zero_changes_nothing(spec: CaseSpec, years: int):
    text = spec.toml()
    same(run(with_during(text, "0.0", years)), run(text))


@settings(max_examples=25, deadline=None)
@given(spec=cases(), factor=st.sampled_from([0.0, 0.25, 0.6]))
def test_one_cohort_factor_for_all_acts_as_a_smaller_effect(spec: CaseSpec, factor: float):
    # E[t] = sum_i n_i e f pi(t - s_i) = sum_i n_i (e f) pi(t - s_i) when every f_i = f
    if isinstance(spec.effect, dict):
        spec.effect = spec.effect["min"]
    phased = run(with_cohort_factors(spec.toml(), [factor]))
    smaller = run(spec.toml(effect=spec.effect * factor))
    scale = max(1.0, float(np.abs(smaller.cube.gains.values).max(initial=0)))
    np.testing.assert_allclose(
        phased.cube.gains.values, smaller.cube.gains.values, rtol=1e-12, atol=1e-12 * scale
    )


@settings(max_examples=25, deadline=None)
@given(spec=cases(), during=st.floats(-1.0, 1.0).map(lambda x: round(x, 3)), years=st.integers(1, 3))
def test_during_adds_a_term_not_scaled_by_the_effect(spec: CaseSpec, during: float, years: int):
    # with e = 0 only the during-course term is left: sum_c G = -(1+g)^t sum_c m_c v_{c,a} d
    # * (participants in their first `years` years); it is the same for e and for e = 0 minus the
    # gains without `during` (the effect a number, so that every case draws the same columns)
    if isinstance(spec.effect, dict):
        spec.effect = spec.effect["max"]
    base = spec.toml()
    effect_free = run(with_during(spec.toml(effect=0.0), repr(during), years))
    both = run(with_during(base, repr(during), years))
    without = run(base)
    added = both.cube.gains.values - without.cube.gains.values
    scale = max(1.0, float(np.abs(both.cube.gains.values).max(initial=0)))
    np.testing.assert_allclose(added, effect_free.cube.gains.values, rtol=1e-9, atol=1e-9 * scale)
    assert_cube_valid(both.cube)
