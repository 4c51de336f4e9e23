"""Loading, checking and running cases through the Python API."""

from __future__ import annotations

import numpy as np
import pytest

import somrisk
from somrisk import CaseError, check_case, load_case, parse_case, simulate
from somrisk.runner import example_case_path


def test_the_bundled_example_checks_and_says_what_it_holds():
    checked = check_case(example_case_path())
    assert checked.case.name == "Gruppeforløb for unge med hashmisbrug"
    assert checked.space.dimension == 23
    assert "effect.success_rate" in checked.space.paths
    assert checked.case.sha256 == load_case(example_case_path()).sha256


def test_case_error_holds_every_problem_with_its_path():
    with pytest.raises(CaseError) as caught:
        parse_case("[case]\nname = 3\nstart_year = 2025.5\n", source="bad.toml")
    paths = {p.key_path for p in caught.value.problems}
    assert {"case.name", "case.start_year", "participants", "effect"} <= paths
    assert all(p.file == "bad.toml" for p in caught.value.problems)


def test_the_sha256_is_of_the_file_bytes():
    import hashlib

    data = example_case_path().read_bytes()
    assert load_case(example_case_path()).sha256 == hashlib.sha256(data).hexdigest()


def test_per_draw_results_as_a_labelled_dataset():
    sim = simulate(load_case(example_case_path()), draws=500, seed=2)
    draws = sim.draws_dataset()
    assert draws.npv.dims == ("draw", "actor")
    assert list(draws.actor.values) == ["kommune", "region", "stat", "total"]
    np.testing.assert_allclose(
        draws.npv.sel(actor="total"),
        draws.npv.sel(actor=["kommune", "region", "stat"]).sum("actor"),
    )
    paid = draws.payback_year.values
    assert set(np.unique(paid)) <= {-1, *range(2025, 2035)}
    assert draws.attrs["seed"] == 2


def test_run_api_returns_summary_and_simulation():
    result = somrisk.run(draws=300, seed=4, sampler="mc")
    assert result.out is None
    assert result.summary.attrs["sampler"] == "mc"
    assert result.simulation.draws == 300
