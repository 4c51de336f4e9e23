"""A portfolio's quantile tables, built in batches on background threads while its draws run,
give the results of tables built one by one by each case's transform, bit for bit."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

import somrisk.engine.model as model
import somrisk.portfolio as portfolio_module
from portfolio.test_portfolio import CONSEQUENCE, toy, write_portfolio
from somrisk import transform
from somrisk.case.portfolio import load_portfolio
from somrisk.errors import CaseError
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
    batches: list[int] = []
    build = transform._build_batch

    def counted(space, shapes):
        batches.append(len(shapes))
        build(space, shapes)

    monkeypatch.setattr(transform, "_build_batch", counted)
    fresh_tables(monkeypatch)
    background = run_portfolio(path, draws=3000, threads=2).simulation
    assert batches == [1] * 12  # a batch for each of the 12 shapes, started as the cases were read
    fresh_tables(monkeypatch)
    before = run_portfolio(path, draws=3000, threads=1).simulation  # all tables before the draws
    fresh_tables(monkeypatch)
    monkeypatch.setattr(portfolio_module, "load_with_tables", lambda p, **_: (load_portfolio(p), None))
    monkeypatch.setattr(portfolio_module, "start_tables", lambda d, threads: transform.TableBuild(1))
    one_by_one = run_portfolio(path, draws=3000, threads=2).simulation  # each transform its own
    assert len(batches) == 12
    assert len(transform._TABLES) == 12
    for other in (before, one_by_one):
        np.testing.assert_array_equal(background.case_npv, other.case_npv)
        np.testing.assert_array_equal(background.npv, other.npv)


def test_each_case_is_handed_on_as_soon_as_it_is_read(tmp_path: Path) -> None:
    bad = toy("C1").replace("[case]", "[case]\nbogus = 1")
    path = write_portfolio(tmp_path, {"a.toml": toy("C0"), "b.toml": bad, "c.toml": toy("C2")})
    seen: list[tuple[str, str | None]] = []
    with pytest.raises(CaseError):
        load_portfolio(
            path, on_case=lambda case, catalog: seen.append((case.name, catalog and catalog.source))
        )
    catalog = str(tmp_path / "catalog.toml")
    assert seen == [("C0", catalog), ("C2", catalog)]  # not the case with a problem


def test_a_rejected_portfolio_leaves_no_tables_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_tables(monkeypatch)
    change = 'change = { dist = "pert", min = -2.0, mode = -1.3, max = -0.5 }'
    text = toy("Same", consequences=CONSEQUENCE.replace("change = -1.0", change))
    path = write_portfolio(tmp_path, {"a.toml": text, "b.toml": text})  # two cases of one name
    gate = threading.Event()
    batch = transform.build_tables

    def slow_batch(space, shapes):
        assert gate.wait(10)
        return batch(space, shapes)

    monkeypatch.setattr(transform, "build_tables", slow_batch)
    monkeypatch.setattr(transform, "_TABLE_BATCH", 1)  # a batch started with the first case
    threading.Timer(0.3, gate.set).start()  # the batch is still running when the error is found
    with pytest.raises(CaseError, match="different names"):
        run_portfolio(path, draws=100, threads=2)
    assert transform._PENDING == {}
    assert not [t for t in threading.enumerate() if t.name.startswith("somrisk-tables")]
