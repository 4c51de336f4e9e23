"""A portfolio's quantile tables, built in batches on background threads while its draws run,
give the results of tables built one by one by each case's transform, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import somrisk.engine.model as model
import somrisk.portfolio as portfolio_module
from portfolio.test_portfolio import CONSEQUENCE, toy, write_portfolio
from somrisk import transform
from somrisk.runner import run_portfolio


def fresh_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transform, "_TABLES", {})
    monkeypatch.setattr(transform, "_PENDING", {})
    transform.inverse_cdf.cache_clear()


def test_tables_built_while_the_draws_run_give_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {}
    for i in range(6):
        change = f'change = {{ dist = "pert", min = -2.0, mode = {-1.0 - 0.1 * i}, max = -0.5 }}'
        price = f'price = {{ kommune = {{ dist = "gamma", mean = 1500, sd = {200 + 10 * i} }} }}'
        text = CONSEQUENCE.replace("change = -1.0", change).replace('price = "catalog"', price)
        texts[f"c{i}.toml"] = toy(f"C{i}", consequences=text)
    path = write_portfolio(tmp_path, texts)
    monkeypatch.setattr(model, "CHUNK_CASES", 2)
    monkeypatch.setattr(transform, "_TABLE_BATCH", 1)
    started: list[int] = []
    start = transform.start_tables

    def counted(distributions, *, threads):
        building = start(distributions, threads=threads)
        started.append(len(building._futures))
        return building

    monkeypatch.setattr(portfolio_module, "start_tables", counted)
    fresh_tables(monkeypatch)
    background = run_portfolio(path, draws=3000, threads=2).simulation
    assert started == [12]  # a batch for each of the 12 shapes
    fresh_tables(monkeypatch)
    before = run_portfolio(path, draws=3000, threads=1).simulation  # all tables before the draws
    fresh_tables(monkeypatch)
    monkeypatch.setattr(portfolio_module, "start_tables", lambda d, threads: transform.TableBuild(None, []))
    one_by_one = run_portfolio(path, draws=3000, threads=2).simulation  # each transform its own
    assert len(transform._TABLES) == 12
    for other in (before, one_by_one):
        np.testing.assert_array_equal(background.case_npv, other.case_npv)
        np.testing.assert_array_equal(background.npv, other.npv)
