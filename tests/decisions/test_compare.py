"""Alternatives on common random numbers: differences known draw by draw (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest

from somrisk.case import parse_case
from somrisk.compare import compare, compare_scenarios
from somrisk.engine import simulate
from somrisk.errors import CaseError, UsageError
from somrisk.testing import minimal_case

COSTS = """
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "normal", mean = 30000, sd = 4000 }
"""
FIXED_COST = """
[[costs]]
name = "opstart"
actor = "kommune"
kind = "fixed"
years = [0, 0]
amount = 100000
"""
GAINS = """
[[consequences]]
name = "ydelse"
category = "beskaeftigelse"
change = { dist = "normal", mean = -0.5, sd = 0.2 }
price = { kommune = 40000, stat = { dist = "uniform", min = 15000, max = 25000 } }
"""
EFFECT = '{ dist = "beta", alpha = 4, beta = 6 }'


def case_a(cohorts: str = "[10, 12]", costs: str = COSTS, name: str = "Toy case") -> str:
    text = minimal_case(effect=EFFECT, cohorts=cohorts, costs=costs, consequences=GAINS, discount_rate="0.03")
    return text.replace('name = "Toy case"', f'name = "{name}"')


@pytest.mark.parametrize("sampler", ["lhs", "mc", "sobol"])
def test_doubling_every_participant_count_doubles_the_npv_in_every_draw(sampler):
    a, b = parse_case(case_a()), parse_case(case_a(cohorts="[20, 24]"))
    result = compare([a, b], ["A", "B"], draws=2048, seed=7, sampler=sampler, threads=1)
    npv_a, npv_b = result.npv("A"), result.npv("B")
    np.testing.assert_array_equal(npv_b, 2 * npv_a)  # a power of two scales every operation exactly
    stats = result.difference_statistics("B")
    for k, label in enumerate(result.labels):
        assert stats[label]["prob_positive"] == np.mean(npv_a[k] > 0)
    assert 0.05 < stats["total"]["prob_positive"] < 0.95  # the test can fail


def test_a_fixed_cost_of_100000_in_year_0_differs_by_exactly_that():
    a = parse_case(case_a())
    b = parse_case(case_a(costs=COSTS + FIXED_COST, name="Med opstart"))
    result = compare([a, b], ["A", "B"], draws=2000, seed=3, threads=1)
    diff = result.difference("B")
    np.testing.assert_allclose(diff[0], -100_000.0, rtol=0, atol=1e-6)
    np.testing.assert_allclose(diff[result.labels.index("kommune")], -100_000.0, rtol=0, atol=1e-6)
    np.testing.assert_allclose(diff[result.labels.index("stat")], 0.0, atol=1e-6)
    stats = result.difference_statistics("B")["total"]
    assert stats["sd"] == pytest.approx(0.0, abs=1e-6)
    assert stats["prob_positive"] == 0.0
    assert stats["mean"] == pytest.approx(-100_000.0, abs=1e-6)


def test_an_input_of_one_alternative_only_takes_its_own_column():
    """B has an extra uncertain input; the shared inputs still take the same uniforms."""
    extra = COSTS + COSTS.replace("forloeb", "ekstra").replace("30000", "5000").replace("4000", "1000")
    a, b = parse_case(case_a()), parse_case(case_a(costs=extra))
    result = compare([a, b], ["A", "B"], draws=1000, seed=5, threads=1)
    # B's extra per-participant cost is the only change: the difference is minus its cost in every draw
    diff = -result.difference("B")[result.labels.index("stat")]
    np.testing.assert_allclose(diff, 0.0, atol=1e-6)
    assert np.all(result.difference("B")[0] < 0)


def test_the_reference_with_the_same_paths_as_every_alternative_is_its_own_run():
    a = parse_case(case_a())
    result = compare([a, parse_case(case_a(cohorts="[20, 24]"))], ["A", "B"], draws=1500, seed=2, threads=1)
    np.testing.assert_array_equal(result.simulations[0].npv, simulate(a, draws=1500, seed=2, threads=1).npv)


def test_an_actor_one_alternative_lacks_has_npv_0_there():
    b_text = case_a().replace("[case]", '[case]\nactors = ["kommune", "stat", "region"]')
    result = compare([parse_case(case_a()), parse_case(b_text)], ["A", "B"], draws=300, threads=1)
    assert "region" in result.labels
    np.testing.assert_array_equal(result.npv("A")[result.labels.index("region")], 0.0)


def test_fewer_than_two_alternatives_or_the_same_name_twice_are_refused():
    a = parse_case(case_a())
    with pytest.raises(UsageError, match="at least two"):
        compare([a], ["A"], draws=100)
    with pytest.raises(UsageError, match="'A' is given twice"):
        compare([a, a], ["A", "A"], draws=100)


# --- scenarios ------------------------------------------------------------------------------------
LINEAR = minimal_case(
    effect=EFFECT,
    consequences="""
[[consequences]]
name = "ydelse"
category = "beskaeftigelse"
change = -0.5
price = { kommune = 40000 }
""",
)


def test_scenarios_known_draw_by_draw():
    """Scale the only uncertain input of a linear case, set a fixed cost, shift a distribution."""
    text = (
        LINEAR
        + """
[[costs]]
name = "drift"
actor = "kommune"
kind = "fixed"
years = [0, 0]
amount = 0

[[scenarios]]
name = "Effekt 25 % lavere"
scale = { "effect.effect" = 0.75 }

[[scenarios]]
name = "Dyr drift"
set = { "costs.drift.amount" = 50000 }

