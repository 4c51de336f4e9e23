"""A distribution times a number: the input of a scenario's or ``--scale``'s ``scale`` (model.md,
"Decisions between alternatives").

Every draw of a scaled input is the draw of its own distribution, from the same uniform, times the
factor (:mod:`somrisk.transform` multiplies after the inverse CDF). As a distribution it is the
canonical form with its parameters scaled, so that every other reader (mean, CDF, tornado's
quantiles, the report's words) sees the scaled input without knowing about scaling.
"""

from __future__ import annotations

import math
from typing import Literal

from somrisk.distributions.families import Canonical, Distribution

__all__ = ["Scaled", "scale_canonical", "unscaled"]


class Scaled(Distribution):
    """`inner` times `factor` (a finite number, any sign), draw by draw."""

    dist: Literal["scaled"] = "scaled"
    inner: Distribution
    factor: float

    @property
    def is_uncertain(self) -> bool:
        return self.inner.is_uncertain

    def canonical(self) -> Canonical:
        return scale_canonical(self.inner.canonical(), self.factor)

    @property
    def mean(self) -> float:
        return self.inner.mean * self.factor

    @property
    def base_value(self) -> float:
        return self.inner.base_value * self.factor

    def describe(self) -> str:
        return f"{self.inner.describe()} x {self.factor:g}"


def unscaled(dist: Distribution) -> tuple[Distribution, float]:
    """The distribution whose inverse CDF draws `dist`, and the factor its draws are multiplied by."""
    if isinstance(dist, Scaled):
        inner, factor = unscaled(dist.inner)
        return inner, factor * dist.factor
    return dist, 1.0


def scale_canonical(canonical: Canonical, factor: float) -> Canonical:
    """The form of X * factor for X of form `canonical`.

    Raises
    ------
    ValueError
        For a negative factor of a lognormal or gamma input (X * factor is no form somrisk knows).
    """
    kind, p, s = canonical.kind, canonical.params, float(factor)
    if s == 0.0:
        return Canonical("fixed", (0.0,))
    if kind in ("fixed", "empirical"):
        return Canonical(kind, tuple(sorted(v * s for v in p)))
    if kind == "uniform":
        return Canonical(kind, tuple(sorted((p[0] * s, p[1] * s))))
    if kind == "triangular":
        lo, mode, hi = (p[0] * s, p[1] * s, p[2] * s) if s > 0 else (p[2] * s, p[1] * s, p[0] * s)
        return Canonical(kind, (lo, mode, hi))
    if kind == "normal":
        return Canonical(kind, (p[0] * s, p[1] * abs(s)))
    if kind == "truncnormal":
        lo, hi = sorted((p[2] * s, p[3] * s))
        return Canonical(kind, (p[0] * s, p[1] * abs(s), lo, hi))
    if kind == "beta":  # a, b, loc, scale
        if s > 0:
            return Canonical(kind, (p[0], p[1], p[2] * s, p[3] * s))
        return Canonical(kind, (p[1], p[0], (p[2] + p[3]) * s, p[3] * -s))
    if kind in ("lognormal", "gamma") and s > 0:
        if kind == "lognormal":
            return Canonical(kind, (p[0] + math.log(s), p[1]))
        return Canonical(kind, (p[0], p[1] * s))
    raise ValueError(f"a {kind} distribution cannot be scaled by a negative number ({s:g})")
