"""What drives a loss: Monte Carlo filtering of the draws of one run.

The draws are split into those where the output is negative (a loss) and the rest. For each
uncertain input, the two-sample Kolmogorov-Smirnov distance D compares the input's values in the two
sets (Hornberger and Spear 1981; Saltelli et al. 2008, "Global Sensitivity Analysis: The Primer",
ch. 5): D is the largest gap between the two empirical cumulative distributions. D = 0 means the
input looks the same in the losing and the other draws (it does not decide a loss); D near 1 means
its values hardly overlap (the input alone nearly decides whether the investment loses money).
The p-value says whether a D that large could come from chance alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import xarray as xr
from scipy import stats

from somrisk.case import Case
from somrisk.engine import Model, simulate
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
from somrisk.sensitivity._common import TOTAL, as_model, select_output

__all__ = ["Drivers", "drivers"]

#: The numbers of each input, in the order of the JSON.
COLUMNS = ("distance", "pvalue", "median_loss", "median_rest")


@dataclass(frozen=True, eq=False)
class Drivers(Labelled):
    """Inputs that separate losing draws from the rest, largest distance first.

    `data` has the dimension ``input`` (the paths, largest distance first) and the 0-d
    ``prob_loss``; `attrs` hold ``output``, ``draws``, ``seed``, ``loss_draws`` and the provenance.

    Attributes
    ----------
    names : tuple of str
        Input paths, sorted by `distance`, largest first.
    distance, pvalue : float64 (len(names),)
        Kolmogorov-Smirnov distance between the input's values in losing and other draws, and its
        p-value. NaN where either set is empty.
    median_loss, median_rest : float64 (len(names),)
        The input's median in the losing draws and in the others (which side of it losses lie on).
    loss_draws, draws : int
        Number of losing draws, and of all draws; `prob_loss` their ratio.
    """

    JSON: ClassVar = (
        Setting("output"),
        Setting("draws"),
        Setting("loss_draws"),
        Number("prob_loss"),
        Rows("drivers", "input", tuple(Column(key) for key in COLUMNS)),
        Setting("seed"),
        Provenance(),
    )
    TABLE: ClassVar = TableSpec(
        (
            TableColumn("{What}", "label"),
            TableColumn("Distance D", "decimal3", "distance"),
            TableColumn("p-value", "pvalue", "pvalue"),
            TableColumn("Median in losses", "value", "median_loss"),
            TableColumn("Median otherwise", "value", "median_rest"),
        )
    )

    distance = array()
    pvalue = array()
    median_loss = array()
    median_rest = array()
    prob_loss = number()
    draws = setting()
    loss_draws = setting()
    seed = setting()


def drivers(
    case: Case | Model | str | Path,
    *,
    draws: int = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    output: str = TOTAL,
    threads: int | None = None,
) -> Drivers:
    """Which inputs separate the draws with NPV < 0 from the rest (Monte Carlo filtering).

    Raises
    ------
    UsageError
        For an unknown output, or bad draws, seed or sampler.
    """
    model = as_model(case)
    target = select_output(model, output)
    run = simulate(model, draws=draws, seed=seed, sampler=sampler, threads=threads, keep_inputs=True)
    assert run.inputs is not None
    loss = target.of(run.npv.T) < 0
    d = model.space.dimension
    distance, pvalue = np.full(d, np.nan), np.full(d, np.nan)
    median_loss, median_rest = np.full(d, np.nan), np.full(d, np.nan)
    if 0 < loss.sum() < draws:
        for j in range(d):
            losing, rest = run.inputs[loss, j], run.inputs[~loss, j]
            test = stats.ks_2samp(losing, rest)
            distance[j], pvalue[j] = test.statistic, test.pvalue
            median_loss[j], median_rest[j] = np.median(losing), np.median(rest)
    elif loss.any():
        median_loss = np.median(run.inputs, axis=0)
    else:
        median_rest = np.median(run.inputs, axis=0)
    order = np.argsort(-np.nan_to_num(distance, nan=-1.0), kind="stable")
    columns = {"distance": distance, "pvalue": pvalue, "median_loss": median_loss, "median_rest": median_rest}
    data = xr.Dataset(
        {key: ("input", columns[key][order]) for key in COLUMNS} | {"prob_loss": loss.sum() / draws},
        coords={"input": [model.space.paths[j] for j in order]},
        attrs=run.attrs
        | {"output": target.name, "draws": draws, "seed": seed, "loss_draws": int(loss.sum())},
    )
    return Drivers(data)
