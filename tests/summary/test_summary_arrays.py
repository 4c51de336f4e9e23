"""The run's summary as plain arrays (what `somrisk run --json` reads, without xarray) gives the
same JSON, byte for byte, as the labelled Dataset read through xarray's own label selection."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from portfolio.test_portfolio import toy, write_portfolio
from somrisk import load_case, simulate, summarize
from somrisk.io import portfolio_json, summary_json
from somrisk.portfolio import simulate_portfolio
from somrisk.runner import run, run_portfolio
from somrisk.summary import SummaryArrays, summary_arrays

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "cases").glob("*.toml")) + sorted(
    (ROOT / "src" / "somrisk" / "data" / "cases").glob("*.toml")
)


def _finite(x) -> float | None:
    value = float(x)
    return None if math.isnan(value) or math.isinf(value) else value


def _key(q: float) -> str:
    value = round(q * 100, 10)
    return f"p{int(value):02d}" if value == int(value) else f"p{value:g}"


def dataset_document(summary) -> dict:
    """The JSON document of outputs.md read from the Dataset with xarray's `sel` (the reading the
    JSON writer had before the plain arrays)."""
    actors = [str(a) for a in summary.actor.values]
    order = ["total", *[a for a in actors if a != "total"]]
    quantiles = [float(q) for q in summary["quantile"].values]

    def stats(prefix: str, **where: str) -> dict:
        s = summary.sel(**where)
        out = {name: _finite(s[f"{prefix}_{name}"]) for name in ("mean", "sd", "mcse")}
        for q in quantiles:
            out[_key(q)] = _finite(s[f"{prefix}_quantile"].sel(quantile=q))
        out["prob_positive"] = _finite(s[f"{prefix}_prob_positive"])
        out["prob_positive_se"] = _finite(s[f"{prefix}_prob_positive_se"])
        out["expected_shortfall_05"] = _finite(s[f"{prefix}_expected_shortfall"])
        return out

    years = [int(y) for y in summary.year.values]
    total = summary.sel(actor="total")
    by_year = {}
    for year in years:
        entry = {"mean": _finite(total.net_mean.sel(year=year))}
        for q in (0.05, 0.95):
            if q in quantiles:
                entry[_key(q)] = _finite(total.net_quantile.sel(year=year, quantile=q))
        by_year[str(year)] = entry
    attrs = summary.attrs
    per = summary.per_participant_deterministic

    def year(x) -> int | None:
        return None if int(x) < 0 else int(x)

    return {
        "case": attrs["case_name"],
        "draws": int(attrs["draws"]),
        "seed": int(attrs["seed"]),
        "sampler": attrs["sampler"],
        "currency": attrs["currency"],
        "price_year": int(attrs["price_year"]),
        "deterministic": {
            "npv": {a: _finite(summary.npv_deterministic.sel(actor=a)) for a in order},
            "payback_year": year(summary.payback_deterministic_year),
            "net_total": {a: _finite(summary.net_total_deterministic.sel(actor=a)) for a in order},
            "npv_per_participant": _finite(per.sel(per_participant="npv")),
            "net_total_per_participant": _finite(per.sel(per_participant="net_total")),
            "benefit_cost_ratio": _finite(summary.benefit_cost_ratio_deterministic),
        },
        "npv": {a: stats("npv", actor=a) for a in order},
        "payback": {
            "prob_within_horizon": _finite(summary.payback_prob_within_horizon),
            "median_year": year(summary.payback_median_year),
            "cdf": {str(y): _finite(summary.payback_cdf.sel(year=y)) for y in years},
        },
        "net_by_year": by_year,
        "net_total": {a: stats("net_total", actor=a) for a in order},
        "per_participant": {k: stats("per_participant", per_participant=k) for k in ("npv", "net_total")},
        "benefit_cost_ratio": _finite(summary.benefit_cost_ratio_mean),
        "warnings": [str(w) for w in attrs.get("warnings", [])],
    }


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, allow_nan=False)


@pytest.mark.parametrize(("draws", "sampler"), [(1, "lhs"), (2000, "lhs"), (1500, "mc")])
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_plain_arrays_give_the_json_of_the_dataset_byte_for_byte(path, draws, sampler):
    sim = simulate(load_case(path), draws=draws, seed=4, sampler=sampler)
    arrays = summary_arrays(sim)
    expected = dumps(dataset_document(summarize(sim)))
    assert dumps(summary_json(arrays)) == expected
    assert dumps(summary_json(arrays.dataset)) == expected  # the Dataset still is accepted


def test_a_portfolio_and_other_percentiles_give_the_same_json(tmp_path):
    path = write_portfolio(tmp_path, {"a.toml": toy("A"), "b.toml": toy("B", cohorts="[20]", cost=500.0)})
    sim = simulate_portfolio(path, draws=3000, seed=2)
    for percentiles in ((5.0, 25.0, 50.0, 75.0, 95.0), (2.5, 50.0, 97.5)):
        arrays = summary_arrays(sim, percentiles=percentiles)
        assert dumps(summary_json(arrays)) == dumps(dataset_document(summarize(sim, percentiles=percentiles)))


def test_at_selects_what_the_datasets_sel_selects():
    sim = simulate(load_case(CASES[0]), draws=500, seed=1)
    dataset = summarize(sim)
    arrays = SummaryArrays.of_dataset(dataset)
    for name, variable in dataset.data_vars.items():
        where = {dim: dataset[dim].values[-1].item() for dim in variable.dims}
        np.testing.assert_array_equal(arrays.at(name, **where), variable.sel(**where).values)
        np.testing.assert_array_equal(arrays.at(name), variable.values)
    with pytest.raises(KeyError, match="nobody"):
        arrays.at("npv_mean", actor="nobody")


def test_a_run_makes_its_dataset_once_and_only_when_asked():
    result = run(CASES[0], draws=200, seed=1)
    assert "dataset" not in vars(result.statistics)  # not made by the run itself
    assert result.summary is result.summary  # made once
    assert dumps(summary_json(result.statistics)) == dumps(dataset_document(result.summary))


def test_a_portfolio_run_gives_the_json_of_its_datasets_byte_for_byte(tmp_path):
    path = write_portfolio(tmp_path, {"a.toml": toy("A"), "b.toml": toy("B", cohorts="[20]", cost=500.0)})
    result = run_portfolio(path, draws=2500, seed=6)
    expected = dataset_document(result.summary)
    cases = result.cases
    expected["cases"] = {
        str(name): {
            "mean": _finite(cases.npv_mean.sel(case=name)),
            "sd": _finite(cases.npv_sd.sel(case=name)),
            **{
                _key(float(q)): _finite(cases.npv_quantile.sel(case=name, quantile=q))
                for q in cases["quantile"].values
            },
            "prob_positive": _finite(cases.npv_prob_positive.sel(case=name)),
            "variance_share": _finite(cases.variance_share.sel(case=name)),
        }
        for name in cases.case.values
    }
    assert dumps(portfolio_json(result.statistics, result.case_statistics)) == dumps(expected)
    assert dumps(portfolio_json(result.summary, result.cases)) == dumps(expected)
