"""The sensitivity JSON of outputs.md ("Sensitivity JSON") from the analyses' result objects.

The keys of outputs.md come first, unchanged; keys added after them give what a program needs to
read the numbers right (whether an index is distinguishable from 0, groups merged because their
inputs are correlated, the design's size). Numbers that are not defined are null.
"""

from __future__ import annotations

import math
from typing import Any

from somrisk.sensitivity import Breakeven, Drivers, MorrisResult, SobolResult, Tornado, ValueOfInformation

__all__ = ["breakeven_json", "drivers_json", "morris_json", "sobol_json", "tornado_json", "voi_json"]


def _number(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return None if math.isnan(value) or math.isinf(value) else value


def _provenance(attrs: dict[str, Any]) -> dict[str, Any]:
    keys = ("case_name", "case_sha256", "currency", "price_year", "somrisk_version")
    return {key: attrs[key] for key in keys if key in attrs}


def tornado_json(result: Tornado) -> dict[str, Any]:
    return {
        "output": result.output,
        "base": _number(result.base),
        "low_quantile": result.low_quantile,
        "high_quantile": result.high_quantile,
        "bars": [
            {
                "input": bar.input,
                "low": _number(bar.low),
                "high": _number(bar.high),
                "npv_low": _number(bar.npv_low),
                "npv_high": _number(bar.npv_high),
                "swing": _number(bar.swing),
                "switch_value": _number(bar.switch_value),
                "prob_beyond_switch": _number(bar.prob_beyond_switch),
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
            "S1": _number(result.S1[k]),
            "S1_conf": _number(result.S1_conf[k]),
            "ST": _number(result.ST[k]),
            "ST_conf": _number(result.ST_conf[k]),
            "S1_distinguishable": bool(result.S1_distinguishable[k]),
            "ST_distinguishable": bool(result.ST_distinguishable[k]),
        }
        if result.S2 is not None and result.S2_conf is not None:
            entry["S2"] = {other: _number(result.S2[k, m]) for m, other in enumerate(result.names) if m > k}
            entry["S2_conf"] = {
                other: _number(result.S2_conf[k, m]) for m, other in enumerate(result.names) if m > k
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
        "variance": _number(result.variance),
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
                "mu_star": _number(result.mu_star[k]),
                "mu_star_conf": _number(result.mu_star_conf[k]),
                "mu": _number(result.mu[k]),
                "sigma": _number(result.sigma[k]),
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
        "effect": _number(result.effect),
        "full_years": _number(result.full_years),
        "curve": [
            [float(e), float(p)] for e, p in zip(result.curve_effect, result.curve_prob_positive, strict=True)
        ],
        "base_effect": _number(result.base_effect),
        "base_full_years": _number(result.base_full_years),
        "draws": result.draws,
        "seed": result.seed,
        **_provenance(result.attrs),
    }


def voi_json(result: ValueOfInformation) -> dict[str, Any]:
    return {
        "output": result.output,
        "draws": result.draws,
        "evpi": _number(result.evpi),
        "evppi": [
            {"name": name, "value": _number(result.evppi[k]), "terms": int(result.terms[k])}
            for k, name in enumerate(result.names)
        ],
        "groups": result.by_group,
        "mean": _number(result.mean),
        "prob_positive": _number(result.prob_positive),
        "seed": result.seed,
        **_provenance(result.attrs),
    }


def drivers_json(result: Drivers) -> dict[str, Any]:
    return {
        "output": result.output,
        "draws": result.draws,
        "loss_draws": result.loss_draws,
        "prob_loss": _number(result.prob_loss),
        "drivers": [
            {
                "input": name,
                "distance": _number(result.distance[k]),
                "pvalue": _number(result.pvalue[k]),
                "median_loss": _number(result.median_loss[k]),
                "median_rest": _number(result.median_rest[k]),
            }
            for k, name in enumerate(result.names)
        ],
        "seed": result.seed,
        **_provenance(result.attrs),
    }
