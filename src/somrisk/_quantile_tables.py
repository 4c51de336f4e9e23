"""Quantile tables for beta (and PERT) and gamma distributions, built from scipy and checked by it.

scipy's ``ppf`` for these families costs about a microsecond a value; a table costs a few
nanoseconds. A table is two cubic Hermite interpolants of the standard form's quantile function:

- the *tail table* gives w = logit(x) (beta) or log(x) (gamma) as a function of the normal score
  z = ndtri(u) on a uniform grid in z over [-8.3, 8.3]; in these coordinates the quantile is smooth
  even for shapes below 1 and in the far tails. Every eighth node starts from scipy's quantile on
  the side where it is exact, the nodes between them from the cubic through those (scipy's
  quantile costs five times its CDF); all are polished by Newton steps on scipy's log-CDF until
  ndtri(F(x)) is within 1e-12 of the node's z; slopes come from the pdf.
- the *central table* gives x as a function of u on a uniform grid in u, so that most draws need no
  ndtri and no exp; its nodes and slopes come from the tail table.

Every interval of both tables is checked against scipy's CDF at its midpoint (|F(x) - u| <= 1e-10,
a hundredth of the accuracy promised); central intervals that fail are left to the tail table, and
a distribution whose tail table fails is left to scipy's own ppf (:func:`build_table` returns None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

__all__ = [
    "CENTRAL_INTERVALS",
    "TABLE_TOLERANCE",
    "Z_LIMIT",
    "QuantileTable",
    "build_table",
    "hermite_coefficients",
    "normal_table",
]

#: Tail table range in normal scores; Phi(-8.3) = 5e-17 lies below the smallest step of u near 1.
Z_LIMIT = 8.3
#: Tolerance of both tables against scipy's CDF at every interval's midpoint.
TABLE_TOLERANCE = 1e-10
#: Intervals of the central table (uniform in u).
CENTRAL_INTERVALS = 1024
_TAIL_SIZES = (512, 2048, 8192)
_NEWTON_STEPS = 8
#: scipy's quantile starts every START_STRIDE-th node of a tail table (the others: a cubic).
START_STRIDE = 8


def _start_nodes(size: int) -> tuple[np.ndarray, np.ndarray]:
    """The nodes of a tail grid of `size` intervals that start from scipy's quantile, and the
    others (between them, in grid order)."""
    nodes = np.arange(size + 1)
    return nodes[::START_STRIDE], nodes[nodes % START_STRIDE != 0]


@dataclass(frozen=True, eq=False)
class QuantileTable:
    """Coefficients of the two interpolants of a standard beta (``logit``) or gamma (``log``).

    ``tail[i]`` holds the cubic on [z0 + i h, z0 + (i + 1) h] in powers of (z - z_i), highest first;
    intervals outside [first, last] are unused (clamped). ``central[k]`` holds the cubic for x on
    [k / K, (k + 1) / K] in powers of (u - k / K); only k in [central_first, central_last] are valid.
    """

    space: str
    tail: np.ndarray
    z0: float
    inv_h: float
    first: int
    last: int
    central: np.ndarray
    central_first: int
    central_last: int


class _Beta:
    """The standard beta distribution through the scipy.special functions scipy.stats.beta uses."""

    def __init__(self, a: float, b: float) -> None:
        self.a, self.b = a, b

    def ppf(self, u: Any) -> Any:
        return special.betaincinv(self.a, self.b, u)

    def cdf(self, x: Any) -> Any:
        return special.betainc(self.a, self.b, x)

    def logcdf(self, x: Any) -> Any:
        return np.log(special.betainc(self.a, self.b, x))

    def logpdf(self, x: Any) -> Any:
        a, b = self.a, self.b
        return special.xlogy(a - 1, x) + special.xlog1py(b - 1, -x) - special.betaln(a, b)


class _Gamma:
    """The standard gamma distribution through scipy.special (as scipy.stats.gamma)."""

    def __init__(self, shape: float) -> None:
        self.k = shape

    def ppf(self, u: Any) -> Any:
        return special.gammaincinv(self.k, u)

    def isf(self, q: Any) -> Any:
        return special.gammainccinv(self.k, q)

    def cdf(self, x: Any) -> Any:
        return special.gammainc(self.k, x)

    def sf(self, x: Any) -> Any:
        return special.gammaincc(self.k, x)

    def logcdf(self, x: Any) -> Any:
        return np.log(special.gammainc(self.k, x))

    def logsf(self, x: Any) -> Any:
        return np.log(special.gammaincc(self.k, x))

    def logpdf(self, x: Any) -> Any:
        return special.xlogy(self.k - 1, x) - x - special.gammaln(self.k)


def hermite_coefficients(x: np.ndarray, y: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Cubic Hermite interpolant through (x, y) with the given slopes, as in scipy's
    CubicHermiteSpline: row i holds the cubic on [x_i, x_{i+1}] in powers of (x - x_i), highest
    first. (Four formulas; importing scipy.interpolate would cost a third of a second.)"""
    h = np.diff(x)
    delta = np.diff(y) / h
    m0, m1 = slope[:-1], slope[1:]
    return np.stack([(m0 + m1 - 2 * delta) / h**2, (3 * delta - 2 * m0 - m1) / h, m0, y[:-1]], axis=1)


