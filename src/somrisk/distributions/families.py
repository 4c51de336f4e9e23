"""Distribution families of case-format.md, each declared once: its model and its :class:`Family`.

A family's declaration, its pydantic model with its :class:`Family` right below, holds everything
somrisk knows about it: the model gives the TOML keys, the parameterisations it accepts (such as
``mean``/``sd`` or ``estimate``/``ci95``), the checks on them and how it reduces to a
:class:`Canonical` form; the Family adds the :class:`~.forms.Form` it owns (mean, CDF, scipy.stats
twin, and the route of the fast inverse CDF in :mod:`somrisk.transform`), its words in the report
(Danish and English) and its help on the case workbook's sheet "Hjælp". Its workbook columns follow
from its TOML keys (:data:`PARAMETER_COLUMNS`). Everything else reads :data:`FAMILIES`: the case
validation, the transform, the report, the workbooks. docs/architecture.md says how to add one.

This module knows nothing about cases; the case schema uses its :data:`Value` type wherever a number
or a distribution may stand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

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

from somrisk.distributions import forms
from somrisk.distributions.forms import EmpiricalDistribution, Form

__all__ = [
    "FAMILIES",
    "FORMS",
    "MAX_MAGNITUDE",
    "OUTSIDE_TOLERANCE",
    "PAIR_COLUMNS",
    "PARAMETER_COLUMNS",
    "Z975",
    "Canonical",
    "Distribution",
    "EmpiricalDistribution",
    "Family",
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

    ``kind`` names a form of :data:`FORMS`: ``fixed`` (params: value), ``uniform`` (lo, hi),
    ``triangular`` (lo, mode, hi), ``normal`` (mean, sd), ``truncnormal`` (mean, sd, lo, hi; lo/hi
    may be infinite), ``lognormal`` (mu, sigma of the log), ``beta`` (a, b, loc, scale), ``gamma``
    (shape, scale) or ``empirical`` (the sorted values).
    """

    kind: str
    params: tuple[float, ...]

    @property
    def form(self) -> Form:
        """Its form's declaration."""
        try:
            return FORMS[self.kind]
        except KeyError:
            raise ValueError(f"unknown canonical kind {self.kind!r}") from None

    def mean(self) -> float:
        """The expected value."""
        return self.form.mean(self.params)

    def cdf(self, x: float) -> float:
        """P(X <= x)."""
        return self.form.tail(self.params, x, False)

    def sf(self, x: float) -> float:
        """P(X > x), computed directly (not as 1 - cdf) so that small tails stay exact."""
        return self.form.tail(self.params, x, True)


def to_scipy(canonical: Canonical) -> Any:
    """The frozen ``scipy.stats`` distribution (or :class:`EmpiricalDistribution`) of a form."""
    return canonical.form.scipy(canonical.params)


@dataclass(frozen=True)
class Family:
    """One family of case-format.md: ``dist = name`` in a case, everything somrisk knows about it.

    ``model``: the pydantic model of its TOML table (keys, parameterisations, checks); its
    ``canonical()`` gives the form drawn from. ``form``: the canonical form the family owns, named
    after it, or None where it reduces to another family's (``pert`` to ``beta``). ``words``: the
    report's words for it, by language (``da``, ``en``), a template in which {range} (min to max),
    {mode}, {mean}, {sd}, {median}, {value} and {count} are filled in; None where it is shown by its
    own parameters (:meth:`Distribution.describe`). ``excel``: its help, in Danish, on the case
    workbook's sheet "Hjælp".
    """

    name: str
    model: type[Distribution]
    form: Form | None
    words: Mapping[str, str] | None
    excel: str

    def __post_init__(self) -> None:
        if self.model.model_fields["dist"].annotation != Literal[self.name]:
            raise TypeError(f"family {self.name!r}: its model's `dist` must be Literal[{self.name!r}]")

    @property
    def keys(self) -> tuple[str, ...]:
        """Its parameters' TOML keys, in the model's order (``dist``, ``base``, ``source`` aside)."""
        fields = self.model.model_fields.items()
        keys = (info.alias or name for name, info in fields)
        return tuple(key for key in keys if key not in ("dist", "base", "source"))

    @property
    def columns(self) -> tuple[str, ...]:
        """Its parameters' columns in a case workbook, in the workbook's order: ``value`` for
        ``fixed``, one column a key, two (``_lo``, ``_hi``) for a pair such as ``ci95``; none for
        ``empirical``, whose values are on a sheet of their own."""
        keys = set(self.keys)
        pairs = {column: key for key, both in PAIR_COLUMNS.items() for column in both}
        return tuple(c for c in ("value", *PARAMETER_COLUMNS) if pairs.get(c, c) in keys)


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

    def word_params(self) -> dict[str, float]:
        """Numbers beyond mean, sd and the family's own keys that the family's words name."""
        return {}

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
        canonical = self.canonical()
        below = canonical.cdf(lo) if math.isfinite(lo) else 0.0
        if canonical.form.discrete:  # atoms: P(X < lo), not P(X <= lo)
            below = float(np.mean(np.asarray(canonical.params) < lo))
        above = canonical.sf(hi) if math.isfinite(hi) else 0.0
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


