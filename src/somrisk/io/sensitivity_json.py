"""The sensitivity JSON of outputs.md ("Sensitivity JSON") from the analyses' result objects.

The keys of outputs.md come first, unchanged; keys added after them give what a program needs to
read the numbers right (whether an index is distinguishable from 0, groups merged because their
inputs are correlated, the design's size). Numbers that are not defined are null.
"""

from __future__ import annotations

from typing import Any

from somrisk.io.json import finite
from somrisk.sensitivity import Breakeven, Drivers, MorrisResult, SobolResult, Tornado, ValueOfInformation

__all__ = ["breakeven_json", "drivers_json", "morris_json", "sobol_json", "tornado_json", "voi_json"]


def _provenance(attrs: dict[str, Any]) -> dict[str, Any]:
    keys = ("case_name", "case_sha256", "currency", "price_year", "somrisk_version")
    return {key: attrs[key] for key in keys if key in attrs}


def tornado_json(result: Tornado) -> dict[str, Any]:
    return {
        "output": result.output,
        "base": finite(result.base),
        "low_quantile": result.low_quantile,
        "high_quantile": result.high_quantile,
        "bars": [
            {
                "input": bar.input,
                "low": finite(bar.low),
                "high": finite(bar.high),
                "npv_low": finite(bar.npv_low),
                "npv_high": finite(bar.npv_high),
                "swing": finite(bar.swing),
                "switch_value": finite(bar.switch_value),
                "prob_beyond_switch": finite(bar.prob_beyond_switch),
                "group": bar.group,
            }
            for bar in result.bars
        ],
        **_provenance(result.attrs),
    }


def sobol_json(result: SobolResult) -> dict[str, Any]:
    indices = []
    for k, name in enumerate(result.names):
        entry: dict[str, Any] = {
            "name": name,
            "S1": finite(result.S1[k]),
            "S1_conf": finite(result.S1_conf[k]),
            "ST": finite(result.ST[k]),
            "ST_conf": finite(result.ST_conf[k]),
            "S1_distinguishable": bool(result.S1_distinguishable[k]),
            "ST_distinguishable": bool(result.ST_distinguishable[k]),
        }
        if result.S2 is not None and result.S2_conf is not None:
            entry["S2"] = {other: finite(result.S2[k, m]) for m, other in enumerate(result.names) if m > k}
            entry["S2_conf"] = {
                other: finite(result.S2_conf[k, m]) for m, other in enumerate(result.names) if m > k
            }
        indices.append(entry)
    return {
        "output": result.output,
        "n": result.n,
        "evaluations": result.evaluations,
        "indices": indices,
        "groups": result.by_group,
        "correlated_groups": list(result.merged),
        "confidence": result.confidence,
        "seed": result.seed,
        "variance": finite(result.variance),
        **_provenance(result.attrs),
    }


def morris_json(result: MorrisResult) -> dict[str, Any]:
    return {
        "output": result.output,
        "trajectories": result.trajectories,
        "levels": result.levels,
        "evaluations": result.evaluations,
        "indices": [
            {
                "name": name,
                "mu_star": finite(result.mu_star[k]),
                "mu_star_conf": finite(result.mu_star_conf[k]),
                "mu": finite(result.mu[k]),
                "sigma": finite(result.sigma[k]),
            }
            for k, name in enumerate(result.names)
        ],
        "groups": result.by_group,
        "correlated_groups": list(result.merged),
        "seed": result.seed,
        **_provenance(result.attrs),
    }


def breakeven_json(result: Breakeven) -> dict[str, Any]:
    return {
        "output": result.output,
        "effect": finite(result.effect),
        "full_years": finite(result.full_years),
        "curve": [
            [float(e), float(p)] for e, p in zip(result.curve_effect, result.curve_prob_positive, strict=True)
        ],
        "base_effect": finite(result.base_effect),
        "base_full_years": finite(result.base_full_years),
        "draws": result.draws,
        "seed": result.seed,
        **_provenance(result.attrs),
    }


def voi_json(result: ValueOfInformation) -> dict[str, Any]:
    return {
        "output": result.output,
        "draws": result.draws,
        "evpi": finite(result.evpi),
        "evppi": [
            {"name": name, "value": finite(result.evppi[k]), "terms": int(result.terms[k])}
            for k, name in enumerate(result.names)
        ],
        "groups": result.by_group,
        "mean": finite(result.mean),
        "prob_positive": finite(result.prob_positive),
        "seed": result.seed,
        **_provenance(result.attrs),
    }


def drivers_json(result: Drivers) -> dict[str, Any]:
    return {
        "output": result.output,
        "draws": result.draws,
        "loss_draws": result.loss_draws,
        "prob_loss": finite(result.prob_loss),
        "drivers": [
            {
                "input": name,
                "distance": finite(result.distance[k]),
                "pvalue": finite(result.pvalue[k]),
                "median_loss": finite(result.median_loss[k]),
                "median_rest": finite(result.median_rest[k]),
            }
            for k, name in enumerate(result.names)
        ],
        "seed": result.seed,
        **_provenance(result.attrs),
    }
