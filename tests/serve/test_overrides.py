"""`scale` multiplies every draw of an input: the scaled distribution's quantiles are the factor
times the original's, checked against scipy.stats (the distributions' twins) for every family it
accepts; `set` replaces the value; the families it cannot scale are refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somrisk.distributions import FAMILIES
from somrisk.distributions.families import to_scipy
from somrisk.serve.overrides import OverrideError, apply_overrides

TABLES = {
    "fixed": {"dist": "fixed", "value": 3.0},
    "uniform": {"dist": "uniform", "min": 1.0, "max": 4.0},
    "triangular": {"dist": "triangular", "min": 1.0, "mode": 2.0, "max": 4.0},
    "pert": {"dist": "pert", "min": 1.0, "mode": 2.0, "max": 4.0, "lambda": 6.0},
    "normal": {"dist": "normal", "mean": 2.0, "sd": 0.5},
    "normal ci95": {"dist": "normal", "estimate": 2.0, "ci95": [1.2, 2.8]},
    "truncnormal": {"dist": "truncnormal", "mean": 2.0, "sd": 1.0, "min": 0.5, "max": 5.0},
    "gamma": {"dist": "gamma", "shape": 3.0, "scale": 2.0},
    "gamma mean": {"dist": "gamma", "mean": 3.0, "sd": 1.5},
    "lognormal": {"dist": "lognormal", "mean": 2.0, "sd": 0.8},
    "lognormal mu": {"dist": "lognormal", "mu": 0.3, "sigma": 0.4},
    "empirical": {"dist": "empirical", "values": [1.0, 2.5, 2.5, 7.0]},
}
QUANTILES = np.array([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])


def quantiles(table: dict) -> np.ndarray:
    twin = to_scipy(FAMILIES[table["dist"]].model.model_validate(table).canonical())
    return np.asarray(twin.ppf(QUANTILES), dtype=float)


def scaled(table: dict, factor: float) -> dict:
    raw = {"economy": {"x": table}}
    return apply_overrides(raw, {}, {"economy.x": factor})["economy"]["x"]


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(TABLES)), factor=st.floats(0.05, 20.0))
def test_scale_multiplies_every_quantile(name, factor):
    table = TABLES[name]
    np.testing.assert_allclose(
        quantiles(scaled(table, factor)), factor * quantiles(table), rtol=1e-9, atol=1e-12
    )


def test_scale_keeps_the_shape_and_multiplies_the_base():
    table = {**TABLES["pert"], "base": 2.5, "source": "a study"}
    out = scaled(table, 2.0)
    assert out == {
        "dist": "pert",
        "min": 2.0,
        "mode": 4.0,
        "max": 8.0,
        "lambda": 6.0,
        "base": 5.0,
        "source": "a study",
    }
    assert table["min"] == 1.0  # the original is not changed


@pytest.mark.parametrize(
    "table",
    [
        {"dist": "beta", "mean": 0.4, "sd": 0.1},
        {"dist": "smd", "mean": 0.3, "sd": 0.1, "comparison_rate": 0.3},
    ],
)
def test_families_whose_draws_no_parameter_scales_are_refused(table):
    with pytest.raises(OverrideError) as refused:
        scaled(table, 0.9)
    assert refused.value.problems[0]["where"] == "scale.economy.x"


def test_set_replaces_the_value_and_paths_find_list_items_by_name_or_index():
    raw = {
        "participants": {"cohorts": [10, {"dist": "uniform", "min": 1, "max": 2}]},
        "costs": [{"name": "a", "amount": 5.0}, {"name": "b", "amount": {"dist": "fixed", "value": 7.0}}],
        "consequences": [{"name": "c", "price": {"kommune": 100.0}}],
    }
    out = apply_overrides(
        raw,
        {"participants.cohorts.1": 12, "costs.b.amount": 1.5},
        {"consequences.c.price.kommune": 0.5, "costs.a.amount": 3},
    )
    assert out["participants"]["cohorts"] == [10, 12.0]
    assert out["costs"] == [{"name": "a", "amount": 15.0}, {"name": "b", "amount": 1.5}]
    assert out["consequences"][0]["price"]["kommune"] == 50.0