def normal_table() -> tuple[np.ndarray, int, int]:
    """Central table of the standard normal quantile: x(u) cubic on a uniform grid in u.

    Returns the coefficients (CENTRAL_INTERVALS, 4) and the first and last interval that pass the
    check against scipy's normal CDF at every midpoint (outside them, AS241 is used).
    """
    K = CENTRAL_INTERVALS
    u = np.arange(1, K) / K
    x = special.ndtri(u)
    coef = np.zeros((K, 4))
    coef[1 : K - 1] = hermite_coefficients(u, x, 1.0 / np.exp(_log_normal_density(x)))
    mid = (np.arange(1, K - 1) + 0.5) / K
    good = np.concatenate(
        [
            [False],
            np.abs(special.ndtr(_horner(coef[1 : K - 1], 0.5 / K)) - mid) <= TABLE_TOLERANCE,
            [False],
        ]
    )
    centre = K // 2
    bad_left, bad_right = np.flatnonzero(~good[:centre]), np.flatnonzero(~good[centre:])
    return coef, int(bad_left[-1]) + 1, centre + int(bad_right[0]) - 1


def _log_normal_density(z: np.ndarray) -> np.ndarray:
    return -0.5 * z * z - 0.5 * np.log(2 * np.pi)


def build_table(kind: str, params: tuple[float, ...]) -> QuantileTable | None:
    """The table of ``beta`` (a, b, ...) or ``gamma`` (shape, ...); None where it cannot be made."""
    lower: Any
    upper: Any
    if kind == "beta":
        lower, upper = (
            _Beta(params[0], params[1]),
            _Beta(params[1], params[0]),
        )  # 1 - X ~ Beta(b, a)
        space = "logit"
    else:
        lower = upper = _Gamma(params[0])
        space = "log"
    for size in _TAIL_SIZES:
        tail = _tail_table(space, lower, upper, size)
        if tail is not None:
            coef, z0, inv_h, first, last = tail
            central, c_first, c_last = _central_table(space, coef, z0, inv_h, first, last, lower)
            return QuantileTable(space, coef, z0, inv_h, first, last, central, c_first, c_last)
    return None


def _score_and_slope(space: str, w: np.ndarray, z: np.ndarray, lower: Any, upper: Any):
    """Normal score ndtri(F(x(w))) and dw/dz at x(w); each tail computed from its own side."""
    # each side's functions only at that side's nodes (scipy's incomplete beta and gamma are most
    # of the cost of a table); element by element the same numbers as evaluating both everywhere
    left = z <= 0
    right = ~left
    log_tail = np.empty_like(w)
    if space == "logit":
        x, y = special.expit(w), special.expit(-w)  # x and 1 - x, both exact
        log_tail[left], log_tail[right] = lower.logcdf(x[left]), upper.logcdf(y[right])
        log_density = np.empty_like(w)
        log_density[left], log_density[right] = lower.logpdf(x[left]), upper.logpdf(y[right])
        log_density = log_density + np.log(x) + np.log(y)
    else:
        x = np.exp(w)
        log_tail[left], log_tail[right] = lower.logcdf(x[left]), lower.logsf(x[right])
        log_density = lower.logpdf(x) + w
    z_at = np.where(z <= 0, special.ndtri_exp(log_tail), -special.ndtri_exp(log_tail))
    return z_at, np.exp(_log_normal_density(z_at) - log_density)


