"""somrisk: Monte Carlo uncertainty and sensitivity analysis for SØM social-investment cases.

The public API, by stage (see docs/architecture.md)::

    case = somrisk.load_case("cases/youth-cannabis.toml")    # validated, immutable
    sim = somrisk.simulate(case, draws=100_000, seed=1)        # per-draw NPVs, payback, ...
    summary = somrisk.summarize(sim)                         # labelled xarray Dataset
    somrisk.summary_json(summary)                            # the JSON of outputs.md

or all at once: ``somrisk.run("case.toml", out="cube.nc")``; a portfolio of cases with a shared
price catalogue: ``somrisk.run_portfolio("portfolio.toml")``. Sensitivity and decision analyses:
``somrisk.tornado(case)``, ``sobol``, ``morris``, ``breakeven``, ``voi``, ``drivers``; alternatives
on common random numbers: ``somrisk.compare([case_a, case_b], ["A", "B"])``,
``somrisk.compare_scenarios(case)``, and inputs replaced or scaled:
``somrisk.apply_overrides(case, somrisk.Overrides(scale={"effect.success_rate": 0.75}))``. Names are
imported on first use, so ``import somrisk`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from somrisk._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from somrisk.case import Case, load_case, parse_case
    from somrisk.case.catalog import Catalog, builtin_catalog, load_catalog
    from somrisk.case.overrides import Overrides, apply_overrides
    from somrisk.case.portfolio import Portfolio, load_portfolio
    from somrisk.compare import Comparison, compare, compare_scenarios
    from somrisk.engine import (
        Deterministic,
        Model,
        Simulation,
        evaluate,
        prepare,
        run_deterministic,
        simulate,
    )
    from somrisk.errors import CaseError, NumericalError, OutputError, Problem, SomriskError, UsageError
    from somrisk.io import catalog_json, portfolio_json, summary_json
    from somrisk.io.comparison import comparison_json
    from somrisk.io.excel import export_case, import_case, read_case_workbook, write_template
    from somrisk.portfolio import PortfolioSimulation, case_summary, simulate_portfolio
    from somrisk.runner import (
        CaseCheck,
        PortfolioResult,
        ReportResult,
        RunResult,
        check_case,
        example_case_path,
        new_case,
        report,
        run,
        run_portfolio,
    )
    from somrisk.sensitivity import (
        Breakeven,
        Drivers,
        MorrisResult,
        SobolResult,
        Tornado,
        ValueOfInformation,
        breakeven,
        drivers,
        morris,
        sobol,
        tornado,
        voi,
    )
    from somrisk.space import InputSpace, build_space
    from somrisk.summary import summarize

__all__ = [  # noqa: RUF022 - grouped by stage, as documented
    # cases
    "Case",
    "CaseCheck",
    "check_case",
    "example_case_path",
    "load_case",
    "parse_case",
    # model
    "InputSpace",
    "Model",
    "build_space",
    "prepare",
    # simulation
    "Deterministic",
    "Simulation",
    "evaluate",
    "run_deterministic",
    "simulate",
    # portfolios
    "Catalog",
    "Portfolio",
    "PortfolioSimulation",
    "case_summary",
    "builtin_catalog",
    "load_catalog",
    "load_portfolio",
    "simulate_portfolio",
    # sensitivity and decision analysis
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
    # decisions between alternatives
    "Overrides",
    "apply_overrides",
    "Comparison",
    "compare",
    "compare_scenarios",
    "comparison_json",
    # results
    "summarize",
    "summary_json",
    "portfolio_json",
    "catalog_json",
    # the main jobs
    "RunResult",
    "run",
    "ReportResult",
    "report",
    "PortfolioResult",
    "run_portfolio",
    "new_case",
    # case workbooks (Excel)
    "write_template",
    "export_case",
    "import_case",
    "read_case_workbook",
    # errors
    "CaseError",
    "NumericalError",
    "OutputError",
    "Problem",
    "SomriskError",
    "UsageError",
    "__version__",
]

_HOME = {
    "Case": "somrisk.case",
    "load_case": "somrisk.case",
    "parse_case": "somrisk.case",
    "Catalog": "somrisk.case.catalog",
    "load_catalog": "somrisk.case.catalog",
    "builtin_catalog": "somrisk.case.catalog",
    "Portfolio": "somrisk.case.portfolio",
    "load_portfolio": "somrisk.case.portfolio",
    "PortfolioSimulation": "somrisk.portfolio",
    "case_summary": "somrisk.portfolio",
    "simulate_portfolio": "somrisk.portfolio",
    "portfolio_json": "somrisk.io",
    "catalog_json": "somrisk.io",
    "PortfolioResult": "somrisk.runner",
    "run_portfolio": "somrisk.runner",
    "new_case": "somrisk.runner",
    "write_template": "somrisk.io.excel",
    "export_case": "somrisk.io.excel",
    "import_case": "somrisk.io.excel",
    "read_case_workbook": "somrisk.io.excel",
    "CaseCheck": "somrisk.runner",
    "check_case": "somrisk.runner",
    "example_case_path": "somrisk.runner",
    "RunResult": "somrisk.runner",
    "run": "somrisk.runner",
    "ReportResult": "somrisk.runner",
    "report": "somrisk.runner",
    "InputSpace": "somrisk.space",
    "build_space": "somrisk.space",
    "Model": "somrisk.engine",
    "prepare": "somrisk.engine",
    "Deterministic": "somrisk.engine",
    "Simulation": "somrisk.engine",
    "run_deterministic": "somrisk.engine",
    "simulate": "somrisk.engine",
    "evaluate": "somrisk.engine",
    **dict.fromkeys(
        [
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
        ],
        "somrisk.sensitivity",
    ),
    "summarize": "somrisk.summary",
    "Overrides": "somrisk.case.overrides",
    "apply_overrides": "somrisk.case.overrides",
    "Comparison": "somrisk.compare",
    "compare": "somrisk.compare",
    "compare_scenarios": "somrisk.compare",
    "comparison_json": "somrisk.io.comparison",
    "summary_json": "somrisk.io",
    "CaseError": "somrisk.errors",
    "NumericalError": "somrisk.errors",
    "OutputError": "somrisk.errors",
    "Problem": "somrisk.errors",
    "SomriskError": "somrisk.errors",
    "UsageError": "somrisk.errors",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'somrisk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
