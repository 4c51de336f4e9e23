"""``--scheduler``: a Dask LocalCluster gives results identical to the in-process run, bit for bit,
for a case and for a portfolio, including the Zarr cube its workers write."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from portfolio.test_portfolio import CONSEQUENCE, toy, write_portfolio
from somrisk import _scheduler
from somrisk.errors import UsageError
from somrisk.runner import run, run_portfolio

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
