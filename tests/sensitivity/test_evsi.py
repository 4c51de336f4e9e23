"""EVSI (sensitivity/evsi.py) against exact preposterior analysis, and its command's bad input.

The exact values: where the NPV is linear in the input, NPV = A + B theta (A and B from the numpy
reference model), E[NPV | data] = A + B E[theta | data] and
- a normal input theta ~ N(mu, s0^2) with normal data xbar ~ N(theta, S^2 / N): E[theta | xbar] is
  normal with mean mu and sd s0^2 / sqrt(s0^2 + S^2 / N), so EVSI = E[max(Y, 0)] - max(E[Y], 0) for
  a normal Y, m Phi(m / s) + s phi(m / s) - max(m, 0); EVPPI is the same with sd B s0;
- a beta success rate theta ~ Beta(a, b) with k ~ Binomial(N, theta): k is beta-binomial and
  E[theta | k] = (a + k) / (a + b + N); EVSI is the sum over k = 0..N.
"""

from __future__ import annotations

import json
import math
import tomllib

import numpy as np
import pytest
from scipy import stats

from reference import numpy_model as reference
from somrisk import parse_case
from somrisk.errors import UsageError
from somrisk.sensitivity import evsi
from somrisk.testing import minimal_case

LINEAR = minimal_case(
    effect='{ dist = "normal", mean = 0.1, sd = 0.05 }',
    cohorts="[100]",
    horizon=1,
    consequences='[[consequences]]\nname = "k"\nchange = -1\nprice = { kommune = 100000 }\n',
    costs='[[costs]]\nname = "a"\nactor = "kommune"\nkind = "fixed"\namount = 1000000\n',
)
MU, S0, S = 0.1, 0.05, 0.5
RATE = LINEAR.replace(
    'effect = { dist = "normal", mean = 0.1, sd = 0.05 }',
    'success_rate = { dist = "beta", alpha = 6, beta = 24 }',
).replace("amount = 1000000", "amount = 2000000")
ALPHA, BETA = 6, 24


def line(text: str, path: str) -> tuple[float, float]:
    """A and B of NPV = A + B theta, from the reference model at theta = 0 and 1."""
    raw = tomllib.loads(text)
    values = reference.base_values(raw)
    npv = []
    for theta in (0.0, 1.0):
        values[path] = np.array([theta])
        npv.append(float(reference.evaluate(raw, values)["npv"].sum()))
    return npv[0], npv[1] - npv[0]


def expected_gain(m: float, s: float) -> float:
    """E[max(Y, 0)] - max(E[Y], 0) for Y ~ N(m, s^2)."""
    return m * stats.norm.cdf(m / s) + s * stats.norm.pdf(m / s) - max(m, 0.0)


def normal_exact(n: int) -> float:
    a, b = line(LINEAR, "effect.effect")
    return expected_gain(a + b * MU, abs(b) * S0**2 / math.sqrt(S0**2 + S**2 / n))


def binomial_exact(n: int) -> float:
    a, b = line(RATE, "effect.success_rate")
    k = np.arange(n + 1)
    posterior = a + b * (ALPHA + k) / (ALPHA + BETA + n)
    return float(stats.betabinom(n, ALPHA, BETA).pmf(k) @ np.maximum(posterior, 0.0)) - max(
        a + b * ALPHA / (ALPHA + BETA), 0.0
    )


@pytest.fixture(scope="module")
def normal_result():
    return evsi(parse_case(LINEAR), input="effect.effect", n=[2, 10, 50, 400, 10**6], sd=S, draws=40_000)


@pytest.fixture(scope="module")
def binomial_result():
    return evsi(parse_case(RATE), input="effect.success_rate", n=[1, 5, 19, 30, 150], draws=40_000)


def test_the_case_is_balanced_so_that_the_study_matters():
    a, b = line(LINEAR, "effect.effect")
    assert a == pytest.approx(-1e6) and b == pytest.approx(1e7)  # 100 participants x 100,000 kr.
    assert normal_exact(10) > 0.2 * normal_exact(10**6)


