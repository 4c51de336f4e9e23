"""A shared price catalogue (case-format.md, "Portfolio"): prices that many cases take by name.

A consequence written ``price = "catalog"`` takes the catalogue entry of the same name: its price per
actor v_a and, where given, its factor. The catalogue's inputs have the paths
``catalog.<name>.price.<actor>`` and ``catalog.<name>.price_factor``; in a portfolio each is drawn
once per draw and shared by every case that uses it.

```toml
[catalog]                      # optional
name = "Priser 2024"
price_year = 2024              # optional: the price year of entries that give none

[[prices]]
name = "kontanthjaelp"
label = "Kontanthjælp"         # optional, Danish
label_en = "Cash benefit"      # optional, English
category = "beskaeftigelse"    # optional: as a case's consequences (case-format.md)
unit = "år på ydelse"
price = { kommune = 95000, stat = { dist = "uniform", min = 40000, max = 50000 } }
price_factor = { dist = "uniform", min = 0.95, max = 1.05 }   # optional
source = "..."                 # optional
price_year = 2023              # optional: the year of the source's figures, where not the catalogue's
                               # (neither: the entry is at the price level of the case using it)
illustrative = false           # optional: true where no public source gives the number
```

somrisk ships one catalogue, its knowledge base (:func:`builtin_catalog`, ``somrisk catalog``): a
case run on its own, or a portfolio that names no catalogue, takes its ``"catalog"`` prices there.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, Strict

from somrisk.case.checks import smd_placement
from somrisk.case.inputs import InputSpec
from somrisk.case.load import Case, Sections, read_toml, validate_sections
from somrisk.case.schema import ANY, CATEGORIES, CalendarYear, Section, Slug, Text
from somrisk.distributions import Value
from somrisk.errors import CaseError, Problem

__all__ = [
    "BUILTIN_CATALOG",
    "Catalog",
    "CatalogInfo",
    "CatalogPrice",
    "builtin_catalog",
    "builtin_catalog_path",
    "catalog_inputs",
    "catalog_problems",
    "load_catalog",
    "uses_catalog",
]

#: The knowledge base's file name inside the package (somrisk/data).
BUILTIN_CATALOG = "catalog.toml"


class CatalogInfo(Section):
    """``[catalog]``: what the catalogue is (optional)."""

    name: Text = ""
    description: Text = ""
    currency: Annotated[Text, Field(min_length=1)] | None = None
    price_year: CalendarYear | None = None


class CatalogPrice(Section):
    """One ``[[prices]]`` entry: a consequence's price per actor, shared by the cases using it."""

    name: Slug
    label: Text = ""
    label_en: Text = ""
    category: Literal[CATEGORIES] = "other"  # type: ignore[valid-type]
    unit: Text = ""
    price: Annotated[dict[str, Value], Field(min_length=1)]
    price_factor: Value | None = None
    source: Text = ""
    price_year: CalendarYear | None = None
    illustrative: Annotated[bool, Strict()] = False


SECTIONS: Sections = {"catalog": (CatalogInfo, False), "prices": ([CatalogPrice], True)}


@dataclass(frozen=True)
class Catalog:
    """A validated price catalogue; build it with :func:`load_catalog`."""

    source: str
    sha256: str
    info: CatalogInfo
    prices: tuple[CatalogPrice, ...]
    builtin: bool = False

    def entry(self, name: str) -> CatalogPrice | None:
        """The entry called `name`, or None."""
        return next((p for p in self.prices if p.name == name), None)


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a price catalogue file.

    Raises
    ------
    CaseError
        With every problem found (file, key path, value, what is allowed).
    """
    source = str(path)
    raw, data = read_toml(path)
    problems: list[Problem] = []
    parts = validate_sections(raw, source, problems, SECTIONS)
    problems.extend(smd_placement(raw, source))
    items = raw.get("prices")
    names = [item.get("name") for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    for name in sorted({n for n in names if isinstance(n, str) and names.count(n) > 1}):
        problems.append(Problem(source, "prices", "each name may be used once", name))
    if problems:
        raise CaseError(problems)
    return Catalog(
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        info=parts.get("catalog") or CatalogInfo(),
        prices=tuple(parts["prices"]),
    )


def builtin_catalog_path() -> Path:
    """The file of somrisk's own catalogue, its knowledge base."""
    return Path(str(resources.files("somrisk") / "data" / BUILTIN_CATALOG))


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    """somrisk's knowledge base: SØM's consequence types with their units, the actors who pay and
    a price per actor, each with its source or marked illustrative (docs/catalog.md)."""
    return dataclasses.replace(load_catalog(builtin_catalog_path()), builtin=True)


def uses_catalog(case: Case) -> bool:
    """Whether any consequence of `case` takes its price from a catalogue."""
    return any(c.price == "catalog" for c in case.consequences)


def catalog_problems(case: Case, catalog: Catalog) -> list[Problem]:
    """Every ``price = "catalog"`` of `case` has its entry in `catalog`, for actors the case has;
    the knowledge base's prices also need the case's currency (a user's catalogue is checked against
    its portfolio's cases as a whole). Entries at another price year are converted to the case's
    price level (:mod:`somrisk.case.prices` checks that the index covers their years)."""
    problems = []
    where = "the knowledge base (somrisk catalog)" if catalog.builtin else catalog.source
    for c in case.consequences:
        if c.price != "catalog":
            continue
        path = f"consequences.{c.name}.price"
        entry = catalog.entry(c.name)
        if entry is None:
            names = [p.name for p in catalog.prices]
            close = difflib.get_close_matches(c.name, names, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else f"its entries: {', '.join(names)}"
            if catalog.builtin:
                hint = (f"did you mean {', '.join(close)}? " if close else "") + (
                    "see somrisk catalog, or give the price, e.g. price = { kommune = 95000 }"
                )
            problems.append(Problem(case.source, path, f'{where} has no entry "{c.name}"; {hint}', c.price))
            continue
        for actor in entry.price:
            if actor not in case.actors:
                problems.append(
                    Problem(
                        case.source,
                        path,
                        f'the catalogue entry "{c.name}" in {where} prices actor "{actor}", which is not '
                        f"among this case's actors ({', '.join(case.actors)})",
                    )
                )
    if catalog.builtin and uses_catalog(case):
        info = catalog.info
        if info.currency is not None and case.info.currency != info.currency:
            problems.append(
                Problem(
                    case.source,
                    "case.currency",
                    f"must be {info.currency} to take prices from {where}",
                    case.info.currency,
                )
            )
    return problems


def catalog_inputs(entry: CatalogPrice) -> Iterator[InputSpec]:
    """The scalar inputs of one catalogue entry: its price per actor, then its factor."""
    for actor, value in entry.price.items():
        yield InputSpec(f"catalog.{entry.name}.price.{actor}", value, ANY, "prices")
    if entry.price_factor is not None:
        yield InputSpec(f"catalog.{entry.name}.price_factor", entry.price_factor, ANY, "prices")
