"""The report says an smd effect in the analyst's own numbers: the d and the comparison rate p0 the
case gives, beside the mean and sd of the converted effect e (issue 15: "the smd form ... with its
words in the report")."""

from __future__ import annotations

import pytest

from somrisk.report.i18n import Words, describe
from somrisk.runner import report
from somrisk.testing import minimal_case

EFFECT = '{ dist = "smd", estimate = 0.35, ci95 = [0.10, 0.60], comparison_rate = 0.25 }'


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "da",
            "effekt omregnet fra en standardiseret middelforskel d = 0,35 (spredning 0,1276) ved "
            "sammenligningsgruppens succesrate 0,25: middelværdi 0,1375, spredning 0,05427",
        ),
        (
            "en",
            "effect converted from a standardised mean difference d = 0.35 (sd 0.1276) at the comparison "
            "group's success rate 0.25: mean 0.1375, sd 0.05427",
        ),
    ],
)
def test_smd_words_name_d_and_p0(lang, expected):
    # sd of d from the 95 % interval: (0.60 - 0.10) / (2 x 1.959964) = 0.12755
    params = {"mean": 0.1375, "sd": 0.05427, "d": 0.35, "d_sd": 0.5 / (2 * 1.959964), "p0": 0.25}
    assert describe("smd", params, Words(lang)) == expected


def test_the_report_of_an_smd_case_shows_its_d_and_p0(write_case, tmp_path):
    text = minimal_case(
        effect=EFFECT,
        cohorts="[10, 10]",
        consequences='[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 10000 }\n',
        costs='[[costs]]\nname = "c"\nactor = "kommune"\nkind = "per_participant"\namount = 1000\n',
    )
    out = tmp_path / "report.html"
    report(write_case(text), out=out, lang="da", draws=400)
    html = out.read_text(encoding="utf-8")
    assert (
        "standardiseret middelforskel d = 0,35 (spredning 0,1276) ved sammenligningsgruppens succesrate 0,25"
        in html
    )