FIXED = Family(
    "fixed",
    Fixed,
    Form(
        ("value",),
        mean=forms.atoms_mean,
        tail=forms.atoms_tail,
        scipy=forms.fixed_scipy,
        inverse=None,
        discrete=True,
    ),
    words={"da": "{value}", "en": "{value}"},
    excel="value: et fast tal, skrevet som fordeling",
)


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


UNIFORM = Family(
    "uniform",
    Uniform,
    Form(
        ("lo", "hi"),
        mean=lambda p: (p[0] + p[1]) / 2,
        tail=forms.uniform_tail,
        scipy=lambda p: forms.stats().uniform(loc=p[0], scale=p[1] - p[0]),
        inverse="uniform",
    ),
    words={"da": "ligefordeling {range}", "en": "uniform {range}"},
    excel="min, max: alle værdier imellem lige sandsynlige",
)


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


TRIANGULAR = Family(
    "triangular",
    Triangular,
    Form(
        ("lo", "mode", "hi"),
        mean=lambda p: (p[0] + p[1] + p[2]) / 3,
        tail=forms.triangular_tail,
        scipy=forms.triangular_scipy,
        inverse="triangular",
    ),
    words={
        "da": "trekantfordeling {range}, mest sandsynligt {mode}",
        "en": "triangular {range}, most likely {mode}",
    },
    excel="min, mode, max: trekantfordeling",
)


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


PERT = Family(
    "pert",
    Pert,
    None,  # a beta on [min, max]
    words={
        "da": "PERT-fordeling {range}, mest sandsynligt {mode}",
        "en": "PERT {range}, most likely {mode}",
    },
    excel="min, mode (mest sandsynlig), max, evt. lambda (standard 4): ekspertvurdering",
)


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


NORMAL = Family(
    "normal",
    Normal,
    Form(
        ("mean", "sd"),
        mean=lambda p: p[0],
        tail=forms.normal_tail,
        scipy=lambda p: forms.stats().norm(loc=p[0], scale=p[1]),
        inverse="normal",
    ),
    words={
        "da": "normalfordeling, middelværdi {mean}, spredning {sd}",
        "en": "normal, mean {mean}, sd {sd}",
    },
    excel="mean, sd; eller estimate, ci95_lo, ci95_hi (publiceret estimat med 95 %-interval)",
)


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
        mass = forms.normal_mass((lo - self.mean_) / self.sd, (hi - self.mean_) / self.sd)
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


TRUNCNORMAL = Family(
    "truncnormal",
    TruncNormal,
    Form(
        ("mean", "sd", "lo", "hi"),
        mean=forms.truncnormal_mean,
        tail=forms.truncnormal_tail,
        scipy=forms.truncnormal_scipy,
        inverse="truncnormal",
    ),
    words=None,  # the parent's mean and sd, and the bounds
    excel="mean, sd (den underliggende normalfordelings) og min og/eller max",
)


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


LOGNORMAL = Family(
    "lognormal",
    LogNormal,
    Form(
        ("mu", "sigma"),
        mean=lambda p: math.exp(p[0] + p[1] ** 2 / 2),
        tail=forms.lognormal_tail,
        scipy=lambda p: forms.stats().lognorm(p[1], scale=math.exp(p[0])),
        inverse="lognormal",
    ),
    words={"da": "lognormalfordeling, median {median}", "en": "lognormal, median {median}"},
    excel="mean, sd (variablens egne); eller mu, sigma (logaritmens); eller estimate, ci95_lo, ci95_hi",
)


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


