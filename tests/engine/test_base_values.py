"""The deterministic run's inputs of a chunk of cases: every input at its base value, made once
per chunk (the cases' spaces give the same numbers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import somrisk.engine.model as model
from portfolio.test_portfolio import CONSEQUENCE, toy, write_portfolio
from somrisk.case.portfolio import load_portfolio
from somrisk.portfolio import prepare_portfolio


def test_a_chunks_base_values_are_its_cases_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    change = 'change = { dist = "pert", min = -2.0, mode = -1.2, max = -0.5 }'
    texts = {
        f"c{i}.toml": toy(f"C{i}", consequences=CONSEQUENCE.replace("change = -1.0", change))
        for i in range(3)
    }
    monkeypatch.setattr(model, "CHUNK_CASES", 2)
    ensemble = prepare_portfolio(load_portfolio(write_portfolio(tmp_path, texts)))
    assert ensemble.chunks == ((0, 2), (2, 3))
    for chunk, (lo, hi) in enumerate(ensemble.chunks):
        row, constants = ensemble.base_values(chunk)
        spaces = [m.model.space for m in ensemble.members[lo:hi]]
        # the PERT change at its base value, its mean (-2 + 4 * -1.2 - 0.5) / 6, in each case
        assert row.shape == (1, sum(s.dimension for s in spaces))
        np.testing.assert_array_equal(
            row[0], np.concatenate([s.base_values[list(s.uncertain)] for s in spaces])
        )
        # and the catalogue's uniform(1000, 2000) price at its mean: one column per case here
        np.testing.assert_allclose(row[0], [(-2.0 + 4 * -1.2 - 0.5) / 6, 1500.0] * (hi - lo), rtol=1e-15)
        np.testing.assert_array_equal(constants, np.concatenate([s.base_values for s in spaces]))
        again = ensemble.base_values(chunk)
        assert again[0] is row and again[1] is constants  # made once
