"""The `smd` effect form (model.md, "Effect from a standardised mean difference"): its base value by
hand, its draws against the transformed normal, the run against the numpy reference model draw by
draw, and the bad inputs through `somrisk check`."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from reference import numpy_model as reference
from somrisk import parse_case, run_deterministic, simulate
from somrisk.distributions import Canonical
from somrisk.engine import evaluate_uniforms, prepare
from somrisk.testing import minimal_case
from somrisk.transform import ppf

SMD = '{ dist = "smd", estimate = 0.35, ci95 = [0.10, 0.60], comparison_rate = 0.25 }'
CONSEQUENCE = (
    '[[consequences]]\nname = "k"\nchange = { dist = "normal", mean = -0.2, sd = 0.05 }\n'
    'price = { kommune = { dist = "pert", min = 80000, mode = 95000, max = 120000 }, stat = 45000 }\n'
)
CASE = minimal_case(
    effect=SMD,
    cohorts="[20, 30]",
    horizon=6,
    discount_rate="0.035",
    consequences=CONSEQUENCE,
    costs='[[costs]]\nname = "a"\nactor = "kommune"\nkind = "per_participant"\namount = 20000\n',
)


def test_base_value_is_the_conversion_of_the_estimate_by_hand():
    # d = 0.35: ln OR = 0.35 * pi / sqrt(3) = 0.35 * 1.8137994 = 0.6348298; OR = exp(0.6348298)
    # = 1.8867010; p1 = 0.25 * 1.8867010 / (0.75 + 0.25 * 1.8867010) = 0.4716752 / 1.2216752
    # = 0.3860889; e = p1 - 0.25 = 0.1360889
    effect = parse_case(CASE).effect.effect
    assert effect.base_value == pytest.approx(0.1360889, abs=5e-8)
    # the mean of e differs from the conversion of d's estimate: the conversion is not linear
    assert abs(effect.mean - effect.base_value) > 1e-3


def test_base_value_of_the_mean_sd_form_is_the_conversion_of_the_mean():
    # d = -0.2 at p0 = 0.4: OR = exp(-0.2 * 1.8137994) = exp(-0.3627599) = 0.6957535;
    # p1 = 0.4 * 0.6957535 / (0.6 + 0.4 * 0.6957535) = 0.2783014 / 0.8783014 = 0.3168632; e = -0.0831368
    text = minimal_case(effect='{ dist = "smd", mean = -0.2, sd = 0.1, comparison_rate = 0.4 }')
    assert parse_case(text).effect.effect.base_value == pytest.approx(-0.0831368, abs=5e-8)


def test_the_deterministic_run_equals_the_reference_at_base_values():
    raw = tomllib.loads(CASE)
    expected = reference.evaluate(raw, reference.base_values(raw))
    det = run_deterministic(parse_case(CASE))
    np.testing.assert_allclose(det.npv, expected["npv"][0], rtol=1e-10, atol=1e-6)


def test_draws_follow_the_transformed_normal():
    sim = simulate(parse_case(CASE), draws=20_000, seed=11, sampler="mc", keep_cube=True)
    effect = sim.cube.inputs.sel(input="effect.effect").values
    sd = 0.50 / (2 * 1.959964)
    p0 = 0.25

    def cdf(e):  # d = logit(p1) - logit(p0), over pi / sqrt(3); e increases with d
        p1 = p0 + np.asarray(e)
        d = (np.log(p1 / (1 - p1)) - np.log(p0 / (1 - p0))) * math.sqrt(3) / math.pi
        return stats.norm(0.35, sd).cdf(d)

    assert stats.kstest(effect, cdf).pvalue > 0.001
    assert stats.kstest(effect + 0.01, cdf).pvalue < 1e-6  # the test can tell a shifted sample


def test_a_design_in_the_unit_cube_gives_the_reference_npv_draw_by_draw():
    raw = tomllib.loads(CASE)
    model = prepare(parse_case(CASE))
    u = np.random.default_rng(6).uniform(0.001, 0.999, size=(3000, model.space.dimension))
    values = reference.values_from_uniforms(raw, u)
    assert values["effect.effect"].std() > 0.03  # effect e from d, drawn
    npv = evaluate_uniforms(model, u, threads=1)
    np.testing.assert_allclose(npv, reference.evaluate(raw, values)["npv"], rtol=1e-6, atol=1e-2)


@pytest.mark.parametrize(
    ("effect", "extra", "path", "words"),
    [
        (
            "0.1",
            '[[costs]]\nname = "a"\nactor = "kommune"\nkind = "fixed"\n'
            'amount = { dist = "smd", mean = 0.3, sd = 0.1, comparison_rate = 0.2 }\n',
            "costs.a.amount.dist",
            "only for effect.effect",
        ),
        (
            '{ dist = "smd", mean = 0.3, sd = 0.1, comparison_rate = 1.0 }',
            "",
            "effect.effect.comparison_rate",
            "strictly between 0 and 1",
        ),
        (
            '{ dist = "smd", mean = 0.3, sd = 0.1, comparison_rate = 0 }',
            "",
            "effect.effect.comparison_rate",
            "strictly between 0 and 1",
        ),
        ('{ dist = "smd", mean = 0.3, sd = 0.1 }', "", "effect.effect.comparison_rate", "required"),
        (
            '{ dist = "smd", mean = 0.3, sd = 0, comparison_rate = 0.2 }',
            "",
            "effect.effect.sd",
            "greater than 0",
        ),
        (
            '{ dist = "smd", estimate = 0.7, ci95 = [0.1, 0.6], comparison_rate = 0.2 }',
            "",
            "effect.effect",
            "must contain `estimate`",
        ),
    ],
)
def test_bad_smd_input_is_exit_2_naming_the_path(cli, write_case, effect, extra, path, words):
    result = cli("check", write_case(minimal_case(effect=effect, extra=extra)))
    assert result.code == 2
    assert f"case.toml: {path}:" in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_smd_in_a_persistence_is_refused_too(cli, write_case):
    persistence = (
        "[persistence]\nfull_years = 2\n"
        'decay = { dist = "smd", mean = 0.1, sd = 0.05, comparison_rate = 0.2 }'
    )
    result = cli("check", write_case(minimal_case(persistence=persistence)))
    assert result.code == 2
    assert "persistence.decay.dist: `smd`" in result.stderr


def test_smd_in_a_price_catalogue_is_refused(tmp_path):
    from somrisk.case.catalog import load_catalog
    from somrisk.errors import CaseError

    path = tmp_path / "catalog.toml"
    path.write_text(
        '[[prices]]\nname = "k"\n'
        'price = { kommune = { dist = "smd", mean = 0.1, sd = 0.05, comparison_rate = 0.2 } }\n',
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as caught:
        load_catalog(path)
    paths = [problem.key_path for problem in caught.value.problems]
    assert "prices.k.price.kommune.dist" in paths


@given(
    mean=st.floats(-2.0, 2.0),
    sd=st.floats(0.01, 1.5),
    p0=st.floats(0.01, 0.99),
    u=st.lists(st.floats(1e-6, 1 - 1e-6), min_size=2, max_size=20),
)
def test_quantiles_are_the_spec_conversion_of_the_normal_quantiles(mean, sd, p0, u):
    u = np.sort(np.asarray(u))
    e = ppf(Canonical("smd", (mean, sd, p0)), u)
    odds_ratio = np.exp(stats.norm(mean, sd).ppf(u) * math.pi / math.sqrt(3))
    expected = p0 * odds_ratio / (1 - p0 + p0 * odds_ratio) - p0
    np.testing.assert_allclose(e, expected, rtol=1e-9, atol=1e-10)  # p1 - p0 cancels near e = 0
    assert np.all((e > -p0 - 1e-15) & (e < 1 - p0 + 1e-15))
    assert np.all(np.diff(e) >= -1e-15)  # monotone in u, as in d
