"""Many quantile tables at once: :func:`build_tables` makes, for a list of shapes, the very tables
:func:`somrisk._quantile_tables.build_table` makes one by one (bit for bit).

Every step of a table is element by element (scipy.special's functions, numpy's arithmetic on
nodes that share one grid), so the nodes of all tables can be computed in one array per step. That
saves the Python overhead of thousands of small calls and, as the arrays are long, lets numpy
release the GIL inside scipy's functions (it keeps it for arrays of up to 500 values), so that two
threads building tables run on two cores. A shape whose first tail table fails its check is left to
:func:`build_table` (which tries the finer grids).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from somrisk._quantile_tables import (
    _TAIL_SIZES,
    CENTRAL_INTERVALS,
    START_STRIDE,
    TABLE_TOLERANCE,
    Z_LIMIT,
    QuantileTable,
    _Beta,
    _Gamma,
    _horner,
    _log_normal_density,
    _start_nodes,
    build_table,
    hermite_between,
    newton_steps,
    scipy_start,
)

__all__ = ["build_tables"]


def _sides(kind: str, shape: tuple[np.ndarray, ...]) -> tuple[Any, Any]:
    """The distributions of the lower and upper side, with one parameter per element."""
    if kind == "beta":
        return _Beta(shape[0], shape[1]), _Beta(shape[1], shape[0])  # 1 - X ~ Beta(b, a)
    return _Gamma(shape[0]), _Gamma(shape[0])


def _take(kind: str, shape: tuple[np.ndarray, ...], where: Any) -> tuple[Any, Any]:
    return _sides(kind, tuple(p[where] for p in shape))


def _score_and_slope(kind: str, w: np.ndarray, z: np.ndarray, shape: tuple[np.ndarray, ...]):
    """As :func:`somrisk._quantile_tables._score_and_slope`, each element with its own shape."""
    left = z <= 0
    right = ~left
    lower_l, _ = _take(kind, shape, left)
    lower_r, upper_r = _take(kind, shape, right)
    log_tail = np.empty_like(w)
    if kind == "beta":
        x, y = special.expit(w), special.expit(-w)
        log_tail[left], log_tail[right] = lower_l.logcdf(x[left]), upper_r.logcdf(y[right])
        log_density = np.empty_like(w)
        log_density[left], log_density[right] = lower_l.logpdf(x[left]), upper_r.logpdf(y[right])
        log_density = log_density + np.log(x) + np.log(y)
    else:
        x = np.exp(w)
        log_tail[left], log_tail[right] = lower_l.logcdf(x[left]), lower_r.logsf(x[right])
        log_density = _Gamma(shape[0]).logpdf(x) + w
    z_at = np.where(z <= 0, special.ndtri_exp(log_tail), -special.ndtri_exp(log_tail))
    return z_at, np.exp(_log_normal_density(z_at) - log_density)


def _error(kind: str, w: np.ndarray, z: np.ndarray, shape: tuple[np.ndarray, ...]) -> np.ndarray:
    """As :func:`somrisk._quantile_tables._error`, each element with its own shape."""
    left = z <= 0
    lower_l, _ = _take(kind, shape, left)
    lower_r, upper_r = _take(kind, shape, ~left)
    error = np.empty_like(w)
    with np.errstate(all="ignore"):
        if kind == "beta":
            error[left] = lower_l.cdf(special.expit(w[left])) - special.ndtr(z[left])
            error[~left] = upper_r.cdf(special.expit(-w[~left])) - special.ndtr(-z[~left])
        else:
            error[left] = lower_l.cdf(np.exp(w[left])) - special.ndtr(z[left])
            error[~left] = lower_r.sf(np.exp(w[~left])) - special.ndtr(-z[~left])
    return error


def _repeat(params: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    """Each column of `params` (one row per shape), repeated `count` times along a row."""
    return tuple(np.repeat(params[:, k : k + 1], count, axis=1) for k in range(params.shape[1]))


def _elements(params: np.ndarray, z: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Every (shape, score) pair of the rows of `params` and the scores z, flat in row order: the
    shape's parameters, one array each, and the scores."""
    flat = tuple(p.ravel() for p in _repeat(params, z.size))
    return flat, np.ascontiguousarray(np.broadcast_to(z, (params.shape[0], z.size))).ravel()


