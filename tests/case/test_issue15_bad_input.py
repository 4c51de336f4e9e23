"""Issue 15's bad-input rules through ``somrisk check`` where the other test files check them only
through the library (horizon "auto") or not at all (a price_index that is no table): exit 2, the
file, the key path, the value and what is allowed; never a traceback."""

from __future__ import annotations

import pytest

from somrisk.testing import minimal_case

CONSEQUENCE = '[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 1000 }\n'


@pytest.mark.parametrize(
    ("persistence", "cohorts", "says"),
    [
        ("", "[5, 5]", 'horizon = "auto" needs persistence.window'),
        ("[persistence]\ndecay = 0.2", "[5, 5]", "give a window, or a horizon in years (1 to 50)"),
        (  # last intake year 1 + onset 9 + window 41 = 51
            "[persistence]\nonset = 9\nwindow = 41",
            "[5, 5]",
            'horizon = "auto" gives 51 years (last intake year 1 + onset 9 + window 41), more than 50',
        ),
    ],
)
def test_horizon_auto_that_cannot_be_worked_out_is_exit_2(cli, write_case, persistence, cohorts, says):
    text = minimal_case(cohorts=cohorts, persistence=persistence, consequences=CONSEQUENCE)
    path = write_case(text.replace("horizon = 5", 'horizon = "auto"'))
    result = cli("check", path)
    assert result.code == 2
    message = " ".join(result.stderr.split())
    assert f"{path}: case.horizon: " in message and says in message and '(found "auto")' in message
    assert "Traceback" not in result.stderr + result.stdout


def test_horizon_auto_at_exactly_50_years_is_valid(cli, write_case):
    text = minimal_case(
        cohorts="[5, 5]", persistence="[persistence]\nonset = 9\nwindow = 40", consequences=CONSEQUENCE
    )
    result = cli("check", write_case(text.replace("horizon = 5", 'horizon = "auto"')))
    assert result.code == 0, result.stderr
    assert "horizon 50 years (2025-2074)" in " ".join(result.stdout.split())


def test_a_price_index_that_is_not_a_table_says_what_is_allowed(cli, write_case):
    path = write_case(minimal_case().replace("[economy]", "[economy]\nprice_index = 118.7", 1))
    result = cli("check", path)
    assert result.code == 2
    assert f"{path}: economy.price_index: expected a table {{ key = value, ... }} (found 118.7)" in " ".join(
        result.stderr.split()
    )


def test_a_cost_year_outside_an_auto_horizon_says_where_the_horizon_came_from(cli, write_case):
    cost = '[[costs]]\nname = "c"\nactor = "kommune"\nkind = "fixed"\nyear = 6\namount = 100\n'
    text = minimal_case(cohorts="[5, 5]", persistence="[persistence]\nwindow = 3", costs=cost)
    path = write_case(text.replace("horizon = 5", 'horizon = "auto"'))
    result = cli("check", path)
    assert result.code == 2
    assert (
        f'{path}: costs.c.year: lies outside the horizon: years are 0..3 (horizon = "auto": last intake '
        "year + onset + window) (found 6)"
    ) in " ".join(result.stderr.split())


@pytest.mark.parametrize("base", ["0.9", "-0.2", "0.8"])
def test_an_smd_base_outside_the_effects_reach_is_exit_2(cli, write_case, base):
    # e = p1 - p0 with p1 in (0, 1): at p0 = 0.2, e lies strictly between -0.2 and 0.8. Without
    # `base`: d = 0.3 gives logit(0.2) + 0.3 pi / sqrt(3) = -0.8422, p1 = 0.3011, e = 0.1011.
    effect = f'{{ dist = "smd", mean = 0.3, sd = 0.1, comparison_rate = 0.2, base = {base} }}'
    path = write_case(minimal_case(effect=effect, consequences=CONSEQUENCE))
    result = cli("check", path)
    assert result.code == 2
    message = " ".join(result.stderr.split())
    assert f"{path}: effect.effect: `base` is the effect e = p1 - p0 (not d)" in message
    assert "strictly between -0.2 and 0.8" in message and "conversion of d's mean, 0.1011" in message


def test_an_smd_base_inside_the_effects_reach_is_the_deterministic_effect(cli, write_case):
    effect = '{ dist = "smd", mean = 0.3, sd = 0.1, comparison_rate = 0.2, base = 0.79 }'
    result = cli("check", write_case(minimal_case(effect=effect, consequences=CONSEQUENCE)))
    assert result.code == 0, result.stderr
    assert "base 0.79" in result.stdout
