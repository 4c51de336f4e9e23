"""Value of information for the decision to invest (NPV) or not (0).

EVPI, the expected value of perfect information, is what it would be worth to know every input
exactly before deciding: E[max(NPV, 0)] - max(E[NPV], 0), over the draws of one Monte Carlo run.

EVPPI, the expected value of partial perfect information about some inputs theta, is
E_theta[max(E[NPV | theta], 0)] - max(E[NPV], 0). The conditional mean E[NPV | theta] is estimated by
regressing the draws' NPV on theta (Strong, Oakley and Brennan 2014, "Estimating multiparameter
partial expected value of perfect information from a probabilistic sensitivity analysis sample: a
nonparametric regression approach", Medical Decision Making 34(3)), with a fixed least-squares basis:

- one input: a cubic regression spline (cubic polynomial plus truncated cubics at its 20, 40, 60
  and 80 % quantiles), flexible enough for the curved effect of a discount rate or a persistence;
- a group: each member's value and its square, and the products of members that belong to the same
  cost or consequence item (the NPV is a sum of products within an item: change times price times
  price factor), or of every pair in a group of at most 12 inputs.

A basis has at most one term per 20 draws: products, then squares, then the spline's knots are left
out where the draws are too few; a group with more inputs than that is refused.

The fitted values are the draws' estimated E[NPV | theta]. Noise left in them biases EVPPI upwards
a little (by at most about sd(NPV) sqrt(terms / draws) where the conditional mean is near 0); the
estimate is clipped to [0, EVPI].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import xarray as xr

from somrisk.case import Case
from somrisk.engine import Model, simulate
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
from somrisk.sensitivity._common import TOTAL, as_model, grouping, select_output

__all__ = ["ValueOfInformation", "evpi", "evppi", "voi"]

#: Interior knots of the single-input spline, as quantiles of the input's draws.
SPLINE_KNOTS = (0.2, 0.4, 0.6, 0.8)
#: Groups of at most this many inputs get every pairwise product in their basis.
ALL_PAIRS_UP_TO = 12
#: A basis has at most draws / DRAWS_PER_TERM terms.
DRAWS_PER_TERM = 20


@dataclass(frozen=True, eq=False)
class ValueOfInformation(Labelled):
    """EVPI and EVPPI of one output, in the case's currency.

    `data` has the dimension ``input`` (or ``group`` with `by_group`) labelled by the inputs' paths
    or the groups' names, the 0-d ``evpi``, ``mean`` and ``prob_positive``; `attrs` hold ``output``,
    ``draws``, ``seed``, ``by_group`` and the provenance.

    Attributes
    ----------
    evpi : float
        Expected value of perfect information on every input.
    names : tuple of str
        Inputs (paths) or groups.
    evppi : float64 (len(names),)
        Expected value of perfect information on each input or group alone.
    share_of_evpi : float64 (len(names),)
        evppi / evpi; NaN where the EVPI is 0.
    terms : int64 (len(names),)
        Regression terms used for each estimate.
    mean, prob_positive : float
        E[NPV] and P(NPV > 0) over the draws: the decision without more information is to invest
        where the mean is positive.
    """

    JSON: ClassVar = (
        Setting("output"),
        Setting("draws"),
        Number("evpi"),
        Rows("evppi", "name", (Column("value", "evppi"), Column("terms"))),
        Setting("groups", "by_group"),
        Number("mean"),
        Number("prob_positive"),
        Setting("seed"),
        Provenance(),
    )
    TABLE: ClassVar = TableSpec(
        (
            TableColumn("{What}", "label"),
            TableColumn("EVPPI", "money", "evppi"),
            TableColumn("Share of EVPI", "share", "share_of_evpi"),
        ),
        sort_by="evppi",
    )

    evpi = number()
    evppi = array()
    share_of_evpi = array()
    terms = array()
    mean = number()
    prob_positive = number()
    draws = setting()
    seed = setting()
    by_group = setting()


def evpi(net: np.ndarray) -> float:
    """E[max(net, 0)] - max(E[net], 0) over draws of the net benefit of investing."""
    net = np.asarray(net, dtype=float)
    return float(max(np.mean(np.maximum(net, 0.0)) - max(np.mean(net), 0.0), 0.0))


def evppi(net: np.ndarray, theta: np.ndarray, items: list[str] | None = None) -> tuple[float, int]:
    """EVPPI of the inputs `theta` (draws, k) by regression, and the number of regression terms.

    `items` names each column's cost or consequence item (products of columns of one item enter a
    group's basis).
    """
    net = np.asarray(net, dtype=float)
    theta = np.asarray(theta, dtype=float).reshape(net.size, -1)
    basis = _basis(theta, items or [str(k) for k in range(theta.shape[1])])
    coefficients, *_ = np.linalg.lstsq(basis, net, rcond=None)
    fitted = basis @ coefficients
    value = np.mean(np.maximum(fitted, 0.0)) - max(np.mean(fitted), 0.0)
    return float(min(max(value, 0.0), evpi(net))), basis.shape[1]


def _basis(theta: np.ndarray, items: list[str]) -> np.ndarray:
    draws = theta.shape[0]
    sd = theta.std(axis=0)
    keep = sd > 0
    z = (theta[:, keep] - theta[:, keep].mean(axis=0)) / sd[keep]
    items = [item for item, kept in zip(items, keep, strict=True) if kept]
    columns = [np.ones(draws)]
    if z.shape[1] == 1 and draws >= DRAWS_PER_TERM * (4 + len(SPLINE_KNOTS)):
        x = z[:, 0]
        columns += [x, x**2, x**3]
        for knot in np.quantile(x, SPLINE_KNOTS):
            columns.append(np.maximum(x - knot, 0.0) ** 3)
        return np.column_stack(columns)
    limit = draws // DRAWS_PER_TERM
    linear = [z[:, j] for j in range(z.shape[1])]
    squares = [x**2 for x in linear]
    pairs = [
        (i, j)
        for i in range(z.shape[1])
        for j in range(i + 1, z.shape[1])
        if z.shape[1] <= ALL_PAIRS_UP_TO or items[i] == items[j]
    ]
    products = [z[:, i] * z[:, j] for i, j in pairs]
    # the richest basis the draws support: products, then squares, go first
    for extra in (squares + products, squares, []):
        if len(columns) + len(linear) + len(extra) <= limit:
            return np.column_stack(columns + linear + extra)
    raise UsageError(
        f"{draws:,} draws are too few to estimate the EVPPI of {z.shape[1]} input(s) together; "
        f"that needs at least {DRAWS_PER_TERM * (z.shape[1] + 1):,} draws"
    )


def _item(path: str) -> str:
    """The cost or consequence item of an input path (``consequences.x.price.kommune`` ->
    ``consequences.x``); other inputs are their own item."""
    parts = path.split(".")
    return ".".join(parts[:2]) if parts[0] in ("costs", "comparison_costs", "consequences") else path


def voi(
    case: Case | Model | str | Path,
    *,
    draws: int = 10_000,
    seed: int = 1,
    sampler: str = "lhs",
    groups: bool = False,
    output: str = TOTAL,
    threads: int | None = None,
) -> ValueOfInformation:
    """EVPI, and EVPPI per uncertain input (or per group), for investing against not investing.

    Computed on the draws of one Monte Carlo run (the same draws as ``somrisk run`` with the same
    seed, sampler and draws).

    Raises
    ------
    UsageError
        For an unknown output, or bad draws, seed or sampler.
    """
    model = as_model(case)
    target = select_output(model, output)
    run = simulate(model, draws=draws, seed=seed, sampler=sampler, threads=threads, keep_inputs=True)
    assert run.inputs is not None
    net = target.of(run.npv.T)
    grouped = grouping(model, by_group=groups, merge_correlated=False)
    items = [_item(path) for path in model.space.paths]
    values, terms = [], []
    for name in grouped.names:
        members = grouped.members(name)
        value, n_terms = evppi(net, run.inputs[:, members], [items[m] for m in members])
        values.append(value)
        terms.append(n_terms)
    dim = "group" if groups else "input"
    perfect = evpi(net)
    evppi_values = np.array(values, dtype=float)
    share_of_evpi = evppi_values / perfect if perfect > 0 else np.full(len(values), np.nan)
    data = xr.Dataset(
        {
            "evppi": (dim, evppi_values),
            "share_of_evpi": (dim, share_of_evpi),
            "terms": (dim, np.array(terms, dtype=np.int64)),
            "evpi": perfect,
            "mean": float(np.mean(net)),
            "prob_positive": float(np.mean(net > 0)),
        },
        coords={dim: list(grouped.names)},
        attrs=run.attrs | {"output": target.name, "draws": draws, "seed": seed, "by_group": groups},
    )
    return ValueOfInformation(data)
