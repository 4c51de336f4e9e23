"""Every real case in cases/ (and the bundled example) checks, runs, names its sources and has a page.

The cases are found by glob, so a case added to cases/ is covered without editing this file.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from somrisk import load_case, simulate, summarize

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "cases").glob("*.toml"))
BUNDLED = sorted((ROOT / "src" / "somrisk" / "data" / "cases").glob("*.toml"))
ALL = CASES + BUNDLED
DOCS = ROOT / "docs" / "cases"

# A citation key as the headers write it: [CRF2017], [SST2013], [L76-2018], [GIG].
KEY = re.compile(r"\[([A-Z][A-Z0-9-]*[A-Z0-9])\]")
# A key at the start of a `source = "..."` string ends in a year: "CRF2017 best arm ...".
SOURCE_KEY = re.compile(r'source = "([^"]*)"')
YEAR_KEY = re.compile(r"\b([A-Z][A-Z-]*[0-9]{4})\b")


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _header(path: Path) -> tuple[str, str]:
    """The leading comment block, and the rest of the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    n = 0
    while n < len(lines) and (lines[n].startswith("#") or not lines[n].strip()):
        n += 1
    return "\n".join(lines[:n]), "\n".join(lines[n:])


def test_the_real_cases_are_there():
    names = {p.stem for p in CASES}
    assert {"youth-cannabis", "adhd-rr2", "housing-first", "employment-mentor"} <= names
    assert BUNDLED, "the bundled example case is missing"


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_check_exits_0(cli, path):
    result = cli("check", str(path))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("OK")


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_a_small_run_is_finite_for_every_actor(path):
    case = load_case(path)
    sim = simulate(case, draws=2000, seed=1)
    assert np.isfinite(sim.npv).all()
    summary = summarize(sim)
    actors = [str(a) for a in summary.actor.values]
    assert actors == [*case.actors, "total"]
    for name in ("npv_mean", "npv_sd", "npv_quantile", "npv_prob_positive"):
        assert np.isfinite(summary[name].values).all(), name
    prob = summary.npv_prob_positive.values
    assert ((prob >= 0) & (prob <= 1)).all()


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_the_header_names_sources_and_what_is_illustrative(path):
    header, body = _header(path)
    assert len(header.splitlines()) >= 8, "a case file starts with a comment block on its sources"
    assert re.search(r"illustrativ", header, re.IGNORECASE), "the header says what is illustrative"
    defined = set(KEY.findall(header))
    assert defined or re.search(r"\b(Kilde|Kilder|Source|Sources)\b", header), "the header names sources"
    # every key cited below the header, in comments or in `source = "..."`, is defined in the header
    cited = set(KEY.findall(body))
    for source in SOURCE_KEY.findall(body):
        cited |= set(YEAR_KEY.findall(source))
    assert cited <= defined, f"cited but not in the header: {sorted(cited - defined)}"


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_every_case_has_a_docs_page(path):
    page = DOCS / f"{path.stem}.md"
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing"
    text = page.read_text(encoding="utf-8")
    assert f"cases/{path.name}" in text, "the page links its case file"
    assert "--seed" in text and "--draws" in text, "the page gives the commands it ran"
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    assert f"]({path.stem}.md)" in index, "docs/cases/README.md links the page"


def test_the_som_style_case_is_written_as_som_is_filled_in():
    """docs/cases/som-style.md: no persistence layer but SØM's onset and window, a horizon that fits
    the window, year-by-year consequences, and consequences during the course."""
    (path,) = [p for p in BUNDLED if p.stem == "som-style"]
    case = load_case(path)
    pers = case.persistence
    assert pers is not None and pers.window == 10 and pers.full_years is None and pers.decay is None
    assert pers.profile is None
    assert case.horizon_auto and case.horizon == case.participants.intake_years[1] + pers.onset + 10
    assert all(c.profile is not None for c in case.consequences if c.name != "boligstoette")
    assert any(c.during is not None and c.during_years == 2 for c in case.consequences)
    assert any(c.change == 1.0 and c.profile is not None and len(c.profile) == 10 for c in case.consequences)
