"""Distribution families of case-format.md, as declarations with a scipy.stats twin.

Each family is a small pydantic model: its keys, the parameterisations it accepts (for instance
``mean``/``sd`` or ``estimate``/``ci95``), and the checks on them. Every family reduces to a
:class:`Canonical` form (``beta`` for PERT, ``lognormal`` with mu/sigma for all lognormal forms, ...)
and :func:`to_scipy` turns that into a frozen ``scipy.stats`` distribution: scipy is the reference for
every mean, quantile and CDF. The fast inverse CDF used for sampling lives in :mod:`somrisk.transform`
and is tested against these scipy twins.

:class:`Canonical` also gives the mean and the CDF in closed form, with the scipy.special functions
that scipy.stats itself uses (ndtr, betainc, gammainc); they are tested against the scipy twins.
They keep scipy.stats, whose import takes most of a second, off the path of every command.

This module knows nothing about cases; the case schema uses its :data:`Value` type wherever a number
or a distribution may stand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    model_validator,
)
from scipy import special

__all__ = [
    "FAMILIES",
    "MAX_MAGNITUDE",
    "OUTSIDE_TOLERANCE",
    "Z975",
    "Canonical",
    "Distribution",
    "EmpiricalDistribution",
    "Value",
    "as_distribution",
    "to_scipy",
]

#: 97.5 % quantile of the standard normal, as written in case-format.md.
Z975 = 1.959964

#: Largest size of a number in a case (a thousand times the largest public budget in kroner). The
#: model multiplies participants, amounts, changes, prices and factors and sums them over up to 50
#: years and cohorts; numbers up to this size keep every product and variance far from overflow.
MAX_MAGNITUDE = 1e15
#: Probability outside an input's range (or beyond +-MAX_MAGNITUDE) above which a distribution is
#: refused; within it, draws are clipped.
OUTSIDE_TOLERANCE = 1e-6


def _bounded(x: float) -> float:
    """Pydantic after-validator: a finite number no larger than :data:`MAX_MAGNITUDE`."""
    if not abs(x) <= MAX_MAGNITUDE:
        raise ValueError("must lie in [-1e15, 1e15]: larger numbers overflow the calculation")
    return x


Finite = Annotated[float, Strict(), Field(allow_inf_nan=False), AfterValidator(_bounded)]
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False), AfterValidator(_bounded)]
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False), AfterValidator(_bounded)]
Interval = Annotated[list[Finite], Field(min_length=2, max_length=2)]


@dataclass(frozen=True)
class Canonical:
    """A distribution reduced to one of the forms the samplers know.

    ``kind`` is one of ``fixed`` (params: value), ``uniform`` (lo, hi), ``triangular`` (lo, mode, hi),
    ``normal`` (mean, sd), ``truncnormal`` (mean, sd, lo, hi; lo/hi may be infinite),
    ``lognormal`` (mu, sigma of the log), ``beta`` (a, b, loc, scale), ``gamma`` (shape, scale) or
    ``empirical`` (the sorted values).
    """

    kind: str
    params: tuple[float, ...]

    def mean(self) -> float:
        """The expected value."""
        kind, p = self.kind, self.params
        if kind == "fixed":
            return p[0]
        if kind == "uniform":
            return (p[0] + p[1]) / 2
        if kind == "triangular":
            return (p[0] + p[1] + p[2]) / 3
        if kind == "normal":
            return p[0]
        if kind == "truncnormal":
            mean, sd, lo, hi = p
            a, b = (lo - mean) / sd, (hi - mean) / sd
            return mean + sd * (_phi(a) - _phi(b)) / _normal_mass(a, b)
        if kind == "lognormal":
            return math.exp(p[0] + p[1] ** 2 / 2)
        if kind == "beta":
            return p[2] + p[3] * p[0] / (p[0] + p[1])
        if kind == "gamma":
            return p[0] * p[1]
        return float(np.mean(p))  # empirical

    def cdf(self, x: float) -> float:
        """P(X <= x)."""
        return self._tail(x, upper=False)

    def sf(self, x: float) -> float:
        """P(X > x), computed directly (not as 1 - cdf) so that small tails stay exact."""
        return self._tail(x, upper=True)

    def _tail(self, x: float, upper: bool) -> float:
        kind, p = self.kind, self.params
        if kind in ("fixed", "empirical"):
            values = np.asarray(p)
            return float(np.mean(values > x) if upper else np.mean(values <= x))
        if kind == "uniform":
            below = min(max((x - p[0]) / (p[1] - p[0]), 0.0), 1.0)
        elif kind == "triangular":
            below = _triangular_cdf(x, *p)
        elif kind == "normal":
            z = (x - p[0]) / p[1]
            return float(special.ndtr(-z) if upper else special.ndtr(z))
        elif kind == "truncnormal":
            mean, sd, lo, hi = p
            a, b, z = (lo - mean) / sd, (hi - mean) / sd, (x - mean) / sd
            z = min(max(z, a), b)
            part = _normal_mass(z, b) if upper else _normal_mass(a, z)
            return part / _normal_mass(a, b)
        elif kind == "lognormal":
            if x <= 0:
                return 1.0 if upper else 0.0
            z = (math.log(x) - p[0]) / p[1]
            return float(special.ndtr(-z) if upper else special.ndtr(z))
        elif kind == "beta":
            y = min(max((x - p[2]) / p[3], 0.0), 1.0)
            return float(special.betaincc(p[0], p[1], y) if upper else special.betainc(p[0], p[1], y))
        elif kind == "gamma":
            y = max(x / p[1], 0.0)
            return float(special.gammaincc(p[0], y) if upper else special.gammainc(p[0], y))
        else:
            raise ValueError(f"unknown canonical kind {kind!r}")
        return 1.0 - below if upper else below


def _phi(z: float) -> float:
    return 0.0 if math.isinf(z) else math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _normal_mass(a: float, b: float) -> float:
    """P(a < Z <= b) for a standard normal Z, from the tail where it is exact."""
    if a > 0:
        return float(special.ndtr(-a) - special.ndtr(-b))
    return float(special.ndtr(b) - special.ndtr(a))


def _triangular_cdf(x: float, lo: float, mode: float, hi: float) -> float:
    if x <= lo:
        return 0.0
    if x >= hi:
        return 1.0
    if x <= mode:
        return (x - lo) ** 2 / ((hi - lo) * (mode - lo))
    return 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - mode))


class EmpiricalDistribution:
    """The empirical distribution of a list of values: each value has probability 1/n.

    It mirrors the part of the ``scipy.stats`` frozen-distribution interface that somrisk uses.
    ``ppf`` is the generalised inverse of the empirical CDF, ``min{x : F(x) >= u}``.
    """

    def __init__(self, values: Any) -> None:
        self.values = np.sort(np.asarray(values, dtype=float))

    def cdf(self, x: Any) -> Any:
        return np.searchsorted(self.values, x, side="right") / self.values.size

    def sf(self, x: Any) -> Any:
        return 1.0 - self.cdf(x)

    def ppf(self, u: Any) -> Any:
        n = self.values.size
        index = np.clip(np.ceil(np.asarray(u, dtype=float) * n).astype(np.int64) - 1, 0, n - 1)
        return self.values[index]

    def mean(self) -> float:
        return float(self.values.mean())

    def var(self) -> float:
        return float(self.values.var())

    def std(self) -> float:
        return float(self.values.std())

    def support(self) -> tuple[float, float]:
        return float(self.values[0]), float(self.values[-1])


def to_scipy(canonical: Canonical) -> Any:
    """The frozen ``scipy.stats`` distribution (or :class:`EmpiricalDistribution`) of a form."""
    from scipy import stats  # slow to import: only where a scipy twin is really needed

    kind, p = canonical.kind, canonical.params
    if kind == "fixed":
        return stats.uniform(loc=p[0], scale=0.0)
    if kind == "uniform":
        return stats.uniform(loc=p[0], scale=p[1] - p[0])
    if kind == "triangular":
        return stats.triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])
    if kind == "normal":
        return stats.norm(loc=p[0], scale=p[1])
    if kind == "truncnormal":
        mean, sd, lo, hi = p
        return stats.truncnorm((lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)
    if kind == "lognormal":
        return stats.lognorm(p[1], scale=math.exp(p[0]))
    if kind == "beta":
        return stats.beta(p[0], p[1], loc=p[2], scale=p[3])
    if kind == "gamma":
        return stats.gamma(p[0], scale=p[1])
    if kind == "empirical":
        return EmpiricalDistribution(p)
    raise ValueError(f"unknown canonical kind {kind!r}")


class Distribution(BaseModel):
    """Common part of every family: optional ``base`` (deterministic value) and ``source``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    base: Finite | None = None
    source: str | None = None

    # --- what each family provides -------------------------------------------------------------
    def canonical(self) -> Canonical:  # pragma: no cover - every family overrides it
        raise NotImplementedError

    def _estimate(self) -> float | None:
        """The published point estimate where the form has one (used as the default base)."""
        return None

    # --- derived, the same for every family ----------------------------------------------------
    @property
    def is_uncertain(self) -> bool:
        """False for ``fixed`` (and plain numbers): the input then gets no column of draws."""
        return True

    def scipy(self) -> Any:
        """The frozen scipy.stats twin of this distribution."""
        return to_scipy(self.canonical())

    @property
    def mean(self) -> float:
        return self.canonical().mean()

    @property
    def base_value(self) -> float:
        """The value of the deterministic run: ``base``, else ``estimate``, else the mean."""
        if self.base is not None:
            return self.base
        estimate = self._estimate()
        return self.mean if estimate is None else estimate

    def prob_outside(self, lo: float, hi: float) -> float:
        """Probability of a value below `lo` or above `hi` (either may be infinite)."""
        form = self.canonical()
        below = form.cdf(lo) if math.isfinite(lo) else 0.0
        if form.kind == "empirical":  # discrete: P(X < lo), not P(X <= lo)
            below = float(np.mean(np.asarray(form.params) < lo))
        above = form.sf(hi) if math.isfinite(hi) else 0.0
        return below + above

    def describe(self) -> str:
        """Compact text such as ``pert(min=1, mode=2, max=4)``."""
        fields = self.model_dump(by_alias=True, exclude={"dist", "base", "source"}, exclude_none=True)
        inner = ", ".join(f"{k}={_short(v)}" for k, v in fields.items())
        return f"{self.dist}({inner})"  # type: ignore[attr-defined]


