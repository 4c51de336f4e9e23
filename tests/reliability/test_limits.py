"""Limits stated up front (issue 7, part 3): bad numbers of draws, results larger than memory and
outputs that cannot be written are refused before any draw is made, with the size in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

import somrisk.engine.run as simulation
from somrisk.errors import OutputError
from somrisk.runner import example_case_path

CASE = example_case_path()


@pytest.mark.parametrize("draws", ["0", "-5"])
@pytest.mark.parametrize("command", ["run", "report", "voi", "portfolio"])
def test_draws_must_be_positive(cli, tmp_path: Path, command: str, draws: str) -> None:
    target = CASE
    if command == "portfolio":
        target = tmp_path / "p.toml"
        target.write_text(f'[portfolio]\nname = "P"\ncases = ["{CASE.as_posix()}"]\n', encoding="utf-8")
    extra = ["--out", str(tmp_path / "r.html")] if command == "report" else []
    result = cli(command, target, "--draws", draws, *extra)
    assert result.code == 2, result.stderr
    assert f"the number of draws must be a whole number >= 1; got {draws}" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_draws_that_are_not_a_whole_number_are_refused(cli) -> None:
    result = cli("run", "--draws", "2.5")
    assert result.code == 2 and "--draws" in result.stderr and "Traceback" not in result.stderr


def test_results_larger_than_memory_are_refused_before_any_draw(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulation, "available_memory", lambda: 10_000_000)  # 10 MB
    started = []
    monkeypatch.setattr(simulation, "run_block", lambda *args: started.append(args))
    result = cli("run", "--draws", "1000000")
    assert result.code == 2
    assert "1,000,000 draws need" in result.stderr and "MB of memory for their results" in result.stderr
    assert started == []


def test_outputs_that_cannot_be_written_are_refused_before_any_draw(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = []
    monkeypatch.setattr(simulation, "run_block", lambda *args: started.append(args))
    missing = tmp_path / "no-such-folder"
    for args in (
        ("run", "--out", missing / "cube.nc"),
        ("run", "--xlsx", missing / "results.xlsx"),
        ("report", "--out", missing / "report.html"),
        ("run", "--out", tmp_path / "cube.csv"),
    ):
        result = cli(*args)
        assert result.code == 2, args
        assert "does not exist" in result.stderr or "allowed are" in result.stderr or ".zarr" in result.stderr
    assert started == []


def test_a_zarr_cube_larger_than_memory_is_streamed_block_by_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    import xarray as xr

    from somrisk.runner import run
    from somrisk.sampling import BLOCK_DRAWS

    monkeypatch.setattr(simulation, "available_memory", lambda: 40_000_000)  # 40 MB
    monkeypatch.setattr("somrisk.io.store.available_memory", lambda: 40_000_000)
    with pytest.raises(OutputError, match=r"needs .* MB.*write it to a \.zarr file"):
        run(CASE, draws=8 * BLOCK_DRAWS, out=tmp_path / "cube.nc")
    run(CASE, draws=BLOCK_DRAWS, out=tmp_path / "warm.zarr", threads=1)  # imports, compiled kernels
    peak, size = {}, {}
    for blocks in (2, 8):
        path = tmp_path / f"cube{blocks}.zarr"
        tracemalloc.start()
        try:
            run(CASE, draws=blocks * BLOCK_DRAWS, out=path, threads=1)
            peak[blocks] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        with xr.open_zarr(path) as cube:
            assert cube.sizes["draw"] == blocks * BLOCK_DRAWS
            size[blocks] = sum(cube[name].nbytes for name in ("gains", "costs", "net", "inputs"))
    assert size[8] > 40_000_000  # larger than the memory the run was given
    # 6 more blocks of cube cost the run a fraction of their size (its NPVs, paybacks and the sample
    # of yearly results kept for the percentiles); a cube held in memory would cost all of it
    assert peak[8] - peak[2] < (size[8] - size[2]) / 2, (peak, size)
