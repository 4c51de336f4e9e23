"""Quantile tables built many at once (for a portfolio's cases) are the one-by-one tables, bit for
bit, so that a portfolio's results do not depend on how its tables were built."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from somrisk import _quantile_tables as tables
from somrisk import transform
from somrisk._quantile_batch import build_tables
from somrisk.distributions import Canonical, Value

VALUE = TypeAdapter(Value)
FIELDS = ("space", "z0", "inv_h", "first", "last", "central_first", "central_last")


def assert_same(one: tables.QuantileTable | None, batched: tables.QuantileTable | None) -> None:
    assert (one is None) == (batched is None)
    if one is None or batched is None:
        return
    for name in FIELDS:
        assert getattr(one, name) == getattr(batched, name), name
    assert one.tail.tobytes() == batched.tail.tobytes()
    assert one.central.tobytes() == batched.central.tobytes()


#: Shapes whose first tail table (512 intervals) fails: finer grids (2048, 8192) or no table.
HARD_BETA = [(0.1, 30.0), (300.0, 0.5), (0.2, 0.2), (0.05, 0.05), (0.02, 0.5), (1e-3, 1e-3)]
HARD_GAMMA = [(0.05,), (0.01,), (1e-4,)]


@pytest.mark.parametrize(
    ("kind", "shapes"),
    [
        ("beta", [(2.0, 5.0), (1.0, 1.0), (0.3, 40.0), (4.0, 4.0), *HARD_BETA, (2.0, 5.0)]),
        ("gamma", [(0.7,), (1.0,), (3.5,), (5000.0,), *HARD_GAMMA]),
    ],
)
def test_a_batch_of_tables_is_the_tables_built_one_by_one(kind, shapes):
    batched = build_tables(kind, shapes)
    assert len(batched) == len(shapes)
    for shape, table in zip(shapes, batched, strict=True):
        assert_same(tables.build_table(kind, shape), table)
    assert any(t is not None and t.tail.shape[0] > 512 for t in batched)  # the finer grids ran
    assert any(t is None for t in batched)  # and a shape without a table stays without


def test_an_empty_batch():
    assert build_tables("beta", []) == []


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.3, 60.0), st.floats(0.3, 60.0)), min_size=1, max_size=6, unique=True),
    st.lists(st.tuples(st.floats(0.1, 500.0)), min_size=1, max_size=4, unique=True),
)
def test_batched_tables_equal_single_tables_for_any_shapes(betas, gammas):
    for kind, shapes in (("beta", betas), ("gamma", gammas)):
        for shape, table in zip(shapes, build_tables(kind, shapes), strict=True):
            assert_same(tables.build_table(kind, shape), table)


def test_prepared_tables_are_the_ones_the_transform_uses(monkeypatch):
    monkeypatch.setattr(transform, "_TABLES", {})
    monkeypatch.setattr(transform, "_TABLE_BATCH", 2)  # several batches, on two threads
    pert = [VALUE.validate_python({"dist": "pert", "min": 0, "mode": m, "max": 10}) for m in (1, 2, 3, 7)]
    gamma = VALUE.validate_python({"dist": "gamma", "mean": 5.0, "sd": 2.0})
    transform.prepare_tables([*pert, gamma], threads=2)
    assert len(transform._TABLES) == 5
    built = {key: table for key, table in transform._TABLES.items()}
    for dist in [*pert, gamma]:
        key = transform._table_shape(dist.canonical())
        assert key is not None
        assert transform._standard_table(*key) is built[key]  # not built again
        assert_same(tables.build_table(*key), built[key])
    monkeypatch.setattr(transform, "_TABLES_KEPT", 3)
    transform.prepare_tables([gamma, *pert], threads=1)  # nothing new to build
    transform._keep_table(("gamma", (99.0,)), None)
    assert len(transform._TABLES) == 3  # the oldest dropped


def test_forms_without_a_table_have_no_table_shape():
    assert transform._table_shape(Canonical("normal", (0.0, 1.0))) is None
    assert transform._table_shape(Canonical("beta", (2.0, 3.0, 0.0, 1.0))) == ("beta", (2.0, 3.0))
