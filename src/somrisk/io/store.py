"""Writing the result cube to netCDF (``.nc``, h5netcdf) or Zarr (``.zarr``), atomically.

Every file is written under a temporary name in the destination folder and renamed into place only
when complete, so an interrupted or failed run leaves no partial result (and an existing result of
the same name stays as it was). Before any work, :func:`check_output` refuses a destination whose
folder is missing or read-only, or whose disk cannot hold the cube. A Zarr cube is written block by
block as the draws are made, so it may be larger than memory; a netCDF cube is built in memory.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from somrisk._files import check_folder, failed_write, interrupts_held, sync_file, sync_folder
from somrisk._resources import available_memory, format_bytes, free_disk
from somrisk.cube import CubeLayout, cube_attrs, cube_dataset
from somrisk.engine import CUBE_MEMORY_SHARE, CubeBlock
from somrisk.errors import OutputError, UsageError
from somrisk.sampling import BLOCK_DRAWS

try:
    import fcntl
except ImportError:  # Windows: no file locks (and no Dask workers writing a store here)
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["CUBE_FORMATS", "CubeWriter", "ZarrRegions", "check_output", "cube_format"]

CUBE_FORMATS = {".nc": "netcdf", ".zarr": "zarr"}
#: Zarr format version 2: read by every Zarr library, and it has a specification for the string
#: coordinates (actor, consequence and input names) that version 3 does not have yet.
ZARR_FORMAT = 2


def cube_format(path: str | Path, option: str = "--out") -> str:
    """``netcdf`` or ``zarr``, from the file name's suffix; `option` names the path in the error."""
    suffix = Path(path).suffix.lower()
    if suffix not in CUBE_FORMATS:
        raise UsageError(
            f"{option} {str(path)!r}: the cube is written as netCDF (.nc) or Zarr (.zarr); "
            f"found suffix {suffix or '(none)'!r}"
        )
    return CUBE_FORMATS[suffix]


def check_output(path: str | Path, nbytes: int) -> str:
    """Refuse, before any work, an output that cannot be written; return its format.

    Raises
    ------
    UsageError
        For a suffix other than .nc or .zarr.
    OutputError
        When the folder does not exist or cannot be written, the disk has less free space than
        the cube needs, or a netCDF cube would not fit in memory.
    """
    target = Path(path)
    fmt = cube_format(target)
    folder = check_folder(path, "--out")
    if target.is_dir() and fmt == "netcdf":
        raise OutputError(f"--out {str(path)!r} is a folder; give a file name ending in .nc")
    if target.exists() and not target.is_dir() and fmt == "zarr":
        raise OutputError(
            f"--out {str(path)!r} is a file, and a Zarr result is a folder; remove the "
            "file or choose another name"
        )
    free = free_disk(folder)
    if nbytes > free:
        raise OutputError(
            f"--out {str(path)!r}: the cube needs {format_bytes(nbytes)} but the disk has "
            f"{format_bytes(free)} free; use fewer draws or another disk"
        )
    if fmt == "netcdf":
        limit = available_memory() * CUBE_MEMORY_SHARE
        if nbytes > limit:
            raise OutputError(
                f"--out {str(path)!r}: a netCDF cube is built in memory, and this one needs "
                f"{format_bytes(nbytes)}, more than the {format_bytes(limit)} available; write "
                "it to a .zarr file instead, which is written block by block"
            )
    return fmt