def _short(value: Any) -> str:
    if isinstance(value, list):
        shown = ", ".join(_short(v) for v in value[:6])
        return f"[{shown}{', ...' if len(value) > 6 else ''}]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _one_form(model: BaseModel, forms: list[tuple[str, ...]], optional: tuple[str, ...] = ()) -> str:
    """Check that exactly one parameterisation in `forms` is given; return its first key."""
    given = {k for k in model.model_fields_set if getattr(model, k) is not None}
    given -= {"dist", "base", "source", *optional}
    for form in forms:
        if given == set(form):
            return form[0]
    fields = type(model).model_fields

    def key(name: str) -> str:
        return f"`{fields[name].alias or name}`"

    allowed = " or ".join(" and ".join(key(k) for k in form) for form in forms)
    found = ", ".join(sorted(key(k) for k in given)) or "no parameters"
    raise ValueError(f"give {allowed}; found {found}")


class Fixed(Distribution):
    dist: Literal["fixed"]
    value: Finite

    @property
    def is_uncertain(self) -> bool:
        return False

    def canonical(self) -> Canonical:
        return Canonical("fixed", (self.value,))

    @property
    def mean(self) -> float:
        return self.value

    def prob_outside(self, lo: float, hi: float) -> float:
        return 0.0 if lo <= self.value <= hi else 1.0


