"""``--scheduler``: a Dask LocalCluster, and a real `dask scheduler` with `dask worker` processes,
give results identical to the in-process run, bit for bit, for a case and for a portfolio, including
the Zarr cube the workers write; also when every worker dies mid-run. Losing the scheduler is a
plain error (exit 1) that leaves nothing behind."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from portfolio.test_portfolio import CONSEQUENCE, toy, write_portfolio
from somrisk import _scheduler
from somrisk.errors import UsageError
from somrisk.runner import example_case_path, run, run_portfolio

pytest.importorskip("distributed")

OWN_CHANGE = CONSEQUENCE.replace("change = -1.0", 'change = { dist = "normal", mean = -1.0, sd = 0.2 }')


def assert_same_summary(a: xr.Dataset, b: xr.Dataset) -> None:
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def assert_same_cube(a_path: Path, b_path: Path) -> None:
    a, b = xr.open_zarr(a_path), xr.open_zarr(b_path)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    assert {k: v for k, v in a.attrs.items() if k != "created_at"} == {
        k: v for k, v in b.attrs.items() if k != "created_at"
    }


def test_a_local_cluster_gives_the_in_process_results(tmp_path: Path) -> None:
    # 3 blocks of draws, the last one partial
    here = run(None, draws=20_000, seed=7, out=tmp_path / "here.zarr")
    there = run(None, draws=20_000, seed=7, scheduler="local:2", out=tmp_path / "there.zarr")
    np.testing.assert_array_equal(here.simulation.npv, there.simulation.npv)
    np.testing.assert_array_equal(here.simulation.payback, there.simulation.payback)
    assert_same_summary(here.summary, there.summary)
    assert_same_cube(here.out, there.out)
    assert not list(tmp_path.glob(".*partial*"))


def test_a_portfolio_on_a_local_cluster_gives_the_in_process_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import somrisk.engine.model as simulation

    monkeypatch.setattr(simulation, "CHUNK_CASES", 2)  # 3 chunks of cases: 3 tasks per block
    cases = {f"c{i}.toml": toy(f"Case {i}", consequences=OWN_CHANGE) for i in range(5)}
    path = write_portfolio(tmp_path, cases)
    here = run_portfolio(path, draws=10_000, out=tmp_path / "here.zarr")
    there = run_portfolio(path, draws=10_000, scheduler="local:2", out=tmp_path / "there.zarr")
    np.testing.assert_array_equal(here.simulation.case_npv, there.simulation.case_npv)
    assert_same_summary(here.summary, there.summary)
    assert_same_summary(here.cases, there.cases)
    assert_same_cube(here.out, there.out)


@pytest.mark.parametrize(
    "spec", ["local:0", "local:x", "dask", "http://host:8786", "tcp://host", "threads:2"]
)
def test_a_bad_scheduler_is_refused_before_work(cli, spec: str) -> None:
    result = cli("run", "--scheduler", spec, "--draws", "10")
    assert result.code == 2
    assert "--scheduler" in result.stderr and "local:N" in result.stderr


def test_an_unreachable_cluster_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_scheduler, "CONNECT_TIMEOUT", 1)
    with pytest.raises(UsageError, match=r"tcp://127.0.0.1:9: cannot use a Dask cluster there"):
        run(None, draws=10, scheduler="tcp://127.0.0.1:9")


def test_without_dask_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UsageError, match=r"somrisk\[dask\]"):
        run(None, draws=10, scheduler="local:1")


def test_workers_with_another_version_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_scheduler, "__version__", "0.0.0-other")
    with pytest.raises(UsageError, match="install the same version on every worker"):
        run(None, draws=10, scheduler="local:1")


# --- a real `dask scheduler` and `dask worker` pair, started here on 127.0.0.1 ---------------------

SOMRISK = [sys.executable, "-c", "from somrisk.cli import main; main()"]
CASE = example_case_path()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@dataclass
class DaskPair:
    """A `dask scheduler` process and a `dask worker` process (with a nanny per worker, which
    starts a killed worker again)."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        import distributed

        with distributed.Client(self.address, timeout=20) as client:
            return sorted(client.run(os.getpid).values())