def test_normal_study_matches_the_closed_form_within_its_error(normal_result):
    for n, value, se in zip(normal_result.sizes, normal_result.evsi, normal_result.evsi_se, strict=True):
        assert se > 0
        assert abs(value - normal_exact(int(n))) <= 3 * se, n


def test_evsi_tends_to_evppi_as_the_study_grows(normal_result):
    a, b = line(LINEAR, "effect.effect")
    exact_evppi = expected_gain(a + b * MU, abs(b) * S0)
    assert normal_exact(10**6) == pytest.approx(exact_evppi, rel=1e-4)
    assert normal_result.evppi == pytest.approx(exact_evppi, rel=0.02)
    largest, se = normal_result.evsi[-1], normal_result.evsi_se[-1]
    assert abs(largest - normal_result.evppi) <= 3 * se
    assert np.all(np.diff(normal_result.evsi) > 0)  # rises with N


def test_binomial_study_matches_the_beta_binomial_sum_within_its_error(binomial_result):
    assert binomial_result.study == "binomial" and binomial_result.sd is None
    for n, value, se in zip(
        binomial_result.sizes, binomial_result.evsi, binomial_result.evsi_se, strict=True
    ):
        assert abs(value - binomial_exact(int(n))) <= 3 * se, n


@pytest.mark.parametrize("text", [LINEAR, RATE], ids=["normal", "binomial"])
def test_evsi_below_evppi_below_evpi_on_a_curved_case(text):
    # a decay and an uncertain price make the NPV curved, and EVPI exceed EVPPI
    curved = text.replace(
        "[[consequences]]",
        '[persistence]\nfull_years = 0\ndecay = { dist = "uniform", min = 0.0, max = 0.6 }\n\n[[consequences]]',
    ).replace(
        "price = { kommune = 100000 }",
        'price = { kommune = { dist = "uniform", min = 60000, max = 200000 } }',
    )
    path = "effect.effect" if text is LINEAR else "effect.success_rate"
    result = evsi(
        parse_case(curved), input=path, n=[3, 30, 300], sd=S if text is LINEAR else None, draws=20_000
    )
    assert result.evppi < result.evpi
    for value, se in zip(result.evsi, result.evsi_se, strict=True):
        assert 0 <= value <= result.evppi + 3 * se


def test_the_documented_error_covers_the_spread_over_seeds():
    exact = normal_exact(5)
    results = [
        evsi(parse_case(LINEAR), input="effect.effect", n=[5], sd=S, draws=5_000, seed=seed, sampler="mc")
        for seed in range(8)
    ]
    values = np.array([r.evsi[0] for r in results])
    errors = np.array([r.evsi_se[0] for r in results])
    assert np.all(np.abs(values - exact) <= 3.5 * errors)
    assert 0.5 < values.std(ddof=1) / errors.mean() < 2.0  # neither much too small nor too large


def test_same_seed_same_result_and_study_data_from_the_seed():
    def value(seed):
        return evsi(parse_case(LINEAR), input="effect.effect", n=[20], sd=S, draws=2_000, seed=seed).evsi[0]

    assert value(3) == value(3)
    assert value(3) != value(4)


def test_cost_gives_the_expected_net_benefit_and_the_best_size(normal_result):
    result = evsi(
        parse_case(LINEAR), input="effect.effect", n=[10, 50, 400], sd=S, cost=150_000.0, draws=20_000
    )
    np.testing.assert_allclose(result.enbs, result.evsi - 150_000.0)
    assert result.best_n == int(result.sizes[np.argmax(result.enbs)])
    costly = evsi(parse_case(LINEAR), input="effect.effect", n=[10], sd=S, cost=1e9, draws=2_000)
    assert costly.best_n is None


