"""What a committee member and a municipal analyst found reading the printed report, each fixed:
Danish words on Danish pages, a number kept with its unit, no 100 % or 0 % from sampled draws, the
bad case on page 1, one unit per chart axis, a tornado that fits under the NPV distribution, rates as
percentages and the price year of an item in the assumption register, and the new inputs' words."""

from __future__ import annotations

import math
import re
from html import unescape

import numpy as np
import pytest

from somrisk import example_case_path, load_case, parse_case
from somrisk.labels import labels
from somrisk.report.charts import _axis_money, wrap_label
from somrisk.report.first_page import _error
from somrisk.report.html import TORNADO_BARS
from somrisk.report.i18n import Words, escape, keep_together

NBSP = "\xa0"

#: The inputs that came with phase-in, consequences during the course, price years and smd effects.
NEW_INPUTS = """
[case]
name = "Nye input"
description = "Mentorforløb for ledige unge."
start_year = 2025
price_year = 2024
horizon = 8
actors = ["kommune", "region", "stat"]

[economy]
discount_rate = 0.035
price_growth = 0.0
price_index = { 2024 = 120.0 }

[participants]
cohorts = [30, 40, 40]

[effect]
measure = "I job efter et år"
effect = { dist = "smd", estimate = 0.35, ci95 = [0.10, 0.60], comparison_rate = 0.25 }
cohort_factor = [0.6, { dist = "pert", min = 0.7, mode = 0.9, max = 1.0 }, 1.0]

[persistence]
full_years = 2
decay = 0.2

[[costs]]
name = "mentor"
label = "Mentorforløb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "pert", min = 20000, mode = 30000, max = 45000 }
price_year = 2019

[[consequences]]
name = "kontanthjaelp"
label = "Kontanthjælp"
category = "beskaeftigelse"
change = -0.6
price = { kommune = { dist = "normal", mean = 90000, sd = 8000 }, stat = 30000 }
during = { dist = "pert", min = -0.3, mode = -0.1, max = 0.0 }
"""


def _write(case, tmp_path, lang: str, draws: int = 500):
    from somrisk.runner import report

    written = report(case, out=tmp_path / f"{lang}.html", lang=lang, draws=draws, seed=3)
    return written.data, written.path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled example case's report in Danish and English: language -> (data, html)."""
    folder = tmp_path_factory.mktemp("review")
    case = load_case(example_case_path())
    return {lang: _write(case, folder, lang) for lang in ("da", "en")}


