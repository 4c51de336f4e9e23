"""`somrisk serve` as a process: it answers, and a restart of the process keeps every case and
finished run while a run it cut off is failed (killed: cut off; stopped with SIGTERM: stopped)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from somrisk.runner import example_case_path
from somrisk.serve.store import CUT_OFF

EXAMPLE = example_case_path().read_bytes()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(data: Path, port: int) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-c",
        "from somrisk.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--data",
        str(data),
    ]
    env = {k: v for k, v in os.environ.items() if k != "SOMRISK_TOKEN"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx2.TransportError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise AssertionError(process.communicate()[1])
    process.kill()
    process.communicate()
    raise AssertionError("somrisk serve did not answer within 120 s")


def wait_for(http: httpx2.Client, run: str, wanted: tuple[str, ...]) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        answer = http.get(f"/api/runs/{run}").json()
        if answer["status"] in wanted:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"run {run} never became {wanted}")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stop", "error"), [(signal.SIGKILL, CUT_OFF), (signal.SIGTERM, "stopped with the server")]
)
def test_a_restart_keeps_state_and_fails_the_run_it_cut_off(tmp_path, stop, error):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start(tmp_path, port)
    try:
        with httpx2.Client(base_url=url, timeout=60) as http:
            case = http.post("/api/cases", files={"case": ("youth.toml", EXAMPLE)}).json()["id"]
            done = http.post(f"/api/cases/{case}/runs", json={"draws": 1000}).json()["run"]
            summary = wait_for(http, done, ("done",))["summary"]
            going = http.post(f"/api/cases/{case}/runs", json={"draws": 1_000_000}).json()["run"]
            wait_for(http, going, ("running",))
    finally:
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr
    process = start(tmp_path, port)
    try:
        with httpx2.Client(base_url=url, timeout=60) as http:
            assert http.get(f"/api/cases/{case}").json()["toml"].encode() == EXAMPLE
            assert http.get(f"/api/runs/{done}").json()["summary"] == summary
            answer = http.get(f"/api/runs/{going}").json()
            assert answer["status"] == "failed" and answer["error"].startswith(error)
    finally:
        process.terminate()
        process.communicate(timeout=120)
