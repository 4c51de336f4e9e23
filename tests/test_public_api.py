"""The public API is one flat namespace with an explicit list (docs/api.md)."""

from __future__ import annotations

import subprocess
import sys

import somrisk

DOCUMENTED = [
    "write_template",
    "export_case",
    "import_case",
    "read_case_workbook",
    "builtin_catalog",
    "catalog_json",
    "new_case",
    "Catalog",
    "Portfolio",
    "PortfolioSimulation",
    "PortfolioResult",
    "case_summary",
    "load_catalog",
    "load_portfolio",
    "portfolio_json",
    "run_portfolio",
    "simulate_portfolio",
    "Case",
    "CaseCheck",
    "check_case",
    "example_case_path",
    "load_case",
    "parse_case",
    "InputSpace",
    "Model",
    "build_space",
    "prepare",
    "Deterministic",
    "Simulation",
    "run_deterministic",
    "simulate",
    "evaluate",
    "Breakeven",
    "Drivers",
    "MorrisResult",
    "SobolResult",
    "Tornado",
    "ValueOfInformation",
    "breakeven",
    "drivers",
    "morris",
    "sobol",
    "tornado",
    "voi",
    "Overrides",
    "apply_overrides",
    "Comparison",
    "compare",
    "compare_scenarios",
    "comparison_json",
    "summarize",
    "summary_json",
    "RunResult",
    "run",
    "ReportResult",
    "report",
    "CaseError",
    "NumericalError",
    "OutputError",
    "Problem",
    "SomriskError",
    "UsageError",
    "__version__",
]


def test_all_lists_exactly_the_documented_names():
    assert sorted(somrisk.__all__) == sorted(DOCUMENTED)


def test_every_public_name_resolves():
    for name in somrisk.__all__:
        assert getattr(somrisk, name) is not None
    assert callable(somrisk.simulate) and callable(somrisk.run)


def test_importing_somrisk_is_light():
    code = "import sys, somrisk; print(sorted(m for m in ('numba', 'xarray', 'scipy.stats') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
