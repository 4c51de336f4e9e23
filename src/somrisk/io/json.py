"""The JSON summary of outputs.md ("The JSON summary"), from a summary (Dataset or plain arrays).

Keys and meanings are a contract other programs read: add, never rename. Numbers that are not
defined are written as null, never as NaN (which is not JSON).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.case.catalog import Catalog
    from somrisk.summary import SummaryArrays

__all__ = ["catalog_json", "finite", "percentile_key", "portfolio_json", "summary_json"]


def percentile_key(quantile: float) -> str:
    """``p05`` for the 5th percentile (quantile 0.05), ``p2.5`` for 0.025."""
    value = round(quantile * 100, 10)
    return f"p{int(value):02d}" if value == int(value) else f"p{value:g}"


def finite(x: Any) -> float | None:
    """`x` as a float, or None where it is missing, NaN or infinite (JSON null, an empty cell)."""
    if x is None:
        return None
    value = float(x)
    return None if math.isnan(value) or math.isinf(value) else value


def _year(x: Any) -> int | None:
    value = int(x)
    return None if value < 0 else value


def summary_json(summary: xr.Dataset | SummaryArrays) -> dict[str, Any]:
    """The ``somrisk run --json`` document of a summary (:func:`somrisk.summarize`, or its plain
    arrays, :func:`somrisk.summary.summary_arrays`: the same document, without xarray)."""
    from somrisk.summary import SummaryArrays

    s = summary if isinstance(summary, SummaryArrays) else SummaryArrays.of_dataset(summary)
    actors = [str(a) for a in s.labels("actor")]
    order = ["total", *[a for a in actors if a != "total"]]
    quantiles = [float(q) for q in s.labels("quantile")]

    def stats(prefix: str, **where: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mean": finite(s.at(f"{prefix}_mean", **where)),
            "sd": finite(s.at(f"{prefix}_sd", **where)),
            "mcse": finite(s.at(f"{prefix}_mcse", **where)),
        }
        for q in quantiles:
            out[percentile_key(q)] = finite(s.at(f"{prefix}_quantile", **where, quantile=q))
        out["prob_positive"] = finite(s.at(f"{prefix}_prob_positive", **where))
        out["prob_positive_se"] = finite(s.at(f"{prefix}_prob_positive_se", **where))
        out["expected_shortfall_05"] = finite(s.at(f"{prefix}_expected_shortfall", **where))
        return out

    years = [int(y) for y in s.labels("year")]
    net_by_year = {}
    for year in years:
        entry: dict[str, Any] = {"mean": finite(s.at("net_mean", actor="total", year=year))}
        for q in (0.05, 0.95):
            if q in quantiles:
                entry[percentile_key(q)] = finite(s.at("net_quantile", actor="total", year=year, quantile=q))
        net_by_year[str(year)] = entry

    attrs = s.attrs
    per_participant = "per_participant_deterministic"
    return {
        "case": attrs["case_name"],
        "draws": int(attrs["draws"]),
        "seed": int(attrs["seed"]),
        "sampler": attrs["sampler"],
        "currency": attrs["currency"],
        "price_year": int(attrs["price_year"]),
        "deterministic": {
            "npv": {a: finite(s.at("npv_deterministic", actor=a)) for a in order},
            "payback_year": _year(s.at("payback_deterministic_year")),
            "net_total": {a: finite(s.at("net_total_deterministic", actor=a)) for a in order},
            "npv_per_participant": finite(s.at(per_participant, per_participant="npv")),
            "net_total_per_participant": finite(s.at(per_participant, per_participant="net_total")),
            "benefit_cost_ratio": finite(s.at("benefit_cost_ratio_deterministic")),
        },
        "npv": {a: stats("npv", actor=a) for a in order},
        "payback": {
            "prob_within_horizon": finite(s.at("payback_prob_within_horizon")),
            "median_year": _year(s.at("payback_median_year")),
            "cdf": {str(y): finite(s.at("payback_cdf", year=y)) for y in years},
        },
        "net_by_year": net_by_year,
        "net_total": {a: stats("net_total", actor=a) for a in order},
        "per_participant": {
            key: stats("per_participant", per_participant=key) for key in ("npv", "net_total")
        },
        "benefit_cost_ratio": finite(s.at("benefit_cost_ratio_mean")),
        "warnings": [str(w) for w in attrs.get("warnings", [])],
        **_overrides(attrs),
        **_draws_auto(attrs),
    }


def _draws_auto(attrs: Any) -> dict[str, Any]:
    """``draws_auto``: how ``--draws auto`` chose the draws, only where it did."""
    if "draws_auto_reason" not in attrs:
        return {}
    return {
        "draws_auto": {
            "tolerance": float(attrs["draws_auto_tolerance"]),
            "half_width": float(attrs["draws_auto_half_width"]),
            "met": bool(attrs["draws_auto_met"]),
            "reason": str(attrs["draws_auto_reason"]),
        }
    }


def _overrides(attrs: Any) -> dict[str, Any]:
    """``overrides``: the --set/--scale changes to the case file, only where there were some."""
    text = attrs.get("overrides")
    return {"overrides": text.split("; ")} if text else {}


def portfolio_json(summary: xr.Dataset | SummaryArrays, cases: xr.Dataset | SummaryArrays) -> dict[str, Any]:
    """The ``somrisk portfolio --json`` document: the run summary's keys for the whole portfolio,
    plus ``cases`` (per case: mean, sd, p05, p50, p95, prob_positive, variance_share). Each of the
    two as a Dataset or as its plain arrays (:class:`somrisk.summary.SummaryArrays`)."""
    from somrisk.summary import SummaryArrays

    document = summary_json(summary)
    c = cases if isinstance(cases, SummaryArrays) else SummaryArrays.of_dataset(cases)
    quantiles = [float(q) for q in c.labels("quantile")]
    document["cases"] = {
        str(name): {
            "mean": finite(c.at("npv_mean", case=name)),
            "sd": finite(c.at("npv_sd", case=name)),
            **{percentile_key(q): finite(c.at("npv_quantile", case=name, quantile=q)) for q in quantiles},
            "prob_positive": finite(c.at("npv_prob_positive", case=name)),
            "variance_share": finite(c.at("variance_share", case=name)),
        }
        for name in c.labels("case")
    }
    return document


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    """The ``somrisk catalog --json`` document: ``{"consequences": [...]}``, one object per entry
    with name, label (Danish), label_en, category, unit, actors (who pay), price (per actor: a
    number, or the distribution as written in TOML), price_factor, source, price_year and
    illustrative. Prices are in the catalogue's currency at its price level (``currency``,
    ``price_year``); a negative price is revenue for that actor (tax)."""
    return {
        "name": catalog.info.name,
        "currency": catalog.info.currency,
        "price_year": catalog.info.price_year,
        "consequences": [
            {
                "name": entry.name,
                "label": entry.label,
                "label_en": entry.label_en,
                "category": entry.category,
                "unit": entry.unit,
                "actors": list(entry.price),
                "price": {actor: _value(value) for actor, value in entry.price.items()},
                "price_factor": None if entry.price_factor is None else _value(entry.price_factor),
                "source": entry.source,
                "price_year": entry.price_year,
                "illustrative": entry.illustrative,
            }
            for entry in catalog.prices
        ],
    }


def _value(value: Any) -> Any:
    """A number, or a distribution as its TOML table (``{"dist": "pert", "min": ...}``)."""
    if isinstance(value, int | float):
        return value
    return value.model_dump(by_alias=True, exclude_none=True)
