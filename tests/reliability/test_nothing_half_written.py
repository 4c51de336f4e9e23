"""Every file somrisk writes appears complete or not at all: on Ctrl-C (a real SIGINT to a real
process), on a full disk, and when a Dask worker dies in the middle of a run (issue 7, part 2)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from somrisk._scheduler import local_cluster_options
from somrisk.runner import example_case_path, run

CASE = example_case_path()
SOMRISK = [sys.executable, "-c", "from somrisk.cli import main; main()"]


def _wait_for(condition, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_signal_during_a_zarr_write_leaves_nothing(
    tmp_path: Path, number: signal.Signals, code: int, message: str
) -> None:
    # an older result of the same name must survive the interrupted run unchanged
    older = run(CASE, draws=500, out=tmp_path / "cube.zarr").out
    assert older is not None
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    process = subprocess.Popen(
        [*SOMRISK, "run", str(CASE), "--draws", "4000000", "--out", str(tmp_path / "cube.zarr")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # the run is under way once its temporary cube holds a block of draws
        started = _wait_for(lambda: any(tmp_path.glob(".cube.zarr.partial-*/net/1.*")))
        assert started, "the run did not start writing"
        process.send_signal(number)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == code, stderr
    assert f"{message}; no output was written" in stderr
    assert "Traceback" not in stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    with xr.open_zarr(tmp_path / "cube.zarr") as cube:
        assert cube.attrs["draws"] == 500 and cube.sizes["draw"] == 500


#: `somrisk`, with a netCDF writer that sends the process a signal once the whole file is written
#: under its temporary name, before it is moved into place: the latest moment a signal can come.
SIGNAL_AFTER_WRITING = """
import os, signal, sys, time
import xarray as xr
from somrisk.cli import main

write = xr.Dataset.to_netcdf

def to_netcdf(self, path, *args, **kwargs):
    write(self, path, *args, **kwargs)
    assert os.path.getsize(path) > 0
    os.kill(os.getpid(), int(os.environ["SOMRISK_TEST_SIGNAL"]))
    time.sleep(30)  # the signal's handler raises here

