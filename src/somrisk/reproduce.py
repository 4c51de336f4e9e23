"""``somrisk run --reproduce RESULT CASE``: rerun a recorded result and compare it, value by value.

A result cube records what made it (outputs.md): the case file's SHA-256, the seed, the sampler,
the number of draws and somrisk's version. :func:`reproduce` reruns the case with those settings,
writes the new cube to a temporary folder in the same format, and compares every variable of the
two cubes exactly (bit for bit), block of draws by block of draws, so that cubes larger than memory
can be compared. The threads or the Dask cluster used do not matter: results do not depend on them.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from somrisk.errors import CaseError, Problem, UsageError
from somrisk.io.store import cube_format
from somrisk.runner import run

__all__ = ["RECORDED", "Finding", "Reproduction", "reproduce"]

#: The attributes a result must hold to be rerun.
RECORDED = ("case_sha256", "seed", "sampler", "draws", "somrisk_version")
#: Variables compared, when the recorded cube has them.
COMPARED = ("gains", "costs", "net", "npv", "inputs", "discount_factor")
_BLOCK = 65_536


class Finding(NamedTuple):
    """A note or a mismatch of a rerun, as data: its kind and the values it names (the command
    line words it in the reader's language, :mod:`somrisk.report.reproduce_words`).

    Notes: ``case_differs`` (now, recorded: the first 12 hex digits of each SHA-256),
    ``version`` (recorded, now), ``changes`` (recorded, now: the overrides, "" for none).
    Mismatches: ``coordinate`` (dim), ``missing`` (name), ``dims`` (name, recorded, rerun: dims and
    shape of each), ``values`` (name, cells that differ, size, largest absolute difference).
    """

    kind: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Reproduction:
    """The outcome of :func:`reproduce`.

    `notes` says where the provenance differs (another case file, another somrisk version, other
    changes); `mismatches` names each variable or coordinate whose values differ, with how many
    cells and by how much. The result is reproduced when there is no mismatch.
    """

    result: Path
    case: Path
    recorded: dict[str, Any]
    compared: tuple[str, ...]
    notes: list[Finding] = field(default_factory=list)
    mismatches: list[Finding] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.mismatches


def reproduce(
    result: str | Path,
    case: str | Path,
    *,
    threads: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Reproduction:
    """Rerun the case of a recorded result cube (``.nc`` or ``.zarr``) and compare the two.

    Raises
    ------
    UsageError
        For a file that is not a result cube of a case (missing, another format, no provenance,
        or a portfolio's cube).
    CaseError
        For a bad case file.
    """
    path = Path(result)
    fmt = cube_format(path, "--reproduce")
    if not path.exists():
        raise UsageError(f"--reproduce {str(path)!r}: no such file")
    try:
        recorded = _open(path, fmt)
    except Exception as exc:  # xarray raises many kinds for a file it cannot read
        raise UsageError(f"--reproduce {str(path)!r}: not a readable result cube ({exc})") from None
    with recorded:
        attrs = dict(recorded.attrs)
        missing = [key for key in RECORDED if key not in attrs]
        if missing:
            raise UsageError(
                f"--reproduce {str(path)!r}: not a somrisk result, it lacks the attributes "
                f"{', '.join(missing)}"
            )
        if "case" in recorded.dims:
            raise UsageError(f"--reproduce {str(path)!r}: a portfolio's cube; rerun the portfolio instead")
        notes = _provenance_notes(attrs, Path(case))
        with tempfile.TemporaryDirectory(prefix="somrisk-reproduce-") as folder:
            rerun = run(
                case,
                draws=int(attrs["draws"]),
                seed=int(attrs["seed"]),
                sampler=str(attrs["sampler"]),
                out=Path(folder) / f"rerun{path.suffix}",
                threads=threads,
                scheduler=scheduler,
                progress=progress,
            )
            assert rerun.out is not None
            recorded_changes, rerun_changes = (
                attrs.get("overrides", ""),
                rerun.simulation.attrs.get("overrides", ""),
            )
            if recorded_changes != rerun_changes:
                notes.append(Finding("changes", {"recorded": recorded_changes, "now": rerun_changes}))
            with _open(rerun.out, fmt) as fresh:
                compared = tuple(name for name in COMPARED if name in recorded)
                mismatches = _compare(recorded, fresh, compared)
    return Reproduction(path, Path(case), attrs, compared, notes, mismatches)


def _open(path: Path, fmt: str) -> Any:
    import xarray as xr

    return xr.open_zarr(path) if fmt == "zarr" else xr.open_dataset(path, engine="h5netcdf")


def _provenance_notes(attrs: dict[str, Any], case: Path) -> list[Finding]:
    from somrisk._version import __version__

    notes: list[Finding] = []
    try:
        digest = hashlib.sha256(case.read_bytes()).hexdigest()
    except OSError:  # the run below reports it, with the usual message
        raise CaseError([Problem(str(case), "", "cannot be read")]) from None
    if digest != attrs["case_sha256"]:
        notes.append(
            Finding("case_differs", {"now": digest[:12], "recorded": str(attrs["case_sha256"])[:12]})
        )
    if str(attrs["somrisk_version"]) != __version__:
        notes.append(Finding("version", {"recorded": str(attrs["somrisk_version"]), "now": __version__}))
    return notes


def _compare(recorded: Any, fresh: Any, names: tuple[str, ...]) -> list[Finding]:
    """Each coordinate and variable that differs, with the count and size of its differences."""
    mismatches: list[Finding] = []
    for dim in ("draw", "year", "actor", "consequence", "input"):
        if dim in recorded.coords or dim in fresh.coords:
            a = recorded.coords[dim].values if dim in recorded.coords else None
            b = fresh.coords[dim].values if dim in fresh.coords else None
            if a is None or b is None or a.shape != b.shape or not np.array_equal(a, b):
                mismatches.append(Finding("coordinate", {"dim": dim}))
    if mismatches:
        return mismatches
    for name in names:
        if name not in fresh:
            mismatches.append(Finding("missing", {"name": name}))
            continue
        old, new = recorded[name], fresh[name]
        if old.dims != new.dims or old.shape != new.shape:
            shapes = {"recorded": f"{old.dims} {old.shape}", "rerun": f"{new.dims} {new.shape}"}
            mismatches.append(Finding("dims", {"name": name, **shapes}))
            continue
        cells, largest = _differences(old, new)
        if cells:
            mismatches.append(
                Finding("values", {"name": name, "cells": cells, "size": int(old.size), "largest": largest})
            )
    return mismatches


def _differences(old: Any, new: Any) -> tuple[int, float]:
    """Cells that differ (NaN equals NaN) and the largest absolute difference, block by block."""
    if "draw" not in old.dims:
        a, b = np.asarray(old.values), np.asarray(new.values)
        return _block_differences(a, b)
    cells, largest = 0, 0.0
    for start in range(0, old.sizes["draw"], _BLOCK):
        window = {"draw": slice(start, start + _BLOCK)}
        n, big = _block_differences(old.isel(window).values, new.isel(window).values)
        cells, largest = cells + n, max(largest, big)
    return cells, largest


def _block_differences(a: np.ndarray, b: np.ndarray) -> tuple[int, float]:
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    cells = int(np.count_nonzero(~same))
    largest = float(np.max(np.abs(a - b)[~same])) if cells else 0.0
    return cells, largest
