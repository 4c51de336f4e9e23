"""Compare runs every alternative in one pass over the blocks (issue 17, speed): the design's block
made once, and columns whose inputs are identical in an earlier alternative copied rather than mapped
again. The results must be exactly those of running each alternative on its own columns of the
shared design (the way compare ran before), and a column is copied only where its values are the
same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from somrisk.case import parse_case
from somrisk.case.scenarios import scenario_case
from somrisk.compare import compare
from somrisk.engine import YEARLY_SAMPLE_DRAWS, prepare, run_ensemble, single
from somrisk.engine.alternatives import AlternativesJob, CommonDraws, simulate_alternatives, union_paths
from somrisk.sampling import BLOCK_DRAWS
from somrisk.testing import ONE_CONSEQUENCE, minimal_case

COSTS = """
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = {amount}

[[costs]]
name = "husleje"
actor = "kommune"
kind = "per_participant"
amount = {{ dist = "pert", min = 1000, mode = 2000, max = 4000 }}
"""
GAINS = ONE_CONSEQUENCE
CORRELATION = """
[[correlations]]
inputs = ["costs.forloeb.amount", "costs.husleje.amount"]
rank = {rank}
"""
BETA = '{ dist = "beta", alpha = 4, beta = 6 }'
NORMAL = '{ dist = "normal", mean = 30000, sd = 4000 }'


SCALED = """
[[scenarios]]
name = "Effekt 25 % lavere"
scale = { "effect.effect" = 0.75 }
"""


def case(*, amount: str = NORMAL, effect: str = BETA, rank: float | None = None, cohorts: str = "[10, 12]"):
    extra = "" if rank is None else CORRELATION.format(rank=rank)
    text = minimal_case(
        effect=effect, cohorts=cohorts, costs=COSTS.format(amount=amount), consequences=GAINS, extra=extra
    )
    return parse_case(text)


def scaled_case():
    """The case with every draw of its effect times 0.75 (a scenario's ``scale``)."""
    base = parse_case(
        minimal_case(effect=BETA, cohorts="[10, 12]", costs=COSTS.format(amount=NORMAL), consequences=GAINS)
        + SCALED
    )
    return scenario_case(base, base.scenarios[0])


def each_on_its_own(models, *, draws, seed, sampler):
    """Every alternative run on its own columns of the shared design, one run after the other."""
    paths = union_paths(models)
    return [
        run_ensemble(
            single(m),
            draws=draws,
            seed=seed,
            sampler=sampler,
            attrs={},
            source=CommonDraws.of(m, paths, draws=draws, seed=seed, sampler=sampler),
        )
        for m in models
    ]


ALTERNATIVES = {
    "same inputs, other cohorts": [case(), case(cohorts="[20, 24]")],
    "one distribution changed": [case(), case(amount='{ dist = "normal", mean = 35000, sd = 4000 }')],
    "a correlation added and changed": [case(), case(rank=0.6), case(rank=0.3), case(rank=0.6)],
    "an input of one alternative only": [case(effect="0.3"), case(), case(effect="0.3")],
    "a scaled effect": [case(), scaled_case()],
}


@pytest.mark.parametrize("sampler", ["lhs", "mc", "sobol"])
@pytest.mark.parametrize("name", list(ALTERNATIVES))
def test_one_pass_gives_each_alternatives_own_run_exactly(name, sampler):
    models = [prepare(c) for c in ALTERNATIVES[name]]
    draws = 16_384 if sampler == "sobol" else 9_000  # two blocks (the last one partial but for Sobol)
    one_pass = simulate_alternatives(models, draws=draws, seed=3, sampler=sampler, attrs=[{}] * len(models))
    alone = each_on_its_own(models, draws=draws, seed=3, sampler=sampler)
    for a, b in zip(one_pass, alone, strict=True):
        for field in ("npv", "net_total", "participants", "payback", "yearly_sample", "yearly_mean"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
        assert (a.pv_gains_mean, a.pv_costs_mean) == (b.pv_gains_mean, b.pv_costs_mean)
        np.testing.assert_array_equal(a.deterministic.npv, b.deterministic.npv)


def copied(models):
    job = AlternativesJob.of(models, draws=10, seed=1, sampler="lhs")
    return [
        {(models[k].space.paths[j], k) for j, k, _ in alt.copied} for k_, alt in enumerate(job.alternatives)
    ]


def test_only_columns_with_identical_values_are_copied():
    base = prepare(case())
    paths = set(base.space.paths)
    amount = "costs.forloeb.amount"
    # identical case: every column of the second copied from the first
    assert copied([base, prepare(case(cohorts="[1, 2]"))]) == [set(), {(p, 0) for p in paths}]
    # a changed distribution is mapped again, the rest copied
    other = prepare(case(amount='{ dist = "normal", mean = 35000, sd = 4000 }'))
    assert copied([base, other])[1] == {(p, 0) for p in paths - {amount}}
    # a scaled effect (same distribution, a factor) is mapped again
    scaled = prepare(scaled_case())
    assert copied([base, scaled])[1] == {(p, 0) for p in paths - {"effect.effect"}}
    # correlated in one alternative only, or with another rank: both correlated columns mapped again;
    # the same correlation as an earlier alternative: copied from it
    pair = {amount, "costs.husleje.amount"}
    r6, r3, r6b = prepare(case(rank=0.6)), prepare(case(rank=0.3)), prepare(case(rank=0.6))
    found = copied([base, r6, r3, r6b])
    assert found[1] == {(p, 0) for p in paths - pair}
    assert found[2] == {(p, 0) for p in paths - pair}
    assert found[3] == {(p, 0) for p in paths - pair} | {(p, 1) for p in pair}


def test_progress_counts_every_alternatives_draws_in_order():
    calls = []
    compare(
        [case(), case(cohorts="[20, 24]")],
        ["a", "b"],
        draws=9_000,
        progress=lambda d, t: calls.append((d, t)),
    )
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (18_000, 18_000)
    assert {t for _, t in calls} == {18_000}


@pytest.mark.slow
def test_compare_on_a_local_cluster_gives_the_in_process_results():
    pytest.importorskip("distributed")
    cases = [case(), case(rank=0.6), case(amount='{ dist = "normal", mean = 35000, sd = 4000 }')]
    here = compare(cases, ["a", "b", "c"], draws=9_000, seed=5)
    there = compare(cases, ["a", "b", "c"], draws=9_000, seed=5, scheduler_spec="local:2")
    for name in ("b", "c"):
        np.testing.assert_array_equal(here.difference(name), there.difference(name))
    np.testing.assert_array_equal(here.npv("a"), there.npv("a"))


def test_past_the_kept_yearly_sample_the_yearly_moments_are_still_each_alternatives_own():
    models = [prepare(c) for c in ALTERNATIVES["one distribution changed"]]
    draws = YEARLY_SAMPLE_DRAWS + BLOCK_DRAWS + 5  # blocks past the draws whose series are kept
    one_pass = simulate_alternatives(models, draws=draws, seed=2, sampler="lhs", attrs=[{}] * 2)
    alone = each_on_its_own(models, draws=draws, seed=2, sampler="lhs")
    for a, b in zip(one_pass, alone, strict=True):
        for field in ("npv", "net_total", "payback", "yearly_sample", "yearly_mean", "yearly_var"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
