"""Sobol indices via SALib: which share of the output's variance each input (or group) causes.

Saltelli's design is made in the unit cube (:mod:`somrisk.sensitivity.saltelli`, in SALib's row
layout) and evaluated by the compiled kernel in its reduce mode, block by block over all rows at
once (no Python loop per sample); SALib's analyser then reads the outputs in the design's order.
Correlated inputs are analysed as one group (Sobol indices assume independent inputs); the result
lists the groups formed that way.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import xarray as xr

from somrisk._resources import available_memory, format_bytes
from somrisk.case import Case
from somrisk.cube import make_attrs
from somrisk.engine import Model, evaluate_uniforms
from somrisk.engine.run import current_workers
from somrisk.errors import UsageError
from somrisk.labelled import (
    Column,
    Labelled,
    Number,
    Provenance,
    Rows,
    Setting,
    TableColumn,
    TableSpec,
    array,
    number,
    setting,
)
from somrisk.sensitivity import _salib, saltelli
from somrisk.sensitivity._common import TOTAL, as_model, grouping, select_output

__all__ = ["MIN_N", "SobolResult", "distinguishable", "sobol"]

#: The fewest base points a Sobol analysis accepts (docs/sensitivity.md): below it the bootstrap
#: resamples too few distinct points for its intervals to mean anything.
MIN_N = 64


def distinguishable(index: np.ndarray, conf: np.ndarray) -> np.ndarray:
    """True where an index is distinguishable from 0: its confidence interval
    [index - conf, index + conf] lies above 0, however wide it is. (An interval wholly below 0 is
    an artefact of the estimator, Sobol indices being >= 0, and is not counted.)"""
    index, conf = np.asarray(index, dtype=float), np.asarray(conf, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(index) & np.isfinite(conf) & (index - conf > 0)


@dataclass(frozen=True, eq=False)
class SobolResult(Labelled):
    """Sobol indices of one output, per input or per group.

    `data` has the dimension ``input`` (or ``group`` with `by_group`) labelled by the inputs' paths
    or the groups' names, in the case's order, and ``other_input`` (``other_group``) for the
    second-order indices; `attrs` hold the settings below and the provenance.

    Attributes
    ----------
    output : str
        ``"npv"`` or ``"npv:<actor>"``.
    names : tuple of str
        The inputs (paths) or groups, in the case's order.
    S1, S1_conf, ST, ST_conf : float64 (len(names),)
        First-order and total indices, with the half-widths of their bootstrap confidence intervals
        (`confidence` level). NaN where the output does not vary.
    S1_distinguishable, ST_distinguishable : bool (len(names),)
        Whether each index is distinguishable from 0 (:func:`distinguishable`).
    S2, S2_conf : float64 (len(names), len(names)) or None
        Second-order indices (upper triangle), where asked for.
    n : int
        Base points of the design (a power of two); `requested_n` the n asked for.
    evaluations : int
        Model evaluations: n (g + 2), or n (2g + 2) with second-order indices.
    merged : tuple of str
        Groups formed by joining correlated inputs.
    mean, variance : float
        Mean and variance of the output over the design's base points.
    model_seconds, sampling_seconds, analysis_seconds : float
        Time spent evaluating the model, making Saltelli's design, and in SALib's analysis.
    """

    JSON: ClassVar = (
        Setting("output"),
        Setting("n"),
        Setting("evaluations"),
        Rows(
            "indices",
            "name",
            (
                *(Column(key) for key in ("S1", "S1_conf", "ST", "ST_conf")),
                Column("S1_distinguishable"),
                Column("ST_distinguishable"),
                Column("S2", upper=True, optional=True),
                Column("S2_conf", upper=True, optional=True),
            ),
        ),
        Setting("groups", "by_group"),
        Setting("correlated_groups", "merged"),
        Setting("confidence"),
        Setting("seed"),
        Number("variance"),
        Provenance(),
    )
    TABLE: ClassVar = TableSpec(
        (
            TableColumn("{What}", "label"),
            TableColumn("First order S1", "index", "S1"),
            TableColumn("Total ST", "index", "ST"),
        ),
        sort_by="ST",
    )

    S1 = array()
    S1_conf = array()
    ST = array()
    ST_conf = array()
    S1_distinguishable = array()
    ST_distinguishable = array()
    S2 = array()
    S2_conf = array()
    mean = number()
    variance = number()
    n = setting()
    requested_n = setting()
    evaluations = setting()
    by_group = setting()
    merged = setting()
    confidence = setting()
    seed = setting()
    model_seconds = setting()
    sampling_seconds = setting()
    analysis_seconds = setting()

    @property
    def varies(self) -> bool:
        """False where the output is the same in every evaluation (nothing to attribute)."""
        return bool(self.variance > 0)


def power_of_two(n: int) -> int:
    """The smallest power of two >= n (Saltelli's design keeps its balance only at powers of two)."""
    return 1 << max(0, math.ceil(math.log2(n)))


def sobol(
    case: Case | Model | str | Path,
    *,
    n: int = 1024,
    seed: int = 1,
    groups: bool = False,
    output: str = TOTAL,
    second_order: bool = False,
    resamples: int = 100,
    confidence: float = 0.95,
    threads: int | None = None,
) -> SobolResult:
    """First-order and total Sobol indices of the NPV, per uncertain input or per group.

    Parameters
    ----------
    case : Case, Model or path
        A validated case, a compiled one, or a case file to load.
    n : int
        Base points of Saltelli's design, rounded up to a power of two (`SobolResult.n`).
    seed : int
        Seed of the design's scrambling (the first child of ``SeedSequence(seed)``) and of the
        bootstrap (``default_rng(seed)``).
    groups : bool
        Indices per group of inputs (effect, persistence, costs, consequences, prices, participants,
        economy) instead of per input.
    output : str
        ``"npv"`` (total) or ``"npv:<actor>"``.
    second_order : bool
        Also the second-order indices (doubles the evaluations).
    resamples, confidence : int, float
        Bootstrap resamples and the confidence level of the intervals.
    threads : int, optional
        Threads evaluating the model, and processes sharing the bootstrap of a large design
        (default: the workers of the scheduler opened by :func:`somrisk.engine.scheduler`, else
        the CPUs available); the results do not depend on it.

    Raises
    ------
    UsageError
        For a bad `n`, `seed`, `output`, `resamples` or `confidence`, or a case with no uncertain input.
    """
    _check_arguments(n, seed, resamples, confidence)
    model = as_model(case)
    target = select_output(model, output)
    space = model.space
    if space.dimension == 0:
        raise UsageError("the case has no uncertain input; there is no variance to attribute")
    grouped = grouping(model, by_group=groups)
    g = len(grouped.names)
    # with one group, the design moves the inputs one by one (SALib's analyser needs two groups or
    # more); that group's indices are 1 by definition and are not estimated
    labels = grouped.labels if g > 1 else space.paths
    spec = _salib.problem(space.paths, grouped)
    base_n = power_of_two(n)
    columns = len(set(labels))
    _check_memory(saltelli.design_rows(base_n, columns, second_order), space.dimension, base_n, resamples)

    started = time.perf_counter()
    design = saltelli.saltelli_design(labels, base_n, second_order, np.random.SeedSequence(seed).spawn(1)[0])
    sampling_seconds = time.perf_counter() - started

    started = time.perf_counter()
    y = target.of(evaluate_uniforms(model, design, threads=threads))
    model_seconds = time.perf_counter() - started

    step = 2 * columns + 2 if second_order else columns + 2
    base_points = np.concatenate([y[0::step], y[step - 1 :: step]])  # rows of the A and B matrices
    variance = float(np.var(base_points, ddof=1)) if base_points.size > 1 else 0.0
    nan = np.full(g, np.nan)
    started = time.perf_counter()
    if variance > 0 and g == 1:
        one, zero = np.ones(1), np.zeros(1)
        indices = {"S1": one, "S1_conf": zero, "ST": one, "ST_conf": zero}
        if second_order:
            indices |= {"S2": np.full((1, 1), np.nan), "S2_conf": np.full((1, 1), np.nan)}
    elif variance > 0:
        indices = _salib.sobol_analysis(
            spec, y, second_order, seed, resamples, confidence, processes=threads or current_workers()
        )
    else:
        indices = {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
        if second_order:
            indices |= {"S2": np.full((g, g), np.nan), "S2_conf": np.full((g, g), np.nan)}
    analysis_seconds = time.perf_counter() - started
    dim = "group" if groups else "input"
    variables = {key: (dim, indices[key]) for key in ("S1", "S1_conf", "ST", "ST_conf")} | {
        "S1_distinguishable": (dim, distinguishable(indices["S1"], indices["S1_conf"])),
        "ST_distinguishable": (dim, distinguishable(indices["ST"], indices["ST_conf"])),
        "mean": float(np.mean(base_points)),
        "variance": variance,
    }
    coords = {dim: list(grouped.names)}
    if second_order:
        variables |= {key: ((dim, f"other_{dim}"), indices[key]) for key in ("S2", "S2_conf")}
        coords[f"other_{dim}"] = list(grouped.names)
    settings = {
        "output": target.name,
        "n": base_n,
        "requested_n": n,
        "evaluations": int(design.shape[0]),
        "by_group": groups,
        "merged": grouped.merged,
        "confidence": confidence,
        "seed": seed,
        "model_seconds": model_seconds,
        "sampling_seconds": sampling_seconds,
        "analysis_seconds": analysis_seconds,
    }
    data = xr.Dataset(
        variables,
        coords=coords,
        attrs=make_attrs(model.case, seed=seed, sampler="saltelli", draws=int(design.shape[0])) | settings,
    )
    return SobolResult(data)


#: Share of the available memory a Sobol design and its analysis may take.
MEMORY_SHARE = 0.5


def _check_memory(rows: int, d: int, n: int, resamples: int) -> None:
    """Refuse a design whose arrays (the design, its outputs, SALib's bootstrap indices) would not
    fit in memory."""
    needed = 8 * (rows * (d + 2) + n * resamples * 2)
    limit = available_memory() * MEMORY_SHARE
    if needed > limit:
        raise UsageError(
            f"n = {n:,} needs a design of {rows:,} rows and about {format_bytes(needed)} of memory, "
            f"more than the {format_bytes(limit)} available; use a smaller n"
        )


def _check_arguments(n: int, seed: int, resamples: int, confidence: float) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not MIN_N <= n <= 2**24:
        raise UsageError(
            f"n must be a whole number from {MIN_N} to {2**24:,}; got {n!r} (below {MIN_N} base points "
            "the bootstrap intervals cannot tell an index from 0)"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed must be a whole number >= 0; got {seed!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 10:
        raise UsageError(f"resamples must be a whole number >= 10; got {resamples!r}")
    if not 0 < confidence < 1:
        raise UsageError(f"confidence must lie in (0, 1); got {confidence!r}")
