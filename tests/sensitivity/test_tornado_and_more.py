"""Tornado and switching values against the independent numpy model; grouping of correlated inputs;
the row-wise copula; what drives a loss."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from scipy import stats

from reference import numpy_model as reference
from sensitivity.cases import IRRELEVANT, linear_case
from somrisk import drivers, example_case_path, load_case, parse_case, sobol, tornado
from somrisk.engine import prepare
from somrisk.sampling import GaussianCopula


@pytest.fixture(scope="module")
def example():
    path = example_case_path()
    return load_case(path), tomllib.loads(path.read_text(encoding="utf-8"))


def reference_npv(raw, settings: dict[str, float]) -> float:
    values = reference.base_values(raw)
    for path, x in settings.items():
        values[path] = np.array([x])
    return float(reference.evaluate(raw, values)["npv"].sum())


def test_tornado_bars_equal_the_deterministic_npv_recomputed_at_the_quantiles(example):
    case, raw = example
    result = tornado(case, low=0.1, high=0.9)
    specs = dict(reference.input_specs(raw))
    assert result.base == pytest.approx(reference_npv(raw, {}), rel=1e-10)
    assert len(result.bars) == prepare(case).space.dimension
    for bar in result.bars:
        dist = reference.scipy_dist(specs[bar.input])
        assert bar.low == pytest.approx(dist.ppf(0.1), rel=1e-8, abs=1e-12)
        assert bar.high == pytest.approx(dist.ppf(0.9), rel=1e-8, abs=1e-12)
        assert bar.npv_low == pytest.approx(reference_npv(raw, {bar.input: bar.low}), rel=1e-9, abs=1e-6)
        assert bar.npv_high == pytest.approx(reference_npv(raw, {bar.input: bar.high}), rel=1e-9, abs=1e-6)
        assert bar.swing == pytest.approx(abs(bar.npv_high - bar.npv_low))
    swings = [bar.swing for bar in result.bars]
    assert swings == sorted(swings, reverse=True)


def test_switching_values_zero_the_npv_and_carry_the_losing_side_probability(example):
    case, raw = example
    result = tornado(case)
    specs = dict(reference.input_specs(raw))
    with_switch = [bar for bar in result.bars if bar.switch_value is not None]
    assert with_switch, "the example case has inputs that can turn its NPV negative"
    scale = abs(result.base)
    for bar in with_switch:
        assert abs(reference_npv(raw, {bar.input: bar.switch_value})) < 1e-7 * scale
        dist = reference.scipy_dist(specs[bar.input])
        # the NPV is monotone in each input of this case: the losing side is the side where it falls
        rising = bar.npv_high > bar.npv_low
        expected = dist.cdf(bar.switch_value) if rising else dist.sf(bar.switch_value)
        assert bar.prob_beyond_switch == pytest.approx(expected, rel=1e-6, abs=1e-12)


def test_switching_value_of_a_linear_case_is_the_analytic_root():
    # NPV = 10 e 500 * 3 - c: with c at base 1000 the effect switches at 1/15; with e = 0.1 the cost
    # switches at 1500, and P(c > 1500) for c ~ U(500, 1600) is 100/1100
    case = linear_case(
        effect='{ dist = "uniform", min = 0.02, max = 0.2, base = 0.1 }',
        cost='{ dist = "uniform", min = 500, max = 1600, base = 1000 }',
    )
    bars = {bar.input: bar for bar in tornado(parse_case(case)).bars}
    effect, cost = bars["effect.effect"], bars["costs.programme.amount"]
    assert effect.switch_value == pytest.approx(1 / 15, rel=1e-9)
    assert effect.prob_beyond_switch == pytest.approx((1 / 15 - 0.02) / 0.18, rel=1e-9)
    assert cost.switch_value == pytest.approx(1500, rel=1e-9)
    assert cost.prob_beyond_switch == pytest.approx(100 / 1100, rel=1e-9)


def test_an_input_that_cannot_turn_the_npv_has_no_switching_value():
    case = linear_case(effect='{ dist = "uniform", min = 0.1, max = 0.2 }', extra_consequences=IRRELEVANT)
    bars = {bar.input: bar for bar in tornado(parse_case(case)).bars}
    irrelevant = bars["consequences.irrelevant.price.kommune"]
    assert irrelevant.swing == 0
    assert irrelevant.switch_value is None and irrelevant.prob_beyond_switch is None


def test_tornado_for_one_actor_uses_that_actors_npv(example):
    case, raw = example
    total = tornado(case)
    stat = tornado(case, output="npv:stat")
    values = reference.evaluate(raw, reference.base_values(raw))["npv"][0]
    actors = raw["case"].get("actors", reference.DEFAULT_ACTORS)
    assert stat.base == pytest.approx(values[actors.index("stat")], rel=1e-10)
    assert stat.output == "npv:stat" and total.output == "npv"


CORRELATED = linear_case(
    effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
    cost='{ dist = "uniform", min = 500, max = 1500 }',
    extra_consequences="""
