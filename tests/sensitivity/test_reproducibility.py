"""Sensitivity results do not depend on threads; designs evaluate like draws."""

from __future__ import annotations

import numpy as np

from somrisk import evaluate, example_case_path, load_case, prepare, simulate
from somrisk.engine import evaluate_uniforms
from somrisk.sensitivity import breakeven, drivers, morris, sobol, tornado, voi


def test_results_do_not_depend_on_the_number_of_threads():
    model = prepare(load_case(example_case_path()))
    for analysis, kwargs, fields in [
        (sobol, {"n": 4096}, ("S1", "S1_conf", "ST", "ST_conf")),  # 100k+ rows: several blocks
        (morris, {"trajectories": 8}, ("mu", "mu_star", "sigma")),
        (voi, {"draws": 20_000}, ("evppi",)),
        (drivers, {"draws": 20_000}, ("distance", "median_loss")),
        (breakeven, {"draws": 20_000}, ("curve_prob_positive",)),
    ]:
        one, two = analysis(model, threads=1, **kwargs), analysis(model, threads=2, **kwargs)
        for name in fields:
            np.testing.assert_array_equal(
                getattr(one, name), getattr(two, name), err_msg=f"{analysis.__name__}.{name}"
            )
    one, two = tornado(model, threads=1), tornado(model, threads=2)
    assert one.bars == two.bars and one.base == two.base


def test_evaluating_the_draws_of_a_run_gives_the_runs_npv():
    model = prepare(load_case(example_case_path()))
    run = simulate(model, draws=20_000, seed=3, keep_inputs=True)
    assert run.inputs is not None and run.inputs.shape == (20_000, model.space.dimension)
    np.testing.assert_allclose(evaluate(model, run.inputs).T, run.npv, rtol=1e-12, atol=1e-6)
    cube_run = simulate(model, draws=1000, seed=3, keep_cube=True)
    np.testing.assert_array_equal(cube_run.inputs, cube_run.cube.inputs.values)


def test_uniform_designs_map_through_the_inputs_quantiles():
    model = prepare(load_case(example_case_path()))
    u = np.random.default_rng(0).random((5000, model.space.dimension))
    u[:, list(model.space.correlated)] = 0.5  # the copula keeps the median of every normal score
    values = model.transform(np.clip(u, 2.0**-40, 1 - 2.0**-40))
    np.testing.assert_allclose(evaluate_uniforms(model, u), evaluate(model, values), rtol=1e-12, atol=1e-6)
