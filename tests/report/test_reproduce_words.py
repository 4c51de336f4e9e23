"""What a rerun found (somrisk.reproduce.Finding) as sentences in both languages."""

from __future__ import annotations

import pytest

from somrisk.report.reproduce_words import finding_text
from somrisk.report.table_words import TableWords

#: Every kind somrisk.reproduce makes, with the values it gives.
FINDINGS = [
    ("case_differs", {"now": "0123456789ab", "recorded": "ba9876543210"}),
    ("version", {"recorded": "0.0.1", "now": "0.1.0"}),
    ("changes", {"recorded": "effect.effect*=0.8", "now": ""}),
    ("coordinate", {"dim": "year"}),
    ("missing", {"name": "npv"}),
    ("dims", {"name": "net", "recorded": "('draw', 'year') (10, 3)", "rerun": "('draw', 'year') (10, 4)"}),
    ("values", {"name": "net", "cells": 1234, "size": 1_000_000, "largest": -0.000123456789}),
]


@pytest.mark.parametrize("lang", ["en", "da"])
@pytest.mark.parametrize(("kind", "values"), FINDINGS, ids=[kind for kind, _ in FINDINGS])
def test_every_finding_is_a_sentence_in_both_languages(kind, values, lang):
    text = finding_text(kind, values, TableWords(lang))
    assert "{" not in text and text.strip() == text
    for value in values.values():
        if isinstance(value, str) and value:
            assert value in text


def test_counts_and_sizes_are_in_the_readers_numbers():
    values = dict(FINDINGS[-1][1])
    assert finding_text("values", values, TableWords("en")) == (
        "net: 1,234 of 1,000,000 values differ, by up to -0.000123457"
    )
    assert finding_text("values", values, TableWords("da")) == (
        "net: 1.234 af 1.000.000 værdier afviger, med op til −0,000123457"
    )


def test_no_changes_is_said_in_words():
    values = {"recorded": "", "now": "costs.forloeb.amount=1"}
    assert finding_text("changes", values, TableWords("en")).startswith(
        "recorded with the changes (none), rerun"
    )
    assert finding_text("changes", values, TableWords("da")).startswith(
        "registreret med ændringerne (ingen), kørt"
    )


def test_the_kinds_above_are_every_kind_a_rerun_makes():
    import re
    from pathlib import Path

    from somrisk import reproduce

    made = set(re.findall(r'Finding\(\s*"(\w+)"', Path(reproduce.__file__).read_text(encoding="utf-8")))
    assert made == {kind for kind, _ in FINDINGS}
