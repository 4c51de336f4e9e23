"""Price levels (model.md, "Price level"): the net price index and the factors kappa = I(P) / I(Y).

Every money input of a case (cost amounts, prices, catalogue prices) is at the case's price level P
(`case.price_year`, default the start year) unless its item names another price year Y; it is then
multiplied by kappa = I(P) / I(Y) in the calculation (input values stay as written). I is Statistics
Denmark's net price index, shipped as package data (``data/net_price_index.toml``, 2015 = 100), which
a case (``[economy] price_index``) or a portfolio (``[portfolio] price_index``) may extend or replace:

- a ratio is formed within one source where it can be: the given values where they cover both years
  (any base), else the bundled ones where they cover both and the given values neither;
- a year the given values cover and a year only the bundled index covers are put together only
  where the given values are on the bundled base (every year both have agrees to the published
  precision, 0.05): ``price_index = { 2024 = 120.0 }`` extends the bundled series;
- anything else (a year neither covers; given values on another base mixed with a bundled year) is
  a problem naming the year and how to add it. Nothing is extrapolated (docs/decisions.md).

An item at the case's own price level has kappa = 1 exactly and never looks at the index, so a case
without price years runs as it always did.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import tomli

from somrisk.errors import Problem

if TYPE_CHECKING:
    from somrisk.case.catalog import Catalog
    from somrisk.case.load import Case

__all__ = [
    "BundledIndex",
    "PriceConversion",
    "PriceFactors",
    "PriceIndex",
    "bundled_index",
    "case_price_conversions",
    "case_price_factors",
    "case_price_problems",
]

#: Index values that agree to the published precision (one decimal) are the same value.
SAME_VALUE = 0.05 + 1e-9
#: Largest factor kappa (and 1 / smallest) one conversion may make. A net price index moves prices
#: by a few per cent a year; a larger ratio is a value on another
#: base or a typing error, and a ratio of 1e300 made the calculation overflow (docs/decisions.md).
MAX_FACTOR = 1000.0


@dataclass(frozen=True)
class BundledIndex:
    """The net price index shipped with somrisk: its source and annual values (year -> value)."""

    name: str
    name_en: str
    source: str
    base_year: int
    values: Mapping[int, float]

    @property
    def span(self) -> str:
        """The years covered, e.g. "2015-2023"."""
        return f"{min(self.values)}-{max(self.values)}"


@lru_cache(maxsize=1)
def bundled_index() -> BundledIndex:
    """The bundled net price index (``somrisk/data/net_price_index.toml``), read once."""
    text = (resources.files("somrisk") / "data" / "net_price_index.toml").read_text(encoding="utf-8")
    data = tomli.loads(text)
    info = data["index"]
    return BundledIndex(
        name=info["name"],
        name_en=info["name_en"],
        source=info["source"],
        base_year=int(info["base_year"]),
        values={int(year): float(value) for year, value in data["values"].items()},
    )


@dataclass(frozen=True)
class PriceIndex:
    """The net price index of a case or portfolio: the bundled values and its own (`given`).

    `where` names the key that gives the values (``[economy] price_index`` or
    ``[portfolio] price_index``), for messages.
    """

    given: Mapping[int, float] = field(default_factory=dict)
    where: str = "[economy] price_index"

    def on_bundled_base(self) -> bool:
        """The given values agree with the bundled ones in every year both have."""
        bundled = bundled_index().values
        return all(
            abs(value - bundled[year]) <= SAME_VALUE for year, value in self.given.items() if year in bundled
        )

    def factor(self, level: int, year: int) -> float | None:
        """kappa = I(level) / I(year): 1 where the years are equal; None where no sound ratio exists."""
        if level == year:
            return 1.0
        values = self.values(level, year)
        if values is None:
            return None
        kappa = values[0] / values[1]
        return kappa if 1 / MAX_FACTOR <= kappa <= MAX_FACTOR else None

    def values(self, level: int, year: int) -> tuple[float, float] | None:
        """(I(level), I(year)) from the one source the ratio is formed in (module docstring); None
        where no sound ratio exists."""
        given, bundled = self.given, bundled_index().values
        if level in given and year in given:
            return given[level], given[year]
        if level not in given and year not in given:
            return (bundled[level], bundled[year]) if level in bundled and year in bundled else None
        merged = {**bundled, **given}
        if level in merged and year in merged and self.on_bundled_base():
            return merged[level], merged[year]
        return None

    def explain(self, level: int, year: int) -> str:
        """Why :meth:`factor` has no ratio for these years, and how to give one."""
        given, bundled = self.given, bundled_index()
        values = self.values(level, year)
        if values is not None:  # a ratio beyond MAX_FACTOR
            return (
                f"the index values {values[0]:g} ({level}) and {values[1]:g} ({year}) make a factor of "
                f"{values[0] / values[1]:.3g}, and a net price index changes prices by a few per cent a "
                f"year: factors beyond {1 / MAX_FACTOR:g}..{MAX_FACTOR:g} are refused; check the values of "
                f"{self.where} and their base"
            )
        covered = set(given) | set(bundled.values)
        has = (
            f"{self.where} gives {', '.join(map(str, sorted(given)))}"
            if given
            else f"no {self.where} is given"
        )
        missing = [y for y in sorted({level, year}) if y not in covered]
        if missing:
            years = " and ".join(map(str, missing))
            known = {y: format(v, "g") for y, v in given.items()} | dict.fromkeys(missing, "...")
            example = ", ".join(f"{y} = {known[y]}" for y in sorted(known))
            return (
                f"the net price index has no value for {years}: the bundled index (Statistics Denmark, "
                f"PRIS115, {bundled.base_year} = 100) covers {bundled.span} and {has}; somrisk does not "
                f"extrapolate: add the annual average on the bundled base ({bundled.base_year} = 100) as "
                f"{self.where} = {{ {example} }}"
            )
        return (
            f"{self.where} is on another base than the bundled index ({bundled.base_year} = 100), so its "
            f"values cannot be put together with the bundled ones; give both {min(level, year)} and "
            f"{max(level, year)} in {self.where} (any base), or values on the bundled base"
        )


@dataclass(frozen=True)
class PriceFactors:
    """kappa of each money input of one case (1 where it is at the calculation's price level).

    Attributes
    ----------
    costs : tuple of float
        One per cost item: the costs, then the comparison costs, in file order.
    prices : tuple of float
        One per consequence, for all its prices (its own, or its catalogue entry's).
    """

    costs: tuple[float, ...]
    prices: tuple[float, ...]


def _level_words(case: Case) -> str:
    info = case.info
    if info.price_year is None:
        return f"{info.price_level} (price_year defaults to start_year, {info.start_year})"
    return str(info.price_level)


def entry_year(catalog: Catalog, name: str) -> int | None:
    """The price year of a catalogue entry: its own, or the catalogue's (None: at the user's level)."""
    entry = catalog.entry(name)
    if entry is None:
        return None
    return entry.price_year if entry.price_year is not None else catalog.info.price_year


def _items(case: Case, catalog: Catalog | None) -> list[tuple[str, str, int | None, str]]:
    """(kind, key path, price year, words) of every money item of `case`; kind "cost" or "price"."""
    items: list[tuple[str, str, int | None, str]] = []
    for section in ("costs", "comparison_costs"):
        for cost in getattr(case, section):
            items.append(("cost", f"{section}.{cost.name}.price_year", cost.price_year, ""))
    for c in case.consequences:
        if c.price == "catalog":
            year = None if catalog is None else entry_year(catalog, c.name)
            where = "the knowledge base" if catalog is None or catalog.builtin else catalog.source
            items.append(("price", f"consequences.{c.name}.price", year, f'the entry "{c.name}" of {where}'))
        else:
            items.append(("price", f"consequences.{c.name}.price_year", c.price_year, ""))
    return items


def case_index(case: Case) -> PriceIndex:
    """The net price index of a case: the bundled values and its ``[economy] price_index``."""
    return PriceIndex(case.economy.index_values, "[economy] price_index")


def case_price_problems(
    case: Case,
    catalog: Catalog | None = None,
    *,
    level: int | None = None,
    index: PriceIndex | None = None,
    level_words: str | None = None,
) -> list[Problem]:
    """Every money item of `case` whose price year the index cannot convert.

    Without `level`, the case's own items are converted to the case's price level with the case's
    index, and catalogue entries too where `catalog` is given. With `level` (a portfolio's price
    level, `index` the portfolio's), the case's level is converted to it as well, and catalogue
    entries directly (`level_words` says where `level` comes from).
    """
    own = case_index(case)
    problems = []
    target = case.info.price_level if level is None else level
    target_index = own if index is None else index
    target_words = _level_words(case) if level is None else (level_words or str(level))
    for kind, path, year, words in _items(case, catalog):
        if year is None:
            continue
        if words:  # a catalogue entry: straight to the target level
            if target_index.factor(target, year) is None:
                why = target_index.explain(target, year)
                problems.append(
                    Problem(
                        case.source,
                        path,
                        f"{words} is at {year} prices and is converted to the price level "
                        f"{target_words}; {why}",
                        "catalog",
                    )
                )
        elif own.factor(case.info.price_level, year) is None:
            why = own.explain(case.info.price_level, year)
            problems.append(
                Problem(
                    case.source,
                    path,
                    f"a {kind} at {year} prices is converted to the case's price level "
                    f"{_level_words(case)}; {why}",
                    year,
                )
            )
    if level is not None and target_index.factor(level, case.info.price_level) is None:
        why = target_index.explain(level, case.info.price_level)
        problems.append(
            Problem(
                case.source,
                "case.price_year",
                f"the case's price level {_level_words(case)} is converted to the price level "
                f"{target_words}; {why}",
                case.info.price_level,
            )
        )
    return problems


def case_price_factors(
    case: Case,
    catalog: Catalog | None = None,
    *,
    level: int | None = None,
    index: PriceIndex | None = None,
) -> PriceFactors:
    """kappa of every money item of `case` (see :func:`case_price_problems` for `level`, `index`).

    Raises
    ------
    ValueError
        Where a year cannot be converted; the loaders report those years as problems first.
    """
    own = case_index(case)
    target_index = own if index is None else index
    to_level = 1.0 if level is None else target_index.factor(level, case.info.price_level)
    target = case.info.price_level if level is None else level
    factors: list[tuple[str, float]] = []
    for kind, path, year, words in _items(case, catalog):
        if year is None:
            kappa = 1.0 if words else to_level
        elif words:
            kappa = target_index.factor(target, year)
        else:
            own_kappa = own.factor(case.info.price_level, year)
            kappa = None if own_kappa is None or to_level is None else own_kappa * to_level
        if kappa is None or not math.isfinite(kappa):
            raise ValueError(f"{case.source}: {path}: no price-level factor for {year}")
        factors.append((kind, kappa))
    return PriceFactors(
        costs=tuple(k for kind, k in factors if kind == "cost"),
        prices=tuple(k for kind, k in factors if kind == "price"),
    )


@dataclass(frozen=True)
class PriceConversion:
    """One money item of a case at another price year, and its factor kappa = I(level) / I(year).

    `path` is the item's key path (``costs.NAME``, ``comparison_costs.NAME`` or
    ``consequences.NAME``), `label` its label (its name where it has none), `catalog` whether its
    prices are a catalogue entry's.
    """

    path: str
    label: str
    year: int
    level: int
    factor: float
    catalog: bool
    #: (I(level), I(year)): the index values the factor is the ratio of
    index_values: tuple[float, float] = (math.nan, math.nan)


def case_price_conversions(case: Case, catalog: Catalog | None = None) -> list[PriceConversion]:
    """Every money item of `case` (catalogue entries too, where `catalog` is given) whose price
    year differs from the case's price level, with the factor the calculation multiplies it by; in
    file order (costs, comparison costs, consequences). Call after :func:`case_price_problems` found
    none."""
    level = case.info.price_level
    labels = {
        f"{section}.{item.name}": item.label or item.name
        for section in ("costs", "comparison_costs", "consequences")
        for item in getattr(case, section)
    }
    factors = case_price_factors(case, catalog)
    kappas = iter((*factors.costs, *factors.prices))
    out = []
    for _kind, path, year, words in _items(case, catalog):
        kappa = next(kappas)
        if year is None or year == level:
            continue
        item = path.rsplit(".", 1)[0]  # costs.NAME.price_year or consequences.NAME.price
        label = labels[item]
        entry = catalog.entry(item.split(".", 1)[1]) if words and catalog is not None else None
        if entry is not None and label == entry.name:  # no label of its own: the catalogue's
            label = entry.label or label
        pair = case_index(case).values(level, year) or (math.nan, math.nan)
        out.append(PriceConversion(item, label, year, level, kappa, bool(words), pair))
    return out
