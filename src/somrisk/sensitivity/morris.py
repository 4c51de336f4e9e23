"""Morris elementary effects via SALib: a cheap screening of cases with many inputs.

The design moves one input (or group) at a time along `trajectories` paths through a grid of
`levels` levels of each input's probability range, from its 1 % to its 99 % quantile. An elementary
effect is the change of the output per such move, scaled to the whole range: mu* (the mean of its
absolute value) is about the change of the output when the input goes from its 1 % to its 99 %
quantile, in the case's currency; sigma (their spread) is large where the input's effect depends
on the other inputs (interactions) or is not linear.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import xarray as xr

from somrisk.case import Case
from somrisk.cube import make_attrs
from somrisk.engine import Model, evaluate_uniforms
from somrisk.errors import UsageError
from somrisk.labelled import (
    Column,
    Labelled,
    Provenance,
    Rows,
    Setting,
    TableColumn,
    TableSpec,
    array,
    setting,
)
from somrisk.sensitivity import _salib
from somrisk.sensitivity._common import TOTAL, as_model, grouping, select_output

__all__ = ["MorrisResult", "morris"]

#: The probability range of each input the design spans (unbounded inputs have no 0 % or 100 %).
QUANTILE_RANGE = (0.01, 0.99)


@dataclass(frozen=True, eq=False)
class MorrisResult(Labelled):
    """Morris screening of one output.

    `data` has the dimension ``input`` (or ``group`` with `by_group`) labelled by the inputs' paths
    or the groups' names, in the case's order; `attrs` hold the settings below and the provenance.

    Attributes
    ----------
    names : tuple of str
        The inputs (paths) or groups, in the case's order.
    mu, mu_star, mu_star_conf, sigma : float64 (len(names),)
        Mean, mean absolute value (with its bootstrap confidence half-width) and standard deviation
        of the elementary effects, in the case's currency per move across the input's 1-99 %
        quantile range. `sigma` is NaN for a group of several inputs (moved together, their effects
        have no spread of their own).
    trajectories, levels, evaluations : int
        The design: trajectories (g + 1) evaluations for g inputs or groups.
    """

    JSON: ClassVar = (
        Setting("output"),
        Setting("trajectories"),
        Setting("levels"),
        Setting("evaluations"),
        Rows("indices", "name", tuple(Column(key) for key in ("mu_star", "mu_star_conf", "mu", "sigma"))),
        Setting("groups", "by_group"),
        Setting("correlated_groups", "merged"),
        Setting("seed"),
        Provenance(),
    )
    TABLE: ClassVar = TableSpec(
        (
            TableColumn("{What}", "label"),
            TableColumn("mu*", "money", "mu_star"),
            TableColumn("± (95 %)", "money", "mu_star_conf"),
            TableColumn("mu", "money", "mu"),
            TableColumn("sigma", "money", "sigma"),
        ),
        sort_by="mu_star",
    )

    mu = array()
    mu_star = array()
    mu_star_conf = array()
    sigma = array()
    trajectories = setting()
    levels = setting()
    evaluations = setting()
    by_group = setting()
    merged = setting()
    seed = setting()


def morris(
    case: Case | Model | str | Path,
    *,
    trajectories: int = 20,
    levels: int = 4,
    seed: int = 1,
    groups: bool = False,
    output: str = TOTAL,
    resamples: int = 1000,
    confidence: float = 0.95,
    threads: int | None = None,
) -> MorrisResult:
    """Morris elementary effects of the NPV, per uncertain input or per group.

    Raises
    ------
    UsageError
        For bad trajectories, levels, seed or output, or a case with no uncertain input.
    """
    if isinstance(trajectories, bool) or not isinstance(trajectories, int) or not 2 <= trajectories <= 10_000:
        raise UsageError(f"trajectories must be a whole number from 2 to 10,000; got {trajectories!r}")
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2 or levels % 2:
        raise UsageError(f"levels must be an even whole number >= 2; got {levels!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed must be a whole number >= 0; got {seed!r}")
    model = as_model(case)
    target = select_output(model, output)
    if model.space.dimension == 0:
        raise UsageError("the case has no uncertain input; there is nothing to screen")
    grouped = grouping(model, by_group=groups)
    spec = _salib.problem(model.space.paths, grouped)
    design = _salib.morris_design(spec, trajectories, levels, seed)
    lo, hi = QUANTILE_RANGE
    y = target.of(evaluate_uniforms(model, lo + (hi - lo) * design, threads=threads))
    result = _salib.morris_analysis(spec, design, y, levels, seed, resamples, confidence)
    sigma = result["sigma"].copy()
    for k, name in enumerate(grouped.names):
        if len(grouped.members(name)) > 1:
            sigma[k] = np.nan
    dim = "group" if groups else "input"
    values = {"mu": result["mu"], "mu_star": result["mu_star"], "mu_star_conf": result["mu_star_conf"]}
    settings = {
        "output": target.name,
        "trajectories": trajectories,
        "levels": levels,
        "evaluations": int(design.shape[0]),
        "by_group": groups,
        "merged": grouped.merged,
        "seed": seed,
    }
    data = xr.Dataset(
        {key: (dim, array) for key, array in (values | {"sigma": sigma}).items()},
        coords={dim: list(grouped.names)},
        attrs=make_attrs(model.case, seed=seed, sampler="morris", draws=int(design.shape[0])) | settings,
    )
    return MorrisResult(data)
