"""--set and --scale: the same as editing the file, validated like it, recorded in the provenance."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from somrisk.case import load_case, parse_case
from somrisk.case.overrides import Overrides, apply_overrides, applying
from somrisk.engine import simulate
from somrisk.errors import CaseError
from somrisk.testing import minimal_case

COST = """
[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = {amount}
"""
GAIN = """
[[consequences]]
name = "ydelse"
category = "beskaeftigelse"
change = -0.5
price = {{ kommune = 40000, stat = 20000 }}
"""


def linear_case(effect: str = '{ dist = "beta", alpha = 4, beta = 6 }', amount: str = "30000") -> str:
    """NPV linear in the effect (the only uncertain input of the default)."""
    return minimal_case(effect=effect, costs=COST.format(amount=amount), consequences=GAIN.format())


def npv(case, draws: int = 2000, seed: int = 3, sampler: str = "lhs") -> np.ndarray:
    return simulate(case, draws=draws, seed=seed, sampler=sampler, threads=1).npv


@pytest.mark.parametrize(
    ("path", "text", "edited"),
    [
        ("costs.forloeb.amount", "45000", linear_case(amount="45000")),
        (
            "costs.forloeb.amount",
            '{ dist = "pert", min = 20000, mode = 30000, max = 60000 }',
            linear_case(amount='{ dist = "pert", min = 20000, mode = 30000, max = 60000 }'),
        ),
        (
            "effect.effect",
            '{ dist = "uniform", min = 0.1, max = 0.3 }',
            linear_case(effect='{ dist = "uniform", min = 0.1, max = 0.3 }'),
        ),
    ],
)
def test_set_equals_editing_the_file(cli, write_case, path, text, edited):
    base = write_case(linear_case())
    edited_path = write_case(edited, "edited.toml")
    args = ("run", "--draws", "700", "--seed", "5", "--json")
    by_option = json.loads(cli(*args[:1], str(base), *args[1:], "--set", f"{path}={text}").stdout)
    by_file = json.loads(cli(*args[:1], str(edited_path), *args[1:]).stdout)
    assert by_option["npv"] == by_file["npv"]
    (recorded,) = by_option["overrides"]
    assert recorded.startswith(f"--set {path}=")
    assert "overrides" not in by_file


def test_set_a_number_into_a_section_the_file_leaves_out():
    text = linear_case().replace("[economy]\ndiscount_rate = 0.0\nprice_growth = 0.0", "")
    case = parse_case(text)
    edited = apply_overrides(case, Overrides(set={"economy.discount_rate": 0.05}))
    assert edited.economy.discount_rate == 0.05
    assert case.economy.discount_rate == 0.035  # the case itself is unchanged


@given(factor=st.floats(min_value=0.0, max_value=1.0))
def test_scale_multiplies_every_draw_of_the_input(factor):
    """NPV is linear in the effect with zero intercept (no costs), so NPV scales with it exactly."""
    case = parse_case(
        minimal_case(effect='{ dist = "beta", alpha = 4, beta = 6 }', consequences=GAIN.format())
    )
    base = simulate(case, draws=256, seed=2, threads=1, keep_inputs=True)
    scaled = simulate(
        apply_overrides(case, Overrides(scale={"effect.effect": factor})),
        draws=256,
        seed=2,
        threads=1,
        keep_inputs=True,
    )
    np.testing.assert_allclose(scaled.inputs, base.inputs * factor, rtol=1e-14, atol=0)
    np.testing.assert_allclose(scaled.npv, base.npv * factor, rtol=1e-12, atol=1e-6)


def test_scale_of_a_plain_number_is_the_number_times_the_factor():
    case = parse_case(linear_case())
    edited = apply_overrides(case, Overrides(scale={"costs.forloeb.amount": 1.5}))
    assert edited.costs[0].amount == 45000
    np.testing.assert_array_equal(npv(edited), npv(parse_case(linear_case(amount="45000"))))


def test_scale_of_a_distribution_keeps_its_mean_and_uniforms():
    case = parse_case(linear_case())
    edited = apply_overrides(case, Overrides(scale={"effect.effect": 0.75}))
    assert edited.effect.effect.mean == pytest.approx(0.4 * 0.75)
    assert edited.effect.effect.base_value == pytest.approx(0.4 * 0.75)
    assert edited.overrides == ("--scale effect.effect=0.75",)


def test_outputs_record_the_changes(cli, write_case, tmp_path):
    import xarray as xr

    case = write_case(linear_case())
    out = tmp_path / "cube.nc"
    result = cli("run", str(case), "--draws", "200", "--out", str(out), "--scale", "effect.effect=0.5")
    assert result.code == 0, result.stderr
    with xr.open_dataset(out) as cube:
        assert cube.attrs["overrides"] == "--scale effect.effect=0.5"
    report = tmp_path / "report.html"
    assert (
        cli("report", str(case), "--draws", "200", "--out", str(report), "--scale", "effect.effect=0.5").code
        == 0
    )
    assert "--scale effect.effect=0.5" in report.read_text(encoding="utf-8")


def test_overrides_reach_the_sensitivity_commands(cli, write_case):
    case = write_case(linear_case())
    plain = json.loads(cli("tornado", str(case), "--json").stdout)
    changed = json.loads(cli("tornado", str(case), "--json", "--set", "costs.forloeb.amount=0").stdout)
    assert changed["overrides"] == ["--set costs.forloeb.amount=0"]
    assert changed != plain


# --- bad input: exit 2, naming the path and the value ----------------------------------------------
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--set", "effect.efect=0.2"), ["effect.efect", "did you mean 'effect.effect'"]),
        (
            ("--scale", "cost.forloeb.amount=2"),
            ["cost.forloeb.amount", "did you mean 'costs.forloeb.amount'"],
        ),
        (("--set", "effect.effect=2"), ["effect.effect", "[-1, 1]"]),
        (("--set", 'costs.forloeb.amount={ dist = "normal", mean = 1 }'), ["costs.forloeb.amount", "sd"]),
        (("--set", 'effect.effect="high"'), ["effect.effect", "number or a distribution table"]),
        (("--set", "effect.effect=[1, 2]"), ["effect.effect", "number or a distribution table"]),
        (("--set", "effect.effect"), ["--set", "PATH=VALUE"]),
        (("--set",), ["--set", "PATH=VALUE"]),
        (("--set", "effect.effect=0.1 0.2"), ["--set", "effect.effect", "0.1 0.2"]),
        (("--scale", "effect.effect=nan"), ["effect.effect", "finite number", "nan"]),
        (("--scale", "effect.effect=inf"), ["effect.effect", "finite number", "inf"]),
        (("--scale", 'effect.effect={ dist = "fixed", value = 1 }'), ["effect.effect", "finite number"]),
        (("--scale", "effect.effect=3"), ["effect.effect", "scaled by 3", "[-1, 1]"]),
        (("--scale", "costs.forloeb.amount=-1"), ["costs.forloeb.amount", "[0, inf)"]),
        (("--scale", "effect.effect=0.5", "--scale", "effect.effect=0.6"), ["effect.effect", "twice"]),
    ],
)
def test_bad_overrides_are_exit_2_with_the_path_and_value(cli, write_case, args, words):
    case = write_case(linear_case())
    result = cli("run", str(case), "--draws", "100", *args)
    assert result.code == 2, result.stdout
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_a_negative_scale_of_a_rate_is_refused(write_case):
    text = linear_case(effect="0.1").replace(
        "effect = 0.1", 'success_rate = { dist = "beta", alpha = 4, beta = 6 }\ncomparison_rate = 0.05'
    )
    case = parse_case(text)
    with pytest.raises(CaseError, match=r"effect.success_rate: a rate's scale must be a number >= 0"):
        apply_overrides(case, Overrides(scale={"effect.success_rate": -0.5}))
    with pytest.raises(CaseError, match=r"effect.success_rate: scaled by 3: a rate must lie in \[0, 1\]"):
        apply_overrides(case, Overrides(scale={"effect.success_rate": 3}))


def test_a_negative_scale_of_an_unbounded_input_multiplies_every_draw():
    text = minimal_case(
        effect="0.2",
        consequences=GAIN.format().replace(
            "change = -0.5", 'change = { dist = "normal", mean = -0.5, sd = 0.1 }'
        ),
    )
    case = parse_case(text)
    base = simulate(case, draws=300, seed=4, threads=1)
    flipped = simulate(
        apply_overrides(case, Overrides(scale={"consequences.ydelse.change": -1})),
        draws=300,
        seed=4,
        threads=1,
    )
    np.testing.assert_allclose(flipped.npv, -base.npv, rtol=1e-12)


def test_load_case_applies_the_active_overrides_only_inside_the_block(write_case):
    path = write_case(linear_case())
    with applying(Overrides(set={"costs.forloeb.amount": 1000})):
        assert load_case(path).costs[0].amount == 1000
    assert load_case(path).costs[0].amount == 30000


def test_reproduce_names_changes_the_rerun_lacks(cli, write_case, tmp_path):
    case = write_case(linear_case())
    cube = tmp_path / "cube.nc"
    assert cli("run", case, "--draws", "300", "--out", cube, "--scale", "effect.effect=0.5").code == 0
    without = cli("run", "--reproduce", cube, case)
    assert without.code == 1 and "give the same --set/--scale" in without.stdout
    again = cli("run", "--reproduce", cube, case, "--scale", "effect.effect=0.5")
    assert again.code == 0, again.stderr + again.stdout
    assert "identical" in again.stdout


@pytest.mark.parametrize(
    "command", [["excel", "export", "{case}", "{folder}/c.xlsx"], ["catalog"], ["new", "{folder}/n.toml"]]
)
def test_commands_that_simulate_no_case_refuse_overrides(cli, write_case, tmp_path, command):
    case = write_case(linear_case())
    args = [arg.format(case=case, folder=tmp_path) for arg in command]
    result = cli(*args, "--scale", "effect.effect=0.5")
    assert result.code == 2
    assert "would change nothing" in result.stderr
    assert not list(tmp_path.glob("c.xlsx")) and not list(tmp_path.glob("n.toml"))


def test_a_portfolio_applies_the_changes_to_every_case_and_records_them(cli, write_case, tmp_path):
    write_case(linear_case(), "a.toml")
    write_case(linear_case().replace('name = "Toy case"', 'name = "Other"'), "b.toml")
    folder = write_case('[portfolio]\nname = "P"\ncases = ["a.toml", "b.toml"]\n', "p.toml")
    plain = json.loads(cli("portfolio", folder, "--draws", "400", "--json").stdout)
    changed = json.loads(
        cli("portfolio", folder, "--draws", "400", "--json", "--set", "costs.forloeb.amount=0").stdout
    )
    # the cost was 30,000 per participant for 10 participants in each case
    assert changed["npv"]["total"]["mean"] == pytest.approx(
        plain["npv"]["total"]["mean"] + 2 * 10 * 30000, rel=1e-9
    )
    assert changed["overrides"] == ["--set costs.forloeb.amount=0"]


def test_scale_of_a_list_item_multiplies_it_and_is_range_checked():
    """A cohort is a list item (``participants.cohorts.1``): scaled like a number in the file."""
    case = parse_case(minimal_case(cohorts="[10, 20]"))
    scaled = apply_overrides(case, Overrides(scale={"participants.cohorts.1": 1.5}))
    assert scaled.raw["participants"]["cohorts"] == [10, 30.0]
    with pytest.raises(CaseError) as refused:
        apply_overrides(case, Overrides(scale={"participants.cohorts.0": -1}))
    assert [p.key_path for p in refused.value.problems] == ["participants.cohorts.0"]
