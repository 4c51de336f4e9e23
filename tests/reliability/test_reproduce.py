"""Reproducibility: the same (case, seed, sampler, draws) gives identical results across threads
and file formats; ``somrisk run --reproduce RESULT CASE`` reruns a recorded cube and compares it
value by value (issue 7, part 5). The Dask LocalCluster's part is in tests/engine/test_schedulers.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from somrisk.runner import example_case_path, run
from somrisk.testing import danish_number

CASE = example_case_path()


@pytest.mark.parametrize(("sampler", "draws"), [("mc", 9_000), ("lhs", 9_000), ("sobol", 16_384)])
def test_threads_and_formats_give_identical_results(tmp_path: Path, sampler: str, draws: int) -> None:
    # 2 blocks of draws (the second partial, except for Sobol's power of two)
    one = run(CASE, draws=draws, seed=11, sampler=sampler, threads=1, out=tmp_path / "one.nc")
    two = run(CASE, draws=draws, seed=11, sampler=sampler, threads=2, out=tmp_path / "two.zarr")
    np.testing.assert_array_equal(one.simulation.npv, two.simulation.npv)
    np.testing.assert_array_equal(one.simulation.payback, two.simulation.payback)
    with xr.open_dataset(one.out, engine="h5netcdf") as a, xr.open_zarr(two.out) as b:
        for name in ("gains", "costs", "net", "npv", "inputs", "discount_factor"):
            np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
        for key in ("case_sha256", "seed", "sampler", "draws", "somrisk_version"):
            assert a.attrs[key] == b.attrs[key], key
        assert (a.attrs["seed"], a.attrs["sampler"], a.attrs["draws"]) == (11, sampler, draws)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_a_recorded_result_is_reproduced(cli, tmp_path: Path, suffix: str) -> None:
    result = tmp_path / f"result{suffix}"
    assert cli("run", CASE, "--draws", "3000", "--seed", "5", "--sampler", "mc", "--out", result).code == 0
    again = cli("run", "--reproduce", result, CASE, "--threads", "1")
    assert again.code == 0, again.stderr
    assert "3,000 draws, seed 5, sampler mc" in again.stdout
    assert "reproduced: gains, costs, net, npv, inputs, discount_factor identical" in again.stdout
    assert not list(tmp_path.glob("*rerun*")) and len(list(tmp_path.iterdir())) == 1


def test_a_changed_value_is_found(cli, tmp_path: Path) -> None:
    result = tmp_path / "result.nc"
    assert cli("run", CASE, "--draws", "2000", "--out", result).code == 0
    with xr.open_dataset(result, engine="h5netcdf") as cube:
        tampered = cube.load()
    tampered["net"][17, 2, 0] += 1.0  # one DKK, in one draw, year and actor
    tampered.to_netcdf(tmp_path / "tampered.nc", engine="h5netcdf")
    again = cli("run", "--reproduce", tmp_path / "tampered.nc", CASE)
    assert again.code == 1
    assert f"net: 1 of {tampered['net'].size:,} values differ, by up to 1" in again.stderr
    assert "NOT reproduced" in again.stderr and "Traceback" not in again.stderr


def test_a_rerun_speaks_the_readers_language(cli, tmp_path: Path) -> None:
    result = tmp_path / "result.nc"
    assert cli("run", CASE, "--draws", "3000", "--seed", "5", "--out", result).code == 0
    again = cli("run", "--reproduce", result, CASE, "--lang", "da")
    assert again.code == 0, again.stderr
    assert "3.000 trækninger, seed 5, sampler lhs" in again.stdout
    assert (
        "genskabt: gains, costs, net, npv, inputs, discount_factor er identiske, værdi for værdi"
        in again.stdout
    )
    with xr.open_dataset(result, engine="h5netcdf") as cube:
        tampered = cube.load()
    tampered["npv"][:1234, 0] += 0.25  # a quarter of a krone in 1,234 draws of one actor
    tampered.attrs["somrisk_version"] = "0.0.1"
    tampered.to_netcdf(tmp_path / "tampered.nc", engine="h5netcdf")
    changed = tmp_path / "changed.toml"
    changed.write_text("# en kommentar\n" + CASE.read_text(encoding="utf-8"), encoding="utf-8")
    again = cli("run", "--reproduce", tmp_path / "tampered.nc", changed, "--lang", "da")
    assert again.code == 1
    assert "bemærk: sagsfilen er ikke den, der blev registreret (SHA-256" in again.stdout
    assert "bemærk: registreret med somrisk 0.0.1, kørt igen med" in again.stdout
    size = danish_number(tampered["npv"].size)  # 9.000: 3,000 draws x 3 actors
    assert f"afviger: npv: 1.234 af {size} værdier afviger, med op til 0,25" in again.stderr
    assert "IKKE genskabt" in again.stderr and "Traceback" not in again.stderr


def test_a_changed_case_file_is_noted_and_its_results_differ(cli, tmp_path: Path) -> None:
    result = tmp_path / "result.nc"
    assert cli("run", CASE, "--draws", "2000", "--out", result).code == 0
    text = CASE.read_text(encoding="utf-8")
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("discount_rate = 0.035", "discount_rate = 0.04", 1), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != text
    again = cli("run", "--reproduce", result, changed)
    assert again.code == 1
    assert "note: the case file differs from the one recorded" in again.stdout
    assert "discount_factor: 9 of 10 values differ" in again.stderr
    comment = tmp_path / "comment.toml"  # a comment changes the file, not the results
    comment.write_text("# a comment\n" + text, encoding="utf-8")
    again = cli("run", "--reproduce", result, comment)
    assert again.code == 0 and "note: the case file differs" in again.stdout


def test_what_cannot_be_reproduced_is_refused(cli, tmp_path: Path) -> None:
    plain = tmp_path / "plain.nc"
    xr.Dataset({"x": ("draw", np.zeros(3))}).to_netcdf(plain, engine="h5netcdf")
    result = cli("run", "--reproduce", plain, CASE)
    assert result.code == 2 and "not a somrisk result, it lacks the attributes case_sha256" in result.stderr
    assert cli("run", "--reproduce", tmp_path / "missing.nc", CASE).code == 2
    (tmp_path / "text.nc").write_text("not netCDF", encoding="utf-8")
    result = cli("run", "--reproduce", tmp_path / "text.nc", CASE)
    assert result.code == 2 and "not a readable result cube" in result.stderr
    result = cli("run", "--reproduce", plain, CASE, "--draws", "5", "--json")
    assert result.code == 2 and "leave out --draws, --json" in result.stderr
    result = cli("run", "--reproduce", plain, CASE, "--seed", "0")  # 0 is given too
    assert result.code == 2 and "leave out --seed" in result.stderr
    result = cli("run", "--reproduce", plain)
    assert result.code == 2 and "needs the case file" in result.stderr
