"""A block of input values through the kernel: the only place :func:`evaluate_cases` is called."""

from __future__ import annotations

import numpy as np

from somrisk.kernel import KernelOutputs, evaluate_cases
from somrisk.plan import StackedPlan

__all__ = ["evaluate_block", "participants"]


def evaluate_block(
    plan: StackedPlan,
    values: np.ndarray,
    *,
    write_cube: bool,
    constants: np.ndarray | None = None,
) -> KernelOutputs:
    """The kernel's outputs for n rows of input values of one chunk of cases.

    Parameters
    ----------
    plan : StackedPlan
        The chunk's plan.
    values : float64 (n, d)
        Values of the chunk's uncertain inputs, one row per draw or design point.
    write_cube : bool
        Also fill the gains by consequence, the costs and the discount factors (the cube).
    constants : float64 (P,), optional
        Values of every input (the entries of uncertain inputs are ignored) replacing the plan's
        constants: the deterministic run's base values, or a design's fixed inputs.

    Returns
    -------
    KernelOutputs
        Newly allocated; see :class:`somrisk.kernel.KernelOutputs` for shapes, units and signs.
    """
    values = np.ascontiguousarray(values, dtype=float)
    n, T, A, C, K = values.shape[0], plan.years, plan.actors, plan.consequences, plan.cases
    args = plan.args if constants is None else plan.args._replace(param_constant=constants)
    cube = (n, K, T) if write_cube else (0, 0, 0)
    out = KernelOutputs(
        npv=np.zeros((n, A)),
        case_npv=np.empty((n, K)),
        net=np.zeros((n, T, A)),
        discounted=np.zeros((n, T)),
        pv=np.zeros((n, 2)),
        gains=np.empty((*cube, A, C) if write_cube else (0, 0, 0, 0, 0)),
        costs=np.empty((*cube, A) if write_cube else (0, 0, 0, 0)),
        discount=np.empty(cube),
    )
    evaluate_cases(values, args, write_cube, out)
    return out


def participants(plan: StackedPlan, values: np.ndarray, constants: np.ndarray | None = None) -> np.ndarray:
    """The number of participants of every row, sum_i n_i over the chunk's cohorts (rows,), for the
    per-participant figures (SØM divides by every participant, not only those with the effect)."""
    args = plan.args
    columns = args.param_column[args.cohort_param]
    fixed = (args.param_constant if constants is None else constants)[args.cohort_param]
    drawn = columns >= 0
    total = np.full(values.shape[0], float(fixed[~drawn].sum()))
    if drawn.any():
        total += values[:, columns[drawn]].sum(axis=1)
    return total
