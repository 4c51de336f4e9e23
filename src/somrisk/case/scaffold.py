"""``somrisk new``: a commented case file to fill in, built from the consequence catalogue.

The file is valid as written (``somrisk check`` passes, ``somrisk run`` runs): every number an
analyst must replace is a placeholder marked ``TODO``, and every consequence of the catalogue is
listed, commented out except those asked for, with its unit and the actors who pay. Consequences
take their prices from the catalogue (``price = "catalog"``), so the case's price year is the
catalogue's.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Sequence

from somrisk.case.catalog import Catalog, CatalogPrice, builtin_catalog
from somrisk.case.schema import CATEGORIES, CATEGORY_LABELS
from somrisk.errors import UsageError

__all__ = ["scaffold_case", "slug_file_name"]


def scaffold_case(
    name: str,
    consequences: Sequence[str] = (),
    *,
    start_year: int,
    catalog: Catalog | None = None,
) -> str:
    """The TOML text of a new case called `name`.

    Parameters
    ----------
    name
        The case's name (``[case] name``), free text.
    consequences
        Catalogue entries to include as active consequences (``price = "catalog"``, change 0 to
        fill in); the others are listed commented out.
    start_year
        Calendar year of t = 0.
    catalog
        The catalogue to build from; somrisk's knowledge base by default.

    Raises
    ------
    UsageError
        For a consequence the catalogue does not have (with the closest names).
    """
    catalog = builtin_catalog() if catalog is None else catalog
    names = [entry.name for entry in catalog.prices]
    for wanted in consequences:
        if wanted not in names:
            close = difflib.get_close_matches(wanted, names, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see somrisk catalog"
            raise UsageError(f'--consequence {wanted}: the catalogue has no entry "{wanted}"; {hint}')
    price_year = catalog.info.price_year if catalog.info.price_year is not None else start_year
    lines = [
        f"# {name}: a case for somrisk (made by somrisk new from the catalogue).",
        "#",
        "# Every number marked TODO is a placeholder: replace it with your own, and say where it comes",
        '# from with source = "..." on a distribution. Numbers may be plain or distributions, e.g.',
        '#   { dist = "pert", min = 1, mode = 2, max = 4 }   (expert range)',
        '#   { dist = "beta", successes = 18, trials = 40 }  (a rate from a count)',
        '#   { dist = "normal", estimate = 0.2, ci95 = [0.05, 0.35] }   (a published interval)',
        "# The format: docs/case-format.md. Check the file with: somrisk check FILE",
        "",
        "[case]",
        f"name = {json.dumps(name, ensure_ascii=False)}",
        'description = ""                           # TODO: the intervention and its target group',
        f'currency = "{catalog.info.currency or "DKK"}"',
        f"price_year = {price_year}                          # the catalogue's price level",
        f"start_year = {start_year}                          # calendar year of t = 0",
        "horizon = 10                               # years, 1-50 (SØM: up to 10)",
        'actors = ["kommune", "region", "stat"]',
        "",
        "[economy]",
        "discount_rate = 0.035                      # Finansministeriet's socio-economic rate since 2021",
        "price_growth = 0.0",
        "# Entries at another price year are converted with the net price index (2015 = 100), which",
        "# somrisk has for 2015-2023; for a later price level give its annual average, for example",
        "# price_index = { 2024 = ... }             # somrisk check says when it is needed",
        "",
        "[participants]",
        "cohorts = [20, 20, 20]                     # TODO: participants starting in years 0, 1, 2",
        "",
        "[effect]",
        'measure = ""                               # TODO: the effect measure (effektmål)',
        "# the share of participants with the effect, net of current practice (SØM's success rate)",
        'effect = { dist = "pert", min = 0.0, mode = 0.1, max = 0.2 }   # TODO',
        "# cohort_factor = [0.6, 0.9, 1.0]         # optional phase-in: share of the full effect per",
        "#                                         # cohort (the last repeats)",
        "",
        "[persistence]",
        "onset = 0                                  # years from intake until the effect sets in",
        'full_years = { dist = "triangular", min = 1, mode = 2, max = 4 }   # TODO: full effect',
        'decay = { dist = "uniform", min = 0.1, max = 0.4 }                 # TODO: yearly fall after',
        "",
        "[[costs]]",
        'name = "forloeb"',
        'label = "Indsatsen pr. deltager"',
        'actor = "kommune"',
        'kind = "per_participant"                   # per participant per year for `duration` years',
        "duration = 1",
        'amount = { dist = "pert", min = 20000, mode = 25000, max = 35000 }   # TODO',
        "",
        "# [[comparison_costs]]                     # what the participants would have had anyway",
        '# name = "nuvaerende_praksis"',
        '# actor = "kommune"',
        '# kind = "per_participant"',
        "# amount = 10000",
        "",
        "# Consequences: the change per person with the effect per year (negative: less use of a",
        '# service), priced from the catalogue (price = "catalog"; see somrisk catalog). Uncomment',
        "# those that apply and give their change. A change while the participants are in the",
        "# course, for every participant with or without the effect (SØM's konsekvenser under",
        "# indsatsen), is `during = ...` per participant per year, for `during_years = 1` years.",
    ]
    by_area: dict[str, list[CatalogPrice]] = {}
    for entry in catalog.prices:
        by_area.setdefault(entry.category, []).append(entry)
    for area in sorted(by_area, key=CATEGORIES.index):
        lines += ["", f"# --- {CATEGORY_LABELS['da'][area]} ---"]
        for entry in by_area[area]:
            lines += _consequence(entry, active=entry.name in consequences)
    return "\n".join(lines) + "\n"


def _consequence(entry: CatalogPrice, *, active: bool) -> list[str]:
    actors = ", ".join(entry.price)
    block = [
        "[[consequences]]",
        f'name = "{entry.name}"',
        f"label = {json.dumps(entry.label or entry.name, ensure_ascii=False)}",
        f'category = "{entry.category}"',
        f"unit = {json.dumps(entry.unit, ensure_ascii=False)}",
        f"change = 0.0    # TODO: {entry.unit or 'units'} per person with effect per year",
        f'price = "catalog"    # paid by {actors}' + (" (illustrative price)" if entry.illustrative else ""),
    ]
    return [""] + (block if active else [f"# {line}" for line in block])


def slug_file_name(name: str) -> str:
    """A file name for a case called `name`: ``Mentorordning for unge`` -> ``mentorordning-for-unge.toml``
    (Danish letters spelt out: æ -> ae, ø -> oe, å -> aa)."""
    text = name.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return f"{slug or 'case'}.toml"
