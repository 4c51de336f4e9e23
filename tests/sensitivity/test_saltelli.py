"""Saltelli's design: SALib's layout, built with scipy's Sobol points; indices of a case whose groups
have columns apart from each other."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from SALib.sample import sobol as salib_sobol

from sensitivity.cases import additive_case
from somrisk import parse_case, sobol
from somrisk.sensitivity.saltelli import design_rows, saltelli_design

UNGROUPED = ("d", "a", "c", "b")  # not in sorted order: groups keep the order of their first input
GROUPED = ("y", "x", "y", "z", "x")  # group y in columns 0 and 2, x in 1 and 4


@pytest.mark.parametrize("labels", [UNGROUPED, GROUPED], ids=["inputs", "groups"])
@pytest.mark.parametrize("second_order", [False, True], ids=["S1-ST", "S2"])
def test_the_design_is_salibs_for_the_same_scrambling(labels, second_order):
    problem = {"num_vars": len(labels), "names": [f"p{j}" for j in range(len(labels))]}
    problem["bounds"] = [[0.0, 1.0]] * len(labels)
    if len(set(labels)) < len(labels):
        problem["groups"] = list(labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib passes scipy the older `seed` keyword
        expected = salib_sobol.sample(
            problem,
            64,
            calc_second_order=second_order,
            scramble=True,
            seed=np.random.default_rng(np.random.SeedSequence(11)),
        )
    design = saltelli_design(labels, 64, second_order, np.random.SeedSequence(11))
    np.testing.assert_array_equal(design, expected)


@pytest.mark.parametrize("labels", [UNGROUPED, GROUPED], ids=["inputs", "groups"])
@pytest.mark.parametrize("second_order", [False, True], ids=["S1-ST", "S2"])
def test_each_block_swaps_the_columns_of_one_group_between_a_and_b(labels, second_order):
    n, d = 32, len(labels)
    names = list(dict.fromkeys(labels))
    g = len(names)
    design = saltelli_design(labels, n, second_order, np.random.SeedSequence(2))
    assert design.shape == (design_rows(n, g, second_order), d)
    assert design_rows(n, g, second_order) == n * ((2 * g + 2) if second_order else (g + 2))
    blocks = design.reshape(n, -1, d)
    a, b = blocks[:, 0], blocks[:, -1]
    for k, name in enumerate(names):
        swapped = np.array([label == name for label in labels])
        ab = blocks[:, 1 + k]
        np.testing.assert_array_equal(ab[:, swapped], b[:, swapped])
        np.testing.assert_array_equal(ab[:, ~swapped], a[:, ~swapped])
        if second_order:
            ba = blocks[:, 1 + g + k]
            np.testing.assert_array_equal(ba[:, swapped], a[:, swapped])
            np.testing.assert_array_equal(ba[:, ~swapped], b[:, ~swapped])
    # A and B are the two halves of scrambled Sobol points: every column of each has exactly one
    # point in each of the n intervals [i/n, (i+1)/n), and A and B differ everywhere
    for matrix in (a, b):
        assert ((matrix >= 0) & (matrix < 1)).all()
        for column in matrix.T:
            np.testing.assert_array_equal(np.sort(np.floor(column * n)), np.arange(n))
    assert (a != b).all()


def test_the_seed_fixes_the_scrambling():
    labels = tuple("abc")
    first = saltelli_design(labels, 16, False, np.random.SeedSequence(1))
    np.testing.assert_array_equal(first, saltelli_design(labels, 16, False, np.random.SeedSequence(1)))
    assert not np.array_equal(first, saltelli_design(labels, 16, False, np.random.SeedSequence(2)))


def interleaved_case() -> str:
    """NPV = -c + 10 * 0.5 * (-q * 100 + v - w * 200): cases.additive_case (a cost c ~ U(0, 600),
    a change q ~ U(-2, 0), a price v ~ U(0, 120)) with a change w ~ U(-1, 0) after them, so that
    the inputs come in the order c, q, v, w and the consequences group's columns are not next to
    each other."""
    return (
        additive_case()
        + """
[[consequences]]
name = "w"
change = { dist = "uniform", min = -1.0, max = 0.0 }
price = { kommune = 200 }
"""
    )


# variances of the terms of interleaved_case's NPV: c, q, v, w (a uniform of width h has h^2 / 12)
TERM_VARIANCES = np.array([600**2, 500**2 * 2**2, 5**2 * 120**2, 1000**2 * 1**2]) / 12


def test_indices_of_a_linear_case_are_the_terms_variance_shares():
    result = sobol(parse_case(interleaved_case()), n=8192, seed=4)
    assert result.names == (
        "costs.c.amount",
        "consequences.q.change",
        "consequences.v.price.stat",
        "consequences.w.change",
    )
    shares = TERM_VARIANCES / TERM_VARIANCES.sum()
    np.testing.assert_allclose(result.S1, shares, atol=0.02)
    np.testing.assert_allclose(result.ST, shares, atol=0.02)
    assert result.variance == pytest.approx(TERM_VARIANCES.sum(), rel=0.05)


def test_group_indices_with_columns_apart_are_the_groups_variance_shares():
    result = sobol(parse_case(interleaved_case()), n=8192, seed=4, groups=True)
    assert result.names == ("costs", "consequences", "prices")
    c, q, v, w = TERM_VARIANCES
    shares = np.array([c, q + w, v]) / TERM_VARIANCES.sum()
    np.testing.assert_allclose(result.S1, shares, atol=0.02)
    np.testing.assert_allclose(result.ST, shares, atol=0.02)
    assert result.evaluations == 8192 * (3 + 2)