[[consequences]]
name = "other"
change = -1
price = { stat = { dist = "uniform", min = 0, max = 100 } }

[[correlations]]
inputs = ["effect.effect", "consequences.other.price.stat"]
rank = 0.6
""",
)


def test_correlated_inputs_are_analysed_as_one_group_and_the_result_says_so():
    per_input = sobol(parse_case(CORRELATED), n=256)
    joined = "effect.effect + consequences.other.price.stat"
    assert per_input.names == (joined, "costs.programme.amount")
    assert per_input.merged == (joined,)
    per_group = sobol(parse_case(CORRELATED), n=256, groups=True)
    assert per_group.names == ("effect + prices", "costs")
    assert per_group.merged == ("effect + prices",)


def test_the_row_wise_copula_gives_the_rank_correlation_and_keeps_rows_apart():
    rng = np.random.default_rng(1)
    u = rng.random((200_000, 3))
    copula = GaussianCopula((0, 2), np.array([[1.0, 0.6], [0.6, 1.0]]))
    v = u.copy()
    copula.apply(v)
    rho = stats.spearmanr(v[:, 0], v[:, 2]).statistic
    assert rho == pytest.approx(0.6, abs=0.01)
    np.testing.assert_array_equal(v[:, 1], u[:, 1])
    part = u[:10].copy()
    copula.apply(part)
    np.testing.assert_array_equal(part, v[:10])  # a row's result depends on that row alone
    for column in (0, 2):  # marginals stay uniform
        assert stats.kstest(v[:, column], "uniform").statistic < 0.01


def test_drivers_rank_the_inputs_that_decide_a_loss():
    case = linear_case(
        effect='{ dist = "uniform", min = 0.0, max = 0.2 }',
        cost='{ dist = "uniform", min = 500, max = 1500 }',
        extra_consequences=IRRELEVANT,
    )
    result = drivers(parse_case(case), draws=20_000, seed=3)
    # NPV = 15000 e - c < 0: about half the draws lose; the effect decides more than the cost
    assert 0.3 < result.prob_loss < 0.7
    assert result.names[:2] == ("effect.effect", "costs.programme.amount")
    assert result.names[-1] == "consequences.irrelevant.price.kommune"
    assert result.distance[-1] < 0.03 and result.distance[0] > 0.5
    assert result.median_loss[0] < result.median_rest[0]  # losses come with small effects
    assert result.median_loss[1] > result.median_rest[1]  # and with high costs


def test_drivers_of_a_case_that_never_loses_have_no_distances():
    case = linear_case(effect='{ dist = "uniform", min = 0.1, max = 0.2 }', cost="0")
    result = drivers(parse_case(case), draws=1000)
    assert result.loss_draws == 0 and np.isnan(result.distance).all()
