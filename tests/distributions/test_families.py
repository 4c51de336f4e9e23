"""The family declarations (distributions.FAMILIES): each is complete, and every place that needs a
family's knowledge reads it from there.

The numbers of each family are tested against scipy in test_distributions.py; here, what a new
declaration must provide, and that a form declared with nothing but a scipy twin is drawn right.
"""

from __future__ import annotations

import math
import string
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from somrisk import distributions, transform
from somrisk.distributions import FAMILIES, Canonical, Family, Form, Uniform
from somrisk.io.excel import layout
from somrisk.report.i18n import Words, describe

#: What the report fills into a family's words (report/html.py: _in_words).
REPORT_FIELDS = {"range", "mode", "mean", "sd", "median", "value", "count"}
#: ... and what a family adds through its `word_params` (smd: d, its sd and the comparison rate).
WORD_PARAMS = {"smd": {"d", "d_sd", "p0"}}


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_a_family_has_words_in_danish_and_english_naming_only_what_the_report_fills_in(family):
    if family.words is None:  # shown by its own parameters
        with pytest.raises(KeyError, match="no words"):
            describe(family.name, {"mean": 1.0}, Words("en"))
        return
    assert set(family.words) == {"da", "en"}
    for template in family.words.values():
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert fields <= REPORT_FIELDS | WORD_PARAMS.get(family.name, set()), template
        if fields & {"range", "mode"}:  # only families that have these keys can show them
            assert {"min", "max"} <= set(family.keys)
        if "mode" in fields:
            assert "mode" in family.keys


def test_smd_word_params_are_the_d_and_p0_the_case_gives():
    from somrisk.distributions.families import Smd

    smd = Smd.model_validate({"dist": "smd", "estimate": 0.35, "ci95": [0.1, 0.6], "comparison_rate": 0.25})
    params = smd.word_params()
    assert set(params) == WORD_PARAMS["smd"]
    assert params["d"] == 0.35 and params["p0"] == 0.25
    assert params["d_sd"] == pytest.approx(0.5 / (2 * 1.959964), rel=1e-6)


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_every_key_of_a_family_has_a_workbook_column_with_help(family):
    keys = set(family.keys) - {"values"}  # empirical: on the sheet Empirisk
    covered = {c.removesuffix("_lo").removesuffix("_hi") for c in family.columns}
    assert keys == covered, "add the new key to distributions.PARAMETER_COLUMNS"
    for column in family.columns:
        assert column in layout.INPUT_COLUMNS
        assert layout.COLUMN_HELP[column]
    assert layout.DIST_HELP[family.name] == family.excel != ""


def test_the_workbook_columns_are_the_documented_ones_in_their_order():
    # docs/excel.md and every workbook written so far: changing the order changes the files
    assert (
        *("value", "dist", "min", "mode", "max", "lambda", "mean", "sd", "estimate", "ci95_lo", "ci95_hi"),
        *("mu", "sigma", "alpha", "beta", "successes", "trials", "shape", "scale", "comparison_rate"),
        *("base", "source"),
    ) == layout.INPUT_COLUMNS
    assert FAMILIES["normal"].columns == ("mean", "sd", "estimate", "ci95_lo", "ci95_hi")
    assert FAMILIES["empirical"].columns == ()


@pytest.mark.parametrize("name", list(distributions.FORMS))
def test_every_form_is_drawn_by_a_compiled_route_or_never(name):
    form = distributions.FORMS[name]
    assert form.inverse is None or form.inverse in transform.ROUTES
    assert (form.inverse is None) == (name == "fixed")


def test_the_families_are_those_of_case_format_md_in_its_order():
    assert list(FAMILIES) == [
        *("fixed", "uniform", "triangular", "pert", "normal", "truncnormal", "lognormal"),
        *("beta", "gamma", "empirical", "smd"),
    ]
    assert set(distributions.FORMS) == set(FAMILIES) - {"pert"}  # pert is a beta on [min, max]


def test_a_declaration_whose_model_is_another_family_is_refused():
    with pytest.raises(TypeError, match="must be Literal\\['triangular'\\]"):
        Family("triangular", Uniform, None, None, "")


@pytest.fixture
def weibull(monkeypatch):
    """A form declared with only its closed forms and scipy twin, drawn through scipy's ppf."""
    twin = stats.weibull_min
    form = Form(
        ("shape", "scale"),
        mean=lambda p: float(twin(p[0], scale=p[1]).mean()),
        tail=lambda p, x, upper: float((twin.sf if upper else twin.cdf)(x, p[0], scale=p[1])),
        scipy=lambda p: twin(p[0], scale=p[1]),
        inverse="scipy",
    )
    monkeypatch.setitem(distributions.FORMS, "weibull", form)
    transform.inverse_cdf.cache_clear()
    yield Canonical("weibull", (1.5, 2.0))
    transform.inverse_cdf.cache_clear()


def test_a_new_form_with_the_scipy_route_is_drawn_by_its_twin(weibull):
    u = np.random.default_rng(7).random(1000)
    reference = stats.weibull_min(1.5, scale=2.0)  # independent of the declaration
    np.testing.assert_allclose(transform.ppf(weibull, u), reference.ppf(u), rtol=1e-12)
    assert weibull.mean() == pytest.approx(2.0 * math.gamma(1 + 1 / 1.5), rel=1e-12)
    assert weibull.cdf(2.0) == pytest.approx(1 - np.exp(-1.0))
    assert weibull.sf(2.0) == pytest.approx(np.exp(-1.0))


def test_a_form_swapped_to_the_scipy_route_gives_scipys_quantiles(monkeypatch):
    # the route is the declaration's: the same gamma, drawn by scipy instead of its table
    monkeypatch.setitem(distributions.FORMS, "gamma", replace(distributions.FORMS["gamma"], inverse="scipy"))
    transform.inverse_cdf.cache_clear()
    try:
        form = Canonical("gamma", (2.5, 3.0))
        assert transform.inverse_cdf(form).kind == transform.SCIPY
        u = np.linspace(0.01, 0.99, 99)
        np.testing.assert_allclose(transform.ppf(form, u), stats.gamma(2.5, scale=3.0).ppf(u), rtol=1e-12)
    finally:
        transform.inverse_cdf.cache_clear()
