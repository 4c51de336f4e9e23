"""Sensitivity results against closed forms (the tests the issue asks for, and more)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sensitivity.cases import IRRELEVANT, additive_case, linear_case, product_case
from somrisk import breakeven, morris, parse_case, sobol, voi

# --- Sobol ------------------------------------------------------------------------------------------


def product_indices(means: list[float], variances: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total Sobol indices of Y = X1 X2 ... Xk for independent Xi."""
    second = np.array(variances) + np.array(means) ** 2
    total_variance = np.prod(second) - np.prod(np.array(means) ** 2)
    s1, st = [], []
    for i in range(len(means)):
        others = [j for j in range(len(means)) if j != i]
        s1.append(variances[i] * np.prod([means[j] ** 2 for j in others]) / total_variance)
        st.append(variances[i] * np.prod([second[j] for j in others]) / total_variance)
    return np.array(s1), np.array(st)


def uniform_moments(lo: float, hi: float) -> tuple[float, float]:
    return (lo + hi) / 2, (hi - lo) ** 2 / 12


def test_sobol_indices_of_a_product_of_uniforms_match_the_analytic_values():
    result = sobol(parse_case(product_case()), n=4096, seed=3)
    assert result.names == (
        "effect.effect",
        "consequences.x.price.kommune",
        "consequences.x.price_factor",
    )
    moments = [uniform_moments(0, 1), uniform_moments(1, 3), uniform_moments(0.5, 1.5)]
    s1, st = product_indices([m for m, _ in moments], [v for _, v in moments])
    np.testing.assert_allclose(result.S1, s1, atol=0.03)
    np.testing.assert_allclose(result.ST, st, atol=0.03)
    assert result.n == 4096 and result.evaluations == 4096 * (3 + 2)


def test_group_indices_of_a_separable_case_add_up_to_one():
    result = sobol(parse_case(additive_case()), n=4096, seed=5, groups=True)
    assert result.names == ("costs", "consequences", "prices")
    # NPV = -c + 500 (-q) + 5 v with c ~ U(0, 600), q ~ U(-2, 0), v ~ U(0, 120): variances of the terms
    variances = np.array([600**2 / 12, 500**2 * 4 / 12, 5**2 * 120**2 / 12])
    np.testing.assert_allclose(result.S1, variances / variances.sum(), atol=0.03)
    np.testing.assert_allclose(result.ST, variances / variances.sum(), atol=0.03)
    assert result.S1.sum() == pytest.approx(1.0, abs=0.03)


def test_n_is_rounded_up_to_a_power_of_two_and_seeded_results_repeat():
    case = parse_case(product_case())
    first = sobol(case, n=1000, seed=7)
    again = sobol(case, n=1000, seed=7, threads=1)
    assert first.n == 1024 and first.requested_n == 1000
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_array_equal(getattr(first, key), getattr(again, key))


def test_second_order_indices_of_a_product_are_the_interaction_shares():
    result = sobol(parse_case(product_case()), n=4096, seed=3, second_order=True)
    assert result.evaluations == 4096 * (2 * 3 + 2)
    moments = [uniform_moments(0, 1), uniform_moments(1, 3), uniform_moments(0.5, 1.5)]
    means, variances = [m for m, _ in moments], [v for _, v in moments]
    s1, st = product_indices(means, variances)
    total = np.prod(np.array(variances) + np.array(means) ** 2) - np.prod(np.array(means) ** 2)
    # V_ij = var_i var_j mu_k^2 for the third input k
    s12 = variances[0] * variances[1] * means[2] ** 2 / total
    assert result.S2 is not None
    assert result.S2[0, 1] == pytest.approx(s12, abs=0.05)
    np.testing.assert_allclose(result.S1, s1, atol=0.03)
    np.testing.assert_allclose(result.ST, st, atol=0.03)


def test_an_output_that_does_not_vary_has_no_indices():
    result = sobol(parse_case(product_case()), n=256, output="npv:region")
    assert not result.varies
    assert np.isnan(result.S1).all() and np.isnan(result.ST).all()


# --- Morris -----------------------------------------------------------------------------------------


def test_morris_mu_star_of_a_linear_case_is_the_change_across_the_quantile_range():
    result = morris(parse_case(additive_case()), trajectories=10, seed=2)
    # each input moves across its 1-99 % quantile range: 0.98 of a uniform's width, times its slope
    expected = {
        "costs.c.amount": 0.98 * 600 * 1,
        "consequences.q.change": 0.98 * 2 * 500,
        "consequences.v.price.stat": 0.98 * 120 * 5,
    }
    for k, name in enumerate(result.names):
        assert result.mu_star[k] == pytest.approx(expected[name], rel=1e-9)
        assert result.sigma[k] == pytest.approx(0.0, abs=1e-6 * expected[name])
    assert result.evaluations == 10 * (3 + 1)


# --- break-even -------------------------------------------------------------------------------------


