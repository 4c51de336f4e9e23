"""The report's note on price levels: which amounts of the case were at another price year, and the
factor kappa = I(P) / I(Y) each was multiplied by (model.md, "Price level"), in the analyst's words."""

from __future__ import annotations

from html import escape

from somrisk.case import Case
from somrisk.case.catalog import builtin_catalog, uses_catalog
from somrisk.case.prices import case_price_conversions
from somrisk.report.i18n import Words

__all__ = ["price_level_note"]

_WORDS = {
    "da": {
        "intro": "Beløb i andre prisår er omregnet til {level}-priser med Danmarks Statistiks "
        "nettoprisindeks (som i SØM):",
        "item": "{label} ({what}): {year}-priser × {factor} (indeks {level_value} / {year_value})",
        "amount": "beløb",
        "prices": "priser",
        "catalog": "vidensdatabasens priser",
    },
    "en": {
        "intro": "Amounts of other price years are converted to {level} prices with Statistics "
        "Denmark's net price index (as in SØM):",
        "item": "{label} ({what}): {year} prices × {factor} (index {level_value} / {year_value})",
        "amount": "amount",
        "prices": "prices",
        "catalog": "knowledge-base prices",
    },
}


def price_level_note(case: Case, words: Words) -> str:
    """An HTML paragraph listing each converted item with its factor; "" where nothing was."""
    catalog = builtin_catalog() if uses_catalog(case) else None
    conversions = case_price_conversions(case, catalog)
    if not conversions:
        return ""
    text = _WORDS[words.lang]
    items = []
    for c in conversions:
        kind = "catalog" if c.catalog else "prices" if c.path.startswith("consequences.") else "amount"
        line = text["item"].format(
            label=c.label,
            what=text[kind],
            year=c.year,
            factor=words.number(c.factor, 4),
            level_value=words.number(c.index_values[0], 1),
            year_value=words.number(c.index_values[1], 1),
        )
        items.append(f"<li>{escape(line)}</li>")
    intro = escape(text["intro"].format(level=case.info.price_level))
    return f'<p class="muted">{intro}</p><ul class="muted">{"".join(items)}</ul>'
