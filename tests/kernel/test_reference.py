"""The compiled kernel against the independent numpy implementation of model.md, draw by draw.

Both get the same input values (those the run drew, as recorded in the cube), so this compares the
calculation alone; the inverse CDFs are held to scipy in test_distributions.py.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from reference import numpy_model as reference
from somrisk import parse_case, run_deterministic, simulate
from somrisk.runner import example_case_path
from somrisk.testing import assert_cube_valid, minimal_case

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from benchcase import benchmark_case

NORMAL = '{ dist = "normal", mean = -0.2, sd = 0.05 }'
PRICE = '{ kommune = { dist = "pert", min = 80000, mode = 95000, max = 120000 }, stat = 45000 }'


def consequence(name: str = "k", change: str = NORMAL, price: str = PRICE, extra: str = "") -> str:
    return f'[[consequences]]\nname = "{name}"\nchange = {change}\nprice = {price}\n{extra}\n'


def cost(
    name: str, kind: str, amount: str, extra: str = "", actor: str = "kommune", table: str = "costs"
) -> str:
    return f'[[{table}]]\nname = "{name}"\nactor = "{actor}"\nkind = "{kind}"\namount = {amount}\n{extra}\n'


CASES = {
    "spec example": Path("/dev/null"),  # replaced below by the layout of case-format.md
    "bundled example": example_case_path(),
    "benchmark": benchmark_case(33),
    "onset, window, fractional F": minimal_case(
        horizon=12,
        cohorts="[10, 20, 15]",
        persistence="[persistence]\nonset = 1\nwindow = 4\n"
        'full_years = { dist = "uniform", min = 0.5, max = 3.5 }\n'
        'decay = { dist = "uniform", min = 0.2, max = 0.6 }',
        consequences=consequence(extra="profile = [0.5, 1.0, 0.8]"),
        costs=cost("a", "per_participant", "30000", "duration = 1.5")
        + cost("b", "fixed", "50000", "years = [0, 2]")
        + cost("c", "per_participant", "12000", table="comparison_costs", extra="duration = 2"),
    ),
    "explicit profile, growth, uncertain discount": minimal_case(
        horizon=8,
        cohorts="[5, 5]",
        discount_rate='{ dist = "uniform", min = 0.02, max = 0.06 }',
        price_growth='{ dist = "triangular", min = -0.01, mode = 0.01, max = 0.03 }',
        persistence="[persistence]\nonset = 2\nprofile = [1.0, 0.7, 0.4]",
        consequences=consequence()
        + consequence(
            "skat",
            change='{ dist = "normal", mean = 0.1, sd = 0.03 }',
            price='{ kommune = -60000, stat = { dist = "uniform", min = -50000, max = -30000 } }',
            extra='price_factor = { dist = "uniform", min = 0.9, max = 1.1 }',
        ),
    ),
    "decay only, per_year cohorts, negative effect": minimal_case(
        horizon=6,
        cohorts="[0]",
        effect='{ dist = "truncnormal", mean = -0.05, sd = 0.05, min = -1, max = 1 }',
        persistence='[persistence]\ndecay = { dist = "beta", alpha = 2, beta = 5 }',
        consequences=consequence(),
        costs=cost("a", "per_participant", '{ dist = "empirical", values = [20000, 25000, 31000] }'),
    ).replace("cohorts = [0]", 'per_year = { dist = "pert", min = 5, mode = 8, max = 12 }\nyears = [1, 3]'),
    "full years only, years as a count": minimal_case(
        horizon=7,
        cohorts="[0]",
        persistence='[persistence]\nfull_years = { dist = "gamma", mean = 2, sd = 1 }',
        consequences=consequence(),
    ).replace("cohorts = [0]", "per_year = 12\nyears = 2"),
    "SØM-style bundled case": example_case_path().with_name("som-style.toml"),  # horizon = "auto"
    "consequences during the course": minimal_case(
        horizon=9,
        cohorts="[10, 20, 15]",
        persistence="[persistence]\nonset = 2\nprofile = [1.0, 0.6]",
        consequences=consequence(
            "herberg",
            extra='during = { dist = "pert", min = -0.9, mode = -0.6, max = 0.1 }\nduring_years = 2\n'
            'price_factor = { dist = "uniform", min = 0.9, max = 1.1 }',
        )
        + consequence("skat", change="0.1", price="{ stat = -50000 }", extra="during = 0.05")
        + consequence("uden"),
        costs=cost("a", "per_participant", "30000", "duration = 2"),
    ),
    "cohort factors": minimal_case(
        horizon=8,
        cohorts="[10, 20, 15, 5]",
        effect='{ dist = "normal", mean = 0.2, sd = 0.05 }',
        persistence='[persistence]\ndecay = { dist = "uniform", min = 0.1, max = 0.3 }',
        consequences=consequence(extra="profile = [0.5, 1.0]"),
    ).replace("[effect]\n", '[effect]\ncohort_factor = [{ dist = "beta", alpha = 3, beta = 5 }, 0.8]\n'),
    "phase-in and during, per_year cohorts, growth": minimal_case(
        horizon=10,
        cohorts="[0]",
        price_growth='{ dist = "uniform", min = 0.0, max = 0.02 }',
        persistence="[persistence]\nonset = 1\nwindow = 5",
        consequences=consequence(
            extra='during = { dist = "normal", mean = -0.5, sd = 0.1 }\nduring_years = 3'
        )
        + consequence("b", extra="profile = [0.3, 1.0]\nduring = -0.2"),
    )
    .replace("cohorts = [0]", 'per_year = { dist = "uniform", min = 8, max = 12 }\nyears = [1, 4]')
    .replace(
        "[effect]\n",
        '[effect]\ncohort_factor = [0.5, { dist = "pert", min = 0.6, mode = 0.8, max = 1.0 }, 1.0]\n',
    ),
    "price years (bundled index)": minimal_case(
        horizon=6,
        cohorts="[10, 12]",
        consequences=consequence(extra="price_year = 2015")
        + consequence("skat", price="{ stat = -40000 }", extra="price_year = 2021"),
        costs=cost("a", "per_participant", "30000", "price_year = 2019\nduration = 1.5")
        + cost("b", "fixed", '{ dist = "uniform", min = 40000, max = 60000 }', "price_year = 2022")
        + cost("c", "per_participant", "12000", table="comparison_costs", extra="price_year = 2016"),
    ).replace("price_year = 2024", "price_year = 2023", 1),
    "price years (the case's own index)": minimal_case(
        horizon=5,
        cohorts="[10]",
        price_growth='{ dist = "uniform", min = 0.0, max = 0.02 }',
        consequences=consequence(extra="price_year = 2015")
        + consequence("skat", price="{ stat = -40000 }", extra="price_year = 2024"),
        costs=cost("a", "per_participant", "30000", "price_year = 2026")
        + cost("c", "per_participant", "12000", table="comparison_costs", extra="price_year = 2023"),
    ).replace("[economy]", "[economy]\nprice_index = { 2024 = 120.2, 2025 = 123.0, 2026 = 125.1 }", 1),
    "smd effect": minimal_case(
        horizon=6,
        cohorts="[10, 20]",
        effect='{ dist = "smd", estimate = 0.35, ci95 = [0.10, 0.60], comparison_rate = 0.25 }',
        persistence='[persistence]\ndecay = { dist = "uniform", min = 0.1, max = 0.3 }',
        consequences=consequence(),
        costs=cost("a", "per_participant", "30000"),
    ),
    # every term of issue 15 at once: cohorts from per_year over [1, 3], horizon "auto" (3 + 1 + 5 =
    # 9 years), an smd effect, uncertain cohort factors, during-course changes over two years, and
    # price years converted with the bundled index and with the case's own (2024 and 2026)
    "all new terms together": minimal_case(
        cohorts="[0]",
        effect='{ dist = "smd", mean = 0.4, sd = 0.1, comparison_rate = 0.3 }',
        discount_rate='{ dist = "uniform", min = 0.02, max = 0.05 }',
        price_growth='{ dist = "uniform", min = 0.0, max = 0.02 }',
        persistence='[persistence]\nonset = 1\nwindow = 5\nfull_years = { dist = "uniform", min = 0.5, max = 2.5 }'
        "\ndecay = 0.2",
        consequences=consequence(
            "herberg",
            extra='during = { dist = "pert", min = -0.9, mode = -0.6, max = 0.1 }\nduring_years = 2\n'
            'price_year = 2015\nprice_factor = { dist = "uniform", min = 0.9, max = 1.1 }',
        )
        + consequence(
            "skat", change="0.1", price="{ stat = -50000 }", extra="during = 0.05\nprice_year = 2026"
        )
        + consequence("uden", extra="profile = [0.5, 1.0]"),
        costs=cost("a", "per_participant", "30000", "duration = 1.5\nprice_year = 2019")
        + cost(
            "b",
            "fixed",
            '{ dist = "uniform", min = 40000, max = 60000 }',
            "years = [0, 2]\nprice_year = 2022",
        )
        + cost("c", "per_participant", "12000", table="comparison_costs", extra="price_year = 2026"),
    )
    .replace("horizon = 5", 'horizon = "auto"')
    .replace("cohorts = [0]", 'per_year = { dist = "uniform", min = 8, max = 12 }\nyears = [1, 3]')
    .replace("[economy]", "[economy]\nprice_index = { 2024 = 120.2, 2026 = 125.1 }", 1)
    .replace(
        "[effect]\n",
        '[effect]\ncohort_factor = [0.5, { dist = "pert", min = 0.6, mode = 0.8, max = 1.0 }, 1.0]\n',
    ),
}


def case_text(name: str) -> str:
    value = CASES[name]
    if name == "spec example":
        return SPEC_EXAMPLE
    return value.read_text(encoding="utf-8") if isinstance(value, Path) else value


SPEC_EXAMPLE = """
[case]
name = "Gruppeforløb for unge med hashmisbrug"
currency = "DKK"
price_year = 2024
start_year = 2025
horizon = 10
actors = ["kommune", "region", "stat"]