xr.Dataset.to_netcdf = to_netcdf
main()
"""


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_signal_during_a_netcdf_write_leaves_nothing(
    tmp_path: Path, number: signal.Signals, code: int, message: str
) -> None:
    out = str(tmp_path / "cube.nc")
    result = subprocess.run(
        [sys.executable, "-c", SIGNAL_AFTER_WRITING, "run", str(CASE), "--draws", "2000", "--out", out],
        capture_output=True,
        text=True,
        env={**os.environ, "SOMRISK_TEST_SIGNAL": str(int(number))},
        timeout=60,
    )
    assert result.returncode == code, result.stderr
    assert result.stderr.strip() == f"{message}; no output was written"
    assert list(tmp_path.iterdir()) == []


def test_sigterm_is_held_like_ctrl_c_until_a_store_write_ends() -> None:
    from somrisk._files import Terminated, interrupts_held, sigterm_as_interrupt, sigterm_received

    before = signal.getsignal(signal.SIGTERM)
    steps = []
    with sigterm_as_interrupt():
        with pytest.raises(Terminated), interrupts_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)
            steps.append("the write went on")
        assert steps == ["the write went on"] and sigterm_received()
        with pytest.raises(Terminated):  # outside a write: at once
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_is_held_until_a_store_write_ends() -> None:
    # zarr writes from its own thread: an interrupt in the middle of a write would let it go on
    # writing into a store that the interrupted run has removed (this test's run above, 1 in 5)
    from somrisk._files import interrupts_held

    steps = []
    with pytest.raises(KeyboardInterrupt), interrupts_held():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)  # the signal is handled here, between bytecodes
        steps.append("the write went on")
    assert steps == ["the write went on"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with interrupts_held():  # without an interrupt, nothing is raised
        steps.append("done")
    assert steps[-1] == "done"


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("method", "out"),
    [("to_netcdf", "cube.nc"), ("to_zarr", "cube.zarr")],
)
def test_a_full_disk_is_reported_and_leaves_nothing(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, out: str
) -> None:
    monkeypatch.setattr(xr.Dataset, method, _full_disk)
    result = cli("run", CASE, "--draws", "200", "--out", tmp_path / out)
    assert result.code == 2
    assert f"{str(tmp_path / out)!r} could not be written: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_a_report_or_workbook_leaves_nothing(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the file is written in full under a temporary name; moving it into place fails
    import somrisk._files

    monkeypatch.setattr(somrisk._files.os, "replace", _full_disk)
    result = cli("run", CASE, "--draws", "200", "--xlsx", tmp_path / "results.xlsx")
    assert result.code == 2 and "could not be written: No space left on device" in result.stderr
    result = cli("report", CASE, "--draws", "200", "--out", tmp_path / "report.html")
    assert result.code == 2 and "could not be written: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_leaves_no_workbook_case_file_or_chart(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import somrisk._files

    workbook = tmp_path / "case.xlsx"
    assert cli("excel", "export", CASE, workbook).code == 0
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(somrisk._files.os, "replace", _full_disk)
    for args in (
        ("excel", "template", out / "template.xlsx"),
        ("excel", "export", CASE, out / "export.xlsx"),
        ("excel", "import", workbook, out / "imported.toml"),
        ("new", "Mentorordning", "--out", out / "new.toml"),
        ("tornado", CASE, "--plot", out / "tornado.png"),
    ):
        result = cli(*args)
        assert result.code == 2, args
        assert "could not be written: No space left on device" in result.stderr, args
        assert "Traceback" not in result.stderr
        assert list(out.iterdir()) == [], args


def test_a_dask_worker_killed_mid_run_changes_nothing(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    here = run(CASE, draws=120_000, seed=3, out=tmp_path / "here.zarr")
    cluster = distributed.LocalCluster(**local_cluster_options(2))
    client = distributed.Client(cluster)
    try:
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        killed = threading.Event()

        def kill_when_writing() -> None:
            # once the workers have written a block of the cube (a chunk file, not .zarray), kill one
            if _wait_for(lambda: any(tmp_path.glob(".there.zarr.partial-*/net/[0-9]*"))):
                os.kill(victim, signal.SIGKILL)
                killed.set()

        killer = threading.Thread(target=kill_when_writing, daemon=True)
        killer.start()
        there = run(
            CASE, draws=120_000, seed=3, scheduler=cluster.scheduler_address, out=tmp_path / "there.zarr"
        )
        killer.join(timeout=5)
    finally:
        client.close()
        cluster.close()
    assert killed.is_set(), "the worker was not killed during the run"
    np.testing.assert_array_equal(here.simulation.npv, there.simulation.npv)
    with xr.open_zarr(here.out) as a, xr.open_zarr(there.out) as b:
        for name in ("gains", "costs", "net", "inputs"):
            np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.zarr", "there.zarr"]


@pytest.mark.parametrize("out", ["cube.nc", "results.xlsx", "report.html"])
def test_a_file_is_flushed_to_the_disk_before_it_is_renamed_into_place(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str
) -> None:
    # after a power cut the rename could otherwise reach the disk before the bytes: an empty file
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        events.append("fsync")
        real_fsync(descriptor)

    def replace(source, destination) -> None:
        events.append(f"replace {Path(destination).name}")
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    option = {"cube.nc": "--out", "results.xlsx": "--xlsx", "report.html": "--out"}[out]
    command = "report" if out == "report.html" else "run"
    result = cli(command, CASE, "--draws", "200", option, tmp_path / out)
    assert result.code == 0, result.stderr
    at = events.index(f"replace {out}")
    assert events[at - 1] == "fsync"  # the file's bytes
    assert events[at + 1] == "fsync"  # the folder's entry
