"""Properties of the sensitivity analyses on generated cases, checked through independent runs."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from properties.strategies import CaseSpec, cases
from somrisk import breakeven, parse_case, run_deterministic, tornado


def scale_of(text: str) -> float:
    """A money scale of the case: its deterministic present values of gains and costs."""
    det = run_deterministic(parse_case(text))
    return max(1.0, abs(det.pv_gains), abs(det.pv_costs))


@given(spec=cases())
def test_the_case_rebuilt_with_the_break_even_effect_has_a_zero_npv(spec: CaseSpec):
    text = spec.toml()
    result = breakeven(parse_case(text), draws=16)
    if result.effect is None:
        # no root in [-1, 1]: the deterministic NPV has one sign at both ends (it is linear in e)
        ends = [run_deterministic(parse_case(spec.toml(effect=e))).npv_total for e in (-1.0, 1.0)]
        assert np.sign(ends[0]) == np.sign(ends[1]) or 0.0 in ends
        return
    rebuilt = run_deterministic(parse_case(spec.toml(effect=result.effect)))
    assert abs(rebuilt.npv_total) <= 1e-7 * scale_of(spec.toml(effect=1.0))


@given(spec=cases())
def test_tornado_base_is_the_deterministic_run_and_swings_are_sorted(spec: CaseSpec):
    text = spec.toml()
    result = tornado(parse_case(text))
    assert np.isclose(result.base, run_deterministic(parse_case(text)).npv_total, rtol=1e-12, atol=1e-9)
    swings = [bar.swing for bar in result.bars]
    assert swings == sorted(swings, reverse=True)
    for bar in result.bars:
        if bar.switch_value is not None:
            assert 0.0 <= bar.prob_beyond_switch <= 1.0
        if bar.input == "effect.effect" and bar.switch_value is not None:
            # the NPV is linear in the effect: its switching value is the break-even effect
            assert np.isclose(bar.switch_value, breakeven(parse_case(text), draws=16).effect, atol=1e-9)
