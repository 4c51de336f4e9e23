"""Cases and runs in an SQLite database (WAL mode) in the server's data folder.

A run's provenance is its case (and that case's SHA-256), seed, draws, sampler, overrides, somrisk's
version and its times. Opening the store marks every run that was queued or running as failed: a
restart never leaves a run half-done.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["CUT_OFF", "CaseRecord", "RunRecord", "Store", "new_id", "valid_id"]

DATABASE = "somrisk.sqlite"
#: The error of a run that a restart of the server cut off.
CUT_OFF = "cut off by a restart of the server; start it again"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    toml TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created TEXT NOT NULL,
    uploaded_as TEXT NOT NULL,
    warnings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    status TEXT NOT NULL,
    progress REAL NOT NULL,
    draws INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    sampler TEXT NOT NULL,
    overrides TEXT NOT NULL,
    base_run TEXT,
    version TEXT NOT NULL,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    summary TEXT,
    error TEXT,
    case_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_case ON runs(case_id, created);
"""

_ID_LENGTH = 16
_ID_CHARACTERS = frozenset("0123456789abcdef")


def new_id() -> str:
    """A random identifier of 16 hexadecimal digits (64 bits)."""
    return secrets.token_hex(_ID_LENGTH // 2)


def valid_id(text: str) -> bool:
    """True where `text` could be an identifier made by :func:`new_id`."""
    return len(text) == _ID_LENGTH and set(text) <= _ID_CHARACTERS


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class CaseRecord:
    """A stored case: its TOML text as run, and the name of the file it was uploaded as."""

    id: str
    name: str
    toml: str
    sha256: str
    created: str
    uploaded_as: str
    warnings: list[str]

    def api(self) -> dict[str, Any]:
        """The JSON of ``GET /api/cases/{id}``."""
        return {
            "id": self.id,
            "name": self.name,
            "toml": self.toml,
            "created": self.created,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class RunRecord:
    """A run and its provenance; `summary` is the JSON text of ``somrisk run --json`` when done,
    `case_sha256` the SHA-256 of the stored case (a what-if's changes are in `overrides`, as the
    CLI's ``--set`` keeps the file's SHA-256 and records the changes)."""

    id: str
    case_id: str
    status: str
    progress: float
    draws: int
    seed: int
    sampler: str
    overrides: dict[str, dict[str, Any]]
    base_run: str | None
    version: str
    created: str
    started: str | None
    finished: str | None
    summary: str | None
    error: str | None
    case_sha256: str | None = None


class Store:
    """The database of one server. Safe to use from several threads (one connection each call)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / DATABASE
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            db.execute(
                "UPDATE runs SET status = 'failed', error = ?, finished = ? "
                "WHERE status IN ('queued', 'running')",
                (CUT_OFF, now()),
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            with db:  # one transaction: committed on success, rolled back on an error
                yield db
        finally:
            db.close()

    # --- cases -----------------------------------------------------------------------------------
    def add_case(
        self, name: str, toml: str, sha256: str, uploaded_as: str, warnings: list[str]
    ) -> CaseRecord:
        record = CaseRecord(new_id(), name, toml, sha256, now(), uploaded_as, list(warnings))
        with self._connect() as db:
            db.execute(
                "INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.id, name, toml, sha256, record.created, uploaded_as, json.dumps(warnings)),
            )
        return record

    def case(self, case_id: str) -> CaseRecord | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        return None if row is None else _case(row)

    def cases(self, limit: int = 50) -> list[CaseRecord]:
        """The latest cases, newest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM cases ORDER BY created DESC, rowid DESC LIMIT ?", (limit,))
            return [_case(row) for row in rows.fetchall()]

    # --- runs ------------------------------------------------------------------------------------
    def add_run(
        self,
        case_id: str,
        *,
        draws: int,
        seed: int,
        sampler: str,
        overrides: dict[str, dict[str, Any]],
        version: str,
        base_run: str | None = None,
    ) -> RunRecord:
        run_id = new_id()
        with self._connect() as db:
            db.execute(
                "INSERT INTO runs (id, case_id, status, progress, draws, seed, sampler, overrides, "
                "base_run, version, created) VALUES (?, ?, 'queued', 0.0, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, case_id, draws, seed, sampler, json.dumps(overrides), base_run, version, now()),
            )
        record = self.run(run_id)
        assert record is not None
        return record

    def run(self, run_id: str) -> RunRecord | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs_of(self, case_id: str, limit: int = 100) -> list[RunRecord]:
        """A case's runs, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM runs WHERE case_id = ? ORDER BY created DESC, rowid DESC LIMIT ?",
                (case_id, limit),
            )
            return [_run(row) for row in rows.fetchall()]

    def started(self, run_id: str, case_sha256: str | None = None) -> None:
        """The run began; `case_sha256` is the SHA-256 of the case file as run (the summary's)."""
        with self._connect() as db:
            db.execute(
                "UPDATE runs SET status = 'running', started = ?, case_sha256 = ? WHERE id = ?",
                (now(), case_sha256, run_id),
            )

    def finished(self, run_id: str, summary: dict[str, Any]) -> None:
        text = json.dumps(summary, ensure_ascii=False, allow_nan=False)
        with self._connect() as db:
            db.execute(
                "UPDATE runs SET status = 'done', progress = 1.0, finished = ?, summary = ? WHERE id = ?",
                (now(), text, run_id),
            )

    def failed(self, run_id: str, error: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE runs SET status = 'failed', finished = ?, error = ? WHERE id = ?",
                (now(), error, run_id),
            )


def _case(row: sqlite3.Row) -> CaseRecord:
    return CaseRecord(
        row["id"],
        row["name"],
        row["toml"],
        row["sha256"],
        row["created"],
        row["uploaded_as"],
        json.loads(row["warnings"]),
    )


def _run(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        id=row["id"],
        case_id=row["case_id"],
        status=row["status"],
        progress=float(row["progress"]),
        draws=int(row["draws"]),
        seed=int(row["seed"]),
        sampler=row["sampler"],
        overrides=json.loads(row["overrides"]),
        base_run=row["base_run"],
        version=row["version"],
        created=row["created"],
        started=row["started"],
        finished=row["finished"],
        summary=row["summary"],
        error=row["error"],
        case_sha256=row["case_sha256"],
    )
