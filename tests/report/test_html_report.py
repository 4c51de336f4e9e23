"""The committee's HTML report: sections, self-containment, numbers equal to the run's JSON, languages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from somrisk import example_case_path
from somrisk.report.i18n import Words

SECTIONS = (
    "summary",
    "case",
    "cumulative",
    "payback",
    "npv-distribution",
    "sensitivity",
    "by-year",
    "assumptions",
    "provenance",
)


class Page(HTMLParser):
    """Collects section ids, tags, attributes and the cells of the first page's tables."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.section = ""
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(k, v or "") for k, v in attrs]
        if tag == "section":
            self.section = dict(attrs).get("id", "")
            self.sections.append(self.section)
        elif tag == "tr" and self.section == "summary":
            self.rows.append([])
        elif tag == "td" and self.section == "summary":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def parse(path) -> tuple[Page, str]:
    """The report's page and its text, with the no-break spaces between numbers and units as spaces."""
    text = path.read_text(encoding="utf-8").replace("\xa0", " ")
    page = Page()
    page.feed(text)
    page.close()
    return page, text


def danish_money(text: str) -> float:
    """'−1.234.567 kr.' -> -1234567."""
    return float(text.replace(" kr.", "").replace(".", "").replace("−", "-").replace(",", "."))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from somrisk.runner import report, run

    folder = tmp_path_factory.mktemp("report")
    da = report(example_case_path(), out=folder / "rapport.html", lang="da", draws=4000, seed=3)
    en = report(example_case_path(), out=folder / "report.html", lang="en", draws=4000, seed=3)
    from somrisk.io import summary_json

    summary = summary_json(run(example_case_path(), draws=4000, seed=3).summary)
    return da.path, en.path, summary


def test_the_report_has_every_section_in_order(reports):
    for path in reports[:2]:
        page, _ = parse(path)
        assert tuple(s for s in page.sections if s) == SECTIONS


def test_the_report_loads_nothing_from_anywhere(reports):
    for path in reports[:2]:
        page, text = parse(path)
        assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
        for name, value in page.attributes:
            if name in ("src", "href"):
                assert value.startswith("#"), (name, value)
        assert "@import" not in text and not re.search(r"url\((?!#)", text)
        without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]*"', "", text)
        assert "http://" not in without_namespaces and "https://" not in without_namespaces


def test_key_figures_equal_the_summary_json_of_the_same_run(reports):
    da, _, summary = reports
    page, _ = parse(da)
    words = Words("da")
    by_actor = {row[0]: row[1:] for row in page.rows if row}
    for actor, figures in summary["npv"].items():
        deterministic, mean, median, low, high, prob = by_actor[words.actor(actor)]
        assert danish_money(deterministic) == round(summary["deterministic"]["npv"][actor])
        assert danish_money(mean) == round(figures["mean"])
        assert danish_money(median) == round(figures["p50"])
        assert (danish_money(low), danish_money(high)) == (round(figures["p05"]), round(figures["p95"]))
        error = f"{100 * 1.96 * figures['prob_positive_se']:.1f}".replace(".", ",")
        assert prob == f"{words.percent(figures['prob_positive'])} (±{error})"


def test_the_investment_and_its_return_equal_the_reference_model(reports):
    """Present values of costs and gains at the base values, from tests/reference/numpy_model.py."""
    import tomllib

    from reference import numpy_model as reference

    da, _, summary = reports
    page, _ = parse(da)
    rows = {row[0]: row[1:] for row in page.rows if row}
    raw = tomllib.loads(example_case_path().read_text(encoding="utf-8"))
    base = reference.evaluate(raw, reference.base_values(raw))
    costs, gains = float(base["pv_costs"][0]), float(base["pv_gains"][0])
    assert danish_money(rows["Investering: indsatsens meromkostninger"][0]) == round(costs)
    assert danish_money(rows["Afkast: de økonomiske gevinster"][0]) == round(gains)
    ratio = rows["Afkast pr. investeret krone"]
    assert ratio[0] == f"{gains / costs:.2f}".replace(".", ",")
    assert ratio[1] == f"{summary['benefit_cost_ratio']:.2f}".replace(".", ",")