class Uniform(Distribution):
    dist: Literal["uniform"]
    min: Finite
    max: Finite

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if not self.min < self.max:
            raise ValueError(f"`min` ({self.min:g}) must be less than `max` ({self.max:g})")
        return self

    def canonical(self) -> Canonical:
        return Canonical("uniform", (self.min, self.max))


class Triangular(Distribution):
    dist: Literal["triangular"]
    min: Finite
    mode: Finite
    max: Finite

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        _check_min_mode_max(self.min, self.mode, self.max)
        return self

    def canonical(self) -> Canonical:
        return Canonical("triangular", (self.min, self.mode, self.max))


def _check_min_mode_max(lo: float, mode: float, hi: float) -> None:
    if not lo < hi:
        raise ValueError(f"`min` ({lo:g}) must be less than `max` ({hi:g})")
    if not lo <= mode <= hi:
        raise ValueError(f"`mode` ({mode:g}) must lie in [min, max] = [{lo:g}, {hi:g}]")


class Pert(Distribution):
    """Beta-PERT on [min, max] with shape lambda: a = 1 + lambda (mode - min) / (max - min)."""

    dist: Literal["pert"]
    min: Finite
    mode: Finite
    max: Finite
    lambda_: NonNegative = Field(default=4.0, alias="lambda")

    @model_validator(mode="after")
    def _check(self) -> Pert:
        _check_min_mode_max(self.min, self.mode, self.max)
        return self

    def canonical(self) -> Canonical:
        width = self.max - self.min
        a = 1.0 + self.lambda_ * (self.mode - self.min) / width
        b = 1.0 + self.lambda_ * (self.max - self.mode) / width
        return Canonical("beta", (a, b, self.min, width))

    def describe(self) -> str:
        shape = "" if self.lambda_ == 4.0 else f", lambda={self.lambda_:g}"
        return f"pert(min={self.min:g}, mode={self.mode:g}, max={self.max:g}{shape})"