@contextmanager
def dask_pair(workers: int = 2) -> Iterator[DaskPair]:
    import distributed

    address = f"tcp://127.0.0.1:{_free_port()}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    port = address.rsplit(":", 1)[1]
    on_localhost = ("--host", "127.0.0.1", "--no-dashboard")
    one_thread = ("--nworkers", str(workers), "--nthreads", "1", "--nanny")
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", *on_localhost, "--port", port], **quiet
    )
    worker_processes = None
    try:
        worker_processes = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, *on_localhost, *one_thread],
            **quiet,
        )
        with distributed.Client(address, timeout=20) as client:
            client.wait_for_workers(workers, timeout=30)
        yield DaskPair(address, scheduler, worker_processes)
    finally:
        for process in (worker_processes, scheduler):
            if process is not None:
                process.kill()
                process.wait(timeout=30)


def _cube_values(path: Path) -> dict[str, np.ndarray]:
    with xr.open_zarr(path) as cube:
        return {name: cube[name].values for name in ("gains", "costs", "net", "inputs")}


@pytest.mark.slow
def test_a_dask_scheduler_and_worker_pair_gives_the_in_process_results(tmp_path: Path) -> None:
    here = run(CASE, draws=20_000, seed=7, out=tmp_path / "here.zarr")
    with dask_pair() as pair:
        there = run(CASE, draws=20_000, seed=7, scheduler=pair.address, out=tmp_path / "there.zarr")
    np.testing.assert_array_equal(here.simulation.npv, there.simulation.npv)
    assert_same_summary(here.summary, there.summary)
    assert_same_cube(here.out, there.out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.zarr", "there.zarr"]


@pytest.mark.slow
def test_every_worker_killed_mid_run_changes_nothing(tmp_path: Path) -> None:
    # the run's model is held by the scheduler as a task, so it is made again on the restarted workers
    args = [str(CASE), "--draws", "50000", "--seed", "3", "--json"]
    here = subprocess.run(
        [*SOMRISK, "run", *args, "--out", str(tmp_path / "here.zarr")], capture_output=True, text=True
    )
    assert here.returncode == 0, here.stderr
    with dask_pair() as pair:
        victims = pair.worker_pids()
        process = subprocess.Popen(
            [*SOMRISK, "run", *args, "--scheduler", pair.address, "--out", str(tmp_path / "there.zarr")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # the workers have written a block of the cube (a chunk file, not .zarray): kill them all
            assert _wait_for(lambda: any(tmp_path.glob(".there.zarr.partial-*/net/[0-9]*")))
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
            assert process.poll() is None, "the run ended before its workers were killed"
            stdout, stderr = process.communicate(timeout=120)
        finally:
            process.kill()
        assert process.returncode == 0, stderr
        assert not set(pair.worker_pids()) & set(victims)  # the nannies started new workers
    assert stderr.strip() == ""  # no line of Dask's own about the lost workers (a progress bar's end)
    assert stdout == here.stdout
    here_cube, there_cube = _cube_values(tmp_path / "here.zarr"), _cube_values(tmp_path / "there.zarr")
    for name, values in here_cube.items():
        np.testing.assert_array_equal(values, there_cube[name], err_msg=name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.zarr", "there.zarr"]


@pytest.mark.slow
def test_losing_the_scheduler_mid_run_is_exit_1_with_a_plain_message(tmp_path: Path) -> None:
    out = str(tmp_path / "cube.zarr")
    with dask_pair() as pair:
        process = subprocess.Popen(
            [*SOMRISK, "run", str(CASE), "--draws", "400000", "--scheduler", pair.address, "--out", out],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert _wait_for(lambda: any(tmp_path.glob(".cube.zarr.partial-*/net/[0-9]*")))
            pair.scheduler.kill()
            _, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
    assert process.returncode == 1, stderr
    assert stderr.strip() == f"error: the Dask scheduler at {pair.address} went away; nothing was written"
    assert list(tmp_path.iterdir()) == []


def test_dask_log_lines_and_warnings_are_held_back_during_a_run_only() -> None:
    import distributed  # noqa: F401 - sets up Dask's loggers and their stderr handler

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    dask_logger = logging.getLogger("distributed")
    collect = Collect()
    dask_logger.addHandler(collect)
    filters = list(warnings.filters)
    try:
        pool = _scheduler.open_scheduler("local:1", 1)
        try:
            logging.getLogger("distributed.client").error("a line of Dask's client")
            logging.getLogger("distributed.made.during.the.run").error("a line of a new module")
            # under this suite's filterwarnings = error, a warning that got through would raise here
            warnings.warn_explicit("a Dask warning", UserWarning, "client.py", 1, module="distributed.client")
        finally:
            pool.close()
        assert lines == []
        assert warnings.filters == filters
        logging.getLogger("distributed.worker").error("a line after the run")
        assert lines == ["a line after the run"]
    finally:
        dask_logger.removeHandler(collect)