def scipy_start(space: str, z: np.ndarray, sides: Any) -> np.ndarray:
    """w at the normal scores z from scipy's quantile, on the side of the median where it is exact
    (and only there: scipy's inverse is five times its CDF's cost). ``sides(where)`` gives the
    (lower, upper) distributions of the scores z[where] (one shape, or one per score)."""
    left = z <= 0
    w = np.empty_like(z)
    lower, _ = sides(left)
    _, upper = sides(~left)
    if space == "logit":
        x_lo, y_hi = lower.ppf(special.ndtr(z[left])), upper.ppf(special.ndtr(-z[~left]))
        w[left] = np.log(x_lo) - np.log1p(-x_lo)
        w[~left] = np.log1p(-y_hi) - np.log(y_hi)
    else:
        w[left] = np.log(lower.ppf(special.ndtr(z[left])))
        w[~left] = np.log(upper.isf(special.ndtr(-z[~left])))
    return w


def hermite_between(y: np.ndarray, slope: np.ndarray, h: float, stride: int) -> np.ndarray:
    """The cubic Hermite interpolant through the nodes y (spacing h * stride, slopes dy/dz) at the
    stride - 1 points between each pair of nodes (spacing h), in grid order: (..., m - 1, stride - 1)
    for y of shape (..., m)."""
    t = np.arange(1, stride) / stride
    t2, t3 = t * t, t * t * t
    big_h = h * stride
    y0, y1 = y[..., :-1, None], y[..., 1:, None]
    m0, m1 = slope[..., :-1, None], slope[..., 1:, None]
    return (
        (2 * t3 - 3 * t2 + 1) * y0
        + (t3 - 2 * t2 + t) * big_h * m0
        + (3 * t2 - 2 * t3) * y1
        + (t3 - t2) * big_h * m1
    )


def newton_steps(w: np.ndarray, z: np.ndarray, z_at: np.ndarray, slope: np.ndarray, score: Any) -> None:
    """Newton steps on ndtri(F(x(w))) = z, in place, where needed (scipy's ppf can be inaccurate
    far in the tails or for extreme shapes, its log-CDF is not; a node between scipy's starts
    needs one step). ``score(w, z, nodes)`` gives (z_at, slope) at the listed nodes."""
    for _ in range(_NEWTON_STEPS):
        todo = np.flatnonzero(np.isfinite(z_at) & np.isfinite(slope) & (np.abs(z_at - z) > 1e-12))
        if todo.size == 0:
            break
        w[todo] -= (z_at[todo] - z[todo]) * slope[todo]
        z_at[todo], slope[todo] = score(w[todo], z[todo], todo)