class Normal(Distribution):
    dist: Literal["normal"]
    mean_: Finite | None = Field(default=None, alias="mean")
    sd: Positive | None = None
    estimate: Finite | None = None
    ci95: Interval | None = None

    @model_validator(mode="after")
    def _check(self) -> Normal:
        if _one_form(self, [("mean_", "sd"), ("estimate", "ci95")]) == "estimate":
            _check_ci95(self.estimate, self.ci95)
        return self

    def canonical(self) -> Canonical:
        if self.ci95 is not None:
            lo, hi = self.ci95
            return Canonical("normal", (self.estimate, (hi - lo) / (2 * Z975)))
        return Canonical("normal", (self.mean_, self.sd))

    def _estimate(self) -> float | None:
        return self.estimate


def _check_ci95(estimate: float | None, ci95: list[float] | None, positive: bool = False) -> None:
    assert estimate is not None and ci95 is not None  # guaranteed by _one_form
    lo, hi = ci95
    if not lo < hi:
        raise ValueError(f"`ci95` must be [low, high] with low < high; found [{lo:g}, {hi:g}]")
    if not lo <= estimate <= hi:
        raise ValueError(f"`ci95` [{lo:g}, {hi:g}] must contain `estimate` ({estimate:g})")
    if positive and lo <= 0:
        raise ValueError(f"a lognormal `ci95` needs a positive lower bound; found {lo:g}")


