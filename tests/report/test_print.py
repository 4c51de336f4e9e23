"""The report printed to A4 by headless Chromium (`--print-to-pdf`) and read back with poppler's
`pdftotext`, as a committee member would hold it: Danish and English reports of the bundled cases
and of a case with every kind of input.

Page 1 holds P(NPV > 0) for every actor and the benefit-cost ratio; no page ends with a heading; no
input path appears outside the assumption register's `<code>` ids (the charts' SVG included, whose
text matplotlib writes as glyphs with the string in a comment, where the labels are checked too).
The CI script (.ci/run) installs chromium and poppler-utils and sets SOMRISK_REQUIRE_BROWSER=1, so
there the test cannot be skipped; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from somrisk import parse_case
from somrisk.labels import labels
from somrisk.report.charts import wrap_label
from somrisk.report.first_page import sampled
from somrisk.report.i18n import Words

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
#: The example cases and the bundled SØM-style case (year-by-year profiles, consequences during the
#: course), whose English register once began with its heading alone at the foot of a page.
CASES = [
    *sorted((Path(__file__).parents[2] / "cases").glob("*.toml")),
    Path(__file__).parents[2] / "src" / "somrisk" / "data" / "cases" / "som-style.toml",
]

#: Every kind of input the format has (in this version): cohorts, success and comparison rates,
#: persistence, fixed and per-participant costs, comparison costs, consequences with prices per
#: actor and a price factor, an uncertain discount rate, an actor outside SØM's three, a declared
#: group and a correlation; every distribution family somewhere.
EVERY_INPUT = """
[case]
name = "Alle slags input"
description = "A test case with every kind of input."
start_year = 2025
price_year = 2024
horizon = 8
actors = ["kommune", "region", "stat", "a_kasse"]

[economy]
discount_rate = { dist = "uniform", min = 0.02, max = 0.05 }
price_growth = { dist = "normal", mean = 0.01, sd = 0.005 }

[participants]
cohorts = [{ dist = "pert", min = 20, mode = 30, max = 40 }, { dist = "fixed", value = 30 }, 30]

[effect]
measure = "I job efter et år"
success_rate = { dist = "beta", successes = 30, trials = 60 }
comparison_rate = { dist = "pert", min = 0.2, mode = 0.3, max = 0.4 }

[persistence]
full_years = { dist = "triangular", min = 1, mode = 2, max = 4 }
decay = { dist = "uniform", min = 0.1, max = 0.4 }

[[costs]]
name = "opstart"
label = "Opstart og uddannelse af medarbejdere"
actor = "kommune"
kind = "fixed"
years = [0, 1]
amount = { dist = "lognormal", mean = 200000, sd = 40000 }

[[costs]]
name = "forloeb"
label = "Forløb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "gamma", shape = 20, scale = 1500 }

[[comparison_costs]]
name = "saedvanlig"
label = "Sædvanlig indsats"
actor = "kommune"
kind = "per_participant"
amount = { dist = "empirical", values = [5000, 6000, 8000] }

[[consequences]]
name = "kontanthjaelp"
label = "Kontanthjælp"
category = "beskaeftigelse"
change = { dist = "truncnormal", mean = -0.5, sd = 0.1, max = 0.0 }
price = { kommune = { dist = "normal", mean = 100000, sd = 10000 }, stat = 30000 }
price_factor = { dist = "uniform", min = 0.9, max = 1.1 }

[[consequences]]
name = "skadestue"
label = "Skadestuebesøg"
category = "sundhed"
change = -0.3
price = { region = 2000 }

[[consequences]]
name = "dagpenge"
label = "Dagpenge"
category = "beskaeftigelse"
change = -0.1
price = { a_kasse = { dist = "uniform", min = 10000, max = 20000 } }

[[correlations]]
inputs = ["consequences.kontanthjaelp.change", "effect.success_rate"]
rank = -0.3

