"""Where the blocks of a run are computed: a thread pool here, or a Dask cluster (outputs.md,
``--scheduler threads|local:N|tcp://HOST:PORT``).

The orchestration hands every block to :meth:`Scheduler.submit` and collects the results in block
order, so the numbers do not depend on where a block ran. ``threads`` runs blocks on a thread pool
of this process (the compiled code releases the GIL); ``local:N`` starts a Dask LocalCluster of N
worker processes for the run; ``tcp://HOST:PORT`` uses a running Dask scheduler, whose workers must
have the same somrisk version installed. Dask is imported only for the last two.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from somrisk._version import __version__
from somrisk.errors import UsageError

__all__ = ["SCHEDULER_HELP", "Scheduler", "check_scheduler", "open_scheduler"]

SCHEDULER_HELP = "threads (this process), local:N (a Dask LocalCluster of N workers) or tcp://HOST:PORT"
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"tcp://[^\s:/]+:\d+")
#: Seconds to wait for a remote scheduler, and for its first worker.
CONNECT_TIMEOUT = 20


class Handle(Protocol):
    def result(self) -> Any: ...


class Scheduler(Protocol):
    """Runs functions, possibly elsewhere; `workers` says how many run at once."""

    name: str
    workers: int

    def share(self, value: Any) -> Any:
        """`value` as an argument for many submissions (sent to a cluster's workers once)."""
        ...

    def submit(self, fn: Callable[..., Any], *args: Any, affinity: int | None = None) -> Handle:
        """Run ``fn(*args)``; calls of the same `affinity` go to the same worker where they can (so
        that it builds a case's inverse CDFs once)."""
        ...

    def close(self) -> None: ...


def check_scheduler(spec: str | None) -> str:
    """The scheduler's name, checked for its form (not yet connected).

    Raises
    ------
    UsageError
        For anything but ``threads``, ``local:N`` (N >= 1) or ``tcp://HOST:PORT``.
    """
    name = "threads" if spec is None else str(spec).strip()
    local = _LOCAL.fullmatch(name)
    if name == "threads" or (local and int(local[1]) >= 1) or _ADDRESS.fullmatch(name):
        return name
    raise UsageError(f"--scheduler {spec!r}: use {SCHEDULER_HELP}")


class _Inline:
    """A 'future' of a call already made (one thread: no pool)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._value = fn(*args)

    def result(self) -> Any:
        return self._value


class _Threads:
    name = "threads"

    def __init__(self, threads: int) -> None:
        self.workers = threads
        self._pool = (
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="somrisk") if threads > 1 else None
        )

    def share(self, value: Any) -> Any:
        return value

    def submit(self, fn: Callable[..., Any], *args: Any, affinity: int | None = None) -> Handle:
        if self._pool is None:
            return _Inline(fn, args)
        future: Future[Any] = self._pool.submit(fn, *args)
        return future

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _worker_version() -> str:
    from somrisk._version import __version__ as version

    return version


class _Dask:
    def __init__(self, name: str) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(
                f"--scheduler {name}: Dask is not installed; install it with pip install 'somrisk[dask]'"
            ) from None
        self.name = name
        self._cluster = None
        local = _LOCAL.fullmatch(name)
        try:
            if local:
                self._cluster = LocalCluster(
                    n_workers=int(local[1]),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port: 8787 may be taken by another cluster
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
            else:
                self._client = Client(name, timeout=CONNECT_TIMEOUT)
                self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise UsageError(f"--scheduler {name}: cannot use a Dask cluster there ({exc})") from None
        versions = self._client.run(_worker_version)
        wrong = sorted({v for v in versions.values() if v != __version__})
        if wrong:
            self.close()
            raise UsageError(
                f"--scheduler {name}: the workers run somrisk {', '.join(wrong)}, this is {__version__}; "
                "install the same version on every worker"
            )
        self.workers = max(1, len(versions))
        self._addresses = sorted(versions)

    def share(self, value: Any) -> Any:
        return self._client.scatter(value, broadcast=True, hash=False)

    def submit(self, fn: Callable[..., Any], *args: Any, affinity: int | None = None) -> Handle:
        if affinity is None:
            return self._client.submit(fn, *args, pure=False)
        worker = self._addresses[affinity % len(self._addresses)]
        return self._client.submit(fn, *args, pure=False, workers=[worker], allow_other_workers=True)

    def close(self) -> None:
        client, cluster = getattr(self, "_client", None), self._cluster
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def open_scheduler(spec: str | None, threads: int) -> Scheduler:
    """Start (or connect to) the scheduler named by `spec`; close it with ``.close()``.

    Raises
    ------
    UsageError
        For a bad name, Dask not installed, a cluster that cannot be reached or has no workers, or
        workers with another somrisk version.
    """
    name = check_scheduler(spec)
    if name == "threads":
        return _Threads(threads)
    return _Dask(name)
