"""Numerical edge cases, each against a value computed here from the closed form of model.md.

The cases are built so that the NPV has a closed form: one cohort of n participants in year 0, the
full effect e for the whole horizon (no [persistence]), one consequence with change q and price v,
so that the gain in year t is -n e q v (1 + g)^t, discounted by (1 + r)^-t; a fixed cost C in year
`cost_year` and a cost A per participant in year 0. Every test also checks that no output holds NaN
or infinity: the JSON summary, the summary Dataset and the cube written with ``--out .nc``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr

from somrisk import run, summary_json
from somrisk.testing import assert_cube_valid, minimal_case

SAMPLERS = ["mc", "lhs", "sobol"]
ACTORS = ["kommune", "region", "stat"]


def closed_form(
    *,
    n: float,
    e: float,
    q: float,
    v: float,
    horizon: int,
    r: float = 0.0,
    g: float = 0.0,
    fixed: float = 0.0,
    cost_year: int = 0,
    per_participant: float = 0.0,
) -> float:
    """NPV of the toy case (see the module's docstring)."""
    gains = sum(-n * e * q * v * (1 + g) ** t / (1 + r) ** t for t in range(horizon))
    return gains - fixed / (1 + r) ** cost_year - n * per_participant


def toy(
    *,
    n: str = "10",
    effect: str = "0.2",
    q: str = "-1.0",
    v: str = "1000",
    horizon: int = 5,
    r: str = "0.0",
    g: str = "0.0",
    fixed: str = "0",
    cost_year: int = 0,
    per_participant: str = "0",
    effect_table: str | None = None,
    factor: str | None = None,
) -> str:
    """The toy case as TOML; every argument is pasted in as TOML (a number or a distribution)."""
    costs = (
        f'[[costs]]\nname = "opstart"\nactor = "kommune"\nkind = "fixed"\nyear = {cost_year}\n'
        f"amount = {fixed}\n\n"
        f'[[costs]]\nname = "forloeb"\nactor = "kommune"\nkind = "per_participant"\namount = {per_participant}\n'
    )
    consequences = f'[[consequences]]\nname = "ydelse"\nchange = {q}\nprice = {{ kommune = {v} }}\n'
    if factor is not None:
        consequences += f"price_factor = {factor}\n"
    text = minimal_case(
        effect=effect,
        cohorts=f"[{n}]",
        horizon=horizon,
        discount_rate=r,
        price_growth=g,
        costs=costs,
        consequences=consequences,
    )
    if effect_table is not None:
        text = text.replace(f"[effect]\neffect = {effect}\n", f"[effect]\n{effect_table}\n")
    return text


def outputs(tmp_path: Path, text: str, *, draws: int = 64, sampler: str = "lhs") -> dict[str, Any]:
    """Run the case; return its summary, JSON, cube (read back from the .nc file), the NPV of every
    draw (from the cube) and the values of its uncertain inputs."""
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / f"cube-{sampler}-{draws}.nc"
    result = run(path, draws=draws, sampler=sampler, out=out)
    cube = xr.load_dataset(out)
    document = json.loads(json.dumps(summary_json(result.summary), allow_nan=False))
    assert_no_nan_or_infinity(result.summary, cube, document)
    npv = (cube.net * cube.discount_factor).sum(["year", "actor"]).values
    return {
        "summary": result.summary,
        "json": document,
        "cube": cube,
        "npv": npv,
        "inputs": {str(k): cube.inputs.sel(input=k).values for k in cube.input.values},
    }


def assert_no_nan_or_infinity(summary: xr.Dataset, cube: xr.Dataset, document: dict[str, Any]) -> None:
    """Every number of every output is finite; the only exceptions are those outputs.md and the
    summary document: the benefit-cost ratio is NaN (never infinite) where the costs are not
    positive (:func:`assert_ratio` checks where), the per-participant figures are NaN (null) only
    where there are no participants, payback years may be missing (null), and the Monte Carlo
    errors of a single draw are unknown (NaN, null)."""
    no_participants = bool(np.isnan(summary.per_participant_deterministic.values).all())
    one_draw = summary.attrs["draws"] == 1
    assert_cube_valid(cube)  # finite gains, costs, net, discount factors and inputs
    for name, variable in summary.data_vars.items():
        values = np.asarray(variable.values, dtype=float)
        if (
            name.startswith("benefit_cost_ratio")
            or (name.startswith("per_participant") and no_participants)
            or (one_draw and name.endswith(("_mcse", "_se")))
        ):
            assert not np.isinf(values).any(), f"summary variable {name} is {values}"
        else:
            assert np.isfinite(values).all(), f"summary variable {name} holds {values}"

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif node is None:
            allowed = {"payback_year", "median_year", "benefit_cost_ratio"}
            if no_participants:
                allowed |= {"npv_per_participant", "net_total_per_participant", "per_participant"}
            if one_draw:
                allowed |= {"mcse", "prob_positive_se"}
            assert allowed & {path[-1], path[1]}, f"JSON {'.'.join(path)} is null"
        elif isinstance(node, float):
            assert math.isfinite(node), f"JSON {'.'.join(path)} = {node}"

    walk(document, ("",))


def assert_ratio(summary: xr.Dataset, pv_costs: float) -> None:
    """The benefit-cost ratios are numbers exactly where the costs are positive, else NaN."""
    for name in ("benefit_cost_ratio_deterministic", "benefit_cost_ratio_mean"):
        ratio = float(summary[name])
        assert math.isfinite(ratio) == (pv_costs > 0), (name, ratio)


def npv_stats(document: dict[str, Any], actor: str = "total") -> dict[str, float]:
    return document["npv"][actor]


# -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_no_uncertainty_gives_zero_spread_equal_to_the_deterministic_result(tmp_path, sampler):
    text = toy(n="11", effect="0.25", q="-0.8", v="95000", horizon=7, r="0.035", g="0.01", fixed="250000")
    text += '\n[[comparison_costs]]\nname = "samtaler"\nactor = "kommune"\nkind = "per_participant"\namount = 8000\n'
    result = outputs(tmp_path, text, sampler=sampler)
    expected = (
        closed_form(n=11, e=0.25, q=-0.8, v=95000, horizon=7, r=0.035, g=0.01, fixed=250000) + 11 * 8000
    )
    summary, document = result["summary"], result["json"]
    det = float(summary.npv_deterministic.sel(actor="total"))
    assert det == pytest.approx(expected, rel=1e-12)
    # this NPV is one whose plain mean over 64 equal draws leaves a rounding residue (sd ~ 2e-10)
    assert np.full(64, det).std(ddof=1) > 0
    for actor in [*ACTORS, "total"]:
        stats = npv_stats(document, actor)
        deterministic = document["deterministic"]["npv"][actor]
        assert stats["sd"] == 0.0 and stats["mcse"] == 0.0, stats
        assert stats["mean"] == deterministic, (stats, deterministic)
        assert stats["p05"] == stats["p25"] == stats["p50"] == stats["p75"] == stats["p95"] == deterministic
        assert stats["prob_positive"] == (1.0 if deterministic > 0 else 0.0)
        assert stats["prob_positive_se"] == 0.0
        assert stats["expected_shortfall_05"] == deterministic
    assert float(np.abs(summary.net_sd).max()) == 0.0 and float(np.abs(summary.cumulative_sd).max()) == 0.0
    np.testing.assert_array_equal(result["npv"], np.full(64, result["npv"][0]))
    assert result["npv"][0] == pytest.approx(expected, rel=1e-12)
    assert result["cube"].sizes["input"] == 0
    assert_ratio(summary, 250000 - 11 * 8000)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_one_draw_works_for_every_sampler(tmp_path, cli, sampler):
    text = toy(effect='{ dist = "uniform", min = 0.1, max = 0.3 }', horizon=4, r="0.05", fixed="1500")
    result = outputs(tmp_path, text, draws=1, sampler=sampler)
    (e,) = result["inputs"]["effect.effect"]
    assert 0.1 <= e <= 0.3
    expected = closed_form(n=10, e=e, q=-1.0, v=1000, horizon=4, r=0.05, fixed=1500)
    stats = npv_stats(result["json"])
    assert result["npv"][0] == pytest.approx(expected, rel=1e-12)
    assert stats["mean"] == pytest.approx(expected, rel=1e-12)
    assert stats["sd"] == 0.0
    # one draw says nothing about the Monte Carlo error: unknown (null), not 0
    assert stats["mcse"] is None and stats["prob_positive_se"] is None
    assert stats["p05"] == stats["p50"] == stats["p95"] == stats["mean"] == stats["expected_shortfall_05"]
    assert result["json"]["draws"] == 1
    # and through the command line, on the bundled example (many inputs, correlated)
    cli_result = cli("run", "--draws", "1", "--sampler", sampler, "--json")
    assert cli_result.code == 0, cli_result.stderr
    document = json.loads(cli_result.stdout)
    assert document["draws"] == 1 and document["npv"]["total"]["sd"] == 0.0
    assert document["npv"]["total"]["mcse"] is None
    assert document["npv"]["total"]["p05"] == document["npv"]["total"]["p95"]


@pytest.mark.parametrize("horizon", [1, 50])
def test_horizon_1_and_50(tmp_path, horizon):
    text = toy(
        v='{ dist = "uniform", min = 800, max = 1200 }', horizon=horizon, r="0.035", g="0.02", fixed="5000"
    )
    result = outputs(tmp_path, text, draws=128)
    prices = result["inputs"]["consequences.ydelse.price.kommune"]
    expected = [
        closed_form(n=10, e=0.2, q=-1.0, v=v, horizon=horizon, r=0.035, g=0.02, fixed=5000) for v in prices
    ]
    np.testing.assert_allclose(result["npv"], expected, rtol=1e-12)
    det = closed_form(n=10, e=0.2, q=-1.0, v=1000, horizon=horizon, r=0.035, g=0.02, fixed=5000)
    assert result["json"]["deterministic"]["npv"]["total"] == pytest.approx(det, rel=1e-12)
    assert result["cube"].sizes["year"] == horizon
    assert list(result["cube"].year.values) == list(range(2025, 2025 + horizon))
    assert len(result["json"]["payback"]["cdf"]) == len(result["json"]["net_by_year"]) == horizon
    # the last year's discount factor is (1 + r)^-(T - 1)
    assert float(result["cube"].discount_factor[-1]) == pytest.approx(1.035 ** -(horizon - 1), rel=1e-12)


def test_zero_participants_npv_is_minus_fixed_costs(tmp_path):
    text = toy(
        n="0",
        effect='{ dist = "uniform", min = 0.1, max = 0.3 }',
        q='{ dist = "normal", mean = -1, sd = 0.2 }',
        v='{ dist = "uniform", min = 500, max = 1500 }',
        r="0.05",
        fixed='{ dist = "uniform", min = 1000, max = 3000 }',
        cost_year=1,
        per_participant="40000",
    )
    result = outputs(tmp_path, text, draws=128)
    amounts = result["inputs"]["costs.opstart.amount"]
    np.testing.assert_allclose(result["npv"], -amounts / 1.05, rtol=1e-12)
    assert float(np.abs(result["cube"].gains).max()) == 0.0
    assert result["json"]["deterministic"]["npv"]["total"] == pytest.approx(-2000 / 1.05, rel=1e-12)
    assert result["json"]["npv"]["total"]["prob_positive"] == 0.0
    assert result["json"]["npv"]["region"]["sd"] == 0.0 and result["json"]["npv"]["region"]["mean"] == 0.0
    assert_ratio(result["summary"], 2000 / 1.05)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_prices_up_to_1e12_do_not_overflow(tmp_path, sampler):
    text = toy(
        n="1000",
        effect="0.5",
        q="-2.0",
        v='{ dist = "uniform", min = 5e11, max = 1e12 }',
        horizon=50,
        r="0.035",
        g="0.02",
        fixed="1e12",
        per_participant="1e12",
    )
    result = outputs(tmp_path, text, draws=256, sampler=sampler)
    prices = result["inputs"]["consequences.ydelse.price.kommune"]
    assert prices.min() >= 5e11 and prices.max() <= 1e12
    expected = [
        closed_form(n=1000, e=0.5, q=-2.0, v=v, horizon=50, r=0.035, g=0.02, fixed=1e12, per_participant=1e12)
        for v in prices
    ]
    np.testing.assert_allclose(result["npv"], expected, rtol=1e-12)
    det = closed_form(
        n=1000, e=0.5, q=-2.0, v=7.5e11, horizon=50, r=0.035, g=0.02, fixed=1e12, per_participant=1e12
    )
    assert result["json"]["deterministic"]["npv"]["total"] == pytest.approx(det, rel=1e-12)
    assert det > 1e16  # the order of magnitude the test is about
    # the NPV is linear in the price: its mean and sd are those of the price, scaled
    slope = closed_form(n=1000, e=0.5, q=-2.0, v=1.0, horizon=50, r=0.035, g=0.02)
    stats = npv_stats(result["json"])
    assert stats["mean"] == pytest.approx(float(np.mean(expected)), rel=1e-12)
    assert stats["sd"] == pytest.approx(slope * float(np.std(prices, ddof=1)), rel=1e-9)


EFFECT_ZERO = {
    "effect = 0": ("0.0", None),
    "success_rate = comparison_rate": ("0.0", "success_rate = 0.35\ncomparison_rate = 0.35"),
    "rates as fixed distributions": (
        "0.0",
        'success_rate = { dist = "fixed", value = 0.4 }\ncomparison_rate = { dist = "fixed", value = 0.4 }',
    ),
}


@pytest.mark.parametrize("form", list(EFFECT_ZERO))
def test_effect_exactly_0_gives_net_minus_costs(tmp_path, form):
    effect, table = EFFECT_ZERO[form]
    text = toy(
        effect=effect,
        effect_table=table,
        q='{ dist = "normal", mean = -1, sd = 0.5 }',
        v='{ dist = "lognormal", mean = 1000, sd = 300 }',
        r="0.035",
        fixed='{ dist = "pert", min = 1000, mode = 2000, max = 4000 }',
        per_participant="300",
    )
    result = outputs(tmp_path, text, draws=128)
    assert float(np.abs(result["cube"].gains).max()) == 0.0
    np.testing.assert_array_equal(result["cube"].net.values, -result["cube"].costs.values)
    amounts = result["inputs"]["costs.opstart.amount"]
    np.testing.assert_allclose(result["npv"], -amounts - 10 * 300, rtol=1e-12)
    det = result["json"]["deterministic"]["npv"]["total"]
    assert det == pytest.approx(-(1000 + 4 * 2000 + 4000) / 6 - 3000, rel=1e-12)  # PERT mean
    assert result["json"]["npv"]["total"]["prob_positive"] == 0.0


EFFECT_ONE = {
    "effect = 1": ("1.0", None),
    "success_rate 1, comparison_rate 0": ("1.0", "success_rate = 1.0\ncomparison_rate = 0.0"),
}


@pytest.mark.parametrize("form", list(EFFECT_ONE))
def test_effect_exactly_1(tmp_path, form):
    effect, table = EFFECT_ONE[form]
    text = toy(
        effect=effect,
        effect_table=table,
        v='{ dist = "triangular", min = 500, mode = 1000, max = 1500 }',
        horizon=6,
        r="0.035",
        fixed="20000",
        per_participant="1000",
    )
    result = outputs(tmp_path, text, draws=128)
    prices = result["inputs"]["consequences.ydelse.price.kommune"]
    expected = [
        closed_form(n=10, e=1.0, q=-1.0, v=v, horizon=6, r=0.035, fixed=20000, per_participant=1000)
        for v in prices
    ]
    np.testing.assert_allclose(result["npv"], expected, rtol=1e-12)
    det = closed_form(n=10, e=1.0, q=-1.0, v=1000, horizon=6, r=0.035, fixed=20000, per_participant=1000)
    assert result["json"]["deterministic"]["npv"]["total"] == pytest.approx(det, rel=1e-12)


def test_an_uncertain_effect_up_to_exactly_1_stays_in_range(tmp_path):
    text = toy(effect='{ dist = "pert", min = 0.9, mode = 1.0, max = 1.0 }', horizon=3)
    result = outputs(tmp_path, text, draws=256, sampler="mc")
    effects = result["inputs"]["effect.effect"]
    assert effects.max() <= 1.0 and effects.min() >= 0.9
    expected = [closed_form(n=10, e=e, q=-1.0, v=1000, horizon=3) for e in effects]
    np.testing.assert_allclose(result["npv"], expected, rtol=1e-12)


def test_every_number_at_the_limit_of_1e15_stays_finite(tmp_path):
    # 1e15 participants, change, price and price factor: a gain of 1e60 a year, and squares of 1e123
    # in the variance; the limit (docs/case-format.md) keeps them inside double precision
    text = toy(
        n="1e15",
        effect="1.0",
        q="-1e15",
        v="1e15",
        horizon=50,
        fixed="1e15",
        per_participant="1e15",
        factor='{ dist = "uniform", min = -1e15, max = 1e15 }',
    )
    result = outputs(tmp_path, text, draws=128)
    factors = result["inputs"]["consequences.ydelse.price_factor"]
    expected = [
        closed_form(n=1e15, e=1.0, q=-1e15, v=1e15 * m, horizon=50, fixed=1e15, per_participant=1e15)
        for m in factors
    ]
    np.testing.assert_allclose(result["npv"], expected, rtol=1e-12)
    assert result["json"]["deterministic"]["npv"]["total"] == pytest.approx(
        -1e15 - 1e30, rel=1e-12
    )  # factor 0
    stats = npv_stats(result["json"])
    assert stats["sd"] == pytest.approx(50e45 * float(np.std(factors, ddof=1)), rel=1e-9)
    assert 1e60 < stats["sd"] < 1e62


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_a_result_that_is_not_finite_is_refused_and_nothing_is_written(cli, tmp_path, monkeypatch, suffix):
    # the case checks keep this from happening; should it happen anyway, it is said, not written
    import somrisk.engine.run as simulation
    from somrisk.runner import example_case_path
    from somrisk.sampling import BLOCK_DRAWS

    real = simulation.run_block

    def overflowing(spec, index, chunk):
        partial = real(spec, index, chunk)
        if index == 1:
            partial.out.npv[7, 0] = math.inf
        return partial

    monkeypatch.setattr(simulation, "run_block", overflowing)
    result = cli(
        "run", example_case_path(), "--draws", 3 * BLOCK_DRAWS, "--json", "--out", tmp_path / f"c{suffix}"
    )
    assert result.code == 2 and result.stdout == ""
    assert f"draw {BLOCK_DRAWS + 7:,} gives an NPV that is not a finite number ([inf, " in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
