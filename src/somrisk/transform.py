"""Stage 4: uniforms -> input values, through each input's inverse CDF, fast and held to scipy.

scipy.stats is the reference for every distribution; its ``ppf`` is exact but slow for beta, PERT
and gamma (about a microsecond a value). Each canonical form names its route in :data:`ROUTES`
(its declaration in :mod:`somrisk.distributions`); the routes are compiled inverses:

- closed forms for uniform, triangular, normal, lognormal and truncated normal, using the standard
  normal quantile: a cubic table on a u-grid in the centre, checked against scipy's CDF when it is
  built, and Wichura's algorithm AS241 elsewhere (relative error about 1e-16; tested against
  scipy.special.ndtri);
- beta, PERT and gamma: quantile tables built from scipy and checked against scipy's CDF before use
  (:mod:`somrisk._quantile_tables`); a distribution without a table uses scipy's own ``ppf``;
- empirical: the generalised inverse of the empirical CDF;
- smd: the normal quantile of a standardised mean difference d, converted to the effect e;
- ``scipy``: scipy's own ``ppf``, for a form without a compiled inverse.

Draws are clipped to the input's range (case-format.md allows at most 1e-6 of the probability
outside it). The compiled loop runs over chunks of rows and, within a chunk, column by column, so
that each column's kind is decided once per chunk.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import numba
import numpy as np
from scipy import special

from somrisk._quantile_batch import build_tables
from somrisk._quantile_tables import CENTRAL_INTERVALS, QuantileTable, build_table, normal_table
from somrisk.distributions import Canonical, Distribution, to_scipy
from somrisk.distributions.forms import LOGIT_PER_SMD
from somrisk.distributions.scaled import unscaled
from somrisk.space import InputSpace

__all__ = ["ROUTES", "InverseCdf", "Transform", "inverse_cdf", "ndtri", "ppf", "prepare_tables"]

# Kinds of compiled inverse.
UNIFORM, TRIANGULAR, NORMAL, LOGNORMAL, TRUNCNORMAL, BETA_TABLE, GAMMA_TABLE, EMPIRICAL, SCIPY, SMD = range(
    10
)
N_PARAMS = 10
_CHUNK = 256
#: The standard normal quantile on a u-grid for the centre (AS241 outside it): coefficients, and
#: the first and last valid interval. Checked against scipy's CDF when built, here at import.
NORMAL_TABLE, NORMAL_FIRST, NORMAL_LAST = normal_table()
_NORMAL_RANGE = np.array([NORMAL_FIRST, NORMAL_LAST], dtype=np.int64)


@numba.njit(cache=True, nogil=True, inline="always")
def _horner(x, c7, c6, c5, c4, c3, c2, c1, c0):  # pragma: no cover - compiled
    """c7 x^7 + c6 x^6 + ... + c0."""
    return ((((((c7 * x + c6) * x + c5) * x + c4) * x + c3) * x + c2) * x + c1) * x + c0


@numba.njit(cache=True, nogil=True)
def ndtri(p: float) -> float:
    """Standard normal quantile, Wichura (1988) algorithm AS241 (PPND16); -inf at 0, inf at 1."""
    if not 0.0 < p < 1.0:
        return -math.inf if p <= 0.0 else math.inf if p >= 1.0 else math.nan
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        num = _horner(
            r,
            2.5090809287301226727e3,
            3.3430575583588128105e4,
            6.7265770927008700853e4,
            4.5921953931549871457e4,
            1.3731693765509461125e4,
            1.9715909503065514427e3,
            1.3314166789178437745e2,
            3.3871328727963666080e0,
        )
        den = _horner(
            r,
            5.2264952788528545610e3,
            2.8729085735721942674e4,
            3.9307895800092710610e4,
            2.1213794301586595867e4,
            5.3941960214247511077e3,
            6.8718700749205790830e2,
            4.2313330701600911252e1,
            1.0,
        )
        return q * num / den
    r = math.sqrt(-math.log(p if q < 0.0 else 1.0 - p))
    if r <= 5.0:
        r -= 1.6
        num = _horner(
            r,
            7.74545014278341407640e-4,
            2.27238449892691845833e-2,
            2.41780725177450611770e-1,
            1.27045825245236838258e0,
            3.64784832476320460504e0,
            5.76949722146069140550e0,
            4.63033784615654529590e0,
            1.42343711074968357734e0,
        )
        den = _horner(
            r,
            1.05075007164441684324e-9,
            5.47593808499534494600e-4,
            1.51986665636164571966e-2,
            1.48103976427480074590e-1,
            6.89767334985100004550e-1,
            1.67638483018380384940e0,
            2.05319162663775882187e0,
            1.0,
        )
    else:
        r -= 5.0
        num = _horner(
            r,
            2.01033439929228813265e-7,
            2.71155556874348757815e-5,
            1.24266094738807843860e-3,
            2.65321895265761230930e-2,
            2.96560571828504891230e-1,
            1.78482653991729133580e0,
            5.46378491116411436990e0,
            6.65790464350110377720e0,
        )
        den = _horner(
            r,
            2.04426310338993978564e-15,
            1.42151175831644588870e-7,
            1.84631831751005468180e-5,
            7.86869131145613259100e-4,
            1.48753612908506148525e-2,
            1.36929880922735805310e-1,
            5.99832206555887937690e-1,
            1.0,
        )
    value = num / den
    return -value if q < 0.0 else value


@numba.njit(cache=True, nogil=True)
def _normal_quantiles(v, z, normal, first, last, pending):  # pragma: no cover - compiled
    """z[i] = ndtri(v[i]): the central table where it is valid, AS241 elsewhere (two passes, so
    that the hot loop has no call)."""
    intervals = normal.shape[0]
    n_tail = 0
    for i in range(v.shape[0]):
        scaled = v[i] * intervals
        k = int(scaled)
        if first <= k <= last:
            t = (scaled - k) / intervals
            z[i] = ((normal[k, 0] * t + normal[k, 1]) * t + normal[k, 2]) * t + normal[k, 3]
        else:
            pending[n_tail] = i
            n_tail += 1
    for m in range(n_tail):
        z[pending[m]] = ndtri(v[pending[m]])


@numba.njit(cache=True, nogil=True)
def _column(  # noqa: C901 - one branch per kind of inverse CDF
    kind, p, u, out, tail, central, flat, normal, normal_range, pending, aux
):  # pragma: no cover
    """out[i] = F^-1(u[i]) for one column of one chunk (u, out: 1-d views; pending, aux: scratch)."""
    n = u.shape[0]
    first, last = normal_range[0], normal_range[1]
    if kind == UNIFORM:
        for i in range(n):
            out[i] = p[0] + (p[1] - p[0]) * u[i]
    elif kind == TRIANGULAR:
        lo, mode, hi = p[0], p[1], p[2]
        for i in range(n):
            if u[i] * (hi - lo) < mode - lo:
                out[i] = lo + math.sqrt(u[i] * (hi - lo) * (mode - lo))
            else:
                out[i] = hi - math.sqrt((1.0 - u[i]) * (hi - lo) * (hi - mode))
    elif kind == NORMAL:
        _normal_quantiles(u, out, normal, first, last, pending)
        for i in range(n):
            out[i] = p[0] + p[1] * out[i]
    elif kind == LOGNORMAL:
        _normal_quantiles(u, out, normal, first, last, pending)
        for i in range(n):
            out[i] = math.exp(p[0] + p[1] * out[i])
    elif kind == TRUNCNORMAL:
        # p: mean, sd, P(Z <= a), P(Z > b), P(a < Z <= b) for the standardised bounds a, b. The
        # quantile is taken from the lower tail below the median and from the upper tail above
        # it, so that the argument of ndtri never loses its small digits.
        for i in range(n):
            lower = p[2] + u[i] * p[4]
            if lower <= 0.5:
                aux[i], out[i] = 1.0, lower
            else:
                aux[i], out[i] = -1.0, p[3] + (1.0 - u[i]) * p[4]
        _normal_quantiles(out[:n], out, normal, first, last, pending)
        for i in range(n):
            out[i] = p[0] + p[1] * aux[i] * out[i]
    elif kind in (BETA_TABLE, GAMMA_TABLE):
        # p: loc, scale, table row, z0, 1 / spacing of the tail table, its first and last valid
        # interval, first and last valid interval of the central table (see QuantileTable)
        loc, scale, row = p[0], p[1], int(p[2])
        intervals = central.shape[1]
        n_tail = 0
        for i in range(n):  # most draws: x is a cubic in u
            scaled = u[i] * intervals
            k = int(scaled)
            if p[7] <= k <= p[8]:
                t = (scaled - k) / intervals
                c = ((central[row, k, 0] * t + central[row, k, 1]) * t + central[row, k, 2]) * t
                out[i] = loc + scale * (c + central[row, k, 3])
            else:
                pending[n_tail] = i
                n_tail += 1
        h = 1.0 / p[4]
        z_lo, z_hi = p[3] + p[5] * h, p[3] + (p[6] + 1.0) * h
        for m in range(n_tail):  # the tails: w = logit(x) or log(x) as a cubic in z = ndtri(u)
            i = pending[m]
            z = min(max(ndtri(u[i]), z_lo), z_hi)
            j = min(max(int((z - p[3]) * p[4]), int(p[5])), int(p[6]))
            t = z - (p[3] + j * h)
            w = ((tail[row, j, 0] * t + tail[row, j, 1]) * t + tail[row, j, 2]) * t + tail[row, j, 3]
            if kind == BETA_TABLE:
                out[i] = loc + scale / (1.0 + math.exp(-w))
            else:
                out[i] = loc + scale * math.exp(w)
    elif kind == SMD:
        # p: mean and sd of d, p0, logit(p0), pi / sqrt(3); e = expit(logit(p0) + d pi / sqrt(3)) - p0
        _normal_quantiles(u, out, normal, first, last, pending)
        for i in range(n):
            t = p[3] + p[4] * (p[0] + p[1] * out[i])
            if t >= 0.0:
                p1 = 1.0 / (1.0 + math.exp(-t))
            else:
                w = math.exp(t)
                p1 = w / (1.0 + w)
            out[i] = p1 - p[2]
    elif kind == EMPIRICAL:  # p: offset into flat, count
        m = int(p[1])
        for i in range(n):
            k = min(max(math.ceil(u[i] * m) - 1, 0), m - 1)
            out[i] = flat[int(p[0]) + k]


@numba.njit(cache=True, nogil=True)
def _transform(
    u, kinds, params, tail, central, flat, normal, normal_range, lo, hi, out
):  # pragma: no cover - compiled
    """out[i, j] = clip(F_j^-1(u[i, j]), lo[j], hi[j]) for every column of a compiled kind.

    u, out : float64 (n, d); kinds : int64 (d,); params : float64 (d, N_PARAMS);
    tail, central : float64 (tables, intervals, 4); flat : values of the empirical inputs;
    normal : float64 (intervals, 4), normal_range : int64 (2,), the standard normal's table;
    lo, hi : float64 (d,), the inputs' ranges.
    """
    n, d = u.shape
    col_u = np.empty(_CHUNK)
    chunk_x = np.empty((d, _CHUNK))
    pending = np.empty(_CHUNK, dtype=np.int64)
    aux = np.empty(_CHUNK)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        m = stop - start
        for j in range(d):
            if kinds[j] == SCIPY:
                continue
            for i in range(m):
                col_u[i] = u[start + i, j]
            _column(
                kinds[j],
                params[j],
                col_u[:m],
                chunk_x[j, :m],
                tail,
                central,
                flat,
                normal,
                normal_range,
                pending,
                aux,
            )
        # written row by row: `out` may be a case's columns of a portfolio chunk's wide array,
        # whose rows lie many pages apart (column by column, every value was a cache miss)
        for i in range(m):
            for j in range(d):
                if kinds[j] != SCIPY:
                    out[start + i, j] = min(max(chunk_x[j, i], lo[j]), hi[j])


@dataclass(frozen=True, eq=False)
class InverseCdf:
    """A compiled inverse CDF: its kind, parameters and, for tables, the coefficients."""

    kind: int
    params: tuple[float, ...]
    tail: np.ndarray | None = None
    central: np.ndarray | None = None
    values: np.ndarray | None = None


def _pad(p: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(float(x) for x in p) + (0.0,) * (N_PARAMS - len(p))


def _closed_form(kind: int, p: tuple[float, ...]) -> InverseCdf:
    """uniform (lo, hi), triangular (lo, mode, hi), normal (mean, sd), lognormal (mu, sigma)."""
    return InverseCdf(kind, _pad(p))


def _truncnormal(p: tuple[float, ...]) -> InverseCdf:
    """From (mean, sd, lo, hi): the probabilities below and above the bounds and between them."""
    mean, sd, lo, hi = p
    a, b = (lo - mean) / sd, (hi - mean) / sd
    mass = special.ndtr(-a) - special.ndtr(-b) if a > 0 else special.ndtr(b) - special.ndtr(a)
    return InverseCdf(TRUNCNORMAL, _pad((mean, sd, special.ndtr(a), special.ndtr(-b), mass)))


def _smd(p: tuple[float, ...]) -> InverseCdf:
    """From (mean, sd, p0) of a standardised mean difference: the normal quantile of d, converted
    (model.md: monotone in d, so the quantile of e is the conversion of d's)."""
    mean, sd, p0 = p
    return InverseCdf(SMD, _pad((mean, sd, p0, float(special.logit(p0)), LOGIT_PER_SMD)))


def _empirical(p: tuple[float, ...]) -> InverseCdf:
    """From the sorted values."""
    return InverseCdf(EMPIRICAL, _pad(()), values=np.asarray(p, dtype=float))


def _scipy(p: tuple[float, ...]) -> InverseCdf:
    """scipy's own ppf, column by column after the compiled loop."""
    return InverseCdf(SCIPY, _pad(()))


#: Tables built, by (family, shape); at most _TABLES_KEPT, the oldest dropped first.
_TABLES: dict[tuple[str, tuple[float, ...]], QuantileTable | None] = {}
_TABLES_LOCK = threading.Lock()
_TABLES_KEPT = 4096
#: Shapes per call of :func:`somrisk._quantile_batch.build_tables` (long arrays, bounded memory).
_TABLE_BATCH = 128
_MISSING = object()


def _keep_table(key: tuple[str, tuple[float, ...]], table: QuantileTable | None) -> None:
    with _TABLES_LOCK:
        _TABLES[key] = table
        while len(_TABLES) > _TABLES_KEPT:
            del _TABLES[next(iter(_TABLES))]


def _standard_table(space: str, shape: tuple[float, ...]) -> QuantileTable | None:
    """The table of a standard beta (a, b) or gamma (shape), built once per shape: inputs that
    differ only in location and scale (PERTs of the same skew, prices in other units) share it."""
    key = (space, shape)
    table = _TABLES.get(key, _MISSING)  # one lookup: another thread may drop the key meanwhile
    if table is not _MISSING:
        return table  # type: ignore[return-value]
    table = build_table(space, shape)
    _keep_table(key, table)
    return table


def _table_shape(canonical: Canonical) -> tuple[str, tuple[float, ...]] | None:
    """The (family, standard shape) of the quantile table a form's inverse uses; None if none."""
    route = canonical.form.inverse
    if route == "beta table":
        return "beta", tuple(canonical.params[:2])
    if route == "gamma table":
        return "gamma", tuple(canonical.params[:1])
    return None


def prepare_tables(distributions: Iterable[Distribution], *, threads: int = 1) -> None:
    """Build the quantile tables of many distributions at once (batches of shapes on `threads`
    threads), before their transforms need them: the same tables, bit for bit, in less time."""
    wanted: dict[tuple[str, tuple[float, ...]], None] = {}
    for dist in distributions:
        key = _table_shape(unscaled(dist)[0].canonical())
        if key is not None and key not in _TABLES:
            wanted[key] = None
    batches = [
        (space, shapes[i : i + _TABLE_BATCH])
        for space in ("beta", "gamma")
        for shapes in [[shape for kind, shape in wanted if kind == space]]
        for i in range(0, len(shapes), _TABLE_BATCH)
    ]

    def build(batch: tuple[str, list[tuple[float, ...]]]) -> None:
        space, shapes = batch
        for shape, table in zip(shapes, build_tables(space, shapes), strict=True):
            _keep_table((space, shape), table)

    if threads > 1 and len(batches) > 1:
        with ThreadPoolExecutor(min(threads, len(batches))) as pool:
            list(pool.map(build, batches))
    else:
        for batch in batches:
            build(batch)


def _table(space: str, p: tuple[float, ...]) -> InverseCdf:
    """A quantile table of the standard beta (a, b, loc, scale) or gamma (shape, scale); scipy's
    ppf where no table is accurate enough."""
    table = _standard_table(space, tuple(p[:2]) if space == "beta" else tuple(p[:1]))
    if table is None:
        return _scipy(p)
    loc, scale = (p[2], p[3]) if space == "beta" else (0.0, p[1])
    return InverseCdf(
        BETA_TABLE if space == "beta" else GAMMA_TABLE,
        _pad(
            (
                loc,
                scale,
                0.0,
                table.z0,
                table.inv_h,
                table.first,
                table.last,
                table.central_first,
                table.central_last,
            )
        ),
        tail=table.tail,
        central=table.central,
    )


#: The compiled inverse CDFs, by the route name a family's form declares (``Form.inverse``): each
#: turns the form's parameters into the kind and parameters :func:`_column` reads.
ROUTES: dict[str, Callable[[tuple[float, ...]], InverseCdf]] = {
    "uniform": partial(_closed_form, UNIFORM),
    "triangular": partial(_closed_form, TRIANGULAR),
    "normal": partial(_closed_form, NORMAL),
    "lognormal": partial(_closed_form, LOGNORMAL),
    "truncnormal": _truncnormal,
    "beta table": partial(_table, "beta"),
    "gamma table": partial(_table, "gamma"),
    "smd": _smd,
    "empirical": _empirical,
    "scipy": _scipy,
}


@lru_cache(maxsize=4096)
def inverse_cdf(canonical: Canonical) -> InverseCdf:
    """The compiled inverse CDF of a distribution form (built once per form and cached)."""
    route = canonical.form.inverse
    if route is None:
        raise ValueError(f"no inverse CDF for kind {canonical.kind!r}")
    return ROUTES[route](canonical.params)


def ppf(form: Canonical, u: np.ndarray | float) -> np.ndarray:
    """Quantiles of one distribution form at `u` (any shape), through the compiled inverse CDF
    (or scipy's ppf where the form has no table); no clipping to an input's range."""
    inverse = inverse_cdf(form)
    flat = np.ascontiguousarray(np.asarray(u, dtype=float).reshape(-1, 1))
    out = np.empty_like(flat)
    if inverse.kind == SCIPY:
        out[:, 0] = to_scipy(form).ppf(flat[:, 0])
    else:
        tail = np.zeros((1, 1, 4)) if inverse.tail is None else inverse.tail[None]
        central = np.zeros((1, CENTRAL_INTERVALS, 4)) if inverse.central is None else inverse.central[None]
        values = np.zeros(1) if inverse.values is None else inverse.values
        params = np.array([inverse.params])
        if inverse.tail is not None:
            params[0, 2] = 0.0  # the only table row
        if inverse.kind == EMPIRICAL:
            params[0, :2] = 0.0, values.size
        _transform(
            flat,
            np.array([inverse.kind]),
            params,
            tail,
            central,
            values,
            NORMAL_TABLE,
            _NORMAL_RANGE,
            np.array([-np.inf]),
            np.array([np.inf]),
            out,
        )
    return out.reshape(np.shape(u))


class Transform:
    """Maps uniforms (n, d) to the values of the uncertain inputs of an :class:`InputSpace`.

    The compiled inverses (with their quantile tables, a few milliseconds and up to 100 kB each
    for beta, PERT and gamma) are built on the first call, not before: a Dask worker builds those
    of the cases it evaluates, and a pickled Transform holds only the distributions and ranges.
    """

    def __init__(self, space: InputSpace) -> None:
        drawn = [unscaled(dist) for dist in space.distributions]
        self.distributions = tuple(dist for dist, _ in drawn)
        # a scaled input (scenarios, --scale): its own draw, from the same uniform, times the factor
        self.factors = np.array([factor for _, factor in drawn], dtype=float)
        bounds = [space.inputs[i].range.closed for i in space.uncertain]
        self.lo = np.array([b[0] for b in bounds], dtype=float)
        self.hi = np.array([b[1] for b in bounds], dtype=float)
        self._lock = threading.Lock()
        self._compiled: _Compiled | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"distributions": self.distributions, "factors": self.factors, "lo": self.lo, "hi": self.hi}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._compiled = None

    def columns(self, take: np.ndarray) -> Transform:
        """The inverse CDFs of columns `take` only: a column's values depend on its own uniforms
        alone, so these give exactly the values of those columns of the whole transform."""
        part = Transform.__new__(Transform)
        part.__setstate__(
            {
                "distributions": tuple(self.distributions[j] for j in take),
                "factors": self.factors[take],
                "lo": self.lo[take],
                "hi": self.hi[take],
            }
        )
        return part

    def compile(self) -> _Compiled:
        """The compiled inverses of every input (built once, on first use)."""
        with self._lock:
            if self._compiled is None:
                self._compiled = _Compiled.build(self.distributions)
            return self._compiled

    def __call__(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Input values (n, d) for uniforms `u` (n, d); written into `out` when given."""
        compiled = self._compiled if self._compiled is not None else self.compile()
        u = np.ascontiguousarray(u, dtype=float)
        out = np.empty_like(u) if out is None else out
        _transform(
            u,
            compiled.kinds,
            compiled.params,
            compiled.tail,
            compiled.central,
            compiled.flat,
            NORMAL_TABLE,
            _NORMAL_RANGE,
            self.lo,
            self.hi,
            out,
        )
        for j, dist in compiled.fallback.items():
            out[:, j] = np.clip(dist.ppf(u[:, j]), self.lo[j], self.hi[j])
        for j in np.flatnonzero(self.factors != 1.0):
            out[:, j] = np.clip(out[:, j] * self.factors[j], self.lo[j], self.hi[j])
        return out


@dataclass(frozen=True, eq=False)
class _Compiled:
    """The arrays :func:`_transform` reads: each input's kind and parameters, the tables of the
    beta, PERT and gamma inputs (rows padded to the widest), the empirical inputs' values, and
    scipy's distributions for inputs without a compiled inverse."""

    kinds: np.ndarray
    params: np.ndarray
    tail: np.ndarray
    central: np.ndarray
    flat: np.ndarray
    fallback: dict[int, Any]

    @classmethod
    def build(cls, distributions: tuple[Distribution, ...]) -> _Compiled:
        inverses = [inverse_cdf(dist.canonical()) for dist in distributions]
        d = len(inverses)
        kinds = np.array([inv.kind for inv in inverses], dtype=np.int64)
        params = np.array([inv.params for inv in inverses], dtype=float).reshape(d, N_PARAMS)
        tables = [inv for inv in inverses if inv.tail is not None]
        width = max((inv.tail.shape[0] for inv in tables), default=1)  # type: ignore[union-attr]
        tail = np.zeros((max(len(tables), 1), width, 4))
        central = np.zeros((max(len(tables), 1), CENTRAL_INTERVALS, 4))
        flat: list[float] = []
        row = 0
        for j, inv in enumerate(inverses):
            if inv.tail is not None and inv.central is not None:
                tail[row, : inv.tail.shape[0]] = inv.tail
                central[row] = inv.central
                params[j, 2] = row
                row += 1
            if inv.values is not None:
                params[j, 0], params[j, 1] = len(flat), inv.values.size
                flat.extend(inv.values)
        fallback = {j: distributions[j].scipy() for j, inv in enumerate(inverses) if inv.kind == SCIPY}
        return cls(kinds, params, tail, central, np.array(flat or [0.0]), fallback)