BETA = Family(
    "beta",
    Beta,
    Form(
        ("a", "b", "loc", "scale"),
        mean=lambda p: p[2] + p[3] * p[0] / (p[0] + p[1]),
        tail=forms.beta_tail,
        scipy=lambda p: forms.stats().beta(p[0], p[1], loc=p[2], scale=p[3]),
        inverse="beta table",
    ),
    words={"da": "betafordeling, middelværdi {mean}", "en": "beta, mean {mean}"},
    excel="alpha, beta; eller mean, sd; eller successes, trials (antal succeser ud af antal forsøg)",
)


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


GAMMA = Family(
    "gamma",
    Gamma,
    Form(
        ("shape", "scale"),
        mean=lambda p: p[0] * p[1],
        tail=forms.gamma_tail,
        scipy=lambda p: forms.stats().gamma(p[0], scale=p[1]),
        inverse="gamma table",
    ),
    words={"da": "gammafordeling, middelværdi {mean}", "en": "gamma, mean {mean}"},
    excel="shape, scale; eller mean, sd",
)


class Empirical(Distribution):
    dist: Literal["empirical"]
    values: Annotated[list[Finite], Field(min_length=1)]

    def canonical(self) -> Canonical:
        return Canonical("empirical", tuple(sorted(self.values)))


EMPIRICAL = Family(
    "empirical",
    Empirical,
    Form(
        ("*values",),
        mean=forms.atoms_mean,
        tail=forms.atoms_tail,
        scipy=EmpiricalDistribution,
        inverse="empirical",
        discrete=True,
    ),
    words={"da": "empirisk fordeling af {count} værdier", "en": "empirical, {count} values"},
    excel='værdierne står på arket "Empirisk" i en kolonne med inputtets sti som overskrift',
)


def _comparison_rate(x: float) -> float:
    """Pydantic after-validator of ``smd``'s ``comparison_rate``: a rate strictly inside (0, 1)."""
    if not 0.0 < x < 1.0:
        raise ValueError(
            "`comparison_rate` must lie strictly between 0 and 1 (the comparison group's rate p0); "
            f"found {x:g}"
        )
    return x


class Smd(Distribution):
    """A standardised mean difference d (Cohen's d, Hedges' g), normal, as the effect e = p1 - p0.

    model.md, "Effect from a standardised mean difference": e = expit(logit(p0) + d pi / sqrt(3))
    - p0 (Chinn 2000) at the comparison rate p0 = ``comparison_rate``. The input's value is e, a
    success-rate difference; ``mean``/``sd``/``estimate``/``ci95`` are those of d (no unit).
    """

    dist: Literal["smd"]
    mean_: Finite | None = Field(default=None, alias="mean")
    sd: Positive | None = None
    estimate: Finite | None = None
    ci95: Interval | None = None
    comparison_rate: Annotated[Finite, AfterValidator(_comparison_rate)]

    @model_validator(mode="after")
    def _check(self) -> Smd:
        form = _one_form(self, [("mean_", "sd"), ("estimate", "ci95")], optional=("comparison_rate",))
        if form == "estimate":
            _check_ci95(self.estimate, self.ci95)
        p0 = self.comparison_rate
        if self.base is not None and not -p0 < self.base < 1.0 - p0:
            raise ValueError(
                f"`base` is the effect e = p1 - p0 (not d), so with comparison_rate = {p0:g} it must lie "
                f"strictly between {-p0:g} and {1.0 - p0:g}; found {self.base:g} (leave `base` out to use "
                f"the conversion of d's {form.rstrip('_')}, {self._estimate():.4g})"
            )
        return self

    def _d(self) -> tuple[float, float]:
        """Mean and sd of d."""
        if self.ci95 is not None and self.estimate is not None:
            lo, hi = self.ci95
            return self.estimate, (hi - lo) / (2 * Z975)
        assert self.mean_ is not None and self.sd is not None
        return self.mean_, self.sd

    def canonical(self) -> Canonical:
        return Canonical("smd", (*self._d(), self.comparison_rate))

    def _estimate(self) -> float | None:
        """The conversion of d's estimate (or of its mean), not the mean of e."""
        return float(forms.smd_to_effect(self._d()[0], self.comparison_rate))

    def word_params(self) -> dict[str, float]:
        """d's mean (its estimate) and sd, and p0: what the analyst entered, for the report's words."""
        d, d_sd = self._d()
        return {"d": d, "d_sd": d_sd, "p0": self.comparison_rate}