def test_json_has_the_keys_of_outputs_md_in_order(cli, write_case):
    case = write_case(LINEAR)
    plain = json.loads(
        cli(
            "evsi",
            case,
            "--input",
            "effect.effect",
            "--n",
            "20,5",
            "--sd",
            "0.5",
            "--draws",
            "2000",
            "--json",
        ).stdout
    )
    assert list(plain)[:8] == ["output", "input", "draws", "evpi", "evppi", "study", "sd", "evsi"]
    assert "cost" not in plain and "enbs" not in plain and "best_n" not in plain
    assert [entry["n"] for entry in plain["evsi"]] == [5, 20]
    assert plain["study"] == "normal" and plain["sd"] == 0.5 and plain["draws"] == 2000
    costed = json.loads(
        cli(
            "evsi",
            case,
            "--input",
            "effect.effect",
            "--n",
            "5,20",
            "--sd",
            "0.5",
            "--draws",
            "2000",
            "--cost",
            "1e9",
            "--json",
        ).stdout
    )
    assert list(costed)[:11] == [
        *("output", "input", "draws", "evpi", "evppi", "study", "sd", "evsi"),
        *("cost", "enbs", "best_n"),
    ]
    assert costed["best_n"] is None and costed["cost"] == 1e9
    assert [set(entry) for entry in costed["enbs"]] == [{"n", "value"}] * 2


def test_the_table_and_the_chart(cli, write_case, tmp_path):
    chart = tmp_path / "evsi.png"
    result = cli(
        "evsi",
        write_case(RATE),
        "--input",
        "effect.success_rate",
        "--n",
        "10,40",
        "--cost",
        "50000",
        "--draws",
        "2000",
        "--plot",
        chart,
    )
    assert result.code == 0, result.stderr
    assert "binomial" in result.stdout and "EVSI" in result.stdout and "best size" in result.stdout
    assert chart.stat().st_size > 1000


def test_the_scheduler_option_gives_the_same_numbers(cli, write_case):
    case = write_case(RATE)
    args = ("evsi", case, "--input", "effect.success_rate", "--n", "10", "--draws", "3000", "--json")
    assert (
        json.loads(cli(*args).stdout)["evsi"]
        == json.loads(cli(*args, "--scheduler", "threads", "--threads", "1").stdout)["evsi"]
    )


@pytest.mark.parametrize(
    ("case", "args", "words"),
    [
        (
            LINEAR,
            ("--input", "costs.a.amount", "--n", "10"),
            "--input costs.a.amount: the input is a fixed number",
        ),
        (LINEAR, ("--input", "effect.efect", "--n", "10", "--sd", "1"), "did you mean effect.effect?"),
        (LINEAR, ("--input", "effect.effect", "--n", "10"), "give the individual standard deviation S"),
        (LINEAR, ("--input", "effect.effect", "--n", "10", "--sd", "0"), "(got 0)"),
        (LINEAR, ("--input", "effect.effect", "--n", "10,2.5,0", "--sd", "1"), "not '2.5', '0'"),
        (LINEAR, ("--input", "effect.effect", "--n", "ten", "--sd", "1"), "positive whole numbers"),
        (LINEAR, ("--input", "effect.effect", "--n", "10", "--sd", "1", "--cost", "-5"), "--cost must be"),
        (RATE, ("--input", "effect.success_rate", "--n", "10", "--sd", "1"), "is a rate"),
        (RATE, ("--input", "effect.success_rate", "--n", "10", "--output", "npv:nobody"), "allowed: npv"),
    ],
)
def test_bad_input_is_exit_2_with_one_clear_message(cli, write_case, case, args, words):
    result = cli("evsi", write_case(case), *args)
    assert result.code == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_the_python_api_refuses_sizes_that_are_not_whole_numbers():
    with pytest.raises(UsageError, match="positive whole numbers"):
        evsi(parse_case(RATE), input="effect.success_rate", n=[10, 2.5])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="positive whole numbers"):
        evsi(parse_case(RATE), input="effect.success_rate", n=[])