def test_breakeven_effect_of_a_case_linear_in_the_effect_is_the_analytic_root():
    result = breakeven(parse_case(linear_case(discount_rate="0.1")), draws=256)
    # NPV(e) = 10 e 500 (1 + 1/1.1 + 1/1.21) - 1000
    gains_per_effect = 5000 * (1 + 1 / 1.1 + 1 / 1.21)
    assert result.effect == pytest.approx(1000 / gains_per_effect, rel=1e-10)
    assert result.base_effect == pytest.approx(0.1)


def test_breakeven_with_rates_solves_for_their_difference():
    case = linear_case(effect="0.1").replace(
        "effect = 0.1", 'success_rate = { dist = "uniform", min = 0.3, max = 0.5 }\ncomparison_rate = 0.25'
    )
    result = breakeven(parse_case(case), draws=256)
    assert result.effect == pytest.approx(1000 / 15000, rel=1e-10)
    assert result.base_effect == pytest.approx(0.15)


def test_breakeven_full_persistence_is_the_analytic_root():
    # decay 1: the effect stops after F years, so NPV(F) = 10 * 0.08 * 500 * F - 1000 (linear in F)
    case = linear_case(effect="0.08", persistence="[persistence]\nfull_years = 1\ndecay = 1.0")
    result = breakeven(parse_case(case), draws=256)
    assert result.full_years == pytest.approx(2.5, rel=1e-10)
    assert result.base_full_years == 1.0


def test_breakeven_full_persistence_is_zero_or_none_at_the_ends():
    always = linear_case(effect="0.08", cost="0", persistence="[persistence]\nfull_years = 1\ndecay = 1.0")
    never = linear_case(effect="0.08", cost="1e6", persistence="[persistence]\nfull_years = 1\ndecay = 1.0")
    assert breakeven(parse_case(always), draws=64).full_years == 0.0
    assert breakeven(parse_case(never), draws=64).full_years is None
    assert breakeven(parse_case(linear_case()), draws=64).full_years is None  # no full_years input


def test_breakeven_effect_is_none_where_no_effect_in_minus_one_to_one_pays():
    assert breakeven(parse_case(linear_case(cost="1e7")), draws=64).effect is None


def test_probability_curve_matches_the_uniform_cost_it_depends_on():
    # NPV = 15000 e - c with c ~ U(500, 1500): P(NPV > 0 | e) = clip((15000 e - 500) / 1000, 0, 1)
    case = linear_case(effect="0.1", cost='{ dist = "uniform", min = 500, max = 1500 }')
    result = breakeven(parse_case(case), draws=20_000, seed=4)
    expected = np.clip((15000 * result.curve_effect - 500) / 1000, 0, 1)
    np.testing.assert_allclose(result.curve_prob_positive, expected, atol=0.01)
    assert result.curve_effect[0] <= 0 and result.curve_effect[-1] >= result.effect


# --- value of information ---------------------------------------------------------------------------


def normal_evpi(mu: float, sd: float) -> float:
    z = mu / sd
    return mu * stats.norm.cdf(z) + sd * stats.norm.pdf(z) - max(mu, 0.0)


@pytest.mark.parametrize("mean_effect", [0.1, 0.06])
def test_evpi_of_a_normal_npv_is_the_closed_form(mean_effect):
    # NPV = 15000 e - 1000 with e ~ N(mean, 0.05): NPV ~ N(15000 mean - 1000, 750)
    case = linear_case(effect=f'{{ dist = "normal", mean = {mean_effect}, sd = 0.05 }}')
    result = voi(parse_case(case), draws=20_000, seed=2)
    expected = normal_evpi(15000 * mean_effect - 1000, 750)
    assert result.evpi == pytest.approx(expected, rel=0.05)
    assert result.names == ("effect.effect",)
    assert result.evppi[0] == pytest.approx(result.evpi, rel=1e-6)  # the only uncertain input


def test_evppi_of_an_input_that_does_not_enter_the_npv_is_about_zero():
    case = linear_case(effect='{ dist = "normal", mean = 0.07, sd = 0.05 }', extra_consequences=IRRELEVANT)
    result = voi(parse_case(case), draws=20_000, seed=2)
    values = dict(zip(result.names, result.evppi, strict=True))
    assert values["effect.effect"] == pytest.approx(result.evpi, rel=1e-6)
    assert values["consequences.irrelevant.price.kommune"] < 0.01 * result.evpi


def test_group_evppi_lies_between_its_members_and_evpi():
    case = linear_case(
        effect='{ dist = "normal", mean = 0.07, sd = 0.05 }',
        cost='{ dist = "uniform", min = 500, max = 1500 }',
    )
    per_input = voi(parse_case(case), draws=20_000, seed=2)
    per_group = voi(parse_case(case), draws=20_000, seed=2, groups=True)
    assert per_group.names == ("effect", "costs")
    for name, value in zip(per_group.names, per_group.evppi, strict=True):
        member = per_input.evppi[
            per_input.names.index({"effect": "effect.effect", "costs": "costs.programme.amount"}[name])
        ]
        assert value == pytest.approx(member, rel=1e-6)  # one member each
        assert 0 <= value <= per_group.evpi
    assert math.isclose(per_group.evpi, per_input.evpi)