def _visible(html: str) -> str:
    """The text a reader sees outside the charts and the register's code ids."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.DOTALL)
    html = re.sub(r'<code class="id">.*?</code>', " ", html, flags=re.DOTALL)
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", html)).replace(NBSP, " ")


def _section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start)]


# --- words and numbers ---------------------------------------------------------------------------------


def test_a_number_stays_with_its_unit():
    assert keep_together("Nedre (5 %)") == f"Nedre (5{NBSP}%)"
    assert (
        keep_together("fra −110.034 kr. til 2.161.787 kr.") == f"fra −110.034{NBSP}kr. til 2.161.787{NBSP}kr."
    )
    assert keep_together("DKK −1,234 and > 99 %") == f"DKK{NBSP}−1,234 and{NBSP}>{NBSP}99{NBSP}%"
    assert keep_together("10 år (2025-2034), hold 3") == "10 år (2025-2034), hold 3"  # nothing else
    # escaped HTML too: "P(nutidsværdi > 0)" must not break before its 0
    assert escape("P(NPV > 0) is > 99 %") == f"P(NPV{NBSP}&gt;{NBSP}0) is{NBSP}&gt;{NBSP}99{NBSP}%"


def test_a_share_of_sampled_draws_is_not_a_certainty():
    da, en = Words("da"), Words("en")
    assert da.percent(1.0, sampled=True) == "> 99 %" and en.percent(0.0, sampled=True) == "< 1 %"
    assert da.percent(0.999, sampled=True) == "> 99 %" and da.percent(0.5, sampled=True) == "50 %"
    # a fixed case's probability is a certainty, and a rate of 0 is 0
    assert da.percent(1.0) == "100 %" and da.percent(0.0) == "0 %" and da.percent(0.0, 1) == "0,0 %"


def test_a_small_monte_carlo_error_is_not_shown_as_zero():
    da = Words("da")
    assert _error(0.0, 10_000, da) == "0,03"  # the rule of three: 3 / 10.000 = 0,03 procentpoint
    assert _error(0.0, 500, da) == "0,6"
    se = 0.3 / 100 / 1.96  # 0,3 procentpoint
    assert _error(se, 10_000, da) == "0,3"
    assert _error(0.0, 1, da) == "ukendt"


@pytest.mark.parametrize(
    ("ticks", "lang", "expected"),
    [
        # one unit on an axis that crosses a million (not "800 t." beside "1,0 mio.")
        ([4e5, 6e5, 8e5, 1e6, 1.2e6, 1.4e6], "da", ["0,4 mio.", "0,6 mio.", "0,8 mio.", "1,0 mio.", "1,2 mio.", "1,4 mio."]),
        ([-5e5, 0, 5e5, 1e6], "da", ["−0,5 mio.", "0", "0,5 mio.", "1,0 mio."]),
        ([-2.5e6, 0, 2.5e6], "da", ["−2,5 mio.", "0", "2,5 mio."]),
        ([-2e5, 0, 2e5, 4e5], "da", ["−200.000", "0", "200.000", "400.000"]),  # full Danish numbers
        ([0, 2.5e5, 5e5], "en", ["0", "250 k", "500 k"]),
        ([0, 1.5e6, 3e6], "en", ["0", "1.5 m", "3.0 m"]),
        ([0, 20, 40], "da", ["0", "20", "40"]),
    ],
)  # fmt: skip
def test_a_money_axis_writes_every_tick_in_one_unit(ticks, lang, expected):
    assert [_axis_money(x, ticks, lang) for x in ticks] == expected


def test_the_chart_axes_use_one_unit(bundled):
    """The tornado's ticks (whose range crosses a million in the example case) in one unit."""
    _, html = bundled["da"]
    sensitivity = _section(html, "sensitivity")
    comments = [unescape(c) for c in re.findall(r"<!-- (.*?) -->", sensitivity)]
    assert not [c for c in comments if re.fullmatch(r"−?\d+ t\.", c)]  # no "800 t."
    ticks = [c for c in comments if re.fullmatch(r"−?[\d.,]+( mio\.)?", c)]
    assert ticks and len({c.endswith("mio.") for c in ticks if c != "0"}) == 1, ticks


# --- the report ---------------------------------------------------------------------------------------


def test_the_danish_report_has_no_english_words(bundled):
    _, html = bundled["da"]
    text = _visible(html[: html.index('<section id="assumptions"')]) + _visible(_section(html, "provenance"))
    text += " ".join(re.findall(r"<th[^>]*>(.*?)</th>", _section(html, "assumptions")))
    for word in ("NPV", "Input", "Seed", "Sampler", "hypercube", "Tornado", "percentage"):
        assert not re.search(rf"\b{word}\b", text), word
    assert "P(nutidsværdi > 0)" in text and "Antagelse" in text and "latinsk hyperkube (lhs)" in text
    # English keeps its own words
    assert "P(NPV > 0)" in _visible(bundled["en"][1]) and "Latin hypercube (lhs)" in bundled["en"][1]


def test_headers_and_sentences_keep_a_number_with_its_unit(bundled):
    for lang, (_, html) in bundled.items():
        visible = re.sub(r"<svg.*?</svg>", "", html, flags=re.DOTALL)
        assert not re.search(r"\d %|\d kr\.|DKK \d|DKK −|&gt; \d", visible), lang
        assert f"(5{NBSP}%)" in _section(html, "summary")


