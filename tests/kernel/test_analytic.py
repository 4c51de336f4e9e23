"""Results against values calculated by hand or from closed forms (not by somrisk)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from somrisk import parse_case, run_deterministic, simulate, summarize, summary_json
from somrisk.testing import minimal_case

HAND_CASE = """
[case]
name = "Calculated by hand"
start_year = 2025
price_year = 2024
horizon = 4
actors = ["kommune", "stat"]

[economy]
discount_rate = 0.05
price_growth = 0.02

[participants]
cohorts = [10, 20]

[effect]
success_rate = 0.3
comparison_rate = 0.1

[persistence]
onset = 1
window = 2
full_years = 1.5
decay = 0.5

[[costs]]
name = "opstart"
actor = "kommune"
kind = "fixed"
year = 0
amount = 1000

[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = 100

[[comparison_costs]]
name = "samtaler"
actor = "kommune"
kind = "per_participant"
amount = 40

[[consequences]]
name = "ydelse"
change = -0.5
profile = [0.5, 1.0]
price = { kommune = 1000, stat = 400 }

[[consequences]]
name = "skat"
change = 0.2
price = { kommune = -300, stat = -500 }
"""


def hand_calculation() -> dict[str, object]:
    """model.md applied step by step to HAND_CASE."""
    e = 0.3 - 0.1
    # persistence: onset 1, window 2; F = 1.5 blends F = 1 (v=1: 0.5^1) and F = 2 (v=1: 1)
    pi = {0: 0.0, 1: 1.0, 2: 0.5 * 0.5 + 0.5 * 1.0, 3: 0.0}
    w = {0: 0.5, 1: 1.0, 2: 1.0}  # profile of "ydelse" by years since the effect set in
    cohorts = {0: 10, 1: 20}  # intake year: participants
    reach_ydelse, reach_skat = [], []
    for t in range(4):
        ydelse = skat = 0.0
        for start, n in cohorts.items():
            u = t - start
            if u >= 1:  # onset
                ydelse += n * pi[u] * w[u - 1]
                skat += n * pi[u]
        reach_ydelse.append(ydelse)
        reach_skat.append(skat)
    assert reach_ydelse == [0.0, 5.0, 17.5, 15.0] and reach_skat == [0.0, 10.0, 27.5, 15.0]
    growth = [1.02**t for t in range(4)]
    gains = {  # G = -e * reach * change * price * (1 + g)^t
        ("kommune", "ydelse"): [-e * r * -0.5 * 1000 * g for r, g in zip(reach_ydelse, growth, strict=True)],
        ("stat", "ydelse"): [-e * r * -0.5 * 400 * g for r, g in zip(reach_ydelse, growth, strict=True)],
        ("kommune", "skat"): [-e * r * 0.2 * -300 * g for r, g in zip(reach_skat, growth, strict=True)],
        ("stat", "skat"): [-e * r * 0.2 * -500 * g for r, g in zip(reach_skat, growth, strict=True)],
    }
    costs = {"kommune": [1000 + (100 - 40) * 10, (100 - 40) * 20, 0.0, 0.0], "stat": [0.0] * 4}
    net = {
        a: [gains[(a, "ydelse")][t] + gains[(a, "skat")][t] - costs[a][t] for t in range(4)]
        for a in ("kommune", "stat")
    }
    beta = [1.05**-t for t in range(4)]
    npv = {a: sum(b * n for b, n in zip(beta, net[a], strict=True)) for a in net}
    cumulative = np.cumsum([beta[t] * (net["kommune"][t] + net["stat"][t]) for t in range(4)])
    return {"gains": gains, "costs": costs, "net": net, "npv": npv, "cumulative": cumulative}


def test_deterministic_case_calculated_by_hand():
    expected = hand_calculation()
    assert expected["net"]["kommune"][1] == pytest.approx(510 + 122.4 - 1200)  # spot check
    det = run_deterministic(parse_case(HAND_CASE))
    for a, actor in enumerate(("kommune", "stat")):
        assert det.npv[a] == pytest.approx(expected["npv"][actor], rel=1e-12)
        np.testing.assert_allclose(det.net[:, a], expected["net"][actor], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(det.costs[:, a], expected["costs"][actor], rtol=1e-12)
        for c, name in enumerate(("ydelse", "skat")):
            np.testing.assert_allclose(
                det.gains[:, a, c], expected["gains"][(actor, name)], rtol=1e-12, atol=1e-9
            )
    np.testing.assert_allclose(det.cumulative, expected["cumulative"], rtol=1e-12)
    cumulative = expected["cumulative"]
    first_paid = next(t for t in range(4) if all(c >= 0 for c in cumulative[t:]))
    assert det.payback_year == 2025 + first_paid


def test_a_case_without_uncertainty_has_no_spread():
    sim = simulate(parse_case(HAND_CASE), draws=50, seed=3)
    summary = summarize(sim)
    total = hand_calculation()["npv"]
    expected_total = total["kommune"] + total["stat"]
    np.testing.assert_allclose(summary.npv_quantile.sel(actor="total"), expected_total, rtol=1e-12)
    assert float(summary.npv_sd.sel(actor="total")) == pytest.approx(0.0, abs=1e-9)
    assert float(summary.npv_mean.sel(actor="total")) == pytest.approx(expected_total, rel=1e-12)


# NPV = -e n q v (1 + 1/1.1 + 1/1.1^2) - 2000 with q ~ Normal(-0.2, 0.15): a normal NPV
ANNUITY = 1 + 1 / 1.1 + 1 / 1.1**2
LINEAR = minimal_case(
    effect="0.5",
    cohorts="[10]",
    horizon=3,
    discount_rate="0.1",
    consequences='[[consequences]]\nname = "k"\nchange = { dist = "normal", mean = -0.2, sd = 0.15 }\n'
    "price = { kommune = 1000 }",
    costs='[[costs]]\nname = "c"\nactor = "kommune"\nkind = "fixed"\nyear = 0\namount = 2000',
)


@pytest.mark.parametrize("sampler", ["lhs", "mc"])
def test_npv_linear_in_one_normal_input_is_normal(sampler):
    slope = -0.5 * 10 * 1000 * ANNUITY  # NPV per unit of the change q
    mu, sigma = slope * -0.2 - 2000, abs(slope) * 0.15
    draws = 2**15
    summary = summarize(simulate(parse_case(LINEAR), draws=draws, seed=11, sampler=sampler))
    total = summary.sel(actor="total")
    se_mean = sigma / math.sqrt(draws)
    assert float(total.npv_mean) == pytest.approx(mu, abs=4 * se_mean)
    assert float(total.npv_sd) == pytest.approx(sigma, rel=0.02)
    assert float(total.npv_mcse) == pytest.approx(float(total.npv_sd) / math.sqrt(draws))
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert float(total.npv_quantile.sel(quantile=q)) == pytest.approx(
            mu + sigma * stats.norm.ppf(q), abs=0.04 * sigma
        )
    p = stats.norm.cdf(mu / sigma)
    assert float(total.npv_prob_positive) == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / draws))
    shortfall = mu - sigma * stats.norm.pdf(stats.norm.ppf(0.05)) / 0.05
    assert float(total.npv_expected_shortfall) == pytest.approx(shortfall, abs=0.05 * sigma)
    assert float(total.npv_deterministic) == pytest.approx(mu, rel=1e-12)
    document = summary_json(summary)
    assert document["npv"]["total"]["p50"] == pytest.approx(float(total.npv_quantile.sel(quantile=0.5)))


def test_mean_of_a_product_of_independent_inputs_is_the_product_of_means():
    text = minimal_case(
        effect='{ dist = "beta", alpha = 3, beta = 7 }',
        cohorts='[{ dist = "pert", min = 5, mode = 10, max = 20 }]',
        horizon=1,
        consequences='[[consequences]]\nname = "k"\nchange = { dist = "normal", mean = -0.3, sd = 0.1 }\n'
        'price = { kommune = { dist = "gamma", mean = 1000, sd = 200 } }',
    )
    product = -0.3 * (5 + 4 * 10 + 20) / 6 * -0.3 * 1000  # -E[e] E[n] E[q] E[v]
    draws = 2**16
    sim = simulate(parse_case(text), draws=draws, seed=5, sampler="mc")
    total = sim.npv_total
    assert total.mean() == pytest.approx(product, abs=4 * total.std() / math.sqrt(draws))


def test_payback_distribution_of_a_linear_case():
    # horizon 1: NPV = CN[0], so the payback probability is P(NPV >= 0) and the year is the start
    text = LINEAR.replace("horizon = 3", "horizon = 1")
    summary = summarize(simulate(parse_case(text), draws=4096, seed=1))
    positive = float(summary.npv_prob_positive.sel(actor="total"))
    assert float(summary.payback_prob_within_horizon) == pytest.approx(positive, abs=1e-12)
    document = summary_json(summary)
    assert document["payback"]["cdf"] == {"2025": pytest.approx(positive)}
    assert document["payback"]["median_year"] == (2025 if positive >= 0.5 else None)
