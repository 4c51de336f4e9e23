"""`somrisk serve`'s speed targets (issue 19), on a real server on 127.0.0.1:

- a warm server answers a 10^4-draw run of the bundled example (summary ready) in under 0.5 s;
- the committee report of a finished run in under 2 s (asked for as soon as the run is done; the
  server starts making it in the background when the run ends);
- /health in under 100 ms while two 10^6-draw runs go.

    python benchmarks/bench_serve.py            # 5 repeats each
    python benchmarks/bench_serve.py --repeat 1

Each time is wall time seen by an HTTP client on the same machine, from the request to the answer
(the run: from POST .../runs to the poll that sees it done, polling every 5 ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx2
import uvicorn

from somrisk.runner import example_case_path
from somrisk.serve.app import create_app
from somrisk.serve.settings import Settings

TARGETS = {"run": 0.5, "report": 2.0, "health": 0.1}


def start(data: Path) -> tuple[uvicorn.Server, threading.Thread, str]:
    app = create_app(Settings(data=data, max_running=2))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"


def timed_run(http: httpx2.Client, case: str, draws: int, seed: int) -> tuple[float, str]:
    began = time.perf_counter()
    run = http.post(f"/api/cases/{case}/runs", json={"draws": draws, "seed": seed}).json()["run"]
    while http.get(f"/api/runs/{run}").json()["status"] not in ("done", "failed"):
        time.sleep(0.005)
    return time.perf_counter() - began, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as folder:
        server, thread, url = start(Path(folder))
        with httpx2.Client(base_url=url, timeout=120) as http:
            case = http.post(
                "/api/cases", files={"case": ("youth.toml", example_case_path().read_bytes())}
            ).json()["id"]
            _, warm = timed_run(http, case, 10_000, 0)  # warm: kernel loaded, imports done
            http.get(f"/runs/{warm}/report")
            runs, reports, again = [], [], []
            for seed in range(1, repeat + 1):
                seconds, run = timed_run(http, case, 10_000, seed)
                runs.append(seconds)
                began = time.perf_counter()
                assert http.get(f"/runs/{run}/report").status_code == 200
                reports.append(time.perf_counter() - began)
                began = time.perf_counter()
                http.get(f"/runs/{run}/report")
                again.append(time.perf_counter() - began)
            big = [
                http.post(f"/api/cases/{case}/runs", json={"draws": 1_000_000, "seed": s}).json()["run"]
                for s in (101, 102)
            ]
            while any(http.get(f"/api/runs/{r}").json()["status"] == "queued" for r in big):
                time.sleep(0.01)
            health = []
            for _ in range(50):
                began = time.perf_counter()
                http.get("/health")
                health.append(time.perf_counter() - began)
                time.sleep(0.02)
            statuses = [http.get(f"/api/runs/{r}").json()["status"] for r in big]
            for run in big:
                http.post(f"/api/runs/{run}/cancel")
        server.should_exit = True
        thread.join()
    rows = [
        ("10^4-draw run, summary ready (median)", statistics.median(runs), TARGETS["run"]),
        ("report, asked for as the run ends (median)", statistics.median(reports), TARGETS["report"]),
        ("report, asked for again (median)", statistics.median(again), TARGETS["report"]),
        (
            f"/health, two 10^6-draw runs {statistics.mode(statuses)} (max of 50)",
            max(health),
            TARGETS["health"],
        ),
        ("/health, the same (median)", statistics.median(health), TARGETS["health"]),
    ]
    print("| measurement | seconds | target | met |\n| --- | --- | --- | --- |")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.3f} | {target:g} | {'yes' if seconds < target else 'NO'} |")


if __name__ == "__main__":
    main()
