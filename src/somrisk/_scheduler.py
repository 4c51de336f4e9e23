"""Where the blocks of a run are computed: a thread pool here, or a Dask cluster (outputs.md,
``--scheduler threads|local:N|tcp://HOST:PORT``).

The orchestration hands every block to :meth:`Scheduler.submit` and collects the results in block
order, so the numbers do not depend on where a block ran. ``threads`` runs blocks on a thread pool
of this process (the compiled code releases the GIL); ``local:N`` starts a Dask LocalCluster of N
worker processes for the run; ``tcp://HOST:PORT`` uses a running Dask scheduler, whose workers must
have the same somrisk version installed. Dask is imported only for the last two.

On a cluster a run survives workers dying (every one of them at once included: see
:meth:`_Dask.share`); a scheduler that goes away ends it with :class:`~somrisk.errors.SchedulerLost`
(exit 1); Dask's log lines and warnings are held back while it runs (:class:`_DaskQuiet`). A run
that ends early (Ctrl-C, SIGTERM, an error) cancels its tasks still on the cluster before it lets
go of the cluster, within :data:`CANCEL_TIMEOUT` and :data:`EARLY_CLOSE_TIMEOUT` seconds
(:meth:`_Dask.close`).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from somrisk._version import __version__
from somrisk.errors import SchedulerLost, UsageError

__all__ = ["SCHEDULER_HELP", "Scheduler", "check_scheduler", "local_cluster_options", "open_scheduler"]

SCHEDULER_HELP = "threads (this process), local:N (a Dask LocalCluster of N workers) or tcp://HOST:PORT"
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"tcp://[^\s:/]+:\d+")
#: The libraries whose log lines and warnings a run on a cluster keeps to itself.
_DASK_LOGGERS = ("distributed", "dask", "tornado", "bokeh", "asyncio")
_DASK_MODULES = re.compile(r"(distributed|dask|tornado|bokeh|asyncio)(\.|$)")
#: Seconds to wait for a remote scheduler, and for its first worker.
CONNECT_TIMEOUT = 20
#: Seconds to wait for a cluster to close (one whose scheduler went away cannot say it has).
CLOSE_TIMEOUT = 5
#: Seconds a run that ends early (Ctrl-C, SIGTERM, an error) waits for the scheduler to take its
#: tasks' cancellation, and then for the client and a LocalCluster to close: the user waits for it.
CANCEL_TIMEOUT = 1.0
EARLY_CLOSE_TIMEOUT = 1.0
#: Times a task that raised is run again (on a cluster): a block's numbers depend only on its index.
TASK_RETRIES = 2
#: Seconds a block whose connection closed waits for the client to notice a lost scheduler.
LOSS_SETTLE_S = 2.0


class Handle(Protocol):
    def result(self) -> Any: ...


class Scheduler(Protocol):
    """Runs functions, possibly elsewhere; `workers` says how many run at once."""

    name: str
    workers: int

    def share(self, value: Any) -> Any:
        """`value` as an argument for many submissions (on a cluster, a task that returns it: sent
        to the workers that need it, and made again by the scheduler if they all die)."""
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


def local_cluster_options(workers: int) -> dict[str, Any]:
    """Options of a Dask LocalCluster of `workers` one-thread processes on 127.0.0.1, with no
    dashboard, no log lines, and its HTTP server (always started) on a free port, not 8787."""
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
        "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
        "silence_logs": logging.CRITICAL,
    }


def _identity(value: Any) -> Any:
    return value


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
        self._quiet = _DaskQuiet()
        #: every future submitted and still referenced (a block's handle); weak, so that a block's
        #: results are not kept on the cluster once collected
        self._futures: weakref.WeakSet[Any] = weakref.WeakSet()
        self._to_cancel: list[Any] = []
        try:
            self._connect(name, Client, LocalCluster)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the process ends; Dask's words about the
            self.close(keep_quiet=True)  # half-started cluster at exit stay held back
            raise
        except BaseException:
            self.close()
            raise

    def _connect(self, name: str, Client: Any, LocalCluster: Any) -> None:
        local = _LOCAL.fullmatch(name)
        try:
            if local:
                self._cluster = _start_local_cluster(LocalCluster, int(local[1]))
                self._client = Client(self._cluster)
            else:
                self._client = Client(name, timeout=CONNECT_TIMEOUT)
                self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--scheduler {name}: cannot use a Dask cluster there ({exc})") from None
        versions = self._client.run(_worker_version)
        wrong = sorted({v for v in versions.values() if v != __version__})
        if wrong:
            raise UsageError(
                f"--scheduler {name}: the workers run somrisk {', '.join(wrong)}, this is {__version__}; "
                "install the same version on every worker"
            )
        self.workers = max(1, len(versions))
        self._addresses = sorted(versions)

    def share(self, value: Any) -> Any:
        # A task that returns the value, not scattered data: the scheduler keeps the task, so it
        # computes the value again when every worker that held it has died.
        return self._submit(_identity, value)

    def submit(self, fn: Callable[..., Any], *args: Any, affinity: int | None = None) -> Handle:
        where: dict[str, Any] = {}
        if affinity is not None:
            worker = self._addresses[affinity % len(self._addresses)]
            where = {"workers": [worker], "allow_other_workers": True}
        return _Task(self._submit(fn, *args, retries=TASK_RETRIES, **where), self)

    def _submit(self, fn: Callable[..., Any], *args: Any, **options: Any) -> Any:
        self._send_cancels()
        try:
            future = self._client.submit(fn, *args, pure=False, **options)
        except Exception:
            if not self.lost():
                raise
            raise self.lost_error() from None
        self._futures.add(future)
        return future

    def cancel_later(self, future: Any) -> None:
        """Cancel `future` with the next submission, or when the scheduler is closed: one request
        for many, and none that keeps an interrupted run waiting."""
        self._to_cancel.append(future)

    def _send_cancels(self, timeout: float | None = None) -> None:
        """Cancel the futures given to :meth:`cancel_later` (all that are not done, with `timeout`:
        the run ended early); waits at most `timeout` seconds for the scheduler to take it."""
        futures = self._to_cancel
        if timeout is not None:
            futures = [*futures, *self._futures]
        self._to_cancel = []
        futures = [f for f in dict.fromkeys(futures) if not f.done()]
        if not futures or self.lost():
            return
        if timeout is None:
            self._client.cancel(futures)
            return
        # a helper thread, so that an unresponsive scheduler cannot hold the exit
        helper = threading.Thread(target=_cancel_quietly, args=(self._client, futures), daemon=True)
        helper.start()
        helper.join(timeout)

    def lost_error(self) -> SchedulerLost:
        return SchedulerLost(f"the Dask scheduler at {self.name} went away; nothing was written")

    def lost(self, *, settle: float = 0.0) -> bool:
        """Whether the connection to the scheduler is gone (Dask cancelled every task), waiting up to
        `settle` seconds for the client to notice."""
        deadline = time.monotonic() + settle
        while self._client.status in ("running", "newly-created"):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def close(self, *, keep_quiet: bool = False) -> None:
        """Let go of the cluster. Tasks still on it (a run that ended early: Ctrl-C, SIGTERM, an
        error) are cancelled first, and then the closing waits less (:data:`CANCEL_TIMEOUT`,
        :data:`EARLY_CLOSE_TIMEOUT`): else workers go on computing blocks nobody collects.
        `keep_quiet`: Dask's log lines stay held back after it (the process is ending)."""
        client, cluster = getattr(self, "_client", None), self._cluster
        timeout = CLOSE_TIMEOUT
        try:
            if client is not None:
                if any(not f.done() for f in [*self._futures, *self._to_cancel]):
                    timeout = EARLY_CLOSE_TIMEOUT
                self._send_cancels(timeout=CANCEL_TIMEOUT)
                client.close(timeout=timeout)
            if cluster is not None:
                cluster.close(timeout=timeout)
        except (OSError, TimeoutError):
            pass  # a scheduler already gone (or not answering): nothing more to wait for
        finally:
            if not keep_quiet:
                self._quiet.close()


