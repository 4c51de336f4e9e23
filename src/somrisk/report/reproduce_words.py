"""What ``somrisk run --reproduce`` found, in the reader's language: its notes and mismatches
(:class:`somrisk.reproduce.Finding`, given here as kind and values) as sentences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from somrisk.report.table_words import TableWords

__all__ = ["finding_text"]

_TEXT = {
    "en": {
        "case_differs": "the case file differs from the one recorded (SHA-256 {now}… against {recorded}…)",
        "version": "recorded with somrisk {recorded}, rerun with {now}",
        "changes": "recorded with the changes {recorded}, rerun with {now}: give the same --set/--scale "
        "to reproduce it",
        "no_changes": "(none)",
        "coordinate": "coordinate {dim}: differs",
        "missing": "{name}: missing from the rerun",
        "dims": "{name}: dims {recorded} against {rerun}",
        "values": "{name}: {cells} of {size} values differ, by up to {largest}",
    },
    "da": {
        "case_differs": "sagsfilen er ikke den, der blev registreret (SHA-256 {now}… mod {recorded}…)",
        "version": "registreret med somrisk {recorded}, kørt igen med {now}",
        "changes": "registreret med ændringerne {recorded}, kørt igen med {now}: giv de samme "
        "--set/--scale for at genskabe resultatet",
        "no_changes": "(ingen)",
        "coordinate": "koordinaten {dim}: afviger",
        "missing": "{name}: mangler i den nye kørsel",
        "dims": "{name}: dimensionerne {recorded} mod {rerun}",
        "values": "{name}: {cells} af {size} værdier afviger, med op til {largest}",
    },
}


def finding_text(kind: str, values: Mapping[str, Any], words: TableWords) -> str:
    """One note or mismatch of a rerun as a sentence in `words`' language, its counts and sizes
    in that language's numbers."""
    text = _TEXT[words.lang]
    shown = dict(values)
    if kind == "changes":
        shown = {key: value or text["no_changes"] for key, value in shown.items()}
    elif kind == "values":
        shown["cells"], shown["size"] = words.integer(values["cells"]), words.integer(values["size"])
        shown["largest"] = words.significant(values["largest"], 6)
    return text[kind].format(**shown)
