"""Quantile tables are built once per standard shape and from each tail's own side only; the
quantiles stay scipy's (within the promised 1e-8) for every input that shares a table."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from somrisk import _quantile_tables as tables
from somrisk.distributions import Canonical
from somrisk.transform import inverse_cdf, ppf

U = np.concatenate([np.geomspace(1e-12, 0.5, 200), 1 - np.geomspace(1e-12, 0.5, 200)])


@pytest.mark.parametrize(
    ("kind", "first", "second", "twin"),
    [
        (
            "beta",
            (2.0, 5.0, 10.0, 30.0),
            (2.0, 5.0, -4.0, 0.5),
            lambda p: stats.beta(p[0], p[1], loc=p[2], scale=p[3]),
        ),
        ("gamma", (0.7, 3.0), (0.7, 1200.0), lambda p: stats.gamma(p[0], scale=p[1])),
    ],
)
def test_inputs_of_one_shape_share_a_table_and_keep_scipys_quantiles(kind, first, second, twin):
    a, b = Canonical(kind, first), Canonical(kind, second)
    assert inverse_cdf(a).tail is not None
    assert inverse_cdf(a).tail is inverse_cdf(b).tail  # one table, two locations and scales
    for form, params in ((a, first), (b, second)):
        reference = twin(params)
        x = ppf(form, U)
        # the quantile's error as a probability, |F(x(u)) - u|, each tail from its own side
        error = np.where(U <= 0.5, reference.cdf(x) - U, reference.sf(x) - (1 - U))
        assert np.max(np.abs(error)) <= 1e-8


def _both_sides(space, w, z, lower, upper):
    """The score and slope with every function evaluated at every node and the side picked after
    (the formula the one-sided evaluation replaces)."""
    if space == "logit":
        x, y = special.expit(w), special.expit(-w)
        log_tail = np.where(z <= 0, lower.logcdf(x), upper.logcdf(y))
        log_density = np.where(z <= 0, lower.logpdf(x), upper.logpdf(y)) + np.log(x) + np.log(y)
    else:
        x = np.exp(w)
        log_tail = np.where(z <= 0, lower.logcdf(x), lower.logsf(x))
        log_density = lower.logpdf(x) + w
    z_at = np.where(z <= 0, special.ndtri_exp(log_tail), -special.ndtri_exp(log_tail))
    return z_at, np.exp(-0.5 * z_at * z_at - 0.5 * np.log(2 * np.pi) - log_density)


@pytest.mark.parametrize(
    ("space", "lower", "upper"),
    [
        ("logit", tables._Beta(0.3, 40.0), tables._Beta(40.0, 0.3)),
        ("logit", tables._Beta(3.0, 2.0), tables._Beta(2.0, 3.0)),
        ("log", tables._Gamma(0.05), tables._Gamma(0.05)),
        ("log", tables._Gamma(250.0), tables._Gamma(250.0)),
    ],
)
def test_one_sided_scores_equal_the_two_sided_formula_bit_for_bit(space, lower, upper):
    z = np.linspace(-tables.Z_LIMIT, tables.Z_LIMIT, 513)
    with np.errstate(all="ignore"):
        u = special.ndtr(z)
        w = np.log(lower.ppf(u)) if space == "log" else special.logit(lower.ppf(u))
        expected = _both_sides(space, w, z, lower, upper)
        got = tables._score_and_slope(space, w, z, lower, upper)
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_array_equal(g, e)