[economy]
discount_rate = 0.035
price_growth = 0.0

[participants]
cohorts = [20, 20, 20]

[effect]
measure = "Ophørt med misbrug efter 12 måneder"
success_rate = { dist = "beta", successes = 18, trials = 40 }
comparison_rate = { dist = "pert", min = 0.10, mode = 0.20, max = 0.30 }

[persistence]
onset = 0
window = 10
full_years = { dist = "triangular", min = 1, mode = 2, max = 4 }
decay = { dist = "uniform", min = 0.1, max = 0.4 }

[[costs]]
name = "opstart"
label = "Uddannelse af medarbejdere"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "pert", min = 150000, mode = 200000, max = 300000 }

[[costs]]
name = "gruppeforloeb"
label = "Gruppeforløb, 16 uger"
actor = "kommune"
kind = "per_participant"
duration = 1
amount = { dist = "normal", mean = 35000, sd = 5000 }

[[comparison_costs]]
name = "samtaler"
actor = "kommune"
kind = "per_participant"
duration = 1
amount = 12000

[[consequences]]
name = "kontanthjaelp"
label = "Kontanthjælp"
category = "beskaeftigelse"
unit = "år på ydelse"
change = { dist = "normal", mean = -0.12, sd = 0.04 }
profile = [0.5, 1.0]
price = { kommune = 95000, stat = 45000 }
price_factor = { dist = "uniform", min = 0.9, max = 1.1 }

