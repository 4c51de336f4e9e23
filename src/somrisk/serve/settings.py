"""The server's settings: where it keeps its data, its token, and the limits on runs and uploads."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from somrisk.errors import UsageError
from somrisk.io.excel.archive import MAX_WORKBOOK_BYTES

__all__ = ["Settings", "check_host", "default_data_folder"]


def default_data_folder() -> Path:
    """The user's data folder: ``$XDG_DATA_HOME/somrisk`` (``~/.local/share/somrisk``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "somrisk"


@dataclass(frozen=True)
class Settings:
    """What ``somrisk serve`` was started with.

    Attributes
    ----------
    data : Path
        The folder of the SQLite database (``somrisk.sqlite``) and of cached report and workbook
        files; somrisk names every file in it, never a request.
    token : str or None
        Every request must carry ``Authorization: Bearer <token>`` (or the session cookie of the
        login page); None: no token, and the server listens on loopback addresses only.
    max_running : int
        Runs executing at the same time; more wait in the queue.
    max_queued : int
        Runs waiting or running at most; a run asked for beyond it is refused (503).
    max_draws : int
        Most draws of one run.
    time_limit_s : float
        A run still going after this many seconds is stopped and marked failed.
    max_upload_bytes : int
        Largest request body, in bytes (413 beyond it, before anything is parsed).
    threads : int or None
        Threads of each run (None: all CPUs); results do not depend on it.
    prepare_reports : int
        After a run of at most this many draws is done, its Danish report is made in the background,
        so that it is ready when asked for (0: only on request).
    """

    data: Path
    token: str | None = None
    max_running: int = 2
    max_queued: int = 20
    max_draws: int = 1_000_000
    time_limit_s: float = 600.0
    max_upload_bytes: int = MAX_WORKBOOK_BYTES
    threads: int | None = None
    prepare_reports: int = 100_000


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and addresses of the loopback network (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, token: str | None) -> None:
    """Refuse to listen beyond loopback without a token.

    Raises
    ------
    UsageError
        For a host that is not a loopback address while no token is set.
    """
    if token is None and not is_loopback(host):
        raise UsageError(
            f"--host {host}: without a token somrisk serve listens on loopback addresses only "
            "(127.0.0.1, ::1, localhost); give --token (or SOMRISK_TOKEN) to listen on another address"
        )
