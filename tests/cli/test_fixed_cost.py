"""A command imports only what it uses, and numba compiles nothing twice: the fixed cost of a run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from portfolio.test_portfolio import toy, write_portfolio
from sensitivity.cases import product_case

# runs the console script's entry point in a fresh interpreter, then lists the modules it loaded
CODE = """
import contextlib, io, json, sys
from somrisk.cli import main
sys.argv = ["somrisk", *json.loads(sys.argv[1])]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as stop:
        assert not stop.code, f"exit {stop.code}"
if "--json" in sys.argv:
    json.loads(out.getvalue())  # the command ran to its JSON
else:
    assert "P(NPV > 0)" in out.getvalue()  # the command ran to its table
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(*arguments: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", CODE, json.dumps(arguments)], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("arguments", "reached", "unused"),
    [
        (
            ("run", "--draws", "50", "--json"),
            "somrisk.summary",
            ("xarray", "pandas", "dask", "matplotlib", "SALib", "openpyxl", "scipy.stats", "rich.progress"),
        ),
        (
            ("run", "--draws", "50"),
            "somrisk.summary",
            ("xarray", "pandas", "dask", "matplotlib", "SALib", "openpyxl", "scipy.stats", "rich.progress"),
        ),
        (
            ("portfolio", "--draws", "50", "--json"),
            "somrisk.summary",
            ("xarray", "pandas", "dask", "matplotlib", "SALib", "openpyxl", "scipy.stats", "rich.progress"),
        ),
        (
            ("sobol", "--n", "64", "--json"),
            "SALib.analyze.sobol",
            ("matplotlib", "openpyxl", "rich.progress"),
        ),
    ],
    ids=["run", "run-table", "portfolio", "sobol"],
)
def test_a_json_command_does_not_import_what_it_does_not_use(arguments, reached, unused, tmp_path):
    if arguments[0] == "portfolio":
        folder = tmp_path / "portfolio"
        folder.mkdir()
        arguments = (
            arguments[0],
            str(write_portfolio(folder, {"a.toml": toy("A"), "b.toml": toy("B")})),
            *arguments[1:],
        )
    if arguments[0] == "sobol":  # a small case: the size of the design does not matter here
        case = tmp_path / "product.toml"
        case.write_text(product_case(), encoding="utf-8")
        arguments = (arguments[0], str(case), *arguments[1:])
    loaded = loaded_modules(*arguments)
    assert reached in loaded  # the command got as far as the part that needs its heavy modules
    assert sorted(module for module in unused if module in loaded) == []


# runs the commands in one fresh interpreter and lists the functions numba compiled (not loaded from
# its cache) meanwhile
COMPILES = """
import contextlib, io, json, sys
from numba.core import event
from somrisk.cli import main

compiled = []

class Listener(event.Listener):
    def on_start(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__qualname__)

    def on_end(self, ev):
        pass

event.register("numba:compile", Listener())
for arguments in json.loads(sys.argv[1]):
    sys.argv = ["somrisk", *arguments]
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main()
        except SystemExit as stop:
            assert not stop.code, f"exit {stop.code}"
print(json.dumps(compiled))
"""


def test_a_second_process_loads_every_compiled_function_from_numbas_cache(tmp_path):
    case = tmp_path / "product.toml"
    case.write_text(product_case(), encoding="utf-8")
    commands = json.dumps([["run", "--draws", "50", "--json"], ["sobol", str(case), "--n", "64", "--json"]])
    runs = [
        subprocess.run([sys.executable, "-c", COMPILES, commands], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert json.loads(runs[1].stdout.splitlines()[-1]) == []  # the first process filled the cache
