"""Phase-in and consequences during the course in a portfolio: the stacked plan keeps each case's
cohort factors and during-course rows (worked by hand), and chunking changes nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import somrisk.engine.model as simulation
from portfolio.test_portfolio import CONSEQUENCE, toy, write_portfolio
from somrisk.runner import run_portfolio


def cases() -> dict[str, str]:
    # A: 10 participants in 2025, half the effect, 0.4 fewer units per participant in the first 2 years
    a = toy("A", consequences=CONSEQUENCE + "during = -0.4\nduring_years = 2\n")
    a = a.replace("[effect]\n", "[effect]\ncohort_factor = [0.5]\n")
    # B: 20 participants from 2027, full effect, 0.4 fewer units in the first year only
    b = toy("B", cohorts="[20]", consequences=CONSEQUENCE + "during = -0.4\n")
    b = b.replace("start_year = 2025", "start_year = 2027")
    # C: neither, to sit between them in a chunk
    return {"a.toml": a, "c.toml": toy("C"), "b.toml": b}


def test_a_portfolio_of_phased_in_cases_with_during_by_hand(tmp_path: Path) -> None:
    det = run_portfolio(write_portfolio(tmp_path, cases()), draws=500).simulation.deterministic
    v = 1500.0  # the catalogue's uniform(1000, 2000) price at its mean
    # A: effect 10 * 0.1 * 0.5 * v = 750 a year for 5 years; during 10 * 0.4 * v = 6000 in 2025, 2026
    effect_a, during_a = 10 * 0.1 * 0.5 * v, 10 * 0.4 * v
    a = [effect_a + during_a - 1000, effect_a + during_a, effect_a, effect_a, effect_a, 0, 0]
    # C: 10 * 0.1 * v = 1500 a year, cost 1000 in 2025
    c = [10 * 0.1 * v - 1000, *[10 * 0.1 * v] * 4, 0, 0]
    # B (2027-2031): 20 * 0.1 * v = 3000 a year; during 20 * 0.4 * v = 12000 in 2027; cost 1000 in 2027
    effect_b, during_b = 20 * 0.1 * v, 20 * 0.4 * v
    b = [0, 0, effect_b + during_b - 1000, *[effect_b] * 4]
    assert a[0] == 5750 and b[2] == 14000  # the arithmetic above, in numbers
    np.testing.assert_allclose(det.net[:, 0], np.add(np.add(a, b), c), rtol=1e-12)
    assert det.npv_total == pytest.approx(sum(a) + sum(b) + sum(c), rel=1e-12)


def test_chunks_of_cases_with_during_and_factors_add_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {
        name: text.replace("change = -1.0", 'change = { dist = "normal", mean = -1.0, sd = 0.2 }')
        for name, text in cases().items()
    }
    path = write_portfolio(tmp_path, texts)
    whole = run_portfolio(path, draws=1000).simulation
    monkeypatch.setattr(simulation, "CHUNK_CASES", 1)
    chunked = run_portfolio(path, draws=1000).simulation
    assert len(chunked.ensemble.chunks) == 3 and len(whole.ensemble.chunks) == 1
    np.testing.assert_array_equal(whole.case_npv, chunked.case_npv)
    np.testing.assert_allclose(whole.yearly_mean, chunked.yearly_mean, rtol=1e-12)


def test_the_cube_holds_the_during_term_by_consequence(tmp_path: Path) -> None:
    path = write_portfolio(tmp_path, cases())
    out = tmp_path / "cube.nc"
    result = run_portfolio(path, draws=700, out=out)
    cube = xr.open_dataset(out, engine="h5netcdf")
    try:
        np.testing.assert_allclose(cube.net, cube.gains.sum("consequence") - cube.costs, atol=1e-6)
        npv = (cube.net * cube.discount_factor).sum(("year", "actor"))
        np.testing.assert_allclose(npv.values.T, result.simulation.case_npv, rtol=1e-9)
        # A in 2025: 10 * 0.1 * 0.5 * price (effect) + 10 * 0.4 * price (during), price the catalogue's
        price = cube.inputs.sel(input="catalog.kontanthjaelp.price.kommune").values
        gain = cube.gains.sel(case="A", year=2025, actor="kommune", consequence="kontanthjaelp").values
        np.testing.assert_allclose(gain, (0.5 + 4.0) * price, rtol=1e-12)
    finally:
        cube.close()
