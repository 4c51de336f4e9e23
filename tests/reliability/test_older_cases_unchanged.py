"""A case valid under the previous spec runs unchanged, with the same results (issue 15, "Bad input").

The cases are frozen copies, in tests/reliability/older_cases/, of the four bundled cases in cases/
as they were before the bundled cases took up price conversion (their prison prices at 2015 prices
were then used unconverted); the bundled cases have since changed, the copies must not. They use
none of the keys issue 15 added (during, cohort_factor, price_year on items, price_index, smd,
horizon = "auto"). Their JSON summary figures at 512 draws, seed 7, are pinned to the numbers the
code of commit 385d574 (before consequences during the course, cohort factors, price conversion, the
smd form and horizon "auto" were built) printed for
``somrisk run cases/NAME.toml --draws 512 --seed 7 --json``, run in a temporary checkout
(``git archive 385d574``) on 2026-12-06, whose cases/ files are the same as these copies. The
deterministic figures are also held to the independent numpy model (tests/reference/numpy_model.py).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from reference import numpy_model as reference

#: frozen copies of the bundled cases as they were valid under the previous spec (see above)
CASES = Path(__file__).parent / "older_cases"

#: figures printed by commit 385d574's code (see the module docstring); keys are JSON paths
PINNED: dict[str, dict[str, float]] = {
    "adhd-rr2": {
        "deterministic.npv.total": 2788110.40370044,
        "deterministic.net_total.total": 3438956.3247671835,
        "deterministic.npv_per_participant": 31683.072769323186,
        "deterministic.benefit_cost_ratio": 2.476533701062719,
        "npv.total.mean": 2862288.3364692447,
        "npv.kommune.mean": 1301979.5522940352,
        "npv.region.mean": 112575.2255523126,
        "npv.stat.mean": 1447733.5586228967,
        "npv.total.p05": -305268.6596984135,
        "npv.total.p95": 6726927.269751733,
        "npv.total.prob_positive": 0.90625,
    },
    "employment-mentor": {
        "deterministic.npv.total": -3990483.8057127423,
        "deterministic.net_total.total": -3005980.13452622,
        "deterministic.npv_per_participant": -13301.61268570914,
        "deterministic.benefit_cost_ratio": 0.6318927178560864,
        "npv.total.mean": -3765120.0624577682,
        "npv.kommune.mean": -2943137.6856217794,
        "npv.stat.mean": -821982.3768359887,
        "npv.total.p05": -9873364.329992738,
        "npv.total.p95": 2177694.338095498,
        "npv.total.prob_positive": 0.150390625,
    },
    "housing-first": {
        "deterministic.npv.total": 11460555.207173007,
        "deterministic.net_total.total": 14033774.97222389,
        "deterministic.npv_per_participant": 191009.25345288345,
        "deterministic.benefit_cost_ratio": 2.1974866479807584,
        "npv.total.mean": 11703523.316866556,
        "npv.kommune.mean": 8207186.521633862,
        "npv.region.mean": 1727362.743471931,
        "npv.stat.mean": 1768974.0517607639,
        "npv.total.p05": -517437.3600927216,
        "npv.total.p95": 26682717.627165657,
        "npv.total.prob_positive": 0.935546875,
    },
    "youth-cannabis": {
        "deterministic.npv.total": 887170.5965383857,
        "deterministic.net_total.total": 1101896.998851102,
        "deterministic.npv_per_participant": 12495.36051462515,
        "deterministic.benefit_cost_ratio": 3.226137176471093,
        "npv.total.mean": 913192.2659413387,
        "npv.kommune.mean": 744962.3400481429,
        "npv.region.mean": 95277.96232610787,
        "npv.stat.mean": 72951.96356708789,
        "npv.total.p05": -139392.3914178218,
        "npv.total.p95": 2183473.7047646237,
        "npv.total.prob_positive": 0.92578125,
    },
}


def uses_issue_15_keys(raw: dict) -> bool:
    items = [*raw.get("costs", []), *raw.get("comparison_costs", []), *raw.get("consequences", [])]
    return (
        raw["case"].get("horizon") == "auto"
        or "cohort_factor" in raw["effect"]
        or "price_index" in raw.get("economy", {})
        or any(key in item for item in items for key in ("price_year", "during", "during_years"))
        or any(isinstance(v, dict) and v.get("dist") == "smd" for v in raw["effect"].values())
    )


def lookup(summary: dict, path: str) -> float:
    value = summary
    for key in path.split("."):
        value = value[key]
    return float(value)


@pytest.mark.parametrize("name", list(PINNED))
def test_an_older_case_gives_the_figures_it_gave_before(cli, name: str) -> None:
    raw = tomllib.loads((CASES / f"{name}.toml").read_text(encoding="utf-8"))
    assert not uses_issue_15_keys(raw)
    result = cli("run", CASES / f"{name}.toml", "--draws", "512", "--seed", "7", "--json")
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout)
    for path, expected in PINNED[name].items():
        assert lookup(summary, path) == pytest.approx(expected, rel=1e-9), path


@pytest.mark.parametrize("name", list(PINNED))
def test_the_pinned_deterministic_figures_are_the_reference_models(name: str) -> None:
    raw = tomllib.loads((CASES / f"{name}.toml").read_text(encoding="utf-8"))
    out = reference.evaluate(raw, reference.base_values(raw))
    assert not uses_issue_15_keys(raw)
    base = reference.base_values(raw)
    part = raw["participants"]
    if "cohorts" in part:
        participants = sum(float(base[f"participants.cohorts.{i}"][0]) for i in range(len(part["cohorts"])))
    else:  # per_year over `years`: a count or [first, last]
        years = part["years"]
        count = years if isinstance(years, int) else years[1] - years[0] + 1
        participants = float(base["participants.per_year"][0]) * count
    pinned = PINNED[name]
    npv = float(out["npv"][0].sum())
    net_total = float(out["net"][0].sum())
    assert npv == pytest.approx(pinned["deterministic.npv.total"], rel=1e-9)
    assert net_total == pytest.approx(pinned["deterministic.net_total.total"], rel=1e-9)
    assert npv / participants == pytest.approx(pinned["deterministic.npv_per_participant"], rel=1e-9)
    bcr = float(out["pv_gains"][0] / out["pv_costs"][0])
    assert bcr == pytest.approx(pinned["deterministic.benefit_cost_ratio"], rel=1e-9)
    assert np.isfinite(bcr)
