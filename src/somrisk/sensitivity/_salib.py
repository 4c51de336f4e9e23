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

from somrisk.sensitivity._common import Grouping

__all__ = ["morris_analysis", "morris_design", "problem", "sobol_analysis"]


def problem(paths: tuple[str, ...], grouping: Grouping) -> dict[str, Any]:
    """SALib's problem definition for the unit cube of the uncertain inputs."""
    spec: dict[str, Any] = {"num_vars": len(paths), "names": list(paths), "bounds": [[0.0, 1.0]] * len(paths)}
    if not grouping.trivial:
        spec["groups"] = list(grouping.labels)
    return spec


def sobol_analysis(
    spec: dict[str, Any], y: np.ndarray, second_order: bool, seed: int, resamples: int, confidence: float
) -> dict[str, np.ndarray]:
    """First-order and total indices (and second-order ones) with bootstrap confidence half-widths."""
    from SALib.analyze import sobol

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
        )
    return {key: np.asarray(value, dtype=float) for key, value in result.items()}


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