class TruncNormal(Distribution):
    """Normal(mean, sd) truncated to [min, max]; mean and sd are those of the parent normal."""

    dist: Literal["truncnormal"]
    mean_: Finite = Field(alias="mean")
    sd: Positive
    min: Finite | None = None
    max: Finite | None = None

    @model_validator(mode="after")
    def _check(self) -> TruncNormal:
        if self.min is None and self.max is None:
            raise ValueError("give `min`, `max` or both (the truncation bounds)")
        lo, hi = self._bounds()
        if not lo < hi:
            raise ValueError(f"`min` ({lo:g}) must be less than `max` ({hi:g})")
        mass = _normal_mass((lo - self.mean_) / self.sd, (hi - self.mean_) / self.sd)
        if not mass > 1e-12:
            raise ValueError(
                f"the parent normal(mean={self.mean_:g}, sd={self.sd:g}) has no probability mass in "
                f"[{lo:g}, {hi:g}]; move `mean` or the bounds"
            )
        return self

    def _bounds(self) -> tuple[float, float]:
        lo = -math.inf if self.min is None else self.min
        hi = math.inf if self.max is None else self.max
        return lo, hi

    def canonical(self) -> Canonical:
        return Canonical("truncnormal", (self.mean_, self.sd, *self._bounds()))


class LogNormal(Distribution):
    dist: Literal["lognormal"]
    mean_: Positive | None = Field(default=None, alias="mean")
    sd: Positive | None = None
    mu: Finite | None = None
    sigma: Positive | None = None
    estimate: Positive | None = None
    ci95: Interval | None = None

    @model_validator(mode="after")
    def _check(self) -> LogNormal:
        form = _one_form(self, [("mean_", "sd"), ("mu", "sigma"), ("estimate", "ci95")])
        if form == "estimate":
            _check_ci95(self.estimate, self.ci95, positive=True)
        return self

    def canonical(self) -> Canonical:
        if self.mean_ is not None and self.sd is not None:
            sigma2 = math.log1p((self.sd / self.mean_) ** 2)
            return Canonical("lognormal", (math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2)))
        if self.ci95 is not None and self.estimate is not None:
            lo, hi = self.ci95
            sigma = (math.log(hi) - math.log(lo)) / (2 * Z975)  # not log(hi / lo), which can overflow
            return Canonical("lognormal", (math.log(self.estimate), sigma))
        return Canonical("lognormal", (self.mu, self.sigma))

    def _estimate(self) -> float | None:
        return self.estimate


class Beta(Distribution):
    dist: Literal["beta"]
    alpha: Positive | None = None
    beta: Positive | None = None
    mean_: Finite | None = Field(default=None, alias="mean")
    sd: Positive | None = None
    successes: NonNegative | None = None
    trials: NonNegative | None = None

    @model_validator(mode="after")
    def _check(self) -> Beta:
        form = _one_form(self, [("alpha", "beta"), ("mean_", "sd"), ("successes", "trials")])
        if form == "mean_":
            m, sd = self.mean_, self.sd
            assert m is not None and sd is not None
            if not 0 < m < 1:
                raise ValueError(f"a beta `mean` must lie strictly between 0 and 1; found {m:g}")
            if not sd * sd < m * (1 - m):
                raise ValueError(
                    f"a beta with mean {m:g} needs sd < sqrt(mean (1 - mean)) = "
                    f"{math.sqrt(m * (1 - m)):.4g}; found {sd:g}"
                )
        if form == "successes":
            assert self.successes is not None and self.trials is not None
            if self.successes > self.trials:
                raise ValueError(f"`successes` ({self.successes:g}) cannot exceed `trials` ({self.trials:g})")
        return self

    def canonical(self) -> Canonical:
        if self.successes is not None and self.trials is not None:
            k, n = self.successes, self.trials
            return Canonical("beta", (k + 1.0, n - k + 1.0, 0.0, 1.0))
        if self.mean_ is not None and self.sd is not None:
            nu = self.mean_ * (1 - self.mean_) / self.sd**2 - 1
            return Canonical("beta", (self.mean_ * nu, (1 - self.mean_) * nu, 0.0, 1.0))
        assert self.alpha is not None and self.beta is not None
        return Canonical("beta", (self.alpha, self.beta, 0.0, 1.0))


