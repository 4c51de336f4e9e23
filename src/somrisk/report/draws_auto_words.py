"""Why ``--draws auto`` stopped where it did, in Danish or English, for the command line and the
report (the JSON keeps the English ``draws_auto_reason`` of somrisk.precision)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from somrisk.precision import BLOCK_DRAWS
from somrisk.report.table_words import TableWords

__all__ = ["draws_auto_text"]

_TEXT = {
    "en": {
        "met": "--draws auto: {draws} draws ({blocks}), at which 1.96 x the standard error of P(NPV > 0) "
        "is at most {tolerance} for the total and every actor (largest: {half_width}, {widest})",
        "cap": "--draws auto stopped at the cap of {draws} draws before P(NPV > 0) was precise to "
        "{tolerance}: 1.96 x its standard error is {half_width} ({widest})",
        "block": "1 block",
        "blocks": "{} blocks",
        "total": "total",
    },
    "da": {
        "met": "--draws auto: {draws} trækninger ({blocks}); da er 1,96 × standardfejlen på P(NPV > 0) "
        "højst {tolerance} for det samlede resultat og hver aktør (størst: {half_width}, {widest})",
        "cap": "--draws auto stoppede ved loftet på {draws} trækninger, før P(NPV > 0) var præcis til "
        "{tolerance}: 1,96 × standardfejlen er {half_width} ({widest})",
        "block": "1 blok",
        "blocks": "{} blokke",
        "total": "i alt",
    },
}


def draws_auto_text(attrs: Mapping[str, Any], lang: str) -> str | None:
    """The sentence for a result's attributes (``draws_auto_*``, ``draws``), None where the draws were
    not chosen by ``--draws auto``. A result written before ``draws_auto_widest`` existed keeps its
    recorded (English) reason."""
    if "draws_auto_reason" not in attrs:
        return None
    if "draws_auto_widest" not in attrs:
        return str(attrs["draws_auto_reason"])
    text, words = _TEXT[lang], TableWords(lang)
    blocks = -(-int(attrs["draws"]) // BLOCK_DRAWS)
    # an actor or "total", or in a comparison "B - A: kommune" (an alternative or a difference)
    whose, _, widest = str(attrs["draws_auto_widest"]).rpartition(": ")
    widest = text["total"] if widest == "total" else words.actor(widest)
    return text["met" if attrs["draws_auto_met"] else "cap"].format(
        draws=words.integer(int(attrs["draws"])),
        blocks=text["block"] if blocks == 1 else text["blocks"].format(words.integer(blocks)),
        tolerance=words.significant(float(attrs["draws_auto_tolerance"]), 6),
        half_width=words.significant(round(float(attrs["draws_auto_half_width"]), 4), 6),
        widest=f"{whose}: {widest}" if whose else widest,
    )
