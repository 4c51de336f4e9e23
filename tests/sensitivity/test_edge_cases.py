"""Edge cases found in review: one group, seed 0, outputs that are always 0, atoms, limits."""

from __future__ import annotations

import numpy as np
import pytest

from sensitivity.cases import linear_case
from somrisk import OutputError, UsageError, breakeven, morris, parse_case, simulate, sobol, tornado, voi
from somrisk.sensitivity import drivers

RATES = linear_case(effect="0.1").replace(
    "effect = 0.1",
    'success_rate = { dist = "uniform", min = 0.3, max = 0.5 }\n'
    'comparison_rate = { dist = "uniform", min = 0.1, max = 0.3 }',
)
FULL_YEARS = linear_case(effect="0.08", persistence="[persistence]\nfull_years = 1\ndecay = 1.0")


@pytest.mark.parametrize(
    ("text", "groups", "name"),
    [
        (RATES, True, "effect"),
        (
            RATES
            + '\n[[correlations]]\ninputs = ["effect.success_rate", "effect.comparison_rate"]\nrank = 0.3\n',
            False,
            "effect.success_rate + effect.comparison_rate",
        ),
    ],
)
def test_sobol_with_a_single_group_gives_it_the_whole_variance(text, groups, name):
    result = sobol(parse_case(text), n=64, groups=groups)
    assert result.names == (name,)
    assert result.S1[0] == 1.0 and result.ST[0] == 1.0 and result.S1_conf[0] == 0.0
    assert result.variance > 0 and result.evaluations == 64 * (2 + 2)


def test_seed_zero_repeats_exactly():
    case = parse_case(RATES)
    first, again = sobol(case, n=64, seed=0), sobol(case, n=64, seed=0)
    np.testing.assert_array_equal(first.S1_conf, again.S1_conf)
    np.testing.assert_array_equal(morris(case, seed=0).mu_star_conf, morris(case, seed=0).mu_star_conf)


def test_an_output_that_is_always_zero_has_no_break_even_or_switching_values():
    case = parse_case(
        FULL_YEARS.replace("amount = 1000", 'amount = { dist = "uniform", min = 900, max = 1100 }')
    )
    result = breakeven(case, output="npv:region", draws=64)
    assert result.effect is None and result.full_years is None
    for bar in tornado(case, output="npv:region").bars:
        assert bar.switch_value is None and bar.prob_beyond_switch is None


def test_probability_beyond_a_switching_value_on_an_atom_leaves_the_atom_out():
    # NPV = 15000 e - 1500 is negative exactly for e < 0.1: one of the three equally likely values
    case = parse_case(linear_case(effect='{ dist = "empirical", values = [0.05, 0.1, 0.2] }', cost="1500"))
    (bar,) = tornado(case).bars
    assert bar.switch_value == pytest.approx(0.1)
    assert bar.prob_beyond_switch == pytest.approx(1 / 3)
    assert drivers(case, draws=3000).prob_loss == pytest.approx(1 / 3, abs=0.01)


def test_the_curve_covers_the_base_effect():
    text = linear_case(
        effect='{ dist = "fixed", value = 0.1, base = 0.2 }',
        cost='{ dist = "uniform", min = 500, max = 1500 }',
    )
    result = breakeven(parse_case(text), draws=64)
    assert result.base_effect == pytest.approx(0.2)
    assert result.curve_effect[-1] >= 0.2


def test_voi_refuses_too_few_draws_for_a_group():
    case = parse_case(
        linear_case(
            effect='{ dist = "uniform", min = 0.0, max = 0.2 }',
            cost='{ dist = "uniform", min = 500, max = 1500 }',
        )
    )
    with pytest.raises(UsageError, match="too few to estimate the EVPPI"):
        voi(case, draws=30)
    assert voi(case, draws=100).evppi.shape == (2,)  # a smaller basis where the draws are few


def test_designs_and_runs_that_do_not_fit_in_memory_are_refused(monkeypatch):
    import sys

    sobol_module = sys.modules["somrisk.sensitivity.sobol"]  # the package's `sobol` is the function
    simulation_module = sys.modules["somrisk.engine.run"]

    case = parse_case(RATES)
    monkeypatch.setattr(sobol_module, "available_memory", lambda: 2**20)
    with pytest.raises(UsageError, match="use a smaller n"):
        sobol(case, n=2**16)
    monkeypatch.setattr(simulation_module, "available_memory", lambda: 2**20)
    with pytest.raises(OutputError, match="use fewer draws"):
        simulate(case, draws=10**6)
    with pytest.raises(UsageError, match="trajectories must be a whole number from 2 to 10,000"):
        morris(case, trajectories=10**6)
