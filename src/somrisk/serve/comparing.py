"""A what-if compared with its base, and a case compared with its ``[[scenarios]]``, on common random
numbers. The what-if: :func:`somrisk.compare.compare` with the
base's case and the edited case as two alternatives, the run's seed, draws and sampler.

The comparison is outputs.md's "Comparison JSON" (:func:`~somrisk.io.comparison.comparison_json`), the
JSON of ``somrisk compare BASE.toml WHAT_IF.toml --json`` for the same two cases, and is kept beside
the run's made files as ``{run}-comparison.json`` (written whole, then renamed into place); so is the
comparison of a scenarios run (``somrisk scenarios CASE.toml --json``'s).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from somrisk.case import Case
from somrisk.case.scenarios import BASE
from somrisk.compare import compare, compare_scenarios
from somrisk.io.comparison import comparison_json

__all__ = [
    "WHAT_IF",
    "comparison_file",
    "read_comparison",
    "scenarios_comparison",
    "what_if_comparison",
    "write_comparison",
]

#: The what-if's name among the two alternatives (the base is :data:`~somrisk.case.scenarios.BASE`).
WHAT_IF = "what-if"


def what_if_comparison(
    base: Case,
    what_if: Case,
    *,
    draws: int,
    seed: int,
    sampler: str,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The Comparison JSON of `what_if` against `base` on common random numbers: per actor and in
    total, the difference NPV_what-if - NPV_base (money in the case's currency; > 0: the what-if is
    better) with its mean, p05, p95 and P(the what-if beats the base) (``prob_positive``)."""
    result = compare(
        [base, what_if],
        [BASE, WHAT_IF],
        draws=draws,
        seed=seed,
        sampler=sampler,
        threads=threads,
        progress=progress,
    )
    return comparison_json(result)


def scenarios_comparison(
    case: Case,
    *,
    draws: int,
    seed: int,
    sampler: str,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The Comparison JSON of the case (``base``) and its ``[[scenarios]]`` on common random numbers,
    ``somrisk scenarios --json``'s: ``difference[NAME]`` is scenario NAME minus the case."""
    result = compare_scenarios(
        case, draws=draws, seed=seed, sampler=sampler, threads=threads, progress=progress
    )
    return comparison_json(result)


def comparison_file(files: Path, run_id: str) -> Path:
    """Where a what-if run's comparison is kept."""
    return files / f"{run_id}-comparison.json"


def write_comparison(path: Path, document: dict[str, Any]) -> None:
    """Write the JSON whole under a temporary name, then rename it: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, allow_nan=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_comparison(path: Path) -> dict[str, Any] | None:
    """A kept comparison, or None where the run has none."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
