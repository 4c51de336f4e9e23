"""SØM's own figures (model.md, "Relation to SØM" and "Per-draw calculation"): the undiscounted net
result over the horizon NT, the per-participant NPV and NT (divided by every participant), and the
benefit-cost ratio, in the summary, the JSON and the run table, checked against hand calculations
and against the cube."""

from __future__ import annotations

import json

import numpy as np
import pytest

from somrisk import parse_case, simulate, summarize
from somrisk.io import summary_json
from somrisk.testing import minimal_case

CONSEQUENCE = '[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 1000, stat = 500 }\n'
COST = '[[costs]]\nname = "start"\nactor = "kommune"\nkind = "fixed"\nyear = 0\namount = 2000\n'


def test_hand_calculated_totals_and_per_participant_figures():
    # 10 participants, effect 0.1: each year 0.1 x 10 x 1 unit less, worth 1000 (kommune) and 500
    # (stat): gains 1000 and 500 a year for 3 years; a cost of 2000 for the kommune in year 0.
    # NT: kommune 3 x 1000 - 2000 = 1000, stat 1500, total 2500; per participant 250.
    # NPV at r = 10 %: kommune 1000 (1 + 1/1.1 + 1/1.21) - 2000 = 735.537..., stat 1367.768...
    case = parse_case(minimal_case(horizon=3, discount_rate="0.1", consequences=CONSEQUENCE, costs=COST))
    summary = summarize(simulate(case, draws=10))
    factor = 1 + 1 / 1.1 + 1 / 1.21
    npv_total = 1000 * factor - 2000 + 500 * factor
    for name in ("net_total_deterministic", "net_total_mean"):
        np.testing.assert_allclose(summary[name].values, [1000, 0, 1500, 2500][: summary.sizes["actor"]])
    per = summary.per_participant_deterministic
    assert per.sel(per_participant="npv").item() == pytest.approx(npv_total / 10, rel=1e-12)
    assert per.sel(per_participant="net_total").item() == pytest.approx(250.0, rel=1e-12)
    # E[PV gains] / E[PV costs]: 1500 x factor / 2000
    assert summary.benefit_cost_ratio_deterministic.item() == pytest.approx(1500 * factor / 2000)
    document = summary_json(summary)
    assert document["deterministic"]["net_total"]["total"] == pytest.approx(2500.0)
    assert document["deterministic"]["npv_per_participant"] == pytest.approx(npv_total / 10)
    assert document["deterministic"]["net_total_per_participant"] == pytest.approx(250.0)
    assert document["per_participant"]["net_total"]["mean"] == pytest.approx(250.0)
    assert document["net_total"]["kommune"]["p50"] == pytest.approx(1000.0)
    assert document["benefit_cost_ratio"] == pytest.approx(1500 * factor / 2000)
    assert document["warnings"] == []
    json.dumps(document, allow_nan=False)


def test_totals_and_per_participant_figures_agree_with_the_cube_draw_by_draw():
    text = minimal_case(
        horizon=6,
        discount_rate='{ dist = "uniform", min = 0.02, max = 0.06 }',
        cohorts='[{ dist = "pert", min = 5, mode = 10, max = 20 }, 8]',
        effect='{ dist = "normal", mean = 0.1, sd = 0.03 }',
        consequences=CONSEQUENCE,
        costs=COST,
    )
    sim = simulate(parse_case(text), draws=5000, seed=9, keep_cube=True)
    cube = sim.cube
    nt = cube.net.sum("year").transpose("actor", "draw").values
    np.testing.assert_allclose(sim.net_total, nt, rtol=1e-12, atol=1e-9)
    participants = cube.inputs.sel(input="participants.cohorts.0").values + 8
    np.testing.assert_allclose(sim.participants, participants, rtol=1e-15)
    summary = summarize(sim)
    per = summary.per_participant_mean
    assert per.sel(per_participant="npv").item() == pytest.approx(
        float(np.mean(cube.npv.sum("actor").values / participants)), rel=1e-12
    )
    assert per.sel(per_participant="net_total").item() == pytest.approx(
        float(np.mean(nt.sum(axis=0) / participants)), rel=1e-12
    )
    q = summary.net_total_quantile.sel(actor="total", quantile=0.95).item()
    assert q == pytest.approx(float(np.percentile(nt.sum(axis=0), 95)), rel=1e-12)


def test_per_participant_figures_are_missing_without_participants():
    case = parse_case(minimal_case(cohorts="[0]", consequences=CONSEQUENCE, costs=COST))
    document = summary_json(summarize(simulate(case, draws=10)))
    assert document["deterministic"]["npv_per_participant"] is None
    assert document["per_participant"]["npv"]["mean"] is None
    assert document["deterministic"]["net_total"]["total"] == pytest.approx(-2000.0)


def test_the_run_table_shows_som_figures(cli, tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(minimal_case(horizon=3, consequences=CONSEQUENCE, costs=COST), encoding="utf-8")
    result = cli("run", path, "--draws", "10")
    assert result.code == 0
    text = " ".join(result.stdout.split())
    assert "net result over 3 years, undiscounted: 2,500 deterministic" in text
    assert "per participant: NPV 250" in text
