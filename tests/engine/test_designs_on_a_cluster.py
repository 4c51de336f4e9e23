"""Designs (tornado, Sobol, Morris, break-even, value of information, loss drivers) run on the same
scheduler as the draws: on a Dask LocalCluster they give the in-process results, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from somrisk.engine import prepare, scheduler
from somrisk.runner import example_case_path
from somrisk.sensitivity import breakeven, drivers, morris, sobol, tornado, voi

pytest.importorskip("distributed")


def analyses(model):
    return {
        "tornado": [bar.swing for bar in tornado(model).bars],
        "sobol": sobol(model, n=256, seed=3).ST,
        "morris": morris(model, trajectories=10, seed=3).mu_star,
        "breakeven": [breakeven(model, draws=4000, seed=3).effect],
        "voi": [voi(model, draws=4000, seed=3).evpi],
        "drivers": drivers(model, draws=4000, seed=3).distance,
    }


@pytest.mark.slow
def test_every_design_on_a_local_cluster_gives_the_in_process_results():
    from somrisk import load_case

    model = prepare(load_case(example_case_path()))
    here = analyses(model)
    with scheduler("local:2") as pool:
        assert pool.workers == 2
        submitted = []
        submit = pool.submit

        def counted(fn, *args, **kwargs):
            submitted.append(fn.__name__)
            return submit(fn, *args, **kwargs)

        pool.submit = counted  # every block of every analysis goes to the cluster's workers
        there = analyses(model)
    assert len(submitted) > 20 and set(submitted) == {"run_block"}
    for name in here:
        np.testing.assert_array_equal(np.asarray(here[name]), np.asarray(there[name]), err_msg=name)