[[groups]]
name = "priser_kontanthjaelp"
label = "Kontanthjælpens pris"
inputs = ["consequences.kontanthjaelp.price.kommune", "consequences.kontanthjaelp.price_factor"]
"""


def _need_tools() -> tuple[str, str]:
    missing = [name for name, path in (("chromium", BROWSER), ("pdftotext", PDFTOTEXT)) if path is None]
    if missing:
        if os.environ.get("SOMRISK_REQUIRE_BROWSER"):
            pytest.fail(f"SOMRISK_REQUIRE_BROWSER is set but {' and '.join(missing)} was not found")
        pytest.skip(
            f"no {' or '.join(missing)} on this machine (.ci/run installs chromium and poppler-utils)"
        )
    assert BROWSER is not None and PDFTOTEXT is not None
    return BROWSER, PDFTOTEXT


def _print(html: Path, browser: str, pdftotext: str) -> list[str]:
    """The report printed to A4 by Chromium, as the text of each page."""
    pdf = html.with_suffix(".pdf")
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", html.as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.replace("\xa0", " ").split("\f")  # a number's no-break space as a space
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """Language -> (case, report data, html text, text of each printed page) of every case."""
    browser, pdftotext = _need_tools()
    from somrisk import load_case
    from somrisk.runner import report

    cases = [(path.stem, load_case(path)) for path in CASES] + [("every-input", parse_case(EVERY_INPUT))]
    out: dict[str, list] = {}
    for lang in ("da", "en"):
        folder = tmp_path_factory.mktemp(f"print-{lang}")
        out[lang] = []
        for name, case in cases:
            written = report(case, out=folder / f"{name}.html", lang=lang, draws=500, seed=2)
            html = written.path.read_text(encoding="utf-8")
            out[lang].append((case, written.data, html, _print(written.path, browser, pdftotext)))
    return out


@pytest.fixture(params=["da", "en"])
def printed(request, both):
    """(lang, the reports of every case in it)."""
    return request.param, both[request.param]


def test_both_languages_have_the_same_layout(both):
    """The same number of pages, and each chapter starting on the same page, in Danish and English."""
    starts = {}
    for lang, reports in both.items():
        starts[lang] = []
        for case, _, html, pages in reports:
            chapters = [_squash(unescape(h)) for h in re.findall(r"<h2>(.*?)</h2>", html)]
            lines = [{_squash(line) for line in page.splitlines()} for page in pages]
            first = [next(k for k, page in enumerate(lines) if chapter in page) for chapter in chapters]
            starts[lang].append((case.name, len(pages), first))
    assert starts["da"] == starts["en"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_page_one_holds_p_npv_positive_for_every_actor_and_the_benefit_cost_ratio(printed):
    lang, reports = printed
    words = Words(lang)
    for case, data, _, pages in reports:
        first = pages[0]
        assert words["prob_positive"] in first, case.name
        ratio = re.search(re.escape(words["benefit_cost"]) + r"\s+(\S+)\s+(\S+)", first)
        assert ratio is not None, (case.name, first)
        assert ratio.group(1) == words.number(float(data.summary.benefit_cost_ratio_deterministic), 2)
        for actor in (*case.actors, "total"):
            row = re.search(rf"^\s*{re.escape(words.actor(actor))}\s.*$", first, re.MULTILINE)
            assert row is not None, (case.name, actor, first)
            p = float(data.summary.npv_prob_positive.sel(actor=actor))
            assert words.percent(p, sampled=sampled(data, actor)) in row.group(0) or words[
                "no_flows_cell"
            ] in row.group(0), row.group(0)
        # the first page is one page: the chapter after it starts on page 2
        assert words["case"] not in [line.strip() for line in first.splitlines()], case.name


def test_no_page_ends_with_a_heading(printed):
    """Nor with the register's note under its heading, which leads into the first table."""
    lang, reports = printed
    for case, _, html, pages in reports:
        headings = {
            _squash(unescape(re.sub(r"<[^>]+>", "", h))) for h in re.findall(r"<h[123]>(.*?)</h[123]>", html)
        }
        headings.add(_squash(Words(lang)["register_note"]))
        for number, page in enumerate(pages, start=1):
            ended = _ending_heading(page, headings)
            assert not ended, f"{case.name}: page {number} of {len(pages)} ends with the heading {ended}"


def _ending_heading(page: str, headings: set[str]) -> list[str]:
    """The headings the page's text ends with (its last two lines: a heading may wrap)."""
    tail = _squash(" ".join(page.strip().splitlines()[-2:]))
    return [h for h in headings if tail.endswith(h)]


def test_the_heading_check_would_see_an_orphan():
    page = "Nøgletal\n   Kommune     91 %\n\n Følsomhed\n"
    assert _ending_heading(page, {"Følsomhed", "Nøgletal"}) == ["Følsomhed"]
    assert _ending_heading(page + "  Én antagelse ad gangen\n", {"Følsomhed"}) == []


def test_no_input_path_outside_code_and_the_charts_carry_the_labels(printed):
    lang, reports = printed
    for case, data, html, _ in reports:
        outside = re.sub(r'<code class="id">.*?</code>', "", html)
        names = labels(case, lang)
        for path in names:
            assert path not in outside, (case.name, path)
        assert html.count('<code class="id">') == len(data.simulation.model.space.inputs)
        # matplotlib's text as written, a comment per line
        comments = {unescape(c) for c in re.findall(r"<!-- (.*?) -->", html, re.DOTALL)}
        shown = [names[bar.input] for bar in data.tornado.bars[:5]]
        shown += [names.group(group) for group in data.sobol.names]
        for label in shown:
            assert set(wrap_label(label).split("\n")) <= comments, (case.name, label)


def test_the_check_for_paths_would_see_one():
    """The path test's pattern finds a path left outside <code> and ignores one inside."""
    html = (
        '<td>Kontanthjælp<br><code class="id">consequences.k.change</code></td><!-- consequences.k.change -->'
    )
    outside = re.sub(r'<code class="id">.*?</code>', "", html)
    assert "consequences.k.change" in outside and "Kontanthjælp" in outside
