"""Helpers of the server's tests: a client on a data folder, uploads, waiting for a run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from somrisk.serve.app import create_app
from somrisk.serve.settings import Settings
from somrisk.testing import minimal_case

#: The programme's cost X ~ U(900, 1100) to the kommune in year 0.
PROGRAMME_COST = """
[[costs]]
name = "programme"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "uniform", min = 900, max = 1100 }
"""

#: A case whose NPV is known by hand: 10 participants, effect 0.1, one saving of 500 per changed
#: person in years 0 and 1, and the programme's cost in year 0 (no discounting).
FIXED_COST = minimal_case(
    effect="0.1",
    cohorts="[10]",
    horizon=2,
    costs=PROGRAMME_COST,
    consequences="""
[[consequences]]
name = "saving"
change = -1.0
price = { kommune = 500 }
""",
)

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


class LiveServer:
    """A real server (uvicorn) on 127.0.0.1 and a free port, in a thread: ``with LiveServer(...) as url``."""

    def __init__(self, data: Path, **settings: Any) -> None:
        import uvicorn

        self.app = create_app(Settings(data=data, **settings))
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)

    def __enter__(self) -> str:
        import threading

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise AssertionError("the server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)
