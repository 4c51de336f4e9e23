"""`Transform.columns`: the inverse CDFs of some columns only give exactly those columns of the whole
transform (compare maps an alternative's changed inputs only, and copies the rest)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy import stats

from somrisk.case import parse_case
from somrisk.space import build_space
from somrisk.testing import minimal_case
from somrisk.transform import Transform

FORMS = [
    ("pert", "min = 1, mode = 2, max = 5"),
    ("gamma", "shape = 2.5, scale = 3"),
    ("uniform", "min = 0, max = 1"),
    ("normal", "mean = 10, sd = 2"),
    ("beta", "alpha = 4, beta = 6"),
    ("triangular", "min = 0, mode = 1, max = 4"),
]


def test_some_columns_are_exactly_those_columns_of_the_whole_transform():
    costs = "".join(
        f'[[costs]]\nname = "c{i}"\nactor = "kommune"\nkind = "fixed"\nyear = 0\n'
        f'amount = {{ dist = "{kind}", {params} }}\n'
        for i, (kind, params) in enumerate(FORMS)
    )
    space = build_space(parse_case(minimal_case(costs=costs)))
    whole = Transform(space)
    u = np.random.default_rng(11).random((3000, len(FORMS)))
    u[:4] = [[1e-12] * len(FORMS), [1 - 1e-12] * len(FORMS), [0.5] * len(FORMS), [0.01] * len(FORMS)]
    everything = whole(u)
    # against scipy too, so that equal columns are right columns
    np.testing.assert_allclose(stats.norm(10, 2).cdf(everything[4:, 3]), u[4:, 3], atol=1e-9)
    subsets = [(j,) for j in range(len(FORMS))] + [(5, 0), (1, 3, 4), tuple(range(len(FORMS)))[::-1]]
    subsets += list(itertools.combinations(range(len(FORMS)), 2))
    for take in subsets:
        part = whole.columns(np.array(take, dtype=np.intp))
        np.testing.assert_array_equal(
            part(np.ascontiguousarray(u[:, take])), everything[:, take], err_msg=str(take)
        )