def test_the_verdict_names_each_actor_and_the_horizon(reports):
    da, en, summary = reports
    _, danish = parse(da)
    _, english = parse(en)
    words = Words("da")
    p = words.percent(summary["npv"]["kommune"]["prob_positive"])
    assert (
        f"Der er {p} sandsynlighed for, at indsatsen betaler sig for kommunen inden udgangen af 2034."
        in danish
    )
    p = Words("en").percent(summary["npv"]["total"]["prob_positive"])
    assert (
        f"There is a {p} probability that the intervention pays off in total by the end of 2034." in english
    )
    assert f"medianåret er {summary['payback']['median_year']}" in danish


def test_danish_and_english_use_their_own_terms_and_number_formats(reports):
    da, en, _ = reports
    _, danish = parse(da)
    _, english = parse(en)
    for term in (
        "Nettoresultat",
        "Omkostninger",
        "Økonomiske konsekvenser",
        "Tilbagebetalingstid",
        "Kommune",
        "Region",
        "Stat",
        " kr.",
    ):
        assert term in danish, term
    for term in ("Net result", "Costs", "Payback", "Municipality", "Region", "State", "DKK "):
        assert term in english, term
    assert re.search(r"\d\.\d{3}\.\d{3} kr\.", danish) and re.search(r"DKK \d,\d{3},\d{3}", english)
    assert 'lang="da"' in danish and 'lang="en"' in english


def test_bad_report_arguments_exit_2_and_write_nothing(cli, tmp_path):
    missing = tmp_path / "missing" / "r.html"
    for args, message in [
        (["--out", tmp_path / "r.pdf"], "allowed are HTML (.html)"),
        (["--out", missing], "does not exist"),
        (["--out", tmp_path / "r.html", "--lang", "fr"], "fr"),
        (["--out", tmp_path / "r.html", "--draws", "0"], "draws"),
    ]:
        result = cli("report", example_case_path(), *args)
        assert result.code == 2 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_command_writes_the_file(cli, tmp_path):
    out = tmp_path / "r.html"
    result = cli("report", "--out", out, "--lang", "en", "--draws", "1000")
    assert result.code == 0, result.stderr
    assert out.exists() and "Report written to" in result.stdout
    danish = cli("report", "--out", out, "--lang", "da", "--draws", "1000")
    assert danish.code == 0 and "Rapporten er skrevet til" in danish.stdout, danish.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_distributions_and_numbers_in_words():
    from somrisk.report.i18n import describe

    da, en = Words("da"), Words("en")
    assert (
        describe("triangular", {"min": 1, "mode": 2, "max": 4}, da)
        == "trekantfordeling 1-4, mest sandsynligt 2"
    )
    assert describe("pert", {"min": -70000, "mode": -55000, "max": -40000}, en) == (
        "PERT −70,000 to −40,000, most likely −55,000"
    )
    assert da.money(1234567.4) == "1.234.567 kr." and en.money(-1234567.4) == "DKK −1,234,567"
    assert da.percent(0.783, 1) == "78,3 %" and en.percent(0.783, 1) == "78.3 %"
    assert da.number(-0.2) == "0" and da.decimal(0.4158) == "0,4158"


