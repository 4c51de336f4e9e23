"""Expected value of sample information (EVSI) for the decision to invest (NPV) or not (0).

model.md, "Decisions between alternatives": a study of N new participants informs one uncertain
input theta before the decision. For a rate the study counts successes, k ~ Binomial(N, theta);
for any other input it measures a mean, xbar ~ Normal(theta, S^2 / N), with the individual standard
deviation S given by the analyst. EVSI(N) = E_data[max(E[NPV | data], 0)] - max(E[NPV], 0): what
the study is worth before deciding, in the case's currency. It rises with N towards the EVPPI of
theta (the study that reveals theta exactly), which lies below the EVPI.

Estimator: the regression method of Strong, Oakley, Brennan and Breeze (2015, "Estimating the
expected value of sample information using the probabilistic sensitivity analysis sample: a fast,
nonparametric regression-based method", Medical Decision Making 35(5)), not a nested loop. On the
draws of one Monte Carlo run (the same as ``somrisk run`` with the same seed, sampler and draws):

1. for each draw d, one study's summary statistic given theta_d (k_d or xbar_d), from a generator
   seeded by the run's seed, :data:`STREAM` and the study's size through numpy's SeedSequence;
2. E[NPV | statistic] by least squares: the regression spline with which :mod:`.voi` estimates the
   EVPPI (a cubic in the statistic with truncated cubics at its 20, 40, 60 and 80 % quantiles), so
   that EVSI and its ceiling come from the same smoother; where the statistic takes at most
   :data:`MAX_DISTINCT` values (a count of successes in a small study), the draws' mean NPV at
   each value, which is E[NPV | value] itself;
3. EVSI(N) = mean(max(fitted, 0)) - max(mean(NPV), 0).

Monte Carlo error: two variances added. (a) That of the mean over the draws with the fitted curve
held fixed: the fitted values average to the mean NPV, so the EVSI is the mean of max(fitted, 0)
where not investing is the decision without the study, and of max(-fitted, 0) where investing is,
and (a) is that mean's variance, var / draws; (b) that of the fitted curve itself, which dominates for
small studies (a weak signal, whose slope is estimated from few effective draws): the delta method
with the heteroscedasticity-consistent (HC0) covariance of the regression's coefficients (of the
means at each value, where those are used). Draws are treated as independent, which overstates the
error of a Latin hypercube a little. Noise left in the fit biases the EVSI upwards a little, as it
does the EVPPI (by at most about sd(NPV) sqrt(terms / draws) where E[NPV | data] is near 0); EVPI
and EVPPI come from :mod:`.voi` on the same draws.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from somrisk.case import Case
from somrisk.case.schema import RATE
from somrisk.engine import Model, simulate
from somrisk.errors import UsageError
from somrisk.labelled import Labelled, array, number, setting
from somrisk.sensitivity._common import TOTAL, as_model, select_output
from somrisk.sensitivity.voi import _basis, evpi, evppi

__all__ = ["Fit", "SampleInformation", "evsi", "evsi_curve", "study_sizes"]

#: Spawn key of the study data's generators (``SeedSequence(seed, spawn_key=(STREAM, N))``), apart
#: from the draws' block streams.
STREAM = 0x45565349  # "EVSI"
#: A statistic with at most this many distinct values (a count of successes among at most 19
#: participants) is not smoothed: the draws' mean NPV at each value is E[NPV | value].
MAX_DISTINCT = 20


@dataclass(frozen=True, eq=False)
class SampleInformation(Labelled):
    """EVSI of a study of each size N informing one input, in the case's currency.

    `data` has the dimension ``n`` (study sizes, ascending) with ``evsi``, ``evsi_se`` and, with a
    study cost, ``enbs``; 0-d ``evpi``, ``evppi``, ``mean`` and ``prob_positive``; `attrs` hold
    ``output``, ``input``, ``study`` (``binomial`` or ``normal``), ``sd`` (S of a normal study, else
    None), ``cost`` (None without one), ``draws``, ``seed``, ``sampler`` and the provenance.

    Attributes
    ----------
    sizes : int64 (k,)
        The study sizes N.
    evsi, evsi_se : float64 (k,)
        EVSI(N) and its Monte Carlo standard error.
    enbs : float64 (k,) or None
        Expected net benefit of sampling, EVSI(N) - cost; None without a cost.
    best_n : int or None
        The N with the largest positive ENBS; None without a cost or where none is positive.
    evpi, evppi : float
        EVPI (every input) and EVPPI of the input: the ceilings of the EVSI.
    mean, prob_positive : float
        E[NPV] and P(NPV > 0) over the draws.
    """

    evsi = array()
    evsi_se = array()
    enbs = array()
    evpi = number()
    evppi = number()
    mean = number()
    prob_positive = number()
    input = setting()
    study = setting()
    sd = setting()
    cost = setting()
    draws = setting()
    seed = setting()

    @property
    def dim(self) -> str:
        return "n"

    @property
    def sizes(self) -> np.ndarray:
        return np.asarray(self.data["n"].values, dtype=np.int64)

    @property
    def best_n(self) -> int | None:
        enbs = self.enbs
        if enbs is None or not np.any(enbs > 0):
            return None
        return int(self.sizes[int(np.argmax(enbs))])


def evsi(
    case: Case | Model | str | Path,
    *,
    input: str,
    n: Sequence[int] | int,
    sd: float | None = None,
    cost: float | None = None,
    draws: int = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    output: str = TOTAL,
    threads: int | None = None,
    scheduler: str | None = None,
) -> SampleInformation:
    """EVSI of a study of each size in `n` informing the input `input` (a path), for investing
    against not investing, with the expected net benefit of sampling where a study `cost` is given.

    A rate (an input in [0, 1]: success rates, decay) is studied by counting successes among N
    participants; any other input by the mean of N observations with individual standard deviation
    `sd` (in the input's unit), which must then be given.

    Raises
    ------
    UsageError
        For an unknown path (with the nearest), an input that is not uncertain, study sizes that are
        not positive whole numbers, a normal study without a positive `sd`, a negative or
        non-finite cost, an unknown output, or bad draws, seed or sampler.
    """
    model = as_model(case)
    target = select_output(model, output)
    sizes = study_sizes(n)
    column, study = _study(model, input, sd)
    if cost is not None and not (math.isfinite(cost) and cost >= 0):
        raise UsageError(f"--cost must be a finite amount >= 0 (the study's cost); got {cost!r}")
    run = simulate(
        model,
        draws=draws,
        seed=seed,
        sampler=sampler,
        threads=threads,
        scheduler=scheduler,
        keep_inputs=True,
    )
    assert run.inputs is not None
    net = target.of(run.npv.T)
    theta = run.inputs[:, column]
    values, errors = evsi_curve(net, theta, sizes, study=study, sd=sd, seed=seed)
    variables: dict[str, Any] = {
        "evsi": ("n", values),
        "evsi_se": ("n", errors),
        "evpi": evpi(net),
        "evppi": evppi(net, theta)[0],
        "mean": float(np.mean(net)),
        "prob_positive": float(np.mean(net > 0)),
    }
    if cost is not None:
        variables["enbs"] = ("n", values - cost)
    attrs = run.attrs | {
        "output": target.name,
        "input": input,
        "study": study,
        "sd": None if study == "binomial" else float(sd),  # type: ignore[arg-type]
        "cost": cost,
        "draws": draws,
        "seed": seed,
        "sampler": sampler,
    }
    return SampleInformation(xr.Dataset(variables, coords={"n": sizes}, attrs=attrs))


def study_sizes(n: Sequence[int] | int) -> np.ndarray:
    """The study sizes as a sorted array of distinct positive whole numbers.

    Raises
    ------
    UsageError
        For an empty list, or a size that is not a positive whole number.
    """
    given = [n] if isinstance(n, int | float | str) else list(n)
    bad = [x for x in given if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < 1]
    if not given or bad:
        shown = ", ".join(str(x) for x in bad) or "nothing"
        raise UsageError(
            f"--n must be a list of positive whole numbers (study sizes) such as 20,50,100; got {shown}"
        )
    return np.array(sorted({int(x) for x in given}), dtype=np.int64)


def _study(model: Model, path: str, sd: float | None) -> tuple[int, str]:
    """The draws' column of the input `path` and its study (``binomial`` or ``normal``)."""
    specs = {spec.path: k for k, spec in enumerate(model.space.inputs)}
    if path not in specs:
        nearest = difflib.get_close_matches(path, list(specs), n=1, cutoff=0.0)
        hint = f"; did you mean {nearest[0]}?" if nearest else ""
        raise UsageError(f"--input {path}: the case has no input with this path{hint}")
    position = specs[path]
    if position not in model.space.uncertain:
        raise UsageError(
            f"--input {path}: the input is a fixed number, so a study cannot change what is known "
            "about it; give an uncertain input (one with a distribution)"
        )
    study = "binomial" if model.space.inputs[position].range == RATE else "normal"
    if study == "binomial" and sd is not None:
        raise UsageError(
            f"--sd {sd:g}: {path} is a rate, studied by counting successes (binomial); --sd is for "
            "an input studied by a mean of measurements"
        )
    if study == "normal" and (sd is None or not (math.isfinite(sd) and sd > 0)):
        got = "not given" if sd is None else f"got {sd:g}"
        raise UsageError(
            f"--sd: {path} is not a rate, so the study measures its mean over N participants; give "
            f"the individual standard deviation S (> 0, in the input's unit) with --sd ({got})"
        )
    return model.space.uncertain.index(position), study


def evsi_curve(
    net: np.ndarray,
    theta: np.ndarray,
    sizes: Sequence[int] | np.ndarray,
    *,
    study: str,
    sd: float | None = None,
    seed: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """EVSI(N) and its Monte Carlo standard error for each size, from the draws' net benefit of
    investing `net` (draws,) and the input's values `theta` (draws,): the regression estimator of
    the module's docstring."""
    net, theta = np.asarray(net, dtype=float), np.asarray(theta, dtype=float)
    values, errors = [], []
    for size in sizes:
        study_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM, int(size))))
        if study == "binomial":
            statistic = study_rng.binomial(int(size), np.clip(theta, 0.0, 1.0)).astype(float)
        else:
            assert sd is not None
            statistic = theta + study_rng.standard_normal(theta.size) * (sd / math.sqrt(size))
        fit = Fit(net, statistic)
        value = float(np.mean(np.maximum(fit.fitted, 0.0))) - max(float(np.mean(net)), 0.0)
        values.append(max(value, 0.0))  # >= 0 by Jensen's inequality, but for rounding
        # the fitted values average to the mean NPV (least squares with a constant), so the EVSI is
        # the mean of max(fitted, 0) less the fitted value where investing is the decision without
        # the study: its variance over the draws, not that of max(fitted, 0), is the error
        gains = np.maximum(fit.fitted, 0.0) - (fit.fitted if np.mean(net) > 0 else 0.0)
        held = float(np.var(gains)) / net.size
        errors.append(math.sqrt(held + fit.noise_variance()))
    return np.array(values), np.array(errors)


