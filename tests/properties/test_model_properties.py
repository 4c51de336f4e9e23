"""Properties of the model that hold for every valid case (hypothesis builds the cases)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from properties.strategies import CaseSpec, cases
from somrisk import parse_case, run_deterministic, simulate

DRAWS = 300


def run(text: str, **kwargs):
    return simulate(
        parse_case(text),
        draws=kwargs.pop("draws", DRAWS),
        seed=kwargs.pop("seed", 4),
        sampler=kwargs.pop("sampler", "mc"),
        **kwargs,
    )


def close(a: np.ndarray, b: np.ndarray) -> None:
    scale = max(1.0, float(np.abs(a).max(initial=0)), float(np.abs(b).max(initial=0)))
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * scale)


@given(spec=cases())
def test_zero_effect_means_net_is_minus_costs(spec: CaseSpec):
    cube = run(spec.toml(effect=0.0), keep_cube=True).cube
    assert np.all(cube.gains.values == 0)
    close(cube.net.values, -cube.costs.values)


@given(spec=cases(fixed_costs=False), factor=st.sampled_from([2.0, 0.5, 3.0]))
def test_results_scale_linearly_with_participants(spec: CaseSpec, factor: float):
    base = run(spec.toml(), keep_cube=True).cube
    scaled = run(spec.toml(participants=factor), keep_cube=True).cube
    close(scaled.gains.values, factor * base.gains.values)
    close(scaled.costs.values, factor * base.costs.values)
    close(scaled.net.values, factor * base.net.values)


@given(spec=cases())
def test_doubling_every_price_doubles_every_gain(spec: CaseSpec):
    base = run(spec.toml(), keep_cube=True).cube
    doubled = run(spec.toml(prices=2.0), keep_cube=True).cube
    close(doubled.gains.values, 2.0 * base.gains.values)
    close(doubled.costs.values, base.costs.values)


@given(spec=cases(gains_only=True), low=st.floats(0, 0.2), step=st.floats(0.001, 0.3))
def test_a_higher_discount_rate_never_raises_the_value_of_gains(spec: CaseSpec, low: float, step: float):
    cheap = run(spec.toml(discount_rate=round(low, 4)))
    dear = run(spec.toml(discount_rate=round(low + step, 4)))
    assert np.all(cheap.npv >= 0)
    assert np.all(dear.npv <= cheap.npv * (1 + 1e-12) + 1e-9)
    assert (
        run_deterministic(parse_case(spec.toml(discount_rate=round(low + step, 4)))).npv_total
        <= run_deterministic(parse_case(spec.toml(discount_rate=round(low, 4)))).npv_total + 1e-9
    )


@pytest.mark.filterwarnings("ignore:Sobol points keep their balance")
@given(spec=cases(), sampler=st.sampled_from(["mc", "lhs", "sobol"]))
def test_results_do_not_depend_on_threads(spec: CaseSpec, sampler: str):
    draws = 2**14 + 100  # three blocks, the last one partial
    runs = [run(spec.toml(), draws=draws, sampler=sampler, threads=t) for t in (1, 2, 3)]
    for other in runs[1:]:
        np.testing.assert_array_equal(other.npv, runs[0].npv)
        np.testing.assert_array_equal(other.payback, runs[0].payback)
        np.testing.assert_array_equal(other.yearly_sample, runs[0].yearly_sample)
        np.testing.assert_array_equal(other.yearly_mean, runs[0].yearly_mean)
        np.testing.assert_array_equal(other.yearly_var, runs[0].yearly_var)