def test_a_long_horizon_splits_the_year_table_to_fit_the_page(tmp_path):
    from somrisk import parse_case
    from somrisk.report.html import YEARS_PER_TABLE
    from somrisk.runner import report
    from somrisk.testing import minimal_case

    text = minimal_case(
        horizon=50,
        effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
        consequences='[[consequences]]\nname = "x"\ncategory = "sundhed"\nchange = -1\nprice = { region = 1000 }',
    )
    page = report(parse_case(text), out=tmp_path / "r.html", lang="en", draws=500).path.read_text(
        encoding="utf-8"
    )
    by_year = page[page.index('<section id="by-year">') : page.index('<section id="assumptions">')]
    assert by_year.count("<table") == -(-50 // YEARS_PER_TABLE)
    assert "Budget consequences: Health" in by_year and "Budget consequences: Employment" not in by_year


def test_som_figures_equal_the_summary_json_of_the_same_run(reports):
    da, _, summary = reports
    page, text = parse(da)
    rows = {row[0]: row[1:] for row in page.rows if row}
    total = rows["Nettoresultat over 10 år, udiskonteret"]
    assert danish_money(total[0]) == round(summary["deterministic"]["net_total"]["total"])
    assert danish_money(total[1]) == round(summary["net_total"]["total"]["mean"])
    assert danish_money(total[2]) == round(summary["net_total"]["total"]["p50"])
    per = rows["Nutidsværdi pr. deltager"]
    assert danish_money(per[0]) == round(summary["deterministic"]["npv_per_participant"])
    assert (danish_money(per[3]), danish_money(per[4])) == (
        round(summary["per_participant"]["npv"]["p05"]),
        round(summary["per_participant"]["npv"]["p95"]),
    )
    # the bundled example's two warnings, in Danish, on the first page
    first = text[text.index('<section id="summary">') : text.index('<section id="case"')]
    assert "Tidshorisonten (10 år) slutter før de sidste holds vinduer" in first
    assert "Tilbagefald kan være talt med to gange" in first
    assert "mens Uddannelseshjælp, Skat af beskæftigelse og Ungdomsuddannelse også har en profil" in first
    assert "skat_beskaeftigelse" not in first  # slugs are for the case file


def test_the_charts_svg_text_is_in_the_report_language_with_labels_not_paths(reports):
    """matplotlib writes text as glyphs with the string in a comment, a comment per line."""
    from html import unescape

    from somrisk import load_case
    from somrisk.labels import labels

    da, en, _ = reports
    paths = list(labels(load_case(example_case_path())))
    assert "effect.success_rate" in paths
    for path, lang, expected in (
        (
            da,
            "da",
            {"Effekt: succesrate", "Økonomiske konsekvenser", "andel alene", "andel inkl. samspil", "kr."},
        ),
        (
            en,
            "en",
            {"Effect: success rate", "Budget consequences", "share alone", "share incl. interactions", "DKK"},
        ),
    ):
        text = path.read_text(encoding="utf-8")
        comments = {unescape(c) for c in re.findall(r"<!-- (.*?) -->", text, re.DOTALL)}
        assert expected <= comments, expected - comments
        assert not [c for c in comments for p in paths if p in c], lang  # no input paths
        assert "S1" not in comments and "Tornado" not in comments
        assert ("DKK" in comments) == (lang == "en")


def test_the_provenance_names_the_case_file(reports):
    for path, sampler in zip(reports[:2], ("latinsk hyperkube (lhs)", "Latin hypercube (lhs)"), strict=True):
        text = path.read_text(encoding="utf-8")
        provenance = text[text.index('<section id="provenance"') :]
        assert f"<td>{example_case_path().name}</td>" in provenance
        assert sampler in provenance


def test_a_later_part_of_the_year_table_says_what_it_continues(reports):
    # the example's 10 years: 2025-2031 in the first table, 2032-2034 in a second one, which may
    # start a page of its own
    for path, text in (
        (reports[0], "Nettoresultat pr. år og aktør, fortsat: 2032-2034"),
        (reports[1], "Net result by year and actor, continued: 2032-2034"),
    ):
        html = path.read_text(encoding="utf-8")
        section = html[html.index('<section id="by-year">') :]
        section = section[: section.index("</section>")]
        assert section.count("<table") == 2 and section.count(text) == 1
        assert section.index(text) > section.index("<table")  # between the two tables


def test_the_registers_illustrative_sources_are_in_the_language(reports):
    da, en = (path.read_text(encoding="utf-8") for path in reports[:2])
    register = da[da.index('<section id="assumptions"') :]
    assert "<td>illustrativ</td>" in register and "<td>illustrative</td>" not in register
    assert "<td>illustrative</td>" in en[en.index('<section id="assumptions"') :]
