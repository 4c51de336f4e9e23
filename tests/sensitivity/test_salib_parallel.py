"""SALib's bootstrap spread over processes gives the indices of one process, bit for bit."""

from __future__ import annotations

import importlib
import json
import types

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol
from typer.testing import CliRunner

from somrisk import example_case_path
from somrisk.cli import app
from somrisk.sensitivity import _salib
from somrisk.sensitivity._common import Grouping


def outputs(rows: int, columns: int, second_order: bool, seed: int = 3) -> np.ndarray:
    """Outputs of a Saltelli design's shape: a shared part per base point plus noise, so that the
    indices are neither 0 nor 1."""
    rng = np.random.default_rng(seed)
    step = 2 * columns + 2 if second_order else columns + 2
    return np.repeat(rng.normal(size=rows), step) + 0.5 * rng.normal(size=rows * step)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The keyword arguments of every call of SALib's analyse."""
    seen: list[dict] = []
    analyse = salib_sobol.analyze

    def spy(*args, **kwargs):
        seen.append(kwargs)
        return analyse(*args, **kwargs)

    monkeypatch.setattr(salib_sobol, "analyze", spy)
    return seen


@pytest.mark.parametrize("second_order", [False, True])
@pytest.mark.parametrize("grouped", [False, True])
def test_processes_give_the_indices_of_one_process(
    monkeypatch: pytest.MonkeyPatch, calls: list[dict], second_order: bool, grouped: bool
) -> None:
    monkeypatch.setattr(_salib, "PARALLEL_WORK", 0)
    monkeypatch.setattr(_salib, "available_cpus", lambda: 2)  # a machine with one CPU would not spread it
    paths = tuple(f"x{i}" for i in range(6))
    labels = ("a", "a", "b", "c", "c", "c") if grouped else paths
    grouping = Grouping(names=tuple(dict.fromkeys(labels)), labels=labels, merged={}) if grouped else None
    spec = _salib.problem(paths, grouping) if grouped else _salib.problem(paths, _trivial(paths))
    columns = len(set(labels))
    y = outputs(256, columns, second_order)
    one = _salib.sobol_analysis(spec, y, second_order, 7, 50, 0.95, processes=1)
    two = _salib.sobol_analysis(spec, y, second_order, 7, 50, 0.95, processes=2)
    assert [c["parallel"] for c in calls] == [False, True]
    assert one.keys() == two.keys()
    for key in one:
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)
    assert np.all(np.isfinite(one["S1"])) and np.all(one["S1_conf"] > 0)


def _trivial(paths: tuple[str, ...]) -> Grouping:
    return Grouping(names=paths, labels=paths, merged={})


def test_a_small_design_stays_in_one_process(calls: list[dict]) -> None:
    paths = ("x0", "x1", "x2")
    y = outputs(64, 3, False)  # 64 x 3 x 20 is far below PARALLEL_WORK
    _salib.sobol_analysis(_salib.problem(paths, _trivial(paths)), y, False, 1, 20, 0.9, processes=4)
    assert calls[-1]["parallel"] is False and calls[-1]["n_processors"] is None


@pytest.mark.parametrize("module", ["multiprocessing", "multiprocess"])
def test_a_daemonic_process_does_not_fork(
    monkeypatch: pytest.MonkeyPatch, calls: list[dict], module: str
) -> None:
    monkeypatch.setattr(_salib, "PARALLEL_WORK", 0)
    monkeypatch.setattr(_salib, "available_cpus", lambda: 2)
    daemon = types.SimpleNamespace(daemon=True)
    monkeypatch.setattr(importlib.import_module(module), "current_process", lambda: daemon)
    paths = ("x0", "x1", "x2")
    _salib.sobol_analysis(_salib.problem(paths, _trivial(paths)), outputs(64, 3, False), False, 1, 20, 0.9)
    assert calls[-1]["parallel"] is False


def test_the_json_of_sobol_does_not_depend_on_threads(
    monkeypatch: pytest.MonkeyPatch, calls: list[dict]
) -> None:
    """--threads 1 keeps the bootstrap in one process (the analysis of before the processes);
    --threads 2 spreads it over two."""
    monkeypatch.setattr(_salib, "PARALLEL_WORK", 0)
    monkeypatch.setattr(_salib, "available_cpus", lambda: 2)
    texts = []
    for threads in ("1", "2"):
        done = CliRunner().invoke(
            app, ["sobol", str(example_case_path()), "--n", "1024", "--json", "--threads", threads]
        )
        assert done.exit_code == 0, done.output
        texts.append(done.stdout)
    assert [(c["parallel"], c["n_processors"]) for c in calls] == [(False, None), (True, 2)]
    assert texts[0] == texts[1]
    assert json.loads(texts[0])["indices"]


def test_a_design_whose_copies_would_not_fit_stays_in_one_process(
    monkeypatch: pytest.MonkeyPatch, calls: list[dict]
) -> None:
    monkeypatch.setattr(_salib, "PARALLEL_WORK", 0)
    monkeypatch.setattr(_salib, "available_cpus", lambda: 2)
    paths = ("x0", "x1", "x2")
    y = outputs(64, 3, False)
    # the outputs (64 x 5) and the bootstrap indices (64 x 20), 8 bytes each, three times (here, two
    # processes): 15,360 bytes
    copies = 8 * (64 * 5 + 64 * 20) * 3
    for memory, parallel in [(4 * copies, True), (4 * copies - 1, False)]:
        monkeypatch.setattr(_salib, "available_memory", lambda memory=memory: memory)
        _salib.sobol_analysis(_salib.problem(paths, _trivial(paths)), y, False, 1, 20, 0.9)
        assert calls[-1]["parallel"] is parallel, memory
