"""Canonical forms: the few distributions every family reduces to, and how to compute with each.

A :class:`Form` describes one canonical form: the names of its parameters, its mean and its CDF in
closed form (with the scipy.special functions that scipy.stats itself uses: ndtr, betainc,
gammainc), its frozen ``scipy.stats`` twin, and the route of :mod:`somrisk.transform` that draws
from it. scipy is the reference for every mean, quantile and CDF; the closed forms are tested
against the twins and keep scipy.stats, whose import takes most of a second, off the path of every
command.

The forms themselves are declared with their families (:mod:`somrisk.distributions.families`):
a family either has its own form, named after it (``gamma``), or reduces to another's (``pert``
to ``beta``). This module holds the type and the closed forms those declarations use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

__all__ = ["LOGIT_PER_SMD", "EmpiricalDistribution", "Form", "SmdDistribution", "smd_to_effect"]

Params = tuple[float, ...]


@dataclass(frozen=True)
class Form:
    """How to compute with one canonical form, from its parameters ``p`` (a tuple of floats).

    ``params`` names them in order (``"*values"``: any number); ``mean(p)`` is the expected value;
    ``tail(p, x, upper)`` is P(X > x) where `upper`, else P(X <= x), each computed directly so that
    small tails stay exact; ``scipy(p)`` is the frozen scipy.stats twin; ``inverse`` names the
    compiled inverse CDF in ``somrisk.transform.ROUTES`` that draws from it (``"scipy"``: scipy's
    own ppf; None: never drawn, as ``fixed``); ``discrete``: the values are atoms, so P(X < x)
    differs from P(X <= x).
    """

    params: tuple[str, ...]
    mean: Callable[[Params], float]
    tail: Callable[[Params, float, bool], float]
    scipy: Callable[[Params], Any]
    inverse: str | None
    discrete: bool = False


def stats() -> Any:
    """scipy.stats, imported only where a twin is really needed (it is slow to import)."""
    from scipy import stats as module

    return module


def _either(below: float, upper: bool) -> float:
    return 1.0 - below if upper else below


# --- atoms: fixed and empirical ---------------------------------------------------------------
def atoms_mean(p: Params) -> float:
    return float(np.mean(p))


def atoms_tail(p: Params, x: float, upper: bool) -> float:
    values = np.asarray(p)
    return float(np.mean(values > x) if upper else np.mean(values <= x))


def fixed_scipy(p: Params) -> Any:
    return stats().uniform(loc=p[0], scale=0.0)


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


# --- uniform and triangular -------------------------------------------------------------------
def uniform_tail(p: Params, x: float, upper: bool) -> float:
    return _either(min(max((x - p[0]) / (p[1] - p[0]), 0.0), 1.0), upper)


def triangular_tail(p: Params, x: float, upper: bool) -> float:
    lo, mode, hi = p
    if x <= lo:
        below = 0.0
    elif x >= hi:
        below = 1.0
    elif x <= mode:
        below = (x - lo) ** 2 / ((hi - lo) * (mode - lo))
    else:
        below = 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - mode))
    return _either(below, upper)


def triangular_scipy(p: Params) -> Any:
    return stats().triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])


# --- the normal family ------------------------------------------------------------------------
def phi(z: float) -> float:
    """The standard normal density (0 at +-inf)."""
    return 0.0 if math.isinf(z) else math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def normal_mass(a: float, b: float) -> float:
    """P(a < Z <= b) for a standard normal Z, from the tail where it is exact."""
    if a > 0:
        return float(special.ndtr(-a) - special.ndtr(-b))
    return float(special.ndtr(b) - special.ndtr(a))


def normal_tail(p: Params, x: float, upper: bool) -> float:
    z = (x - p[0]) / p[1]
    return float(special.ndtr(-z) if upper else special.ndtr(z))


def truncnormal_mean(p: Params) -> float:
    mean, sd, lo, hi = p
    a, b = (lo - mean) / sd, (hi - mean) / sd
    return mean + sd * (phi(a) - phi(b)) / normal_mass(a, b)


def truncnormal_tail(p: Params, x: float, upper: bool) -> float:
    mean, sd, lo, hi = p
    a, b, z = (lo - mean) / sd, (hi - mean) / sd, (x - mean) / sd
    z = min(max(z, a), b)
    part = normal_mass(z, b) if upper else normal_mass(a, z)
    return part / normal_mass(a, b)


def truncnormal_scipy(p: Params) -> Any:
    mean, sd, lo, hi = p
    return stats().truncnorm((lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)


def lognormal_tail(p: Params, x: float, upper: bool) -> float:
    if x <= 0:
        return 1.0 if upper else 0.0
    return normal_tail(p, math.log(x), upper)


# --- beta and gamma ---------------------------------------------------------------------------
def beta_tail(p: Params, x: float, upper: bool) -> float:
    y = min(max((x - p[2]) / p[3], 0.0), 1.0)
    return float(special.betaincc(p[0], p[1], y) if upper else special.betainc(p[0], p[1], y))


def gamma_tail(p: Params, x: float, upper: bool) -> float:
    y = max(x / p[1], 0.0)
    return float(special.gammaincc(p[0], y) if upper else special.gammainc(p[0], y))


# --- smd: a normal standardised mean difference d, converted to a success-rate difference ------
#: ln OR per unit of d in the logit conversion of Chinn (2000): pi / sqrt(3).
LOGIT_PER_SMD = math.pi / math.sqrt(3.0)
#: Standard normal scores beyond which the density is below 1e-300: the range of :func:`smd_mean`.
_Z_RANGE = 37.0


def smd_to_effect(d: Any, p0: float) -> Any:
    """The effect e = p1 - p0 (a success-rate difference, in (-p0, 1 - p0)) of a standardised mean
    difference `d` at the comparison rate `p0` in (0, 1) (model.md): ln OR = d pi / sqrt(3) and
    p1 = p0 OR / (1 - p0 + p0 OR), computed as expit(logit(p0) + ln OR) so that no OR overflows."""
    return special.expit(special.logit(p0) + LOGIT_PER_SMD * np.asarray(d, dtype=float)) - p0


def effect_to_smd(e: float, p0: float) -> float:
    """The inverse of :func:`smd_to_effect`: -inf for e <= -p0, inf for e >= 1 - p0."""
    p1 = p0 + e
    if p1 <= 0.0:
        return -math.inf
    if p1 >= 1.0:
        return math.inf
    return float((special.logit(p1) - special.logit(p0)) / LOGIT_PER_SMD)


def smd_mean(p: Params) -> float:
    """E[e] for d ~ Normal(p[0], p[1]) and the comparison rate p[2], by scipy.integrate.quad over
    the normal score z, split where the logistic turns (t = 0); exact to about 1e-14."""
    from scipy import integrate

    mean, sd, p0 = p
    shift, slope = special.logit(p0) + LOGIT_PER_SMD * mean, LOGIT_PER_SMD * sd

    def integrand(z: float) -> float:
        return float(special.expit(shift + slope * z)) * math.exp(-z * z / 2)

    turn = -shift / slope
    points = [turn] if -_Z_RANGE < turn < _Z_RANGE else None
    area, _ = integrate.quad(
        integrand, -_Z_RANGE, _Z_RANGE, points=points, epsabs=1e-14, epsrel=1e-12, limit=200
    )
    return area / math.sqrt(2.0 * math.pi) - p0


def smd_tail(p: Params, x: float, upper: bool) -> float:
    mean, sd, p0 = p
    z = (effect_to_smd(x, p0) - mean) / sd
    return float(special.ndtr(-z) if upper else special.ndtr(z))


class SmdDistribution:
    """The effect e of a normal standardised mean difference: scipy's normal, transformed.

    It mirrors the part of the ``scipy.stats`` frozen-distribution interface that somrisk uses;
    every quantity comes from ``scipy.stats.norm`` (its ppf, cdf and ``expect``) through the
    monotone conversion :func:`smd_to_effect`; the mean is :func:`smd_mean`.
    """

    def __init__(self, mean: float, sd: float, p0: float) -> None:
        self.normal = stats().norm(loc=mean, scale=sd)
        self.p0 = p0

    def ppf(self, u: Any) -> Any:
        return smd_to_effect(self.normal.ppf(u), self.p0)

    def cdf(self, x: Any) -> Any:
        return self.normal.cdf(np.vectorize(effect_to_smd)(x, self.p0))

    def sf(self, x: Any) -> Any:
        return self.normal.sf(np.vectorize(effect_to_smd)(x, self.p0))

    def mean(self) -> float:
        return smd_mean((float(self.normal.mean()), float(self.normal.std()), self.p0))

    def var(self) -> float:
        mean, sd = float(self.normal.mean()), float(self.normal.std())
        centre = self.mean()
        squares = self.normal.expect(
            lambda d: (smd_to_effect(d, self.p0) - centre) ** 2,
            lb=mean - _Z_RANGE * sd,
            ub=mean + _Z_RANGE * sd,
        )
        return float(squares)

    def std(self) -> float:
        return math.sqrt(self.var())

    def support(self) -> tuple[float, float]:
        return -self.p0, 1.0 - self.p0

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        return smd_to_effect(self.normal.rvs(size=size, random_state=random_state), self.p0)
