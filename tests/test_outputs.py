"""The result cube on disk (netCDF, Zarr), written atomically, and the JSON summary contract."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import xarray as xr

from somrisk import OutputError, parse_case, run, simulate, summarize, summary_json
from somrisk.runner import example_case_path
from somrisk.sampling import BLOCK_DRAWS
from somrisk.testing import assert_cube_valid

DRAWS = BLOCK_DRAWS + 500  # a full block and a partial one


@pytest.fixture(scope="module")
def in_memory():
    return simulate(parse_case(example_case_path().read_text()), draws=DRAWS, seed=3, keep_cube=True)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_cube_file_holds_the_run(tmp_path, in_memory, suffix):
    path = tmp_path / f"cube{suffix}"
    result = run(example_case_path(), draws=DRAWS, seed=3, out=path)
    assert result.out == path and path.exists()
    with xr.open_dataset(path, engine="h5netcdf" if suffix == ".nc" else "zarr") as cube:
        cube = cube.load()
    assert_cube_valid(cube)
    for name in ("gains", "costs", "net", "inputs", "discount_factor"):
        np.testing.assert_array_equal(cube[name].values, in_memory.cube[name].values)
    assert list(cube.actor.values) == ["kommune", "region", "stat"]
    assert list(cube.year.values) == list(range(2025, 2035))
    assert cube.attrs["seed"] == 3 and cube.attrs["sampler"] == "lhs" and cube.attrs["draws"] == DRAWS
    assert len(cube.attrs["case_sha256"]) == 64
    # writing the cube does not change the numbers of the summary
    plain = summary_json(summarize(in_memory))
    assert summary_json(result.summary) == plain
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing else left behind


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_an_interrupted_run_leaves_no_file_and_keeps_the_old_one(tmp_path, suffix):
    path = tmp_path / f"cube{suffix}"
    run(example_case_path(), draws=200, out=path)
    before = sorted(p.name for p in tmp_path.rglob("*"))

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(example_case_path(), draws=DRAWS, out=path, progress=interrupt)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    with xr.open_dataset(path, engine="h5netcdf" if suffix == ".nc" else "zarr") as cube:
        assert cube.attrs["draws"] == 200


def test_a_cube_that_does_not_fit_on_disk_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr("somrisk.io.store.free_disk", lambda path: 1000)
    with pytest.raises(OutputError, match=r"needs .* MB but the disk has 1\.0 kB free"):
        run(
            example_case_path(),
            draws=DRAWS,
            out=tmp_path / "cube.zarr",
            progress=lambda *a: pytest.fail("simulated although the disk is full"),
        )
    assert list(tmp_path.iterdir()) == []


def test_a_netcdf_cube_larger_than_memory_is_refused_with_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr("somrisk.io.store.available_memory", lambda: 10**6)
    with pytest.raises(OutputError, match=r"needs .* MB.*write it to a \.zarr file"):
        run(example_case_path(), draws=DRAWS, out=tmp_path / "cube.nc")


def test_keeping_a_cube_larger_than_memory_is_refused(monkeypatch):
    monkeypatch.setattr("somrisk.engine.run.available_memory", lambda: 10**6)
    with pytest.raises(OutputError, match=r"needs .* of memory"):
        simulate(parse_case(example_case_path().read_text()), draws=DRAWS, keep_cube=True)


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        run(example_case_path(), draws=10, out=tmp_path / "no" / "cube.nc")


def test_folder_that_cannot_be_written_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("somrisk.io.store.os.access", lambda path, mode: False)
    with pytest.raises(OutputError, match="cannot be written"):
        run(example_case_path(), draws=10, out=tmp_path / "cube.nc")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="cannot be written"):
            run(example_case_path(), draws=10, out=folder / "cube.nc")
    finally:
        folder.chmod(0o700)


def test_cli_writes_the_cube_and_says_so(cli, tmp_path):
    path = tmp_path / "result.nc"
    result = cli("run", "--draws", "100", "--out", path)
    assert result.code == 0, result.stderr
    assert f"Cube written to {path}" in result.stdout
    assert path.exists()


def test_cli_refuses_an_output_folder_that_does_not_exist(cli, tmp_path):
    result = cli("run", "--draws", "100", "--out", tmp_path / "missing" / "result.nc")
    assert result.code == 2
    assert "does not exist" in result.stderr


SPEC_NPV_KEYS = [
    "mean",
    "sd",
    "mcse",
    "p05",
    "p25",
    "p50",
    "p75",
    "p95",
    "prob_positive",
    "prob_positive_se",
    "expected_shortfall_05",
]


def test_json_summary_has_exactly_the_keys_of_outputs_md(in_memory):
    document = json.loads(json.dumps(summary_json(summarize(in_memory)), allow_nan=False))
    assert list(document) == [
        "case",
        "draws",
        "seed",
        "sampler",
        "currency",
        "price_year",
        "deterministic",
        "npv",
        "payback",
        "net_by_year",
    ]
    assert list(document["deterministic"]) == ["npv", "payback_year"]
    assert list(document["deterministic"]["npv"]) == ["total", "kommune", "region", "stat"]
    assert list(document["npv"]) == ["total", "kommune", "region", "stat"]
    for stats in document["npv"].values():
        assert list(stats) == SPEC_NPV_KEYS
    assert list(document["payback"]) == ["prob_within_horizon", "median_year", "cdf"]
    assert list(document["payback"]["cdf"]) == [str(y) for y in range(2025, 2035)]
    assert list(document["net_by_year"]) == [str(y) for y in range(2025, 2035)]
    assert all(list(v) == ["mean", "p05", "p95"] for v in document["net_by_year"].values())
    assert document["draws"] == DRAWS and document["currency"] == "DKK"
    assert document["price_year"] == 2023


def test_json_numbers_agree_with_the_draws(in_memory):
    document = summary_json(summarize(in_memory))
    total = in_memory.npv.sum(axis=0)
    stats = document["npv"]["total"]
    assert stats["mean"] == pytest.approx(total.mean(), rel=1e-12)
    assert stats["sd"] == pytest.approx(total.std(ddof=1), rel=1e-12)
    assert stats["mcse"] == pytest.approx(total.std(ddof=1) / np.sqrt(DRAWS), rel=1e-12)
    assert stats["p05"] == pytest.approx(np.percentile(total, 5), rel=1e-12)
    assert stats["prob_positive"] == pytest.approx(np.mean(total > 0))
    worst = np.sort(total)[: int(np.ceil(0.05 * DRAWS))]
    assert stats["expected_shortfall_05"] == pytest.approx(worst.mean(), rel=1e-12)
    net_total = in_memory.cube.net.sum("actor")
    for year, entry in document["net_by_year"].items():
        values = net_total.sel(year=int(year)).values
        assert entry["mean"] == pytest.approx(values.mean(), rel=1e-9, abs=1e-6)
        assert entry["p95"] == pytest.approx(np.percentile(values, 95), rel=1e-9, abs=1e-6)
    paid = in_memory.payback
    cdf = document["payback"]["cdf"]
    assert cdf["2034"] == pytest.approx(np.mean(paid >= 0))
    assert cdf["2027"] == pytest.approx(np.mean((paid >= 0) & (paid <= 2)))
    assert document["payback"]["prob_within_horizon"] == pytest.approx(np.mean(paid >= 0))


def test_yearly_statistics_agree_with_the_cube(in_memory):
    summary = summarize(in_memory)
    net = in_memory.cube.net
    for actor in ("kommune", "stat"):
        values = net.sel(actor=actor, year=2027).values
        row = summary.sel(actor=actor, year=2027)
        assert float(row.net_mean) == pytest.approx(values.mean(), rel=1e-9)
        assert float(row.net_sd) == pytest.approx(values.std(ddof=1), rel=1e-9)
        assert float(row.net_prob_positive) == pytest.approx(np.mean(values > 0))
        worst = np.sort(values)[: int(np.ceil(0.05 * DRAWS))]
        assert float(row.net_expected_shortfall) == pytest.approx(worst.mean(), rel=1e-9)
    cumulative = (net.sum("actor") * in_memory.cube.discount_factor).cumsum("year")
    values = cumulative.sel(year=2030).values
    assert float(summary.cumulative_prob_positive.sel(year=2030)) == pytest.approx(
        np.mean(values >= 0), abs=1e-3
    )
    assert float(summary.cumulative_mean.sel(year=2030)) == pytest.approx(values.mean(), rel=1e-9)
