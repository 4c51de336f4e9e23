"""The cases' NPV quantiles of a large portfolio, computed on two threads (half the cases each),
are numpy's quantiles of every case, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from somrisk.portfolio import _row_quantiles


@pytest.mark.parametrize(("cases", "draws"), [(3, 400_000), (101, 10_000), (2, 5), (1, 2_000_000)])
def test_split_quantiles_are_numpys(cases: int, draws: int) -> None:
    rng = np.random.default_rng([cases, draws])
    values = rng.normal(size=(cases, draws)) * 1e6
    values[:, ::7] = np.round(values[:, ::7], -5)  # ties
    quantiles = np.array([0.05, 0.5, 0.95])
    expected = np.quantile(values, quantiles, axis=1).T
    found = _row_quantiles(values, quantiles)
    assert found.shape == (cases, 3)
    assert found.tobytes() == np.ascontiguousarray(expected).tobytes()