class Fit:
    """E[net | statistic] at each draw (`fitted`) and the part of the EVSI's Monte Carlo variance
    that comes from the fit's own noise (:meth:`noise_variance`).

    Where the statistic takes at most :data:`MAX_DISTINCT` values (a count of successes in a small
    study), the draws' mean of `net` at each value (the exact nonparametric estimate); otherwise
    the least-squares regression spline of the EVPPI (:mod:`somrisk.sensitivity.voi`: a cubic with
    truncated cubics at the statistic's 20, 40, 60 and 80 % quantiles).
    """

    def __init__(self, net: np.ndarray, statistic: np.ndarray) -> None:
        distinct, index = np.unique(statistic, return_inverse=True)
        index = index.ravel()
        n = net.size
        if distinct.size <= MAX_DISTINCT:
            counts = np.bincount(index).astype(float)
            means = np.bincount(index, weights=net) / counts
            squares = np.bincount(index, weights=net * net) / counts
            self.fitted = means[index]
            # the variance of each value's mean, and d EVSI / d mean
            variance = np.maximum(squares - means**2, 0.0) / np.maximum(counts - 1.0, 1.0)
            above = float(np.mean(net)) > 0
            slope = counts / n * ((means > 0).astype(float) - float(above))
            self._noise = float(slope**2 @ variance)
            return
        basis = _basis(statistic[:, None], ["statistic"])
        gram_inverse = np.linalg.pinv(basis.T @ basis)
        coefficients = gram_inverse @ (basis.T @ net)
        self.fitted = basis @ coefficients
        residual = net - self.fitted
        # heteroscedasticity-consistent (HC0) covariance of the coefficients, and d EVSI / d coefficients
        meat = (basis * residual[:, None] ** 2).T @ basis
        covariance = gram_inverse @ meat @ gram_inverse
        above = float(np.mean(net)) > 0
        gradient = (basis[self.fitted > 0].sum(axis=0) - (basis.sum(axis=0) if above else 0.0)) / n
        self._noise = float(max(gradient @ covariance @ gradient, 0.0))

    def noise_variance(self) -> float:
        """The variance of the EVSI from the noise of the fitted curve (delta method)."""
        return self._noise