def _scipy_starts(kind: str, params: np.ndarray, z: np.ndarray, *, pairs: bool = False) -> np.ndarray:
    """:func:`somrisk._quantile_tables.scipy_start` of every shape (rows of `params`) at the
    scores z: (n, len(z)); with `pairs`, of shape k at z[k] only: (n,)."""
    shape = z.shape if pairs else (params.shape[0], z.size)
    full, zf = (tuple(params.T), z) if pairs else _elements(params, z)
    space = "logit" if kind == "beta" else "log"
    return scipy_start(space, zf, lambda where: _take(kind, full, where)).reshape(shape)


def _polished(kind: str, params: np.ndarray, z: np.ndarray, w: np.ndarray):
    """The nodes w (n, len(z)) of every shape after Newton's steps, with their scores and slopes."""
    n = params.shape[0]
    flat, zf = _elements(params, z)
    wf = np.array(w, dtype=float).ravel()

    def score(w: np.ndarray, z: np.ndarray, nodes: Any = None) -> tuple[np.ndarray, np.ndarray]:
        return _score_and_slope(kind, w, z, flat if nodes is None else tuple(p[nodes] for p in flat))

    z_at, slope = score(wf, zf)
    newton_steps(wf, zf, z_at, slope, score)
    return wf.reshape(n, -1), z_at.reshape(n, -1), slope.reshape(n, -1)