[[correlations]]
inputs = ["effect.success_rate", "persistence.full_years"]
rank = 0.4
"""


@pytest.mark.parametrize("name", list(CASES))
def test_kernel_equals_the_numpy_reference_draw_by_draw(name):
    text = case_text(name)
    raw = tomllib.loads(text)
    sim = simulate(parse_case(text), draws=3000, seed=2, sampler="mc", keep_cube=True)
    cube = sim.cube
    assert_cube_valid(cube)
    values = reference.base_values(raw)
    values = {path: np.broadcast_to(v, (sim.draws,)) for path, v in values.items()}
    for path in cube.input.values:
        values[str(path)] = cube.inputs.sel(input=path).values
    expected = reference.evaluate(raw, values)
    scale = max(1.0, float(np.abs(expected["npv"]).max()))
    for key in ("gains", "costs", "net"):
        np.testing.assert_allclose(cube[key].values, expected[key], rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(sim.npv.T, expected["npv"], rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(
        sim.yearly_sample[:, -1, :].T, expected["cumulative"], rtol=1e-9, atol=1e-9 * scale
    )
    np.testing.assert_array_equal(sim.payback, expected["payback"])
    assert sim.pv_gains_mean == pytest.approx(expected["pv_gains"].mean(), rel=1e-9, abs=1e-9 * scale)
    assert sim.pv_costs_mean == pytest.approx(expected["pv_costs"].mean(), rel=1e-9, abs=1e-9 * scale)


@pytest.mark.parametrize("name", list(CASES))
def test_deterministic_run_equals_the_reference_at_base_values(name):
    text = case_text(name)
    raw = tomllib.loads(text)
    det = run_deterministic(parse_case(text))
    expected = reference.evaluate(raw, reference.base_values(raw))
    np.testing.assert_allclose(det.npv, expected["npv"][0], rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(det.gains, expected["gains"][0], rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(det.costs, expected["costs"][0], rtol=1e-10, atol=1e-6)
    assert det.payback == expected["payback"][0]
