"""A portfolio file (case-format.md, "Portfolio"): cases run together, with a shared price catalogue.

```toml
[portfolio]
name = "Socialområdet 2025"
cases = ["youth-cannabis.toml", "housing-first.toml"]   # paths relative to this file
catalog = "catalog.toml"                                # optional
price_year = 2024                                       # optional; default: the latest of its cases'
price_index = { 2024 = 120.0 }                          # optional: net price index values, as a case's
```

Every case is loaded and checked as on its own; a problem in a case names that case's file. The
portfolio adds its own rules: at least one case, case names that differ (they label the results),
one currency, every ``price = "catalog"`` finds its entry in the catalogue, for actors the case has,
and the net price index converts every case (and every catalogue entry it uses) to the portfolio's
price level (:mod:`somrisk.case.prices`): money of different price levels does not add up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from somrisk.case.catalog import Catalog, builtin_catalog, catalog_problems, load_catalog, uses_catalog
from somrisk.case.load import Case, Sections, load_case, read_toml, validate_sections
from somrisk.case.prices import PriceIndex, case_price_problems
from somrisk.case.schema import CalendarYear, IndexValue, IndexYear, Section, Text
from somrisk.errors import CaseError, Problem

__all__ = ["Portfolio", "PortfolioInfo", "load_portfolio", "portfolio_problems"]


class PortfolioInfo(Section):
    """``[portfolio]``: its name, its case files and its price catalogue."""

    name: Text
    description: Text = ""
    cases: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    catalog: Annotated[Text, Field(min_length=1)] | None = None
    price_year: CalendarYear | None = None
    price_index: dict[IndexYear, IndexValue] | None = None


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

    @property
    def price_level(self) -> int:
        """The price year of every figure: ``price_year``, default the latest of its cases'."""
        return price_level(self.info, list(self.cases))

    @property
    def price_index(self) -> PriceIndex:
        """The net price index the cases are converted with (the bundled values and its own)."""
        return portfolio_index(self.info)


def price_level(info: PortfolioInfo, cases: list[Case]) -> int:
    """A portfolio's price level: its ``price_year``, default the latest of its cases' levels."""
    return info.price_year if info.price_year is not None else max(c.info.price_level for c in cases)


def portfolio_index(info: PortfolioInfo) -> PriceIndex:
    """The bundled net price index with the portfolio's ``price_index`` values."""
    given = {int(year): float(value) for year, value in (info.price_index or {}).items()}
    return PriceIndex(given, "[portfolio] price_index")


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
        problems.extend(portfolio_problems(source, cases, catalog, info=info))
    if problems:
        raise CaseError(problems)
    return Portfolio(source, hashlib.sha256(data).hexdigest(), info, tuple(cases), catalog)


def portfolio_problems(
    source: str, cases: list[Case], catalog: Catalog | None, *, info: PortfolioInfo | None = None
) -> list[Problem]:
    """The portfolio's rules across its cases and catalogue (each case is valid on its own); `info`
    gives the portfolio's price level and index (default: the latest case's, the bundled index)."""
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
    money = (first.info.currency,)
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
    if catalog is not None and not catalog.builtin:  # the knowledge base is checked case by case
        given = catalog.info.currency
        if given is not None and given != money[0]:
            problems.append(
                Problem(catalog.source, "catalog.currency", f"must be {money[0]}, as in the cases", given)
            )
    for case in cases:
        if catalog is not None:
            problems.extend(catalog_problems(case, catalog))
    info = info or PortfolioInfo(name="", cases=[c.source for c in cases])
    level, index = price_level(info, cases), portfolio_index(info)
    words = f"{level} (the portfolio's price_year defaults to the latest of its cases')"
    words = str(level) if info.price_year is not None else words
    for case in cases:
        problems.extend(case_price_problems(case, catalog, level=level, index=index, level_words=words))
    return problems
