"""``--draws auto``: as many draws as P(NPV > 0) needs to be precise (model.md, "Precision").

Whole blocks of draws (:data:`somrisk.sampling.BLOCK_DRAWS`) are used until the 95 % half-width of
P(NPV > 0), 1.96 * sqrt(p (1 - p) / n), is at most the tolerance for the total and every actor, or
until the cap. The number of draws is chosen from a first run of one block: from the P(NPV > 0) it
found, the draws the tolerance needs (rounded up to whole blocks; at least one block more); that
number is then run from the start, as a run with that fixed number of draws, and checked again.
A Latin hypercube or Sobol design depends on the number of draws, so the draws of a larger run are
not the earlier run's draws plus new ones; running each number from the start keeps the result
equal, value for value, to ``--draws N`` with the N it reports, for every sampler. The sequence of
numbers tried depends only on the case, seed, sampler and tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from somrisk.errors import UsageError
from somrisk.sampling import BLOCK_DRAWS

__all__ = [
    "AUTO",
    "AUTO_CAP",
    "AUTO_TOLERANCE",
    "Z95",
    "Precision",
    "auto_draws",
    "check_draws",
    "check_tolerance",
]

AUTO = "auto"
AUTO_TOLERANCE = 0.005
#: The most draws ``--draws auto`` takes (then it warns that the tolerance was not met).
AUTO_CAP = 10_000_000
Z95 = 1.96

Result = TypeVar("Result")


@dataclass(frozen=True)
class Precision:
    """How ``--draws auto`` ended.

    Attributes
    ----------
    draws : int
        The draws of the result.
    tolerance : float
        The largest 95 % half-width of P(NPV > 0) allowed.
    half_width : float
        The largest half-width found, over the total and every actor (1.96 * prob_positive_se).
    widest : str
        Where it was found (``total``, an actor, or an alternative's).
    met : bool
        True where the half-width is within the tolerance; False where the cap stopped it.
    runs : tuple of int
        The numbers of draws run, in order (the last is `draws`).
    """

    draws: int
    tolerance: float
    half_width: float
    widest: str
    met: bool
    runs: tuple[int, ...]

    @property
    def reason(self) -> str:
        """Why it stopped, in words."""
        if self.met:
            return (
                f"--draws auto: {self.draws:,} draws ({self.draws // BLOCK_DRAWS} blocks), at which "
                f"1.96 x prob_positive_se of P(NPV > 0) is at most {self.tolerance:g} for the total "
                f"and every actor (largest: {self.half_width:.4f}, {self.widest})"
            )
        return (
            f"--draws auto stopped at the cap of {self.draws:,} draws before P(NPV > 0) was precise "
            f"to {self.tolerance:g}: 1.96 x prob_positive_se is {self.half_width:.4f} ({self.widest})"
        )

    def attrs(self) -> dict[str, Any]:
        """Attributes of a result that ``--draws auto`` made (netCDF-safe types)."""
        return {
            "draws_auto_tolerance": float(self.tolerance),
            "draws_auto_half_width": float(self.half_width),
            "draws_auto_met": int(self.met),
            "draws_auto_reason": self.reason,
            "draws_auto_widest": self.widest,
        }


def check_tolerance(tolerance: float) -> float:
    """The tolerance, if in (0, 0.5).

    Raises
    ------
    UsageError
        Outside (0, 0.5), or not a number.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 < tolerance < 0.5:
        raise UsageError(
            f"--tolerance must be a number in (0, 0.5), the largest 95 % half-width of P(NPV > 0) "
            f"allowed (default {AUTO_TOLERANCE}); got {tolerance!r}"
        )
    return float(tolerance)


def check_draws(draws: int | str, tolerance: float | None) -> int | str:
    """`draws` (a whole number >= 1, or ``"auto"``), and no tolerance without ``auto``.

    Raises
    ------
    UsageError
        For other text, or a tolerance given with a fixed number of draws.
    """
    if isinstance(draws, str):
        if draws != AUTO:
            raise UsageError(f"--draws must be a whole number >= 1 or 'auto'; got {draws!r}")
    elif tolerance is not None:
        raise UsageError("--tolerance sets the precision of --draws auto; give --draws auto with it")
    if tolerance is not None:
        check_tolerance(tolerance)
    return draws


def half_widths(rows: np.ndarray) -> np.ndarray:
    """1.96 * sqrt(p (1 - p) / n) of P(row > 0) for each row of (k, n) values."""
    n = rows.shape[-1]
    p = np.count_nonzero(rows > 0, axis=-1) / n
    return np.asarray(Z95 * np.sqrt(p * (1 - p) / n))


def auto_draws(
    run: Callable[[int], tuple[Result, np.ndarray, Sequence[str]]],
    *,
    tolerance: float = AUTO_TOLERANCE,
    cap: int = AUTO_CAP,
) -> tuple[Result, Precision]:
    """Run `run(draws)` with more draws until P(> 0) of each of its rows is precise to `tolerance`.

    `run` returns its result, the rows whose P(> 0) must be precise (k, draws) and their labels.
    """
    tolerance = check_tolerance(tolerance)
    draws, runs = min(BLOCK_DRAWS, cap), []
    while True:
        result, rows, labels = run(draws)
        runs.append(draws)
        widths = half_widths(rows)
        widest = int(np.argmax(widths))
        met = bool(widths[widest] <= tolerance)
        if met or draws >= cap:
            precision = Precision(draws, tolerance, float(widths[widest]), labels[widest], met, tuple(runs))
            return result, precision
        p = np.count_nonzero(rows > 0, axis=-1) / draws
        needed = float(np.max(p * (1 - p))) * (Z95 / tolerance) ** 2
        blocks = max(math.ceil(needed / BLOCK_DRAWS), draws // BLOCK_DRAWS + 1)
        draws = min(blocks * BLOCK_DRAWS, cap)
