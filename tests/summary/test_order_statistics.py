"""The summary's percentiles and expected shortfall from one partial sort equal numpy's percentile
(its default, linear method) exactly, and the mean of the sorted row's lowest values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from somrisk.summary import order_statistics

Q = np.array([5.0, 25.0, 50.0, 75.0, 95.0, 0.0, 100.0, 2.5, 99.9])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 20, 21, 1000, 100_003])
@pytest.mark.parametrize("kind", ["normal", "ties", "constant", "negative"])
def test_percentiles_equal_numpys_and_the_shortfall_the_sorted_mean(n, kind):
    rng = np.random.default_rng(n)
    row = {
        "normal": rng.normal(1e5, 3e5, n),
        "ties": rng.integers(-3, 4, n).astype(float),
        "constant": np.full(n, 123.456),
        "negative": -rng.lognormal(10, 2, n),
    }[kind]
    percentiles, shortfall = order_statistics(row.copy(), Q, 0.05)
    np.testing.assert_array_equal(percentiles, np.percentile(row, Q))
    k = max(1, math.ceil(0.05 * n))
    assert shortfall == pytest.approx(float(np.sort(row)[:k].mean()), rel=1e-12, abs=1e-9)
