"""Data flows one way: a module imports only modules of earlier stages (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import somrisk

SOURCE = Path(somrisk.__file__).parent

#: module (or package) -> stage; leaves (-1) import nothing of somrisk and may be imported anywhere
STAGES = {
    "somrisk.errors": -1,
    "somrisk._version": -1,
    "somrisk._resources": -1,
    "somrisk._quantile_tables": -1,
    "somrisk._quantile_batch": -1,
    "somrisk._files": -1,
    "somrisk._scheduler": -1,
    "somrisk.labelled": -1,
    "somrisk.distributions": 0,
    "somrisk.case": 1,
    "somrisk.space": 2,
    "somrisk.labels": 2.5,  # after case/ and space, before everything that shows inputs
    "somrisk.sampling": 3,
    "somrisk.transform": 4,
    "somrisk.plan": 5,
    "somrisk.kernel": 6,
    "somrisk.cube": 7,
    "somrisk.engine": 8,
    "somrisk.summary": 9,
    "somrisk.sensitivity": 9,
    "somrisk.portfolio": 9,
    "somrisk.compare": 9,
    "somrisk.precision": 4,
    "somrisk.io": 10,
    "somrisk.report": 10,
    "somrisk.runner": 11,
    "somrisk.reproduce": 12,
    "somrisk.serve": 12.5,  # the browser app; only the CLI's one command imports it
    "somrisk.cli": 13,
    "somrisk.testing": 14,
}


def unit(module: str) -> str:
    """The stage entry a module belongs to (its package for subpackages)."""
    parts = module.split(".")
    for n in range(len(parts), 1, -1):
        if ".".join(parts[:n]) in STAGES:
            return ".".join(parts[:n])
    raise AssertionError(f"{module} has no stage in STAGES; add it")


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE.parent).with_suffix("")
        name = ".".join(relative.parts)
        name = name.removesuffix(".__init__")
        if name != "somrisk":  # the package's lazy re-exports
            found.append((name, path))
    return found


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("somrisk"):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("somrisk")}
    return names


@pytest.mark.parametrize(("name", "path"), modules(), ids=[m for m, _ in modules()])
def test_module_imports_only_earlier_stages(name, path):
    own = unit(name)
    for target in imported(path):
        other = unit(target)
        if other == own or STAGES[other] == -1:
            continue
        assert STAGES[own] != -1, f"{name} is a leaf but imports {target}"
        assert STAGES[other] < STAGES[own], (
            f"{name} (stage {STAGES[own]}) imports {target} (stage {STAGES[other]})"
        )


def test_nothing_in_the_package_imports_the_testing_helpers():
    for name, path in modules():
        if name != "somrisk.testing":
            assert "somrisk.testing" not in imported(path), name
