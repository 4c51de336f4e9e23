"""The committee report's scenario table: from the comparison of the case and its scenarios."""

from __future__ import annotations

import re

from somrisk.case import parse_case
from somrisk.compare import compare_scenarios
from somrisk.report.i18n import Words
from somrisk.runner import report
from somrisk.testing import minimal_case

TEXT = minimal_case(
    effect='{ dist = "beta", alpha = 4, beta = 6 }',
    costs="""
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "normal", mean = 30000, sd = 4000 }
""",
    consequences="""
[[consequences]]
name = "ydelse"
category = "beskaeftigelse"
change = -0.5
price = { kommune = 40000, stat = 20000 }
""",
)
SCENARIOS = """
[[scenarios]]
name = "Effekt 25 % lavere"
scale = { "effect.effect" = 0.75 }
"""


def test_the_report_shows_each_scenario_against_the_base(tmp_path, write_case):
    path = write_case(TEXT + SCENARIOS)
    result = report(path, out=tmp_path / "r.html", lang="en", draws=2000, threads=1)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="scenarios">.*?</section>', page, re.S).group(0)
    assert "Base case" in section and "Effekt 25 % lavere" in section
    # the numbers are those of the comparison on the same draws
    comparison = compare_scenarios(parse_case(TEXT + SCENARIOS), draws=2000, threads=1)
    words = Words("en", "DKK")
    for name in comparison.names:
        assert words.money(float(comparison.npv(name)[0].mean())) in section
    kommune = comparison.labels.index("kommune")
    better = float((comparison.difference("Effekt 25 % lavere")[kommune] > 0).mean())
    assert f'<td class="n">{words.percent(better)}</td></tr>' in section
    assert result.data.scenarios is not None


def test_a_case_without_scenarios_has_no_scenario_section(tmp_path, write_case):
    path = write_case(TEXT)
    report(path, out=tmp_path / "r.html", lang="da", draws=500, threads=1)
    assert 'id="scenarios"' not in (tmp_path / "r.html").read_text(encoding="utf-8")
