"""Quantile tables built in the background while a portfolio's draws run (`start_tables`): the
same tables, bit for bit, as one by one; a transform needing a table still being built waits for
its batch instead of building it again; a batch that fails or is dropped leaves the transform to
build its own."""

from __future__ import annotations

import threading

import pytest
from pydantic import TypeAdapter

from somrisk import _quantile_tables as tables
from somrisk import transform
from somrisk.distributions import Value

VALUE = TypeAdapter(Value)


def assert_same(one: tables.QuantileTable | None, other: tables.QuantileTable | None) -> None:
    """The two tables are equal bit for bit (or both missing)."""
    assert (one is None) == (other is None)
    if one is None or other is None:
        return
    assert (one.space, one.z0, one.inv_h, one.first, one.last) == (
        other.space,
        other.z0,
        other.inv_h,
        other.first,
        other.last,
    )
    assert (one.central_first, one.central_last) == (other.central_first, other.central_last)
    assert one.tail.tobytes() == other.tail.tobytes()
    assert one.central.tobytes() == other.central.tobytes()


def pert(mode: float) -> Value:
    return VALUE.validate_python({"dist": "pert", "min": 0, "mode": mode, "max": 10})


def gamma(mean: float) -> Value:
    return VALUE.validate_python({"dist": "gamma", "mean": mean, "sd": 2.0})


@pytest.fixture(autouse=True)
def _no_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transform, "_TABLES", {})
    monkeypatch.setattr(transform, "_PENDING", {})


def key(dist: Value) -> tuple[str, tuple[float, ...]]:
    found = transform._table_shape(dist.canonical())
    assert found is not None
    return found


def test_batches_follow_first_use_each_family_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transform, "_TABLE_BATCH", 3)
    dists = [pert(1), gamma(5), pert(2), pert(1), pert(3), gamma(6), pert(7), gamma(5), pert(8)]
    shape = {d: key(d)[1] for d in dists}
    transform._keep_table(key(pert(8)), None)  # built before
    building = transform.start_tables(dists, threads=2)
    # every 3 new shapes a batch of each family's; repeats and shapes already built are left out
    assert building.batches == [
        ("beta", [shape[dists[0]], shape[dists[2]]]),
        ("gamma", [shape[dists[1]]]),
        ("beta", [shape[dists[4]], shape[dists[6]]]),
        ("gamma", [shape[dists[5]]]),
    ]
    building.wait()


def test_tables_added_case_by_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transform, "_TABLE_BATCH", 2)
    building = transform.TableBuild(2)
    building.add([pert(1)])
    assert building.batches == []  # queued until a batch is full
    building.add([pert(1), gamma(5), pert(2)])
    assert building.batches == [("beta", [key(pert(1))[1]]), ("gamma", [key(gamma(5))[1]])]
    building.wait()  # starts the rest first
    assert building.batches[2:] == [("beta", [key(pert(2))[1]])]
    assert sorted(transform._TABLES) == sorted(key(d) for d in (pert(1), gamma(5), pert(2)))
    assert transform._PENDING == {}


def test_background_tables_are_the_one_by_one_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transform, "_TABLE_BATCH", 2)  # several batches, on two threads
    dists = [pert(1), pert(2), pert(3), pert(7), gamma(5), gamma(9)]
    building = transform.start_tables(dists, threads=2)
    building.wait()
    assert transform._PENDING == {}
    assert len(transform._TABLES) == 6
    for dist in dists:
        assert_same(tables.build_table(*key(dist)), transform._TABLES[key(dist)])
    assert transform.start_tables(dists, threads=2)._futures == []  # nothing left to build


def test_a_transform_waits_for_the_batch_building_its_table(monkeypatch: pytest.MonkeyPatch) -> None:
    gate, started = threading.Event(), threading.Event()
    batch = transform.build_tables

    def slow_batch(space, shapes):
        started.set()
        assert gate.wait(10)
        return batch(space, shapes)

    def no_second_build(*args):
        raise AssertionError("a pending table was built again")

    monkeypatch.setattr(transform, "build_tables", slow_batch)
    monkeypatch.setattr(transform, "build_table", no_second_build)
    dist = pert(2)
    building = transform.start_tables([dist], threads=2)
    assert started.wait(10)
    assert key(dist) in transform._PENDING
    found: list[object] = []
    waiting = threading.Thread(target=lambda: found.append(transform._standard_table(*key(dist))))
    waiting.start()
    waiting.join(0.2)
    assert waiting.is_alive()  # waiting for the batch, not building
    gate.set()
    waiting.join(10)
    building.wait()
    assert found == [transform._TABLES[key(dist)]]
    assert_same(tables.build_table(*key(dist)), found[0])  # type: ignore[arg-type]


def test_a_failed_batch_raises_on_wait_and_the_transform_builds_its_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(space, shapes):
        raise MemoryError("no room")

    monkeypatch.setattr(transform, "build_tables", broken)
    dist = gamma(5)
    building = transform.start_tables([dist], threads=2)
    with pytest.raises(MemoryError):
        building.wait()
    assert transform._PENDING == {}
    assert_same(tables.build_table(*key(dist)), transform._standard_table(*key(dist)))


def test_cancelled_batches_are_no_longer_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    batch = transform.build_tables

    def slow_batch(space, shapes):
        assert gate.wait(10)
        return batch(space, shapes)

    monkeypatch.setattr(transform, "build_tables", slow_batch)
    monkeypatch.setattr(transform, "_TABLE_BATCH", 1)
    dists = [pert(1), pert(2), pert(3)]
    building = transform.start_tables(dists, threads=1)  # the first batch runs, the others wait
    assert len(transform._PENDING) == 3
    threading.Timer(0.2, gate.set).start()
    building.cancel()  # drops the two waiting batches, waits for the running one
    assert transform._PENDING == {}
    assert list(transform._TABLES) == [key(pert(1))]
    # a dropped batch's table is built when a transform needs it, and pending again in a new start
    assert_same(tables.build_table(*key(pert(2))), transform._standard_table(*key(pert(2))))
    assert transform.start_tables(dists, threads=1).batches == [("beta", [key(pert(3))[1]])]