class CubeWriter:
    """Writes one cube under a temporary name and moves it into place on :meth:`commit`.

    Use as a context manager: leaving the block with an exception (including KeyboardInterrupt)
    removes the temporary file and leaves the destination untouched.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = cube_format(self.path)
        self.temporary = self.path.with_name(f".{self.path.name}.partial-{uuid.uuid4().hex[:8]}")
        self._started = False

    def __enter__(self) -> CubeWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.abort()
            if isinstance(error, OSError) and not isinstance(error, OutputError):
                raise failed_write(self.path, error) from None

    def write(self, cube: xr.Dataset) -> None:
        """Write a whole cube (held in memory)."""
        if self.format == "netcdf":
            cube.to_netcdf(self.temporary, engine="h5netcdf")
        else:
            with interrupts_held():
                cube.to_zarr(self.temporary, mode="w", zarr_format=ZARR_FORMAT)
        self._started = True

    def append(self, block: CubeBlock) -> None:
        """Add the next block of draws (Zarr only; blocks must come in draw order)."""
        with interrupts_held():
            if not self._started:
                chunks = {
                    name: {"chunks": tuple(max(1, n) for n in block.dataset[name].shape)}
                    for name in block.dataset.data_vars
                }
                block.dataset.to_zarr(self.temporary, mode="w", encoding=chunks, zarr_format=ZARR_FORMAT)
                self._started = True
            else:
                dataset = block.dataset
                if "draw" not in dataset["discount_factor"].dims:  # written with the first block
                    dataset = dataset.drop_vars("discount_factor")
                dataset.to_zarr(self.temporary, append_dim="draw")

    def commit(self) -> Path:
        """Move the finished cube to its name (replacing an older one); return the path."""
        with interrupts_held():  # never between the two renames of a Zarr folder
            if self.path.is_dir() and self.format == "zarr":
                old = self.path.with_name(f".{self.path.name}.old-{uuid.uuid4().hex[:8]}")
                os.replace(self.path, old)
                os.replace(self.temporary, self.path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                if self.format == "netcdf":  # (a Zarr folder's many chunk files are not synced)
                    sync_file(self.temporary)
                os.replace(self.temporary, self.path)
            sync_folder(self.path.parent)
        return self.path

    def abort(self) -> None:
        """Remove whatever was written under the temporary name (once the Dask workers writing
        into it, if any, have finished their block: see :class:`ZarrRegions`)."""
        if self.temporary.is_dir():
            with _store_lock(self.temporary, exclusive=True):
                shutil.rmtree(self.temporary, ignore_errors=True)
                _lock_file(self.temporary).unlink(missing_ok=True)
        elif self.temporary.exists():
            self.temporary.unlink()
        _lock_file(self.temporary).unlink(missing_ok=True)


class ZarrRegions:
    """A Zarr cube laid out whole before the run, then filled region by region.

    Dask workers write each block's gains, costs and net (in any order); this process writes each
    block's inputs (the same call, with a block holding only ``inputs``) and, at the end, the provenance
    (:meth:`finish`). Every region is whole Zarr chunks (a block of draws; one case per chunk in a
    portfolio), so no two writers ever touch the same chunk. The store is the writer's temporary
    folder, moved into place by :meth:`CubeWriter.commit`; it must be on a filesystem every worker
    can reach.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def create(cls, writer: CubeWriter, layout: CubeLayout, draws: int) -> ZarrRegions:
        """Write the cube's coordinates and empty variables (needs dask.array)."""
        import dask.array as da

        T, A, C, d = len(layout.years), len(layout.actors), len(layout.consequences), len(layout.inputs)
        cases = () if layout.cases is None else (len(layout.cases),)
        one = () if layout.cases is None else (1,)

        def empty(*shape: int) -> da.Array:
            chunks = (BLOCK_DRAWS, *one, *shape[1 + len(one) :])
            return da.zeros(shape, chunks=tuple(max(1, c) for c in chunks))

        template = cube_dataset(
            layout,
            draw_start=0,
            gains=empty(draws, *cases, T, A, C),
            costs=empty(draws, *cases, T, A),
            net=empty(draws, *cases, T, A),
            npv=da.zeros((draws, A), chunks=(BLOCK_DRAWS, max(1, A))),
            inputs=da.zeros((draws, d), chunks=(BLOCK_DRAWS, max(1, d))),
            attrs={},
            discount=empty(draws, *cases, T) if layout.discount_per_draw else None,
        )
        with interrupts_held():
            template.to_zarr(writer.temporary, mode="w", compute=False, zarr_format=ZARR_FORMAT)
            _lock_file(writer.temporary).touch()
        writer._started = True
        return cls(str(writer.temporary))

    def __call__(self, block: CubeBlock) -> None:
        region = {"draw": slice(block.start, block.stop)}
        if block.cases is not None:
            region["case"] = slice(*block.cases)
        # A worker may still be running a block when this process gives the run up (interrupted,
        # its scheduler gone) and removes the store: the store is written under a shared lock,
        # removed under an exclusive one, and a block whose store is gone is not written.
        with _store_lock(Path(self.path), exclusive=False) as present:
            if present:
                with interrupts_held():
                    block.dataset.to_zarr(self.path, region=region, zarr_format=ZARR_FORMAT)

    def finish(self, attrs: dict[str, object]) -> None:
        """Record the run's provenance in the store's attributes."""
        import zarr

        with interrupts_held():
            group = zarr.open_group(self.path, mode="r+", zarr_format=ZARR_FORMAT)
            group.attrs.update(cube_attrs(attrs))
            zarr.consolidate_metadata(self.path, zarr_format=ZARR_FORMAT)
        _lock_file(Path(self.path)).unlink(missing_ok=True)


def _lock_file(store: Path) -> Path:
    """The lock file beside a Zarr store that Dask workers write into (inside it, zarr would take
    it for a part of the store); it exists from the store's creation until the cube is complete."""
    return store.with_name(f"{store.name}.lock")


@contextmanager
def _store_lock(store: Path, *, exclusive: bool) -> Iterator[bool]:
    """Hold the lock file of a store the Dask workers write into (shared for a worker's block,
    exclusive for removing the store); yield whether the store is (still) there. Without a lock
    file (a store written here only) or without ``fcntl`` (Windows), no lock is taken."""
    lock = _lock_file(store)
    try:
        descriptor = os.open(lock, os.O_RDONLY)
    except OSError:
        yield store.is_dir()
        return
    try:
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield lock.exists() and store.is_dir()  # removed while this waited: the run was given up
    finally:
        os.close(descriptor)  # (releases the lock)
