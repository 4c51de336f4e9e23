"""Rank correlations (Iman-Conover) and the sampled marginals of whole runs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from somrisk import parse_case, simulate
from somrisk.sampling import ImanConover, make_sampler
from somrisk.sampling.correlation import pearson_for_spearman

TARGET = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.0], [-0.3, 0.0, 1.0]])


def test_iman_conover_gives_the_target_rank_correlation():
    u = make_sampler("mc", seed=4, draws=8192, dimension=4).block(0)
    before = np.sort(u, axis=0)
    ImanConover((0, 2, 3), TARGET).apply(u, np.random.default_rng(9))
    rho = stats.spearmanr(u[:, [0, 2, 3]]).statistic
    np.testing.assert_allclose(rho, TARGET, atol=0.03)
    np.testing.assert_array_equal(np.sort(u, axis=0), before)  # marginal values unchanged


def test_iman_conover_keeps_a_latin_hypercube_stratified():
    u = make_sampler("lhs", seed=4, draws=8192, dimension=3).block(0)
    ImanConover((0, 1, 2), TARGET).apply(u, np.random.default_rng(9))
    strata = np.sort(np.floor(u * 8192), axis=0)
    np.testing.assert_array_equal(strata, np.broadcast_to(np.arange(8192)[:, None], u.shape))


def test_perfect_rank_correlation_is_reached():
    u = make_sampler("mc", seed=2, draws=5000, dimension=2).block(0)
    ImanConover((0, 1), np.array([[1.0, 1.0], [1.0, 1.0]])).apply(u, np.random.default_rng(1))
    assert stats.spearmanr(u[:, 0], u[:, 1]).statistic == pytest.approx(1.0)


def test_pearson_for_spearman_stays_positive_semi_definite():
    rank = np.array([[1.0, 0.99, 0.99], [0.99, 1.0, 0.961], [0.99, 0.961, 1.0]])
    assert np.linalg.eigvalsh(rank).min() >= -1e-12
    pearson = pearson_for_spearman(rank)
    assert np.linalg.eigvalsh(pearson).min() >= -1e-12
    np.testing.assert_allclose(np.diag(pearson), 1.0)


CASE = """
[case]
name = "Marginals"
start_year = 2025
horizon = 3

[participants]
cohorts = [{ dist = "pert", min = 10, mode = 20, max = 40 }]

[effect]
success_rate = { dist = "beta", successes = 12, trials = 30 }
comparison_rate = { dist = "truncnormal", mean = 0.2, sd = 0.05, min = 0.0, max = 0.4 }

[persistence]
full_years = { dist = "triangular", min = 0, mode = 1, max = 3 }
decay = { dist = "uniform", min = 0.1, max = 0.5 }

[[costs]]
name = "c"
actor = "kommune"
kind = "per_participant"
amount = { dist = "gamma", mean = 30000, sd = 6000 }

[[consequences]]
name = "k"
change = { dist = "normal", estimate = -0.2, ci95 = [-0.35, -0.05] }
price = { kommune = { dist = "lognormal", mean = 90000, sd = 15000 }, stat = { dist = "empirical", values = [40000, 42000, 47000, 51000] } }

[[correlations]]
inputs = ["effect.success_rate", "consequences.k.change"]
rank = -0.5

[[correlations]]
inputs = ["participants.cohorts.0", "costs.c.amount"]
rank = 0.3
"""


@pytest.mark.parametrize("sampler", ["mc", "lhs"])
def test_sampled_inputs_follow_their_distributions_and_correlations(sampler):
    case = parse_case(CASE)
    sim = simulate(case, draws=20_000, seed=8, sampler=sampler, keep_cube=True)
    inputs = sim.cube.inputs
    for path, dist in zip(sim.model.space.paths, sim.model.space.distributions, strict=True):
        values = inputs.sel(input=path).values
        if dist.dist == "empirical":
            observed = np.array([np.mean(values == v) for v in dist.values])
            np.testing.assert_allclose(observed, 0.25, atol=0.015)
        else:
            assert stats.kstest(values, dist.scipy().cdf).pvalue > 1e-4, path
    rho = stats.spearmanr(
        inputs.sel(input="effect.success_rate"), inputs.sel(input="consequences.k.change")
    ).statistic
    assert rho == pytest.approx(-0.5, abs=0.03)
    rho = stats.spearmanr(
        inputs.sel(input="participants.cohorts.0"), inputs.sel(input="costs.c.amount")
    ).statistic
    assert rho == pytest.approx(0.3, abs=0.03)
    rho = stats.spearmanr(inputs.sel(input="persistence.decay"), inputs.sel(input="costs.c.amount")).statistic
    assert rho == pytest.approx(0.0, abs=0.03)