def _cancel_quietly(client: Any, futures: list[Any]) -> None:
    with contextlib.suppress(Exception):  # the scheduler went away meanwhile: its tasks with it
        client.cancel(futures)


def _start_local_cluster(LocalCluster: Any, workers: int) -> Any:
    """A LocalCluster of `workers` processes. Where its start is interrupted (Ctrl-C, SIGTERM), the
    half-started cluster is closed here, quietly: Dask's own handler at exit printed a traceback
    (AssertionError: Status.init) for it."""
    from distributed.deploy.spec import SpecCluster

    before = set(SpecCluster._instances)
    try:
        return LocalCluster(**local_cluster_options(workers))
    except BaseException:
        for cluster in set(SpecCluster._instances) - before:
            SpecCluster._instances.discard(cluster)
            # half started, it may raise anything; its processes end with this one anyway
            with contextlib.suppress(BaseException):
                cluster.close(timeout=EARLY_CLOSE_TIMEOUT)
        raise


class _Task:
    """A block's Dask future, whose result is a plain error when the scheduler went away."""

    def __init__(self, future: Any, owner: _Dask) -> None:
        self._future, self._owner = future, owner

    def result(self) -> Any:
        try:
            return self._future.result()
        except BaseException as error:
            # a closed connection (an OSError) may surface before the client has noticed that the
            # scheduler went away: give it a moment to say so
            settle = LOSS_SETTLE_S if isinstance(error, OSError) else 0.0
            if isinstance(error, KeyboardInterrupt) or not self._owner.lost(settle=settle):
                raise
        raise self._owner.lost_error()

    def cancel(self) -> None:
        self._owner.cancel_later(self._future)


class _DaskQuiet:
    """Keeps Dask's log lines and warnings (a worker lost, a connection closed) off the user's
    stderr while a cluster is in use: somrisk reports what matters itself. Undone by :meth:`close`."""

    def __init__(self) -> None:
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.filterwarnings("ignore", module=_DASK_MODULES.pattern)
        names = [n for n in logging.root.manager.loggerDict if _DASK_MODULES.match(n)]
        self._loggers = [logging.getLogger(n) for n in {*names, *_DASK_LOGGERS}]
        self._disabled = [logger.disabled for logger in self._loggers]
        # a logger made later (a module imported during the run) logs through its parent's handlers
        self._handlers = {h for logger in self._loggers for h in logger.handlers}
        for logger in self._loggers:
            logger.disabled = True
        for handler in self._handlers:
            handler.addFilter(_drop)
        self._open = True

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        for logger, disabled in zip(self._loggers, self._disabled, strict=True):
            logger.disabled = disabled
        for handler in self._handlers:
            handler.removeFilter(_drop)
        self._warnings.__exit__(None, None, None)


def _drop(record: logging.LogRecord) -> bool:
    return False


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
