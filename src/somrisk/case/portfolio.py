"""A portfolio file (case-format.md, "Portfolio"): cases run together, with a shared price catalogue.

```toml
[portfolio]
name = "Socialområdet 2025"
cases = ["youth-cannabis.toml", "housing-first.toml"]   # paths relative to this file
catalog = "catalog.toml"                                # optional
```

Every case is loaded and checked as on its own; a problem in a case names that case's file. The
portfolio adds its own rules: at least one case, case names that differ (they label the results),
one currency and one price level (money of different price levels does not add up), and every
``price = "catalog"`` finds its entry in the catalogue, for actors the case has.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from somrisk.case.catalog import Catalog, builtin_catalog, catalog_problems, load_catalog, uses_catalog
from somrisk.case.load import Case, Sections, load_case, read_toml, validate_sections
from somrisk.case.schema import Section, Text
from somrisk.errors import CaseError, Problem

__all__ = ["Portfolio", "PortfolioInfo", "load_portfolio", "portfolio_problems"]


class PortfolioInfo(Section):
    """``[portfolio]``: its name, its case files and its price catalogue."""

    name: Text
    description: Text = ""
    cases: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    catalog: Annotated[Text, Field(min_length=1)] | None = None


SECTIONS: Sections = {"portfolio": (PortfolioInfo, True)}


@dataclass(frozen=True)
class Portfolio:
    """A validated portfolio: its cases (in file order) and their shared catalogue."""

    source: str
    sha256: str
    info: PortfolioInfo
    cases: tuple[Case, ...]
    catalog: Catalog | None

    @property
    def name(self) -> str:
        return self.info.name


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and validate a portfolio file, its cases and its catalogue.

    Raises
    ------
    CaseError
        With every problem found, in the portfolio file, its catalogue and each of its cases (each
        problem names its own file).
    """
    source = str(path)
    raw, data = read_toml(path)
    problems: list[Problem] = []
    info: PortfolioInfo | None = validate_sections(raw, source, problems, SECTIONS).get("portfolio")
    if info is None:
        raise CaseError(problems)
    folder = Path(path).parent
    catalog = None
    if info.catalog is not None:
        try:
            catalog = load_catalog(folder / info.catalog)
        except CaseError as exc:
            problems.extend(exc.problems)
    cases: list[Case] = []
    for name in info.cases:
        try:
            cases.append(load_case(folder / name))
        except CaseError as exc:
            problems.extend(exc.problems)
    if catalog is None and any(uses_catalog(case) for case in cases):
        catalog = builtin_catalog()
    if not problems:
        problems.extend(portfolio_problems(source, cases, catalog))
    if problems:
        raise CaseError(problems)
    return Portfolio(source, hashlib.sha256(data).hexdigest(), info, tuple(cases), catalog)


def portfolio_problems(source: str, cases: list[Case], catalog: Catalog | None) -> list[Problem]:
    """The portfolio's rules across its cases and catalogue (each case is valid on its own)."""
    problems: list[Problem] = []
    names = [case.name for case in cases]
    for name in sorted({n for n in names if names.count(n) > 1}):
        files = ", ".join(case.source for case in cases if case.name == name)
        problems.append(
            Problem(
                source,
                "portfolio.cases",
                f"cases must have different names ([case] name); {files} share",
                name,
            )
        )
    first = cases[0]
    money = (first.info.currency, first.info.price_level)
    for case in cases[1:]:
        if case.info.currency != money[0]:
            problems.append(
                Problem(
                    case.source,
                    "case.currency",
                    f"must be {money[0]}, as in {first.source}",
                    case.info.currency,
                )
            )
        if case.info.price_level != money[1]:
            problems.append(
                Problem(
                    case.source,
                    "case.price_year",
                    f"must be {money[1]}, the price level of {first.source}: amounts of different price "
                    "levels do not add up (convert them with a net price index)",
                    case.info.price_level,
                )
            )
    if catalog is not None and not catalog.builtin:  # the knowledge base is checked case by case
        for key, wanted, given in (
            ("price_year", money[1], catalog.info.price_year),
            ("currency", money[0], catalog.info.currency),
        ):
            if given is not None and given != wanted:
                problems.append(
                    Problem(catalog.source, f"catalog.{key}", f"must be {wanted}, as in the cases", given)
                )
    for case in cases:
        if catalog is not None:
            problems.extend(catalog_problems(case, catalog))
    return problems