def _hermite_rows(x: np.ndarray, y: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """:func:`somrisk._quantile_tables.hermite_coefficients` of every row of y and slope (n, m)
    on the grid x (m,): (n, m - 1, 4)."""
    h = np.diff(x)
    delta = np.diff(y, axis=1) / h
    m0, m1 = slope[:, :-1], slope[:, 1:]
    return np.stack([(m0 + m1 - 2 * delta) / h**2, (3 * delta - 2 * m0 - m1) / h, m0, y[:, :-1]], axis=2)


def _first_last(good: np.ndarray, centre: int) -> tuple[int, int]:
    """The run of good entries around `centre` (first, last), as the one-table code finds it."""
    bad_left = np.flatnonzero(~good[: centre + 1])
    bad_right = np.flatnonzero(~good[centre:])
    first = int(bad_left[-1]) + 1 if bad_left.size else 0
    last = centre + int(bad_right[0]) - 1 if bad_right.size else good.size - 1
    return first, last


def _tail_tables(kind: str, params: np.ndarray, size: int):
    """The tail tables of every shape (rows of `params`) on the grid of `size` intervals: for each,
    (coef, z0, inv_h, first, last) or None where it fails (as the one-table code)."""
    n = params.shape[0]
    z = np.linspace(-Z_LIMIT, Z_LIMIT, size + 1)
    h = z[1] - z[0]
    coarse, between = _start_nodes(size)
    with np.errstate(all="ignore"):
        w_c, z_at_c, slope_c = _polished(kind, params, z[coarse], _scipy_starts(kind, params, z[coarse]))
        w_b = hermite_between(w_c, slope_c, h, START_STRIDE).reshape(n, -1)
        again = np.nonzero(~np.isfinite(w_b))
        if again[0].size:
            w_b[again] = _scipy_starts(kind, params[again[0]], z[between][again[1]], pairs=True)
        w_b, z_at_b, slope_b = _polished(kind, params, z[between], w_b)
    w, z_at, slope = (np.empty((n, size + 1)) for _ in range(3))
    w[:, coarse], z_at[:, coarse], slope[:, coarse] = w_c, z_at_c, slope_c
    w[:, between], z_at[:, between], slope[:, between] = w_b, z_at_b, slope_b
    good = np.isfinite(w) & np.isfinite(slope) & (np.abs(z_at - z) <= 1e-6)
    centre = size // 2
    ranges: list[tuple[int, int] | None] = []
    for row in range(n):
        first, last = _first_last(good[row], centre)
        ok = not (last - first < 2 or special.ndtr(z[first]) > 1e-9 or special.ndtr(-z[last]) > 1e-9)
        ranges.append((first, last) if ok else None)
    # the cubics of every interval (element by element as on each table's own run), then zeroed
    # outside each table's run
    with np.errstate(all="ignore"):
        coef = _hermite_rows(z, w, slope)
    valid = np.zeros((n, size), dtype=bool)
    for row, run in enumerate(ranges):
        if run is not None:
            valid[row, run[0] : run[1]] = True
    coef[~valid] = 0.0
    rows, mids = np.nonzero(valid)
    w_mid = _horner(coef[rows, mids], 0.5 * h)
    error = _error(kind, w_mid, z[mids] + 0.5 * h, tuple(params[rows, k] for k in range(params.shape[1])))
    passed = np.abs(error) <= TABLE_TOLERANCE
    failed = np.zeros(n, dtype=bool)
    np.logical_or.at(failed, rows, ~passed)
    return [
        None if run is None or failed[row] else (coef[row], float(z[0]), 1.0 / h, run[0], run[1] - 1)
        for row, run in enumerate(ranges)
    ]


def _central_tables(kind: str, params: np.ndarray, tails: list[tuple]) -> list[tuple[np.ndarray, int, int]]:
    """The central table of each shape from its tail table (as the one-table code)."""
    K = CENTRAL_INTERVALS
    u = np.arange(1, K) / K
    z = special.ndtri(u)
    coef_tail = np.stack([t[0] for t in tails])
    z0 = np.array([t[1] for t in tails])[:, None]
    inv_h = np.array([t[2] for t in tails])[:, None]
    first = np.array([t[3] for t in tails])[:, None]
    last = np.array([t[4] for t in tails])[:, None]
    h = 1.0 / inv_h
    i = np.clip(((z - z0) * inv_h).astype(np.int64), first, last)
    t = z - (z0 + i * h)
    c = coef_tail[np.arange(len(tails))[:, None], i]
    w = _horner(c, t)
    dw_dz = (3.0 * c[..., 0] * t + 2.0 * c[..., 1]) * t + c[..., 2]
    if kind == "beta":
        x = special.expit(w)
        dx_dw = x * special.expit(-w)
    else:
        x = dx_dw = np.exp(w)
    dx_du = dx_dw * dw_dz / np.exp(_log_normal_density(z))
    coef = np.zeros((len(tails), K, 4))
    coef[:, 1 : K - 1] = _hermite_rows(u, x, dx_du)
    mid = (np.arange(1, K - 1) + 0.5) / K
    lower, _ = _sides(
        kind, tuple(np.repeat(params[:, k : k + 1], K - 2, axis=1) for k in range(params.shape[1]))
    )
    with np.errstate(all="ignore"):
        ok = np.abs(lower.cdf(_horner(coef[:, 1 : K - 1], 0.5 / K)) - mid) <= TABLE_TOLERANCE
    centre = K // 2
    out = []
    for row in range(len(tails)):
        good = np.concatenate([[False], ok[row], [False]])
        if not good[centre]:
            out.append((coef[row], 1, 0))
            continue
        bad_left = np.flatnonzero(~good[:centre])
        bad_right = np.flatnonzero(~good[centre:])
        out.append((coef[row], int(bad_left[-1]) + 1, centre + int(bad_right[0]) - 1))
    return out


def build_tables(kind: str, shapes: list[tuple[float, ...]]) -> list[QuantileTable | None]:
    """The tables of ``beta`` (a, b) or ``gamma`` (shape,) for every shape, equal bit for bit to
    :func:`somrisk._quantile_tables.build_table`'s; None where it cannot be made."""
    if not shapes:
        return []
    params = np.array(shapes, dtype=float).reshape(len(shapes), -1)
    space = "logit" if kind == "beta" else "log"
    tails = _tail_tables(kind, params, _TAIL_SIZES[0])
    made = [k for k, tail in enumerate(tails) if tail is not None]
    centrals = _central_tables(kind, params[made], [tails[k] for k in made]) if made else []
    tables: list[QuantileTable | None] = [None] * len(shapes)
    for k, (central, c_first, c_last) in zip(made, centrals, strict=True):
        coef, z0, inv_h, first, last = tails[k]  # type: ignore[misc]
        tables[k] = QuantileTable(space, coef, z0, inv_h, first, last, central, c_first, c_last)
    for k, tail in enumerate(tails):
        if tail is None:
            tables[k] = build_table(kind, shapes[k])
    return tables
