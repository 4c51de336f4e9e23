"""A portfolio case's uniforms: its own columns, and those it takes from the shared (catalogue) draws."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["merge_columns"]


@numba.njit(cache=True, nogil=True)
def _merge(own, shared, take, out):  # pragma: no cover - compiled
    n, d = out.shape
    for i in range(n):
        k = 0
        for j in range(d):
            if take[j] < 0:
                out[i, j] = own[i, k]
                k += 1
            else:
                out[i, j] = shared[i, take[j]]


def merge_columns(own: np.ndarray, shared: np.ndarray, take: np.ndarray) -> np.ndarray:
    """The (n, d) uniforms whose column j is ``shared[:, take[j]]`` where ``take[j] >= 0``, and the
    next column of `own` (n, number of negative entries of `take`, in order) where it is negative."""
    out = np.empty((own.shape[0], take.shape[0]))
    _merge(
        np.ascontiguousarray(own, dtype=float),
        np.ascontiguousarray(shared, dtype=float),
        np.ascontiguousarray(take, dtype=np.int64),
        out,
    )
    return out
