"""A shared price catalogue (case-format.md, "Portfolio"): prices that many cases take by name.

A consequence written ``price = "catalog"`` takes the catalogue entry of the same name: its price per
actor v_a and, where given, its factor. The catalogue's inputs have the paths
``catalog.<name>.price.<actor>`` and ``catalog.<name>.price_factor``; in a portfolio each is drawn
once per draw and shared by every case that uses it.

```toml
[catalog]                      # optional
name = "Priser 2024"
price_year = 2024              # checked against the cases' price year where given

[[prices]]
name = "kontanthjaelp"
label = "Kontanthjælp"
unit = "år på ydelse"
price = { kommune = 95000, stat = { dist = "uniform", min = 40000, max = 50000 } }
price_factor = { dist = "uniform", min = 0.95, max = 1.05 }   # optional
source = "..."                 # optional
```
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from somrisk.case.inputs import InputSpec
from somrisk.case.load import Sections, read_toml, validate_sections
from somrisk.case.schema import ANY, Section, Slug, Text, Year
from somrisk.distributions import Value
from somrisk.errors import CaseError, Problem

__all__ = ["Catalog", "CatalogInfo", "CatalogPrice", "catalog_inputs", "load_catalog"]


class CatalogInfo(Section):
    """``[catalog]``: what the catalogue is (optional)."""

    name: Text = ""
    description: Text = ""
    currency: Annotated[Text, Field(min_length=1)] | None = None
    price_year: Year | None = None


class CatalogPrice(Section):
    """One ``[[prices]]`` entry: a consequence's price per actor, shared by the cases using it."""

    name: Slug
    label: Text = ""
    unit: Text = ""
    price: Annotated[dict[str, Value], Field(min_length=1)]
    price_factor: Value | None = None
    source: Text = ""


SECTIONS: Sections = {"catalog": (CatalogInfo, False), "prices": ([CatalogPrice], True)}


@dataclass(frozen=True)
class Catalog:
    """A validated price catalogue; build it with :func:`load_catalog`."""

    source: str
    sha256: str
    info: CatalogInfo
    prices: tuple[CatalogPrice, ...]

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
    names = [item.get("name") for item in raw.get("prices", []) if isinstance(item, dict)]
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


def catalog_inputs(entry: CatalogPrice) -> Iterator[InputSpec]:
    """The scalar inputs of one catalogue entry: its price per actor, then its factor."""
    for actor, value in entry.price.items():
        yield InputSpec(f"catalog.{entry.name}.price.{actor}", value, ANY, "prices")
    if entry.price_factor is not None:
        yield InputSpec(f"catalog.{entry.name}.price_factor", entry.price_factor, ANY, "prices")
