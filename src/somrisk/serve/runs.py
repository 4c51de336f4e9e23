"""The run queue: runs execute in a pool of worker threads, off the request path.

A run is a call of :func:`somrisk.run` on the stored case (with its what-ifs applied) and its summary
is :func:`somrisk.summary_json`'s, the JSON of ``somrisk run --json``, bit for bit. The kernel
releases the GIL, so the server keeps answering while runs go. A run does not depend on the browser
that asked for it: it goes on when the page is closed, until it is done, cancelled, or over the
time limit (checked after each block of draws, when the run reports its progress).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from somrisk._version import __version__
from somrisk.case import Case, parse_case
from somrisk.errors import CaseError, SomriskError
from somrisk.io import summary_json
from somrisk.runner import run
from somrisk.serve.comparing import (
    comparison_file,
    scenarios_comparison,
    what_if_comparison,
    write_comparison,
)
from somrisk.serve.overrides import edited_case
from somrisk.serve.settings import Settings
from somrisk.serve.store import RunRecord, Store

__all__ = ["SCENARIOS", "Busy", "RunQueue", "case_of_run"]

#: The key of a run's `overrides` that marks a run of the case's scenarios (scenario -> changes).
SCENARIOS = "scenarios"

CANCELLED = "cancelled"
#: The error of a run that was going or waiting when the server stopped.
STOPPED = "stopped with the server; start it again"


class Busy(Exception):
    """The queue is full: as many runs wait or go as the server allows."""


class _Stop(Exception):
    """Raised from a run's progress callback to stop it (cancelled, or over its time limit)."""


@dataclass
class _Live:
    """What the queue knows of a run it holds: progress (0..1) and whether to stop it."""

    progress: float = 0.0
    cancel: threading.Event = field(default_factory=threading.Event)
    reason: str = CANCELLED


def case_of_run(toml: str, record: RunRecord) -> Case:
    """The case a run simulates: the stored TOML, with the run's ``set`` and ``scale`` applied.

    Raises
    ------
    CaseError
        Where the edited case is not valid (as ``--set``/``--scale`` would report it).
    """
    return edited_case(parse_case(toml.encode("utf-8"), source="case.toml"), record.overrides)


class RunQueue:
    """Runs waiting and going; at most ``settings.max_running`` at once, ``max_queued`` in all."""

    def __init__(
        self, store: Store, settings: Settings, on_done: Callable[[RunRecord], None] | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self._on_done = on_done
        self._pool = ThreadPoolExecutor(max_workers=settings.max_running, thread_name_prefix="somrisk-run")
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        case_id: str,
        *,
        draws: int,
        seed: int,
        sampler: str,
        overrides: dict[str, Any],
        base_run: str | None = None,
    ) -> RunRecord:
        """Queue a run of a stored case (its arguments already checked).

        Raises
        ------
        Busy
            Where the queue holds ``max_queued`` runs.
        """
        with self._lock:
            if len(self._live) >= self.settings.max_queued:
                raise Busy(f"{len(self._live)} runs are waiting or going, the most this server takes")
            record = self.store.add_run(
                case_id,
                draws=draws,
                seed=seed,
                sampler=sampler,
                overrides=overrides,
                version=__version__,
                base_run=base_run,
            )
            self._live[record.id] = _Live()
        self._pool.submit(self._execute, record)
        return record

    def progress(self, run_id: str) -> float | None:
        """The progress of a run the queue holds (None: not held, the database knows)."""
        live = self._live.get(run_id)
        return None if live is None else live.progress

    def cancel(self, run_id: str) -> bool:
        """Stop a queued or running run; False where the queue does not hold it."""
        live = self._live.get(run_id)
        if live is None:
            return False
        live.cancel.set()
        return True

    def active(self) -> int:
        return len(self._live)

    def shutdown(self) -> None:
        """Stop every run (each is marked failed) and wait for the workers."""
        for live in list(self._live.values()):
            live.reason = STOPPED
            live.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _execute(self, record: RunRecord) -> None:
        live = self._live[record.id]
        try:
            if live.cancel.is_set():
                raise _Stop(live.reason)
            case_record = self.store.case(record.case_id)
            assert case_record is not None
            case = case_of_run(case_record.toml, record)
            self.store.started(record.id, case.sha256)
            deadline = time.monotonic() + self.settings.time_limit_s

            # a comparison's simulations (with the base, or of the scenarios) after the run's own
            scenarios = len(case.scenarios) + 1 if SCENARIOS in record.overrides else 0
            alternatives = 2 if record.base_run else scenarios
            share = 1 / (1 + alternatives)

            def progress_from(start: float, part: float) -> Callable[[int, int], None]:
                def progress(done: int, total: int) -> None:
                    live.progress = start + part * (done / total if total else 1.0)
                    if live.cancel.is_set():
                        raise _Stop(live.reason)
                    if time.monotonic() > deadline:
                        raise _Stop(f"stopped after the time limit of {self.settings.time_limit_s:g} s")

                return progress

            result = run(
                case,
                draws=record.draws,
                seed=record.seed,
                sampler=record.sampler,
                threads=self.settings.threads,
                progress=progress_from(0.0, share),
            )
            if record.base_run:
                self._compare(record, case_record.toml, case, progress_from(share, 1 - share))
            elif scenarios:
                document = scenarios_comparison(
                    case,
                    draws=record.draws,
                    seed=record.seed,
                    sampler=record.sampler,
                    threads=self.settings.threads,
                    progress=progress_from(share, 1 - share),
                )
                write_comparison(comparison_file(self.settings.data / "files", record.id), document)
            if live.cancel.is_set():
                raise _Stop(live.reason)
            self.store.finished(record.id, summary_json(result.summary))
            if self._on_done is not None:
                self._on_done(record)
        except _Stop as stop:
            self.store.failed(record.id, str(stop))
        except (SomriskError, ValueError) as error:  # CaseError included
            message = (
                str(error) if not isinstance(error, CaseError) else "; ".join(str(p) for p in error.problems)
            )
            self.store.failed(record.id, message)
        except Exception as error:  # never a traceback to the user; the kind of error is enough
            self.store.failed(record.id, f"internal error: {type(error).__name__}")
        finally:
            with self._lock:
                self._live.pop(record.id, None)

    def _compare(
        self, record: RunRecord, toml: str, what_if: Case, progress: Callable[[int, int], None]
    ) -> None:
        """Compare a what-if with its base run's case on common random numbers, and keep the JSON."""
        base = self.store.run(record.base_run or "")
        assert base is not None
        document = what_if_comparison(
            case_of_run(toml, base),
            what_if,
            draws=record.draws,
            seed=record.seed,
            sampler=record.sampler,
            threads=self.settings.threads,
            progress=progress,
        )
        write_comparison(comparison_file(self.settings.data / "files", record.id), document)
