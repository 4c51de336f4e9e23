"""A portfolio case's uniforms: its own columns and the shared (catalogue) columns, interleaved."""

from __future__ import annotations

import numpy as np

from somrisk.sampling import merge_columns


def test_own_and_shared_columns_land_where_the_case_takes_them() -> None:
    rng = np.random.default_rng(4)
    take = np.array([-1, 2, -1, -1, 0, 2, -1])  # column 5 takes the same shared column as column 1
    own, shared = rng.random((9, 4)), rng.random((9, 3))
    merged = merge_columns(own, shared, take)
    assert merged.shape == (9, 7)
    np.testing.assert_array_equal(merged[:, [0, 2, 3, 6]], own)
    np.testing.assert_array_equal(merged[:, [1, 4, 5]], shared[:, [2, 0, 2]])


def test_no_shared_columns_gives_the_case_own_uniforms() -> None:
    own = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(merge_columns(own, np.empty((4, 0)), np.array([-1, -1, -1])), own)
