"""The engine: every path that evaluates the model (random draws, designs in input values and in
the unit cube, the base-value run, a portfolio) gives the independent numpy model's numbers; the
kernel is called in one place; the cube rebuilds the NPV with an uncertain discount rate."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np
import pytest

import somrisk
from reference import numpy_model as reference
from somrisk import parse_case
from somrisk.engine import evaluate, evaluate_uniforms, prepare, simulate
from somrisk.testing import minimal_case

SOURCE = Path(somrisk.__file__).parent

UNCERTAIN_DISCOUNT = minimal_case(
    horizon=8,
    cohorts="[5, 5]",
    discount_rate='{ dist = "uniform", min = 0.02, max = 0.06 }',
    price_growth='{ dist = "triangular", min = -0.01, mode = 0.01, max = 0.03 }',
    persistence='[persistence]\nonset = 1\nfull_years = { dist = "uniform", min = 0.5, max = 3.5 }\n'
    'decay = { dist = "uniform", min = 0.2, max = 0.6 }',
    consequences='[[consequences]]\nname = "k"\nchange = { dist = "normal", mean = -0.2, sd = 0.05 }\n'
    'price = { kommune = { dist = "pert", min = 80000, mode = 95000, max = 120000 }, stat = 45000 }\n',
)


def reference_npv(text: str, values: dict[str, np.ndarray]) -> np.ndarray:
    raw = tomllib.loads(text)
    n = next(iter(values.values())).shape[0]
    every = {path: np.broadcast_to(v, (n,)) for path, v in reference.base_values(raw).items()}
    every.update(values)
    return reference.evaluate(raw, every)["npv"]


def test_the_kernel_is_called_in_one_place_only():
    callers = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "evaluate_cases":
                    callers.append(str(path.relative_to(SOURCE)))
    assert callers == ["engine/evaluate.py"]


def test_a_design_in_input_values_gives_the_reference_npv():
    model = prepare(parse_case(UNCERTAIN_DISCOUNT))
    rng = np.random.default_rng(5)
    u = rng.uniform(0.01, 0.99, size=(20_000, model.space.dimension))  # more than two blocks of rows
    values = model.transform(u)
    npv = evaluate(model, values, threads=2)
    expected = reference_npv(UNCERTAIN_DISCOUNT, dict(zip(model.space.paths, values.T, strict=True)))
    np.testing.assert_allclose(npv, expected, rtol=1e-9, atol=1e-3)


def test_a_design_in_the_unit_cube_gives_the_reference_npv():
    raw = tomllib.loads(UNCERTAIN_DISCOUNT)
    model = prepare(parse_case(UNCERTAIN_DISCOUNT))
    u = np.random.default_rng(6).uniform(0.01, 0.99, size=(3000, model.space.dimension))
    npv = evaluate_uniforms(model, u, threads=1)
    expected = reference.evaluate(raw, reference.values_from_uniforms(raw, u))["npv"]
    np.testing.assert_allclose(npv, expected, rtol=1e-6, atol=1e-2)  # inverse CDF tables vs scipy


def test_a_design_gives_the_same_rows_whatever_the_threads():
    model = prepare(parse_case(UNCERTAIN_DISCOUNT))
    u = np.random.default_rng(7).uniform(size=(30_000, model.space.dimension))
    np.testing.assert_array_equal(
        evaluate_uniforms(model, u, threads=1), evaluate_uniforms(model, u, threads=2)
    )


def test_the_cube_rebuilds_the_npv_exactly_with_an_uncertain_discount_rate():
    sim = simulate(parse_case(UNCERTAIN_DISCOUNT), draws=20_000, seed=3, keep_cube=True)
    cube = sim.cube
    assert cube.discount_factor.dims == ("draw", "year")
    rate = cube.inputs.sel(input="economy.discount_rate").values
    expected = (1.0 + rate[:, None]) ** -np.arange(8.0)
    np.testing.assert_allclose(cube.discount_factor.values, expected, rtol=1e-13)
    np.testing.assert_array_equal(cube.npv.values, sim.npv.T)
    rebuilt = (cube.net * cube.discount_factor).sum("year").transpose("draw", "actor").values
    np.testing.assert_allclose(rebuilt, sim.npv.T, rtol=1e-13, atol=1e-6)
    np.testing.assert_allclose(rebuilt.mean(axis=0), sim.npv.mean(axis=1), rtol=1e-13)
    # the discount factor at the base rate would not do (the drift this variable fixed)
    base = (cube.net * (1.035 ** -np.arange(8.0))[None, :, None]).sum("year").values
    assert np.abs(base - sim.npv.T).max() > 1.0


def test_a_portfolio_evaluates_each_case_as_the_reference(tmp_path):
    from somrisk.runner import run_portfolio

    other = UNCERTAIN_DISCOUNT.replace('name = "', 'name = "B ', 1).replace(
        "start_year = 2025", "start_year = 2026"
    )
    (tmp_path / "a.toml").write_text(UNCERTAIN_DISCOUNT, encoding="utf-8")
    (tmp_path / "b.toml").write_text(other, encoding="utf-8")
    (tmp_path / "p.toml").write_text(
        '[portfolio]\nname = "P"\ncases = ["a.toml", "b.toml"]\n', encoding="utf-8"
    )
    sim = run_portfolio(tmp_path / "p.toml", draws=3000, out=tmp_path / "cube.nc").simulation
    import xarray as xr

    with xr.open_dataset(tmp_path / "cube.nc", engine="h5netcdf") as cube:
        for k, (text, name) in enumerate(((UNCERTAIN_DISCOUNT, sim.cases[0]), (other, sim.cases[1]))):
            values = {
                str(path).split("/", 1)[1]: cube.inputs.sel(input=path).values
                for path in cube.input.values
                if str(path).startswith(f"{name}/")
            }
            expected = reference_npv(text, values).sum(axis=1)
            shift = (1.0 + values["economy.discount_rate"]) ** -k  # case B starts a year later
            np.testing.assert_allclose(sim.case_npv[k], expected * shift, rtol=1e-9, atol=1e-3)
        assert cube.discount_factor.dims == ("draw", "case", "year")
        rebuilt = (cube.net * cube.discount_factor).sum(("case", "year")).transpose("draw", "actor").values
        np.testing.assert_allclose(rebuilt, sim.npv.T, rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_a_written_cube_rebuilds_the_npv_with_an_uncertain_discount_rate(tmp_path, suffix):
    import xarray as xr

    from somrisk.runner import run

    path = tmp_path / "case.toml"
    path.write_text(UNCERTAIN_DISCOUNT, encoding="utf-8")
    result = run(path, draws=20_000, seed=4, out=tmp_path / f"cube{suffix}")  # three blocks, streamed
    engine = "h5netcdf" if suffix == ".nc" else "zarr"
    with xr.open_dataset(result.out, engine=engine) as cube:
        assert cube.discount_factor.dims == ("draw", "year")
        np.testing.assert_array_equal(cube.npv.values, result.simulation.npv.T)
        rebuilt = (cube.net * cube.discount_factor).sum("year").transpose("draw", "actor").values
        np.testing.assert_allclose(rebuilt, result.simulation.npv.T, rtol=1e-13, atol=1e-6)
        mean = result.summary.npv_mean.sel(actor="kommune").item()
        assert rebuilt[:, 0].mean() == pytest.approx(mean, rel=1e-12)


@pytest.mark.slow
def test_a_cube_written_by_dask_workers_holds_each_draws_discount_factors(tmp_path):
    pytest.importorskip("distributed")
    import xarray as xr

    from somrisk.runner import run

    path = tmp_path / "case.toml"
    path.write_text(UNCERTAIN_DISCOUNT, encoding="utf-8")
    here = run(path, draws=20_000, seed=4, out=tmp_path / "here.zarr")
    there = run(path, draws=20_000, seed=4, out=tmp_path / "there.zarr", scheduler="local:2")
    with xr.open_zarr(here.out) as a, xr.open_zarr(there.out) as b:
        assert b.discount_factor.dims == ("draw", "year")
        for name in ("discount_factor", "npv", "net", "inputs"):
            np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
