"""Cases the specification allows that a first version refused or misread (found in review)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from somrisk import CaseError, OutputError, parse_case, run, run_deterministic, simulate, summarize
from somrisk.runner import example_case_path
from somrisk.testing import minimal_case

CONSEQUENCE = '[[consequences]]\nname = "k"\nchange = -1\nprice = { kommune = 1000 }'


def test_a_fixed_value_is_drawn_and_its_base_is_for_the_deterministic_run():
    text = minimal_case(effect='{ dist = "fixed", value = 0.1, base = 0.2 }', consequences=CONSEQUENCE)
    case = parse_case(text)
    deterministic = run_deterministic(case).npv_total
    drawn = simulate(case, draws=20, seed=1).npv_total
    assert deterministic == pytest.approx(2 * drawn[0])  # effect 0.2 against 0.1, all else linear
    np.testing.assert_allclose(drawn, drawn[0])


def test_a_fixed_value_outside_its_range_is_refused_even_with_a_good_base():
    with pytest.raises(CaseError, match="must lie in"):
        parse_case(minimal_case(effect='{ dist = "fixed", value = 1.5, base = 0.2 }'))


@pytest.mark.parametrize("key", ["mean_", "lambda_"])
def test_internal_field_names_are_not_keys(key):
    dist = (
        '{ dist = "normal", mean_ = 1, sd = 1 }'
        if key == "mean_"
        else '{ dist = "pert", min = 0, mode = 1, max = 2, lambda_ = 2 }'
    )
    with pytest.raises(CaseError, match=f"{key}: unknown key"):
        parse_case(minimal_case(consequences=CONSEQUENCE.replace("change = -1", f"change = {dist}")))


def test_pert_with_lambda_zero_is_the_uniform_distribution():
    dist = '{ dist = "pert", min = -2, mode = -1, max = 0, lambda = 0 }'
    case = parse_case(minimal_case(consequences=CONSEQUENCE.replace("change = -1", f"change = {dist}")))
    assert case.consequences[0].change.scipy().ppf(0.25) == pytest.approx(-1.5)


def test_whole_numbers_written_with_a_decimal_point_are_accepted():
    text = minimal_case(
        horizon="6.0", persistence="[persistence]\nonset = 1.0\nwindow = 3.0", consequences=CONSEQUENCE
    )
    case = parse_case(text)
    assert case.info.horizon == 6 and case.persistence.window == 3


def test_a_byte_order_mark_is_not_content():
    text = minimal_case(consequences=CONSEQUENCE)
    assert parse_case(b"\xef\xbb\xbf" + text.encode()).name == "Toy case"


def test_duration_on_a_fixed_cost_is_ignored_with_a_warning():
    costs = '[[costs]]\nname = "c"\nactor = "kommune"\nkind = "fixed"\nduration = 2\namount = 100'
    with pytest.warns(UserWarning, match="ignored for a fixed cost"):
        case = parse_case(minimal_case(costs=costs, consequences=CONSEQUENCE))
    assert run_deterministic(case).costs.sum() == pytest.approx(100)


def test_a_consequence_without_prices_is_accepted_with_a_warning():
    with pytest.warns(UserWarning, match="names no price"):
        case = parse_case(minimal_case(consequences='[[consequences]]\nname = "k"\nchange = -1'))
    assert run_deterministic(case).npv_total == 0.0


def test_an_existing_file_where_a_zarr_folder_is_asked_for_is_refused_before_work(tmp_path):
    target = tmp_path / "cube.zarr"
    target.write_text("not a cube")
    with pytest.raises(OutputError, match="is a file, and a Zarr result is a folder"):
        run(example_case_path(), draws=10, out=target)
    assert target.read_text() == "not a cube"


def test_yearly_quantile_draws_counts_draws():
    with warnings.catch_warnings():
        summary = summarize(simulate(parse_case(minimal_case(consequences=CONSEQUENCE)), draws=37))
    assert summary.attrs["yearly_quantile_draws"] == 37


def test_payback_in_calendar_year_zero_is_a_year():
    text = minimal_case(consequences=CONSEQUENCE).replace("start_year = 2025", "start_year = 0")
    summary = summarize(simulate(parse_case(text), draws=10))
    assert int(summary.payback_deterministic_year) == 0
