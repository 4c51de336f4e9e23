"""A command imports only what it uses: the fixed cost of a run is mostly imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
json.loads(out.getvalue())  # the command ran to its JSON
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
            ("matplotlib", "SALib", "openpyxl", "scipy.stats", "rich.progress"),
        ),
        (
            ("sobol", "--n", "8", "--json"),
            "SALib.analyze.sobol",
            ("matplotlib", "openpyxl", "rich.progress"),
        ),
    ],
    ids=["run", "sobol"],
)
def test_a_json_command_does_not_import_what_it_does_not_use(arguments, reached, unused, tmp_path):
    if arguments[0] == "sobol":  # a small case: the size of the design does not matter here
        case = tmp_path / "product.toml"
        case.write_text(product_case(), encoding="utf-8")
        arguments = (arguments[0], str(case), *arguments[1:])
    loaded = loaded_modules(*arguments)
    assert reached in loaded  # the command got as far as the part that needs its heavy modules
    assert sorted(module for module in unused if module in loaded) == []