class Gamma(Distribution):
    dist: Literal["gamma"]
    shape: Positive | None = None
    scale: Positive | None = None
    mean_: Positive | None = Field(default=None, alias="mean")
    sd: Positive | None = None

    @model_validator(mode="after")
    def _check(self) -> Gamma:
        _one_form(self, [("shape", "scale"), ("mean_", "sd")])
        return self

    def canonical(self) -> Canonical:
        if self.mean_ is not None and self.sd is not None:
            return Canonical("gamma", ((self.mean_ / self.sd) ** 2, self.sd**2 / self.mean_))
        assert self.shape is not None and self.scale is not None
        return Canonical("gamma", (self.shape, self.scale))


class Empirical(Distribution):
    dist: Literal["empirical"]
    values: Annotated[list[Finite], Field(min_length=1)]

    def canonical(self) -> Canonical:
        return Canonical("empirical", tuple(sorted(self.values)))

    @property
    def is_uncertain(self) -> bool:
        return True


#: Every family, by its ``dist`` name, in the order of case-format.md.
FAMILIES: dict[str, type[Distribution]] = {
    "fixed": Fixed,
    "uniform": Uniform,
    "triangular": Triangular,
    "pert": Pert,
    "normal": Normal,
    "truncnormal": TruncNormal,
    "lognormal": LogNormal,
    "beta": Beta,
    "gamma": Gamma,
    "empirical": Empirical,
}


def _value_tag(raw: Any) -> str | None:
    if isinstance(raw, Distribution):
        return raw.dist  # type: ignore[attr-defined, no-any-return]
    if isinstance(raw, dict):
        name = raw.get("dist")
        return name if isinstance(name, str) and name in FAMILIES else None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return "number"
    return None


def _computable(value: Any) -> Any:
    """Pydantic after-validator of :data:`Value`: a distribution whose numbers can be computed with,
    that is, whose mean and (but for 1e-6 of its probability) values lie within +-MAX_MAGNITUDE."""
    if not isinstance(value, Distribution) or not value.is_uncertain:
        return value
    limit = "[-1e15, 1e15]: larger numbers overflow the calculation"
    try:
        outside = value.prob_outside(-MAX_MAGNITUDE, MAX_MAGNITUDE)
        try:
            mean = value.mean
        except OverflowError:
            mean = math.inf
    except (ArithmeticError, ValueError):
        outside = mean = math.nan
    if math.isnan(outside) or math.isnan(mean):
        raise ValueError(
            f"{value.describe()} has parameters too extreme to compute with (a spread near 0, or "
            "numbers near the limits of floating point); give parameters of the size of the input"
        )
    if outside > OUTSIDE_TOLERANCE:
        share = f"{100 * outside:.2g} %" if outside >= 0.001 else f"{outside:.2g}"
        raise ValueError(f"{value.describe()} puts {share} of its probability outside {limit}")
    if not abs(mean) <= MAX_MAGNITUDE:
        size = f"of {mean:.3g}" if math.isfinite(mean) else "beyond floating point"
        raise ValueError(f"{value.describe()} has a mean {size}, outside {limit}")
    return value


#: A number or a distribution table: what case-format.md allows for every uncertain input.
Value = Annotated[
    Annotated[Finite, Tag("number")]
    | Annotated[Fixed, Tag("fixed")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Pert, Tag("pert")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[TruncNormal, Tag("truncnormal")]
    | Annotated[LogNormal, Tag("lognormal")]
    | Annotated[Beta, Tag("beta")]
    | Annotated[Gamma, Tag("gamma")]
    | Annotated[Empirical, Tag("empirical")],
    Discriminator(
        _value_tag,
        custom_error_type="not_a_value",
        custom_error_message="expected a number or a distribution table",
    ),
    AfterValidator(_computable),
]


def as_distribution(value: float | Distribution) -> Distribution:
    """A plain number as a ``fixed`` distribution; a distribution unchanged."""
    if isinstance(value, Distribution):
        return value
    return Fixed(dist="fixed", value=float(value))