SMD = Family(
    "smd",
    Smd,
    Form(
        ("mean", "sd", "p0"),
        mean=forms.smd_mean,
        tail=forms.smd_tail,
        scipy=lambda p: forms.SmdDistribution(*p),
        inverse="smd",
    ),
    words={
        "da": "effekt omregnet fra en standardiseret middelforskel d = {d} (spredning {d_sd}) ved "
        "sammenligningsgruppens succesrate {p0}: middelværdi {mean}, spredning {sd}",
        "en": "effect converted from a standardised mean difference d = {d} (sd {d_sd}) at the comparison "
        "group's success rate {p0}: mean {mean}, sd {sd}",
    },
    excel=(
        "mean, sd; eller estimate, ci95_lo, ci95_hi (den standardiserede middelforskel d, fx Cohens d) "
        "og comparison_rate (sammenligningsgruppens succesrate p0); kun til effect.effect"
    ),
)


#: Every family, by its ``dist`` name, in the order of case-format.md.
FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        *(FIXED, UNIFORM, TRIANGULAR, PERT, NORMAL, TRUNCNORMAL, LOGNORMAL, BETA, GAMMA, EMPIRICAL, SMD),
    )
}

#: Every canonical form, by its kind: the families that own one.
FORMS: dict[str, Form] = {name: family.form for name, family in FAMILIES.items() if family.form is not None}

#: The columns of the families' parameters in a case workbook (between ``value``, ``dist`` and
#: ``base``, ``source``), in the workbook's order, with the help in Danish in each header's comment.
#: A key holding a pair ``[low, high]`` (``ci95``) takes two columns, ``ci95_lo`` and ``ci95_hi``.
PARAMETER_COLUMNS: dict[str, str] = {
    "min": "Mindste værdi (uniform, triangular, pert; truncnormal: nedre grænse).",
    "mode": "Mest sandsynlige værdi (triangular, pert).",
    "max": "Største værdi (uniform, triangular, pert; truncnormal: øvre grænse).",
    "lambda": "PERT-fordelingens form; tom: 4.",
    "mean": "Middelværdi (normal, truncnormal, lognormal, beta, gamma; smd: af d).",
    "sd": "Standardafvigelse, større end 0.",
    "estimate": "Publiceret punktestimat (normal, lognormal, smd), med ci95_lo og ci95_hi.",
    "ci95_lo": "Nedre grænse af 95 %-konfidensintervallet.",
    "ci95_hi": "Øvre grænse af 95 %-konfidensintervallet.",
    "mu": "Lognormal: middelværdi af logaritmen.",
    "sigma": "Lognormal: standardafvigelse af logaritmen.",
    "alpha": "Beta: første parameter.",
    "beta": "Beta: anden parameter.",
    "successes": "Beta ud fra en optælling: antal succeser.",
    "trials": "Beta ud fra en optælling: antal forsøg.",
    "shape": "Gamma: form.",
    "scale": "Gamma: skala.",
    "comparison_rate": "smd: sammenligningsgruppens succesrate p0, et tal mellem 0 og 1.",
}

#: The keys holding a pair ``[low, high]``, with their two columns in a case workbook.
PAIR_COLUMNS: dict[str, tuple[str, str]] = {
    column.removesuffix("_lo"): (column, column.removesuffix("_lo") + "_hi")
    for column in PARAMETER_COLUMNS
    if column.endswith("_lo")
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


#: A number or a distribution table: what case-format.md allows for every uncertain input. Built
#: from :data:`FAMILIES`: pydantic picks the family's model by ``dist``. Type checkers, which cannot
#: read a union built at run time, see what it holds: a number or a distribution.
if TYPE_CHECKING:
    Value: TypeAlias = float | Distribution
else:
    Value = Annotated[
        Union[  # a union of a computed tuple of types
            (
                Annotated[Finite, Tag("number")],
                *(Annotated[family.model, Tag(name)] for name, family in FAMILIES.items()),
            )
        ],
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
