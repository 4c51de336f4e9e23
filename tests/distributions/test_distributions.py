"""Distributions against scipy.stats: the compiled inverse CDFs, means, CDFs and parameterisations.

scipy is the reference. The scipy objects here are built in the test from the raw parameters and
case-format.md's formulas, not through somrisk's own mapping.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy import special, stats

from somrisk import distributions
from somrisk._quantile_tables import build_table, hermite_coefficients
from somrisk.distributions import Canonical, Value, as_distribution
from somrisk.transform import ndtri, ppf


class ChinnEffect:
    """The effect e of model.md's `smd` form, written from the spec: d ~ Normal(mean, sd), ln OR =
    d pi / sqrt(3), p1 = p0 OR / (1 - p0 + p0 OR), e = p1 - p0; cdf and ppf through scipy's normal
    (e is increasing in d), the mean by quad over d."""

    def __init__(self, mean, sd, p0):
        self.d, self.p0, self.m, self.s = stats.norm(mean, sd), p0, mean, sd

    def effect(self, d):
        odds_ratio = np.exp(np.minimum(np.asarray(d, dtype=float) * math.pi / math.sqrt(3), 700))
        return self.p0 * odds_ratio / (1 - self.p0 + self.p0 * odds_ratio) - self.p0

    def to_d(self, e):  # the inverse, from p1 = p0 + e: OR = p1 (1 - p0) / (p0 (1 - p1))
        p1 = np.clip(self.p0 + np.asarray(e, dtype=float), 0.0, 1.0)
        with np.errstate(divide="ignore"):
            return np.log(p1 * (1 - self.p0) / (self.p0 * (1 - p1))) * math.sqrt(3) / math.pi

    def ppf(self, u):
        return self.effect(self.d.ppf(u))

    def cdf(self, e):
        return self.d.cdf(self.to_d(e))

    def sf(self, e):
        return self.d.sf(self.to_d(e))

    def mean(self):
        from scipy import integrate

        lo, hi = self.m - 40 * self.s, self.m + 40 * self.s
        turn = -math.log(self.p0 / (1 - self.p0)) * math.sqrt(3) / math.pi
        points = [turn] if lo < turn < hi else None
        area = integrate.quad(
            lambda d: self.effect(d) * self.d.pdf(d),
            lo,
            hi,
            points=points,
            epsabs=1e-14,
            epsrel=1e-12,
            limit=400,
        )[0]
        return float(area)


# (canonical form, independent scipy twin)
FORMS = [
    (Canonical("uniform", (1.0, 3.0)), stats.uniform(1, 2)),
    (Canonical("uniform", (-1e6, 1e6)), stats.uniform(-1e6, 2e6)),
    (Canonical("triangular", (1.0, 2.0, 4.0)), stats.triang(1 / 3, loc=1, scale=3)),
    (Canonical("triangular", (0.0, 0.0, 1.0)), stats.triang(0.0, loc=0, scale=1)),
    (Canonical("triangular", (0.0, 1.0, 1.0)), stats.triang(1.0, loc=0, scale=1)),
    (Canonical("normal", (0.0, 1.0)), stats.norm(0, 1)),
    (Canonical("normal", (95000.0, 5000.0)), stats.norm(95000, 5000)),
    (Canonical("normal", (1e6, 1.0)), stats.norm(1e6, 1)),
    (
        Canonical("truncnormal", (0.5, 0.3, 0.0, 1.0)),
        stats.truncnorm(-5 / 3, 5 / 3, loc=0.5, scale=0.3),
    ),
    (Canonical("truncnormal", (0.0, 1.0, 0.0, math.inf)), stats.truncnorm(0, np.inf)),
    (Canonical("truncnormal", (0.0, 1.0, 5.0, math.inf)), stats.truncnorm(5, np.inf)),
    (Canonical("truncnormal", (0.0, 1.0, -math.inf, -6.0)), stats.truncnorm(-np.inf, -6)),
    (Canonical("truncnormal", (0.0, 1.0, 30.0, 31.0)), stats.truncnorm(30, 31)),
    (Canonical("lognormal", (1.0, 0.5)), stats.lognorm(0.5, scale=math.e)),
    (Canonical("lognormal", (11.0, 1.5)), stats.lognorm(1.5, scale=math.exp(11))),
    (Canonical("beta", (2.0, 5.0, 0.0, 1.0)), stats.beta(2, 5)),
    (Canonical("beta", (19.0, 23.0, 0.0, 1.0)), stats.beta(19, 23)),
    (Canonical("beta", (1.0, 1.0, 0.0, 1.0)), stats.beta(1, 1)),
    (Canonical("beta", (0.5, 3.0, 0.0, 1.0)), stats.beta(0.5, 3)),
    (Canonical("beta", (0.5, 0.5, 0.0, 1.0)), stats.beta(0.5, 0.5)),
    (Canonical("beta", (501.0, 501.0, 0.0, 1.0)), stats.beta(501, 501)),
    (Canonical("beta", (1.0, 1e4, 0.0, 1.0)), stats.beta(1, 1e4)),
    (
        Canonical("beta", (3.0, 1.4, 150000.0, 150000.0)),
        stats.beta(3, 1.4, loc=150000, scale=150000),
    ),
    (Canonical("gamma", (2.5, 3.0)), stats.gamma(2.5, scale=3)),
    (Canonical("gamma", (0.3, 1.0)), stats.gamma(0.3)),
    (Canonical("gamma", (0.05, 2.0)), stats.gamma(0.05, scale=2)),
    (Canonical("gamma", (1e4, 10.0)), stats.gamma(1e4, scale=10)),
    (Canonical("gamma", (1e6, 1.0)), stats.gamma(1e6)),
    (Canonical("smd", (0.35, 0.5 / (2 * 1.959964), 0.25)), ChinnEffect(0.35, 0.5 / (2 * 1.959964), 0.25)),
    (Canonical("smd", (0.0, 1.0, 0.5)), ChinnEffect(0.0, 1.0, 0.5)),
    (Canonical("smd", (-0.5, 0.3, 0.05)), ChinnEffect(-0.5, 0.3, 0.05)),
    (Canonical("smd", (1.0, 2.0, 0.9)), ChinnEffect(1.0, 2.0, 0.9)),
]
IDS = [f"{form.kind}{form.params}" for form, _ in FORMS]


def test_every_continuous_form_has_a_row_in_the_scipy_table():
    # a new family with a form of its own adds one row above (fixed and empirical are atoms,
    # tested on their own)
    declared = {kind for kind, form in distributions.FORMS.items() if not form.discrete}
    assert declared <= {form.kind for form, _ in FORMS}, "add a row for the new form to FORMS"


U = np.concatenate(
    [
        np.random.default_rng(0).random(20_000),
        np.linspace(1e-6, 1 - 1e-6, 20_001),
        np.logspace(-16, -1, 400),
        1 - np.logspace(-16, -1, 400),
    ]
)
U = U[(U > 0) & (U < 1)]


@pytest.mark.parametrize(("form", "reference"), FORMS, ids=IDS)
def test_compiled_inverse_cdf_meets_scipy_within_1e_8(form, reference):
    x = ppf(form, U)
    assert np.isfinite(x).all()
    assert np.max(np.abs(reference.cdf(x) - U)) <= 1e-8


@pytest.mark.parametrize(("form", "reference"), FORMS, ids=IDS)
def test_compiled_inverse_cdf_is_monotone(form, reference):
    x = ppf(form, np.sort(U))
    assert np.all(np.diff(x) >= -1e-13 * np.maximum(1.0, np.abs(x[1:])))  # up to rounding


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy's own beta.ppf far in a tail
@pytest.mark.parametrize(("form", "reference"), FORMS, ids=IDS)
def test_mean_cdf_and_sf_equal_scipy(form, reference):
    assert form.mean() == pytest.approx(reference.mean(), rel=1e-12, abs=1e-12)
    for q in (1e-7, 0.01, 0.3, 0.5, 0.9, 1 - 1e-7):
        x = float(reference.ppf(q))
        assert form.cdf(x) == pytest.approx(reference.cdf(x), rel=1e-9, abs=1e-12)
        assert form.sf(x) == pytest.approx(reference.sf(x), rel=1e-9, abs=1e-12)


def test_empirical_inverse_is_the_generalised_inverse_of_the_ecdf():
    values = [3.0, 1.0, 2.0, 2.0, 10.0]
    form = Canonical("empirical", tuple(sorted(values)))
    u = np.random.default_rng(1).random(10_000)
    x = ppf(form, u)
    ordered = np.sort(values)
    expected = ordered[np.ceil(u * len(values)).astype(int) - 1]  # min{x: F(x) >= u}
    np.testing.assert_array_equal(x, expected)
    # each value is drawn with probability 1/n (twice for the repeated one)
    shares = np.array([np.mean(x == v) for v in (1.0, 2.0, 3.0, 10.0)])
    np.testing.assert_allclose(shares, [0.2, 0.4, 0.2, 0.2], atol=0.015)
    assert form.mean() == pytest.approx(np.mean(values))


def test_ndtri_as241_agrees_with_scipy():
    u = np.concatenate(
        [
            np.random.default_rng(2).random(100_000),
            np.logspace(-300, -1, 3000),
            1 - np.logspace(-16, -1, 300),
        ]
    )
    ours = np.array([ndtri(p) for p in u])
    reference = special.ndtri(u)
    np.testing.assert_allclose(ours, reference, rtol=5e-15, atol=1e-300)


def test_hermite_coefficients_equal_scipys_cubic_hermite_spline():
    from scipy.interpolate import CubicHermiteSpline

    x = np.sort(np.random.default_rng(3).random(12))
    y, slope = np.sin(3 * x), 3 * np.cos(3 * x)
    np.testing.assert_allclose(
        hermite_coefficients(x, y, slope),
        CubicHermiteSpline(x, y, slope).c.T,
        rtol=1e-12,
        atol=1e-12,
    )


def test_a_form_without_an_accurate_table_falls_back_to_scipy():
    # gamma with shape 0.01: most of the mass sits below the smallest double, no table can hold it
    assert build_table("gamma", (0.01, 1.0)) is None
    u = np.array([0.3, 0.5, 0.9])
    np.testing.assert_allclose(ppf(Canonical("gamma", (0.01, 1.0)), u), stats.gamma(0.01).ppf(u))


#: Points for the property tests below (a smaller U: many shapes).
U_SHAPES = np.concatenate(
    [np.linspace(1e-6, 1 - 1e-6, 2_001), np.logspace(-15, -1, 60), 1 - np.logspace(-15, -1, 60)]
)


def _node_scores(kind: str, shape: tuple[float, ...], w: np.ndarray, z: np.ndarray) -> np.ndarray:
    """ndtri(F(x)) at the nodes x(w) of a tail table, each from its own side of the median
    (independently of the table code: scipy's regularised incomplete beta and gamma)."""
    left = z <= 0
    if kind == "beta":
        a, b = shape
        lower, upper = special.betainc(a, b, special.expit(w)), special.betainc(b, a, special.expit(-w))
    else:
        lower, upper = special.gammainc(shape[0], np.exp(w)), special.gammaincc(shape[0], np.exp(w))
    return np.where(left, special.ndtri(lower), -special.ndtri(upper))


@settings(max_examples=30, deadline=None)
@given(
    st.one_of(
        # (below about 0.5 a quantile near 1 can lie closer to 1 than any double: scipy fails too)
        st.tuples(st.just("beta"), st.tuples(st.floats(0.6, 300.0), st.floats(0.6, 300.0))),
        st.tuples(st.just("beta"), st.floats(1.0, 5.0).map(lambda a: (a, 6.0 - a))),  # PERTs
        st.tuples(st.just("gamma"), st.tuples(st.floats(0.1, 1e5))),
    )
)
def test_every_node_of_a_table_meets_scipy_for_any_shape(case):
    # scipy's quantile starts only every START_STRIDE-th node of a tail table, the others start
    # from a cubic through those: after Newton's steps every node is as accurate
    kind, shape = case
    table = build_table(kind, shape)
    assert table is not None
    if kind == "beta" and sum(shape) == pytest.approx(6.0):
        assert table.tail.shape[0] == 512  # a PERT needs no finer grid
    nodes = np.arange(table.first, table.last + 1)
    z = table.z0 + nodes / table.inv_h
    w = table.tail[nodes, 3]
    assert np.max(np.abs(_node_scores(kind, shape, w, z) - z)) <= 1e-11
    params = (*shape, 0.0, 1.0) if kind == "beta" else (shape[0], 1.0)
    x = ppf(Canonical(kind, params), U_SHAPES)
    cdf = special.betainc(*shape, x) if kind == "beta" else special.gammainc(shape[0], x)
    assert np.max(np.abs(cdf - U_SHAPES)) <= 1e-8  # as promised (near 1, x = 1.0 is the nearest double)


VALUE = TypeAdapter(Value)


def parse(table: dict) -> object:
    return as_distribution(VALUE.validate_python(table))


PARAMETERISATIONS = [
    ({"dist": "uniform", "min": -2, "max": 6}, stats.uniform(-2, 8)),
    ({"dist": "triangular", "min": 1, "mode": 4, "max": 5}, stats.triang(3 / 4, loc=1, scale=4)),
    (
        {"dist": "pert", "min": 1, "mode": 2, "max": 5},
        stats.beta(1 + 4 * 1 / 4, 1 + 4 * 3 / 4, loc=1, scale=4),
    ),
    (
        {"dist": "pert", "min": 1, "mode": 2, "max": 5, "lambda": 6},
        stats.beta(1 + 6 * 1 / 4, 1 + 6 * 3 / 4, loc=1, scale=4),
    ),
    ({"dist": "beta", "successes": 18, "trials": 40}, stats.beta(19, 23)),
    ({"dist": "beta", "alpha": 2, "beta": 3}, stats.beta(2, 3)),
    ({"dist": "gamma", "shape": 2, "scale": 3}, stats.gamma(2, scale=3)),
    ({"dist": "lognormal", "mu": 1, "sigma": 0.5}, stats.lognorm(0.5, scale=math.e)),
    ({"dist": "normal", "mean": 3, "sd": 2}, stats.norm(3, 2)),
    (
        {"dist": "truncnormal", "mean": 0.5, "sd": 0.3, "min": 0},
        stats.truncnorm(-5 / 3, np.inf, 0.5, 0.3),
    ),
    (
        {"dist": "smd", "estimate": 0.35, "ci95": [0.10, 0.60], "comparison_rate": 0.25},
        ChinnEffect(0.35, 0.50 / (2 * 1.959964), 0.25),
    ),
    ({"dist": "smd", "mean": -0.2, "sd": 0.1, "comparison_rate": 0.4}, ChinnEffect(-0.2, 0.1, 0.4)),
]


def test_every_drawn_family_has_a_row_in_the_parameterisation_table():
    # fixed is never drawn; empirical has its own test above
    drawn = set(distributions.FAMILIES) - {"fixed", "empirical"}
    assert drawn <= {table["dist"] for table, _ in PARAMETERISATIONS}, "add a row for the new family"


@pytest.mark.parametrize(("table", "reference"), PARAMETERISATIONS)
def test_parameterisations_give_the_documented_distribution(table, reference):
    dist = parse(table)
    assert dist.mean == pytest.approx(reference.mean(), rel=1e-12)
    for q in (0.05, 0.5, 0.95):
        assert dist.scipy().ppf(q) == pytest.approx(reference.ppf(q), rel=1e-10)


@pytest.mark.parametrize(
    "table",
    [
        {"dist": "beta", "mean": 0.3, "sd": 0.1},
        {"dist": "gamma", "mean": 50000, "sd": 12000},
        {"dist": "lognormal", "mean": 2.0, "sd": 0.7},
    ],
)
def test_mean_sd_forms_have_that_mean_and_sd(table):
    dist = parse(table).scipy()
    assert dist.mean() == pytest.approx(table["mean"], rel=1e-12)
    assert dist.std() == pytest.approx(table["sd"], rel=1e-12)


def test_ci95_forms():
    normal = parse({"dist": "normal", "estimate": 0.2, "ci95": [0.05, 0.35]}).scipy()
    assert normal.mean() == pytest.approx(0.2)
    assert normal.std() == pytest.approx(0.30 / (2 * 1.959964))
    logn = parse({"dist": "lognormal", "estimate": 0.8, "ci95": [0.5, 1.2]}).scipy()
    assert logn.median() == pytest.approx(0.8)
    sigma = math.log(1.2 / 0.5) / (2 * 1.959964)
    assert logn.ppf(0.975) / logn.ppf(0.025) == pytest.approx(math.exp(2 * 1.959964 * sigma))


def test_base_value_is_base_else_estimate_else_mean():
    assert parse({"dist": "normal", "estimate": 0.2, "ci95": [0.05, 0.35], "base": 0.25}).base_value == 0.25
    assert parse({"dist": "lognormal", "estimate": 0.8, "ci95": [0.5, 1.2]}).base_value == 0.8
    pert = parse({"dist": "pert", "min": 1, "mode": 2, "max": 5})
    assert pert.base_value == pytest.approx((1 + 4 * 2 + 5) / 6)
    assert parse({"dist": "empirical", "values": [1, 2, 6]}).base_value == pytest.approx(3.0)
    assert parse({"dist": "fixed", "value": 7}).base_value == 7
    assert as_distribution(4.5).base_value == 4.5


positive = st.floats(0.01, 100, allow_nan=False)


@given(sd=st.floats(-100, 0, allow_nan=False), family=st.sampled_from(["normal", "lognormal", "gamma"]))
def test_non_positive_sd_is_refused(sd, family):
    with pytest.raises(ValidationError, match="greater than 0"):
        VALUE.validate_python({"dist": family, "mean": 1.0, "sd": sd})


@given(
    low=positive,
    width=st.floats(0, 100, allow_nan=False),
    family=st.sampled_from(["uniform", "triangular", "pert", "truncnormal"]),
)
def test_min_not_below_max_is_refused(low, width, family):
    table = {"dist": family, "min": low + width, "max": low}
    if family in ("triangular", "pert"):
        table["mode"] = low
    if family == "truncnormal":
        table |= {"mean": low, "sd": 1.0}
    with pytest.raises(ValidationError, match="must be less than"):
        VALUE.validate_python(table)


@given(k=st.integers(1, 1000), extra=st.integers(1, 100))
def test_more_successes_than_trials_is_refused(k, extra):
    with pytest.raises(ValidationError, match="cannot exceed"):
        VALUE.validate_python({"dist": "beta", "successes": k + extra, "trials": k})


@given(bad=st.sampled_from([math.nan, math.inf, -math.inf]), key=st.sampled_from(["mean", "sd"]))
def test_nan_and_infinity_are_refused(bad, key):
    table = {"dist": "normal", "mean": 1.0, "sd": 1.0} | {key: bad}
    with pytest.raises(ValidationError, match="finite number"):
        VALUE.validate_python(table)


def test_a_pickled_transform_holds_no_tables_and_gives_the_same_values():
    # Dask workers receive the Transform pickled; they build the tables themselves
    import pickle

    from somrisk.case import parse_case
    from somrisk.space import build_space
    from somrisk.testing import minimal_case
    from somrisk.transform import Transform

    costs = "\n".join(
        f'[[costs]]\nname = "c{i}"\nactor = "kommune"\nkind = "fixed"\nyear = 0\n'
        f'amount = {{ dist = "{kind}", {params} }}\n'
        for i, (kind, params) in enumerate(
            [
                ("pert", "min = 1, mode = 2, max = 5"),
                ("gamma", "shape = 2.5, scale = 3"),
                ("uniform", "min = 0, max = 1"),
            ]
        )
    )
    space = build_space(parse_case(minimal_case(costs=costs)))
    transform = Transform(space)
    u = np.random.default_rng(5).random((1000, len(space.uncertain)))
    before = transform(u)
    data = pickle.dumps(transform)
    assert len(data) < 20_000  # a quantile table alone is 48 kB
    after = pickle.loads(data)(u)
    np.testing.assert_array_equal(after, before)
    # and each column is its distribution's quantile (scipy twins from the raw parameters)
    assert space.paths == ("costs.c0.amount", "costs.c1.amount", "costs.c2.amount")
    np.testing.assert_allclose(stats.beta(2, 4, loc=1, scale=4).cdf(before[:, 0]), u[:, 0], atol=1e-8)
    np.testing.assert_allclose(stats.gamma(2.5, scale=3).cdf(before[:, 1]), u[:, 1], atol=1e-8)
    np.testing.assert_allclose(before[:, 2], u[:, 2], rtol=1e-15)
