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
    "Terminated",
    "check_folder",
    "check_writable",
    "failed_write",
    "interrupts_held",
    "sigterm_as_interrupt",
    "sigterm_received",
    "sync_file",
    "sync_folder",
    "terminate",
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl-C (temporary files removed);
    the CLI exits with 143 (128 + 15) for it, 130 for Ctrl-C."""


#: Set once this process received SIGTERM (through :func:`terminate`): typer turns every interrupt
#: into the exit code 130, so the CLI asks here which one it was.
_sigterm = threading.Event()


def terminate(number: int, frame: object) -> None:
    """A SIGTERM handler: raise :class:`Terminated` (see :func:`sigterm_as_interrupt`)."""
    _sigterm.set()
    raise Terminated


def sigterm_received() -> bool:
    """Whether this process was sent SIGTERM while :func:`terminate` handled it."""
    return _sigterm.is_set()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Handle SIGTERM like Ctrl-C inside the block (main thread only; elsewhere it does nothing);
    the handler before it is put back at the end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _sigterm.clear()
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT), and SIGTERM where :func:`sigterm_as_interrupt` handles it, until the block
    ends, then raise KeyboardInterrupt (:class:`Terminated` for SIGTERM).

    For writes into a Zarr store: zarr writes from its own event-loop thread, which an interrupt of
    this thread does not stop, so a store removed right after an interrupt could be written into
    again. Inside this block a write is never cut halfway. Only in the main thread, and only where
    somrisk's or Python's own handler is installed (anyone else's handler is left alone).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owned = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: terminate}
    held = [number for number, handler in owned.items() if signal.getsignal(number) is handler]
    received: list[int] = []
    for number in held:
        signal.signal(number, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        for number in held:
            signal.signal(number, owned[number])
    if signal.SIGTERM in received:
        _sigterm.set()
        raise Terminated
    if received:
        raise KeyboardInterrupt
