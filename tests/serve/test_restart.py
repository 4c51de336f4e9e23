"""A restart loses no case and no finished run; a run cut off by it is failed, never half-done."""

from __future__ import annotations

import sqlite3

from serving import make_client, upload, wait

from somrisk.runner import example_case_path
from somrisk.serve.store import CUT_OFF, Store

EXAMPLE = example_case_path().read_bytes()


def test_a_restart_keeps_cases_and_finished_runs_and_fails_cut_off_runs(tmp_path):
    data = tmp_path / "data"
    with make_client(data) as first:
        case = upload(first, "youth.toml", EXAMPLE).json()["id"]
        finished = first.post(f"/api/cases/{case}/runs", json={"draws": 500}).json()["run"]
        summary = wait(first, finished)["summary"]
    # a server that died while a run went (and another waited): the database says so
    store = Store(data)
    running = store.add_run(case, draws=10, seed=1, sampler="lhs", overrides={}, version="0")
    store.started(running.id)
    queued = store.add_run(case, draws=10, seed=1, sampler="lhs", overrides={}, version="0")
    with sqlite3.connect(data / "somrisk.sqlite") as db:
        statuses = dict(db.execute("SELECT id, status FROM runs"))
    assert statuses[running.id] == "running" and statuses[queued.id] == "queued"

    with make_client(data) as second:
        assert second.get(f"/api/cases/{case}").json()["toml"].encode() == EXAMPLE
        assert second.get(f"/api/runs/{finished}").json() == {
            "status": "done",
            "progress": 1.0,
            "summary": summary,
        }
        for run in (running.id, queued.id):
            answer = second.get(f"/api/runs/{run}").json()
            assert answer["status"] == "failed" and answer["error"] == CUT_OFF
            assert "summary" not in answer
        assert second.get(f"/runs/{finished}/report").status_code == 200


def test_the_database_is_in_wal_mode_in_the_data_folder(tmp_path):
    Store(tmp_path / "data")
    with sqlite3.connect(tmp_path / "data" / "somrisk.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