def _tail_table(space: str, lower: Any, upper: Any, size: int):
    z = np.linspace(-Z_LIMIT, Z_LIMIT, size + 1)
    h = z[1] - z[0]
    coarse, between = _start_nodes(size)

    def score(w: np.ndarray, z: np.ndarray, _nodes: Any = None) -> tuple[np.ndarray, np.ndarray]:
        return _score_and_slope(space, w, z, lower, upper)

    def sides(_where: Any) -> tuple[Any, Any]:
        return lower, upper

    with np.errstate(all="ignore"):
        # scipy's quantile at every START_STRIDE-th node, polished; between them the cubic through
        # those nodes (scipy's quantile where it is not finite), polished
        w_c = scipy_start(space, z[coarse], sides)
        z_at_c, slope_c = score(w_c, z[coarse])
        newton_steps(w_c, z[coarse], z_at_c, slope_c, score)
        w_b = hermite_between(w_c, slope_c, h, START_STRIDE).ravel()
        again = ~np.isfinite(w_b)
        w_b[again] = scipy_start(space, z[between][again], sides)
        z_at_b, slope_b = score(w_b, z[between])
        newton_steps(w_b, z[between], z_at_b, slope_b, score)
    w, z_at, slope = np.empty_like(z), np.empty_like(z), np.empty_like(z)
    w[coarse], z_at[coarse], slope[coarse] = w_c, z_at_c, slope_c
    w[between], z_at[between], slope[between] = w_b, z_at_b, slope_b
    # Keep the run of accurate nodes around z = 0 and clamp beyond it (far in the tails the
    # quantile may not be representable as a double).
    good = np.isfinite(w) & np.isfinite(slope) & (np.abs(z_at - z) <= 1e-6)
    centre = size // 2  # z = 0
    bad_left = np.flatnonzero(~good[: centre + 1])
    bad_right = np.flatnonzero(~good[centre:])
    first = int(bad_left[-1]) + 1 if bad_left.size else 0
    last = centre + int(bad_right[0]) - 1 if bad_right.size else size
    if last - first < 2 or special.ndtr(z[first]) > 1e-9 or special.ndtr(-z[last]) > 1e-9:
        return None  # clamping this early would break |F(x) - u| <= 1e-8
    coef = np.zeros((size, 4))
    coef[first:last] = hermite_coefficients(z[first : last + 1], w[first : last + 1], slope[first : last + 1])
    mid = np.arange(first, last)
    w_mid = _horner(coef[mid], 0.5 * h)
    if not np.all(np.abs(_error(space, w_mid, z[mid] + 0.5 * h, lower, upper)) <= TABLE_TOLERANCE):
        return None
    return coef, float(z[0]), 1.0 / h, first, last - 1


def _horner(coef: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    return ((coef[..., 0] * t + coef[..., 1]) * t + coef[..., 2]) * t + coef[..., 3]


def _error(space: str, w: np.ndarray, z: np.ndarray, lower: Any, upper: Any) -> np.ndarray:
    """F(x(w)) - u for u = ndtr(z), computed on the side of the median where it is exact."""
    left = z <= 0
    error = np.empty_like(w)
    with np.errstate(all="ignore"):
        if space == "logit":
            error[left] = lower.cdf(special.expit(w[left])) - special.ndtr(z[left])
            error[~left] = upper.cdf(special.expit(-w[~left])) - special.ndtr(-z[~left])
        else:
            error[left] = lower.cdf(np.exp(w[left])) - special.ndtr(z[left])
            error[~left] = upper.sf(np.exp(w[~left])) - special.ndtr(-z[~left])
    return error


def _central_table(
    space: str, tail: np.ndarray, z0: float, inv_h: float, first: int, last: int, lower: Any
) -> tuple[np.ndarray, int, int]:
    """x(u) on a uniform grid in u, from the tail table; the run of intervals that pass the check."""
    K = CENTRAL_INTERVALS
    u = np.arange(1, K) / K
    z = special.ndtri(u)
    h = 1.0 / inv_h
    i = np.clip(((z - z0) * inv_h).astype(np.int64), first, last)
    t = z - (z0 + i * h)
    c = tail[i]
    w = _horner(c, t)
    dw_dz = (3.0 * c[:, 0] * t + 2.0 * c[:, 1]) * t + c[:, 2]
    if space == "logit":
        x = special.expit(w)
        dx_dw = x * special.expit(-w)
    else:
        x = dx_dw = np.exp(w)
    dx_du = dx_dw * dw_dz / np.exp(_log_normal_density(z))
    coef = np.zeros((K, 4))
    coef[1 : K - 1] = hermite_coefficients(u, x, dx_du)
    mid = (np.arange(1, K - 1) + 0.5) / K
    with np.errstate(all="ignore"):
        ok = np.abs(lower.cdf(_horner(coef[1 : K - 1], 0.5 / K)) - mid) <= TABLE_TOLERANCE
    good = np.concatenate([[False], ok, [False]])
    centre = K // 2
    if not good[centre]:
        return coef, 1, 0  # empty: every draw goes through the tail table
    bad_left = np.flatnonzero(~good[:centre])
    bad_right = np.flatnonzero(~good[centre:])
    return coef, int(bad_left[-1]) + 1, centre + int(bad_right[0]) - 1