[[scenarios]]
name = "Effekt + 0.1"
set = { "effect.effect" = { dist = "beta", alpha = 4, beta = 6, base = 0.5 } }
"""
    )
    case = parse_case(text)
    result = compare_scenarios(case, draws=2000, seed=11, threads=1)
    assert result.names == ("base", "Effekt 25 % lavere", "Dyr drift", "Effekt + 0.1")
    base = result.npv("base")[0]
    np.testing.assert_allclose(result.npv("Effekt 25 % lavere")[0], 0.75 * base, rtol=1e-12)
    np.testing.assert_allclose(result.difference("Dyr drift")[0], -50_000.0, atol=1e-6)
    # the same distribution set again: the same uniforms, the same values (its base changes only)
    np.testing.assert_allclose(result.difference("Effekt + 0.1")[0], 0.0, atol=1e-6)
    assert result.difference_statistics("Effekt 25 % lavere")["total"]["prob_positive"] == np.mean(
        0.75 * base > base
    )


def test_a_scenario_shifting_a_distribution_shifts_every_draw():
    text = LINEAR.replace(f"effect = {EFFECT}", 'effect = { dist = "uniform", min = 0.1, max = 0.3 }') + (
        """
[[scenarios]]
name = "Hoejere"
set = { "effect.effect" = { dist = "uniform", min = 0.2, max = 0.4 } }
"""
    )
    result = compare_scenarios(parse_case(text), draws=1000, seed=1, threads=1)
    # NPV = effect x 0.5 x 40000 x 10 participants x 5 years: +0.1 effect is +100,000 in every draw
    np.testing.assert_allclose(result.difference("Hoejere")[0], 0.1 * 0.5 * 40000 * 10 * 5, rtol=1e-9)


@pytest.mark.parametrize(
    ("scenario", "words"),
    [
        ('name = "x"\nscale = { "effect.efect" = 0.5 }', ["effect.efect", "did you mean 'effect.effect'"]),
        ('name = "x"\nscale = { "effect.effect" = nan }', ["effect.effect", "finite number"]),
        ('name = "x"\nscale = { "effect.effect" = "half" }', ["effect.effect", "finite number"]),
        ('name = "x"\nset = { "effect.effect" = 3 }', ["scenario 'x'", "effect.effect", "[-1, 1]"]),
        ('name = "x"\nset = { "effect.effect" = { dist = "normal", mean = 0.1 } }', ["effect.effect", "sd"]),
        ('name = "base"\nscale = { "effect.effect" = 0.5 }', ["scenarios.base.name", "duplicate"]),
        ('name = "x"', ["scenarios.x", "`set` or `scale`"]),
        ('name = "x"\nscal = { "effect.effect" = 0.5 }', ["scal", "unknown key"]),
    ],
)
def test_bad_scenarios_are_refused_by_the_loader(scenario, words):
    with pytest.raises(CaseError) as error:
        parse_case(LINEAR + "\n[[scenarios]]\n" + scenario + "\n")
    for word in words:
        assert word in str(error.value)


def test_duplicate_scenario_names_are_refused():
    one = '[[scenarios]]\nname = "x"\nscale = { "effect.effect" = 0.5 }\n'
    with pytest.raises(CaseError, match="duplicate scenario name"):
        parse_case(LINEAR + "\n" + one + one)


def test_a_case_without_scenarios_has_nothing_to_compare():
    with pytest.raises(UsageError, match="no \\[\\[scenarios\\]\\]"):
        compare_scenarios(parse_case(LINEAR), draws=100)


def test_scenarios_keep_the_changes_made_to_the_base():
    """A --scale of a distribution (here applied with apply_overrides) holds in every scenario too."""
    from somrisk.case.overrides import Overrides, apply_overrides

    text = (
        LINEAR.replace("change = -0.5", 'change = { dist = "normal", mean = -0.5, sd = 0.1 }')
        + """
[[costs]]
name = "drift"
actor = "kommune"
kind = "fixed"
years = [0, 0]
amount = 0

[[scenarios]]
name = "Dyr drift"
set = { "costs.drift.amount" = 50000 }

[[scenarios]]
name = "Halv effekt"
scale = { "effect.effect" = 0.5 }
"""
    )
    base = apply_overrides(
        parse_case(text), Overrides(scale={"consequences.ydelse.change": 2.0, "effect.effect": 0.8})
    )
    result = compare_scenarios(base, draws=1000, seed=2, threads=1)
    np.testing.assert_allclose(result.difference("Dyr drift")[0], -50_000.0, atol=1e-6)
    np.testing.assert_allclose(result.npv("Halv effekt")[0], 0.5 * result.npv("base")[0], rtol=1e-12)
    unchanged = simulate(parse_case(text), draws=1000, seed=2, threads=1).npv_total
    np.testing.assert_allclose(result.npv("base")[0], 2.0 * 0.8 * unchanged, rtol=1e-12)


def test_the_comparison_cube_size_known_before_the_run_is_xarrays_count_of_it():
    from somrisk.compare import alternatives_actors
    from somrisk.io.comparison import comparison_dataset, comparison_nbytes

    narrow = case_a().replace("[case]", '[case]\nactors = ["kommune", "stat"]')
    cases = [parse_case(narrow), parse_case(case_a())]  # the union of their actors is the cube's
    cube = comparison_dataset(compare(cases, ["a", "b"], draws=700, threads=1))
    counted = cube["npv"].nbytes + cube["difference"].nbytes + cube["draw"].nbytes
    assert comparison_nbytes(len(cases), len(alternatives_actors(cases)), 700) == counted
