"""Output files: checked before any work, written under a temporary name and renamed into place.

Leaf module (imports only the error types): the cube writer (`io.store`) has its own richer checks
(size on disk, memory); charts and reports use these.
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from somrisk.errors import OutputError, UsageError

__all__ = [
    "check_folder",
    "check_writable",
    "failed_write",
    "interrupts_held",
    "sync_file",
    "sync_folder",
    "write_atomic",
]


def check_writable(path: str | Path, option: str, suffixes: dict[str, str]) -> Path:
    """The path, after checking its suffix (one of `suffixes`: suffix -> its format's name) and that
    its folder exists and can be written.

    Raises
    ------
    UsageError
        For another suffix.
    OutputError
        For a folder that does not exist or cannot be written, or a path that is a folder.
    """
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        allowed = ", ".join(f"{name} ({suffix})" for suffix, name in suffixes.items())
        raise UsageError(
            f"{option} {str(path)!r}: allowed are {allowed}; found suffix {target.suffix or '(none)'!r}"
        )
    check_folder(path, option)
    if target.is_dir():
        raise OutputError(f"{option} {str(path)!r} is a folder; give a file name")
    return target


def check_folder(path: str | Path, option: str) -> Path:
    """The folder `path` is to be written in, after checking that it exists and can be written.

    Raises
    ------
    OutputError
        For a folder that does not exist or cannot be written.
    """
    folder = Path(path).absolute().parent
    if not folder.is_dir():
        raise OutputError(f"{option} {str(path)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {str(path)!r}: the folder {str(folder)!r} cannot be written")
    return folder


def write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary)`` and move the temporary file to `target` only if it succeeds, so that
    the file appears complete or not at all (an existing file stays as it was on failure)."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial{target.suffix}")
    try:
        write(temporary)
        sync_file(temporary)
        os.replace(temporary, target)
        sync_folder(target.parent)
    except OutputError:
        raise
    except OSError as error:  # a full disk, a folder removed meanwhile: say so, without a traceback
        raise failed_write(target, error) from None
    finally:
        temporary.unlink(missing_ok=True)
    return target


def sync_file(path: Path) -> None:
    """Flush a file's bytes to the disk before it is renamed into place: after a power cut the file
    is then there whole, or not at all (without it, the rename may reach the disk before the bytes)."""
    with open(path, "rb") as file:
        os.fsync(file.fileno())


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to the disk; skipped where the system cannot."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows, where folders cannot be opened
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def failed_write(target: Path, error: OSError) -> OutputError:
    """The error for a file that could not be written (nothing of it is left behind)."""
    reason = error.strerror or str(error)
    return OutputError(f"{str(target)!r} could not be written: {reason}; nothing was written")


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, then raise KeyboardInterrupt.

    For writes into a Zarr store: zarr writes from its own event-loop thread, which an interrupt of
    this thread does not stop, so a store removed right after an interrupt could be written into
    again. Inside this block a write is never cut halfway. Only in the main thread, and only where
    Python's own handler is installed (anyone else's handler is left alone).
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    received: list[int] = []
    signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if received:
        raise KeyboardInterrupt
