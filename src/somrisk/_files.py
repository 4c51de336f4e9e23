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
    "name_problem",
    "shown_path",
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
    too_long = name_problem(path, temporary=TEMPORARY_EXTRA + len(Path(path).suffix.encode()))
    if too_long is not None:  # before the folder is looked at: that would fail with ENAMETOOLONG
        raise OutputError(f"{option} {shown_path(path)!r}: {too_long}")
    folder = Path(path).absolute().parent
    if not folder.is_dir():
        raise OutputError(f"{option} {str(path)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {str(path)!r}: the folder {str(folder)!r} cannot be written")
    return folder


#: Bytes the temporary name of an output adds to its name: ``.NAME.<32 hex>.partial`` and the
#: suffix again (:func:`write_atomic`; a cube's ``.NAME.partial-<8 hex>.lock`` is shorter).
TEMPORARY_EXTRA = len(f"..{uuid.uuid4().hex}.partial")
#: The longest name and path where the file system cannot be asked (Linux's NAME_MAX, PATH_MAX).
NAME_MAX, PATH_MAX = 255, 4096


def name_problem(path: str | Path, temporary: int = 0) -> str | None:
    """Why `path` cannot name a file on this system (ENAMETOOLONG), or None where it can: a part
    of it longer than the file system allows in one name, or the whole path longer than it allows
    in a path. `temporary`: bytes a temporary name adds to the last part (an output written under
    a temporary name first). Lengths are bytes of UTF-8, as the file system counts them (æ, ø and
    å are two)."""
    absolute = os.path.abspath(os.fspath(path))
    name_max, path_max = _limits(absolute)
    parts = Path(absolute).parts
    allowed = f"the file system allows at most {name_max} bytes in a name"
    for part in parts[:-1]:
        if len(os.fsencode(part)) > name_max:
            size = len(os.fsencode(part))
            return f"the folder name {_shortened(part, 40)!r} is too long: {size:,} bytes, where {allowed}"
    size = len(os.fsencode(parts[-1]))
    if size + temporary > name_max:
        if not temporary:
            return f"the file name is too long: {size:,} bytes, where {allowed}"
        return (
            f"the file name is too long: {size:,} bytes, where at most {name_max - temporary} are "
            f"possible ({allowed}, and somrisk first writes the file under a temporary name "
            f"{temporary} bytes longer)"
        )
    size = len(os.fsencode(absolute))
    if size + temporary >= path_max:
        most = path_max - 1 - temporary
        return (
            f"the path is too long: {size:,} bytes, where at most {most:,} are possible on this file system"
        )
    return None


def _limits(absolute: str) -> tuple[int, int]:
    """NAME_MAX and PATH_MAX of the file system of the nearest folder above `absolute` that exists."""
    folder = os.path.dirname(absolute)
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:  # isdir: never raises
        folder = os.path.dirname(folder)
    limits = []
    for name, default in (("PC_NAME_MAX", NAME_MAX), ("PC_PATH_MAX", PATH_MAX)):
        try:
            limits.append(os.pathconf(folder, name) or default)
        except (OSError, ValueError, AttributeError):  # AttributeError: Windows has no pathconf
            limits.append(default)
    return limits[0], limits[1]


def shown_path(path: str | Path, limit: int = 100) -> str:
    """The path for a message: whole up to `limit` characters, else its start and its end (the
    suffix) around the number of characters left out."""
    return _shortened(os.fspath(path), limit)


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = (limit - 20) // 2
    return f"{text[:keep]}...({len(text) - 2 * keep:,} characters)...{text[-keep:]}"


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
