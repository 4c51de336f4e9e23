"""The only module that imports SALib: Morris's design, and the analyses, in the unit cube.

Designs are in the unit cube, one column per uncertain input (Saltelli's: ``saltelli``), with a ``problem``
built here from a :class:`Grouping`; the same problem analyses the outputs. The unit cube's points
are turned into input values by :func:`somrisk.engine.evaluate_uniforms` (rank correlations,
inverse CDFs), so SALib never sees a distribution.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from somrisk._resources import available_cpus, available_memory
from somrisk.sensitivity._common import Grouping

__all__ = ["morris_analysis", "morris_design", "problem", "sobol_analysis"]


def problem(paths: tuple[str, ...], grouping: Grouping) -> dict[str, Any]:
    """SALib's problem definition for the unit cube of the uncertain inputs."""
    spec: dict[str, Any] = {"num_vars": len(paths), "names": list(paths), "bounds": [[0.0, 1.0]] * len(paths)}
    if not grouping.trivial:
        spec["groups"] = list(grouping.labels)
    return spec


#: Work (base points x columns x resamples) from which SALib's bootstrap is spread over processes;
#: below it, starting the processes costs more than it saves.
PARALLEL_WORK = 2**22
#: Share of the available memory the copies sent to the processes may take; beyond it, one process.
PARALLEL_MEMORY_SHARE = 0.25


def sobol_analysis(
    spec: dict[str, Any],
    y: np.ndarray,
    second_order: bool,
    seed: int,
    resamples: int,
    confidence: float,
    *,
    processes: int | None = None,
) -> dict[str, np.ndarray]:
    """First-order and total indices (and second-order ones) with bootstrap confidence half-widths.

    ``processes`` (default and at most: the CPUs available) splits SALib's per-index estimates over forked
    processes; each index is computed by the same function on the same arrays and bootstrap
    indices, so the results are identical to one process's, bit for bit.
    """
    from SALib.analyze import sobol

    columns = len(set(spec.get("groups") or spec["names"]))
    rows = y.size // (2 * columns + 2 if second_order else columns + 2)
    workers = _processes(processes)
    # SALib sends each process the outputs and the bootstrap indices (pickled): room for them all
    copies = 8 * (y.size + rows * resamples) * (workers + 1)
    parallel = (
        workers > 1
        and rows * columns * resamples >= PARALLEL_WORK
        and copies <= available_memory() * PARALLEL_MEMORY_SHARE
        and _can_fork()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # constant outputs are reported by the caller
        result = sobol.analyze(
            spec,
            y,
            calc_second_order=second_order,
            num_resamples=resamples,
            conf_level=confidence,
            # a Generator, not the int: SALib 1.6 tests `if seed:` and leaves seed 0 unseeded
            seed=np.random.default_rng(seed),
            parallel=parallel,
            n_processors=workers if parallel else None,
        )
    return {key: np.asarray(value, dtype=float) for key, value in result.items()}


def _processes(processes: int | None) -> int:
    """The processes asked for, at most one per CPU of this machine (a Dask cluster's workers are
    elsewhere)."""
    return max(1, min(processes or available_cpus(), available_cpus()))


def _can_fork() -> bool:
    """Whether SALib's process pool starts by forking (cheap: the arrays are inherited) and this
    process may have children (a daemonic process, e.g. a Dask worker's, may not)."""
    import multiprocessing

    import multiprocess  # SALib's own process pool (a fork of multiprocessing)

    forks = multiprocess.get_context().get_start_method() == "fork"
    daemonic = multiprocessing.current_process().daemon or multiprocess.current_process().daemon
    return forks and not daemonic


def morris_design(spec: dict[str, Any], trajectories: int, levels: int, seed: int) -> np.ndarray:
    """`trajectories` one-at-a-time paths through a grid of `levels` levels: trajectories (g + 1)
    rows, g being the number of groups."""
    from SALib.sample import morris

    return morris.sample(spec, trajectories, num_levels=levels, seed=seed)


def morris_analysis(
    spec: dict[str, Any],
    design: np.ndarray,
    y: np.ndarray,
    levels: int,
    seed: int,
    resamples: int,
    confidence: float,
) -> dict[str, np.ndarray]:
    """mu, mu* (with a bootstrap confidence half-width) and sigma of the elementary effects, per
    group (SALib leaves sigma NaN for a group of several inputs)."""
    from SALib.analyze import morris

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = morris.analyze(
            spec,
            design,
            y,
            num_resamples=resamples,
            conf_level=confidence,
            num_levels=levels,
            seed=np.random.default_rng(seed),
        )
    return {key: np.asarray(result[key], dtype=float) for key in ("mu", "mu_star", "mu_star_conf", "sigma")}