def test_page_one_says_how_bad_the_bad_case_is(bundled):
    """The 5 % quantile of the total NPV and the mean of the worst 5 % of draws, computed here from
    the draws."""
    for lang, (data, html) in bundled.items():
        words = Words(lang)
        npv = np.sort(data.simulation.npv_total)
        worst = npv[: math.ceil(0.05 * npv.size)].mean()
        p05 = float(data.summary.npv_quantile.sel(actor="total", quantile=0.05))
        expected = words["bad_case"].format(p05=words.money(p05), shortfall=words.money(worst))
        page = unescape(_section(html, "summary")).replace(NBSP, " ")
        assert Words.sentence(expected) in page, lang


def test_a_case_whose_draws_all_pay_off_says_more_than_99_not_100(tmp_path):
    from somrisk.testing import minimal_case

    text = minimal_case(
        effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
        consequences='[[consequences]]\nname = "x"\nchange = -1\nprice = { kommune = 5000 }',
    )
    _, html = _write(parse_case(text), tmp_path, "da")
    page = _visible(html[: html.index('<section id="case"')]).replace(NBSP, " ")  # page 1
    assert "Der er > 99 % sandsynlighed for, at indsatsen betaler sig for kommunen" in page
    assert "100 %" not in page and "(±0,0)" not in page


def test_the_tornado_shows_the_largest_swings_and_says_where_the_rest_are(bundled):
    for lang, (data, html) in bundled.items():
        words = Words(lang)
        names = labels(data.simulation.case, lang)
        bars = data.tornado.bars
        assert len(bars) > TORNADO_BARS  # the example case has more inputs than the chart shows
        sensitivity = unescape(_section(html, "sensitivity")).replace(NBSP, " ")
        comments = set(re.findall(r"<!-- (.*?) -->", sensitivity))
        shown = {line for b in bars[:TORNADO_BARS] for line in wrap_label(names[b.input]).split("\n")}
        assert shown <= comments, lang
        assert not set(wrap_label(names[bars[-1].input]).split("\n")) <= comments  # the smallest swing
        hidden = words["caption_tornado_hidden"].format(hidden=len(bars) - TORNADO_BARS).strip()
        assert hidden in sensitivity, lang
        assert words["tornado_hidden"].format(len(bars) - TORNADO_BARS) in comments


def test_the_sobol_caption_gives_both_shares_and_explains_the_black_lines(bundled):
    for lang, (data, html) in bundled.items():
        words = Words(lang)
        sobol = data.sobol
        k = int(np.nanargmax(np.nan_to_num(sobol.ST, nan=-1.0)))
        alone = words.percent(float(np.clip(sobol.S1[k], 0, 1)))
        total = words.percent(float(np.clip(sobol.ST[k], 0, 1)))
        caption = unescape(_section(html, "sensitivity")).replace(NBSP, " ")
        assert f"({alone} {'alene' if lang == 'da' else 'alone'}, {total} " in caption, lang
        assert ("sorte streger" if lang == "da" else "black lines") in caption


def test_the_year_table_says_net_result_in_total_in_plain_words(bundled):
    assert "<td>Nettoresultat i alt</td>" in _section(bundled["da"][1], "by-year")
    assert "<td>Net result, total</td>" in _section(bundled["en"][1], "by-year")
    assert "Nettoresultat, I alt" not in bundled["da"][1]


def test_the_register_shows_rates_as_percentages_and_breaks_paths_at_dots(bundled):
    register = _section(bundled["da"][1], "assumptions").replace(NBSP, " ")
    row = register[register.index("Diskonteringsrente") :]
    row = row[: row.index("</tr>")]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[:2] == ["3,5 %", "3,5 %"]
    assert '<code class="id">economy.<wbr>discount_rate</code>' in register


