"""Helpers of the server's tests: a client on a data folder, uploads, waiting for a run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from somrisk.serve.app import create_app
from somrisk.serve.settings import Settings

#: How long a test waits for a run, in seconds (the machine may be loaded).
WAIT_S = 300


def make_client(data: Path, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(data=data, **settings)), raise_server_exceptions=False)


def upload(client: TestClient, name: str, data: bytes, **headers: str):
    return client.post("/api/cases", files={"case": (name, data)}, headers=headers)


def wait(client: TestClient, run: str, **headers: str) -> dict[str, Any]:
    """Poll a run until it is done or failed; its last answer."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        answer = client.get(f"/api/runs/{run}", headers=headers).json()
        if answer["status"] in ("done", "failed"):
            return answer
        time.sleep(0.05)
    raise AssertionError(f"run {run} still {answer['status']} after {WAIT_S} s")
