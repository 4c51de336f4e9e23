"""Report and workbook on unusual cases (found in review): every family, no uncertainty, odd actors,
declared groups, other percentiles, probabilities near certainty."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from somrisk import UsageError, parse_case, simulate
from somrisk.report.i18n import Words
from somrisk.testing import minimal_case


def write_report(tmp_path, text: str, lang: str = "en") -> str:
    from somrisk.runner import report

    written = report(parse_case(text), out=tmp_path / "r.html", lang=lang, draws=500)
    return written.path.read_text(encoding="utf-8").replace("\xa0", " ")  # no-break spaces as spaces


FAMILIES = minimal_case(
    effect='{ dist = "truncnormal", mean = 0.1, sd = 0.05, min = 0.0 }',
    horizon=1,
    costs="""
[[costs]]
name = "a"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "empirical", values = [100, 200, 400] }

[[costs]]
name = "b"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "lognormal", mean = 300, sd = 50 }

[[costs]]
name = "c"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "gamma", shape = 4, scale = 20 }
""",
    consequences='[[consequences]]\nname = "x"\nchange = -1\nprice = { kommune = 5000 }',
)


def test_every_family_is_described_and_a_one_year_horizon_reads_right(tmp_path):
    page = write_report(tmp_path, FAMILIES)
    assert "empirical, 3 values" in page and "lognormal, median" in page and "gamma, mean 80" in page
    assert "truncnormal(" in page  # described by its own parameters, bounds included
    assert "· 1 year (2025) ·" in page and "1 years" not in page


def test_a_case_without_uncertainty_gets_a_report_without_sensitivity_charts(tmp_path):
    page = write_report(
        tmp_path,
        minimal_case(consequences='[[consequences]]\nname = "x"\nchange = -1\nprice = { stat = 50 }'),
        lang="da",
    )
    section = page[page.index('<section id="sensitivity">') : page.index('<section id="by-year">')]
    assert "ingen usikkerhed" in section and "<svg" not in section


def test_other_actors_keep_their_names_and_declared_groups_their_labels(tmp_path):
    text = minimal_case(
        effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
        consequences='[[consequences]]\nname = "x"\nchange = -1\nprice = { year = { dist = "uniform", min = 50, max = 150 } }',
        extra='[[groups]]\nname = "study"\nlabel = "The effect study"\ninputs = ["effect.effect"]',
    ).replace("[case]", '[case]\nactors = ["year", "stat"]')
    page = write_report(tmp_path, text, lang="da")
    key = page[page.index('<section id="summary">') : page.index('<section id="case"')]
    assert "<td>year</td>" in key and "<td>Stat</td>" in key
    assumptions = page[page.index('<section id="assumptions">') :]
    assert "<h3>Effekt</h3>" in assumptions and "study" not in assumptions  # SØM's groups
    assert "The effect study" in page  # the Sobol chart's label


def test_probabilities_near_certainty_are_not_rounded_to_it():
    da, en = Words("da"), Words("en")
    assert da.percent(0.9992) == "> 99 %" and da.percent(1.0) == "100 %"
    assert en.percent(0.0004) == "< 1 %" and en.percent(0.0) == "0 %"
    assert en.percent(0.9992, 1) == "99.9 %" and en.percent(0.99996, 1) == "> 99.9 %"


def test_workbook_columns_follow_the_percentiles_and_the_draws_sheet_is_capped(tmp_path, monkeypatch):
    import somrisk.io.workbook as workbook
    from somrisk.runner import run

    monkeypatch.setattr(workbook, "MAX_DRAWS", 100)
    text = minimal_case(effect='{ dist = "uniform", min = 0.05, max = 0.15 }')
    run(
        parse_case(text), draws=300, out=tmp_path / "c.nc", xlsx=tmp_path / "w.xlsx", percentiles=(10, 50, 90)
    )
    book = load_workbook(tmp_path / "w.xlsx", read_only=True)
    labels = {row[0] for row in book["År for år"].iter_rows(values_only=True)}
    assert {"Nettoresultat, nedre (10 %)", "Nettoresultat, øvre (90 %)"} <= labels
    assert not any("(5 %)" in str(label) for label in labels)
    assert len(list(book["Trækninger"].iter_rows(values_only=True))) == 1 + 100


def test_keep_inputs_must_be_a_count():
    with pytest.raises(UsageError, match="keep_inputs"):
        simulate(parse_case(minimal_case()), draws=10, keep_inputs=-1)


def test_an_actor_without_flows_is_said_to_have_none_not_a_zero_probability(tmp_path):
    text = minimal_case(
        effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
        consequences='[[consequences]]\nname = "x"\nchange = -1\nprice = { stat = 50000 }',
        costs='[[costs]]\nname = "k"\nactor = "kommune"\nkind = "fixed"\namount = 1000',
    )
    danish = write_report(tmp_path, text, lang="da")
    first = danish[danish.index('<section id="summary">') : danish.index('<section id="case"')]
    assert "Indsatsen har hverken omkostninger eller gevinster for regionen" in first
    assert "sandsynlighed for, at indsatsen betaler sig for regionen" not in first
    assert "sandsynlighed for, at indsatsen betaler sig for staten" in first  # an actor with flows
    assert first.count("ingen betalinger") == 1  # region's cell, not kommune's (which pays the costs)
    english = write_report(tmp_path, text, lang="en")
    assert "The intervention has neither costs nor gains for the region" in english


def test_a_certain_probability_shows_the_rule_of_three_as_its_error(tmp_path):
    """Every draw pays off: the standard error is 0, but 500 draws only bound the error by 3/500, and
    the probability is "> 99 %", not a certainty the draws do not show (docs/report.md)."""
    text = minimal_case(
        effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
        consequences='[[consequences]]\nname = "x"\nchange = -1\nprice = { kommune = 5000 }',
    )
    page = write_report(tmp_path, text, lang="da")
    first = page[page.index('<section id="summary">') : page.index('<section id="case"')]
    assert "<td>Kommune</td>" in first and "&gt; 99 % (±0,6)</td>" in first
    assert "Der er &gt; 99 % sandsynlighed for, at indsatsen betaler sig for kommunen" in first
    assert "100 %" not in first


def test_the_provenance_date_is_local_and_in_words(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Copenhagen")
    time.tzset()
    try:
        stamp = "2026-12-06T02:05:00+00:00"  # winter: UTC+1
        assert Words("da").local_date(stamp) == "6. december 2026, kl. 03.05"
        assert Words("en").local_date("2026-07-01T22:30:00+00:00") == "2 July 2026, 00:30"  # summer: UTC+2
    finally:
        monkeypatch.undo()
        time.tzset()