def test_the_new_inputs_have_danish_words_and_the_price_year_is_shown(tmp_path):
    case = parse_case(NEW_INPUTS)
    _, html = _write(case, tmp_path, "da", draws=300)
    text = unescape(html).replace(NBSP, " ")
    register = unescape(_section(html, "assumptions")).replace(NBSP, " ")
    assert "Effekt: indfasning, hold 2 (andel af den fulde effekt)" in register
    assert "Kontanthjælp: ændring under forløbet" in register
    assert "Effekt: forskel i succesrate<br>" in register and "procentpoint)" not in text
    # the cost at 2019 prices says so; the consequence at the case's price level does not
    note = "i 2019-priser; regnet om til 2024-priser med nettoprisindekset"
    assert register.count(note) == 1
    mentor = register[register.index("Mentorforløb: beløb pr. deltager") :]
    assert mentor.index(note) < mentor.index("</tr>")
    case_rows = unescape(_section(html, "case")).replace(NBSP, " ")
    assert "2024 (beløb i andre prisår er regnet om med nettoprisindekset)" in case_rows
    _, english = _write(case, tmp_path, "en", draws=300)
    assert "at 2019 prices; converted to 2024 prices with the net price index" in unescape(english)


def test_the_bundled_cases_prison_price_says_it_is_converted(bundled):
    """The example case gives Kriminalforsorgen's prison price at 2015 prices (price_year = 2015)."""
    register = unescape(_section(bundled["da"][1], "assumptions")).replace(NBSP, " ")
    assert register.count("i 2015-priser; regnet om til 2023-priser med nettoprisindekset") == 1
    prison = register[register.index("Fængselsdage: pris, stat") :]
    assert prison.index("i 2015-priser") < prison.index("</tr>")


def test_a_case_at_one_price_level_has_no_price_year_notes(tmp_path):
    from pathlib import Path

    case = load_case(Path(__file__).parents[2] / "cases" / "employment-mentor.toml")
    assert all(item.price_year is None for item in (*case.costs, *case.comparison_costs, *case.consequences))
    _, html = _write(case, tmp_path, "da", draws=300)
    assert "nettoprisindekset" not in html


def test_a_profiled_consequence_shows_the_profile_its_change_multiplies():
    """som-style.toml gives SØM's year-by-year table as a profile with change = 1: the register's "1"
    would say nothing without the profile under it."""
    from pathlib import Path

    import somrisk
    from somrisk.report.html import PROFILE_SHOWN, _notes

    case = load_case(Path(somrisk.__file__).parent / "data" / "cases" / "som-style.toml")
    shelter = next(c for c in case.consequences if c.name == "herberg")
    assert len(shelter.profile) > PROFILE_SHOWN
    da = _notes(case, "consequences.herberg.change", Words("da"))
    assert da == ["ganges med profilen år for år: −0,3; −0,25; −0,2; −0,18; −0,15; −0,12; −0,1; −0,1; …"]
    en = _notes(case, "consequences.psykiatri.change", Words("en"))
    assert en == ["multiplies the year-by-year profile: 1, 0.8, 0.6, 0.5"]
    assert _notes(case, "consequences.herberg.during", Words("da")) == []  # not the course's change
    assert _notes(case, "effect.success_rate", Words("da")) == []


def test_a_range_has_both_ends_to_the_same_decimals():
    from somrisk.report.html import _span

    da, en = Words("da"), Words("en")
    assert _span(0.055921, 0.184112, da) == "0,0559 – 0,1841"
    assert _span(-3.0, -0.77459, da) == "−3,000 – −0,775"
    assert _span(1.548, 3.225, en) == "1.548 – 3.225"
    assert _span(20.08, 27.14, da) == "20,08 – 27,14"
    assert _span(122954.2, 196669.4, da) == "122.954 – 196.669"  # amounts in whole kroner
    assert _span(0.0, 0.0, da) == "0 – 0"


def test_the_fan_chart_legend_speaks_as_its_caption(bundled):
    """The bands as shares of the draws, as the caption says them, and the dashed line as SØM's."""
    for lang, (_, html) in bundled.items():
        words = Words(lang)
        cumulative = _section(html, "cumulative")
        comments = {unescape(c) for c in re.findall(r"<!-- (.*?) -->", cumulative)}
        legend = {words["band_90"], words["band_50"], words["median_line"], words["deterministic_line"]}
        assert legend <= comments, legend - comments
        assert ("90 % af trækningerne" if lang == "da" else "90 % of the draws") in words["band_90"]
