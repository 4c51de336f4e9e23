"""A comparison of alternatives (:mod:`somrisk.compare`) as outputs.md's "Comparison JSON", and as a
Dataset with an ``alternative`` dimension (``somrisk compare --out``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk.io.json import _draws_auto, finite, percentile_key
from somrisk.summary import DEFAULT_PERCENTILES, row_statistics

if TYPE_CHECKING:
    import xarray as xr

    from somrisk.compare import Comparison

__all__ = ["comparison_dataset", "comparison_json", "comparison_nbytes"]


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """outputs.md's "Comparison JSON": each alternative's NPV summary (the run summary's keys per
    actor and in total) and each other alternative's difference against the reference."""
    first = comparison.simulations[0]
    document: dict[str, Any] = {
        "draws": int(first.draws),
        "seed": int(first.seed),
        "sampler": first.sampler,
        "reference": comparison.reference,
        "alternatives": list(comparison.names),
        "npv": {
            name: _npv_json(sim) for name, sim in zip(comparison.names, comparison.simulations, strict=True)
        },
        "difference": {
            name: {
                label: {key: finite(value) for key, value in stats.items()}
                for label, stats in comparison.difference_statistics(name).items()
            }
            for name in comparison.names[1:]
        },
    }
    overrides = {
        name: sim.attrs["overrides"].split("; ")
        for name, sim in zip(comparison.names, comparison.simulations, strict=True)
        if sim.attrs.get("overrides")
    }
    if overrides:
        document["overrides"] = overrides
    return document | _draws_auto(first.attrs)


def _npv_json(sim: Any) -> dict[str, dict[str, float | None]]:
    """The run summary's ``npv`` of an alternative: total first, then its actors, the same keys."""
    stats = row_statistics([sim.npv_total, *sim.npv])
    out = {}
    for k, label in enumerate(["total", *sim.actors]):
        entry = {key: finite(stats[key][k]) for key in ("mean", "sd", "mcse")}
        for q, value in zip(DEFAULT_PERCENTILES, stats["quantile"][k], strict=True):
            entry[percentile_key(q / 100)] = finite(value)
        entry["prob_positive"] = finite(stats["prob_positive"][k])
        entry["prob_positive_se"] = finite(stats["prob_positive_se"][k])
        entry["expected_shortfall_05"] = finite(stats["expected_shortfall"][k])
        out[label] = entry
    return out


def comparison_nbytes(alternatives: int, actors: int, draws: int) -> int:
    """Bytes of :func:`comparison_dataset`'s arrays for `alternatives` with `actors` actors in all
    (:func:`somrisk.compare.alternatives_actors`) at `draws` draws: npv and difference
    (alternative, draw, total and every actor), float64, and the draw coordinate; known before the
    run, for ``check_output``."""
    return 8 * draws * (2 * alternatives * (1 + actors) + 1)


def comparison_dataset(comparison: Comparison) -> xr.Dataset:
    """``npv`` and ``difference`` (alternative, draw, actor; ``total`` first among the actors),
    with each alternative's case name and SHA-256 as coordinates and the run's provenance."""
    import xarray as xr

    names = list(comparison.names)
    npv = np.stack([comparison.npv(name).T for name in names])
    difference = npv - npv[0]
    sims = comparison.simulations
    attrs = {
        key: value
        for key, value in sims[0].attrs.items()
        if key in ("seed", "sampler", "draws", "somrisk_version", "currency", "price_year")
    }
    attrs["reference"] = comparison.reference
    money = f"{attrs.get('currency', '')}, {attrs.get('price_year', '')} prices"
    return xr.Dataset(
        {
            "npv": (("alternative", "draw", "actor"), npv, {"units": money}),
            "difference": (
                ("alternative", "draw", "actor"),
                difference,
                {"units": money, "long_name": "NPV of the alternative minus NPV of the reference"},
            ),
        },
        coords={
            "alternative": names,
            "draw": np.arange(comparison.draws),
            "actor": list(comparison.labels),
            "case_name": ("alternative", [sim.attrs["case_name"] for sim in sims]),
            "case_sha256": ("alternative", [sim.attrs["case_sha256"] for sim in sims]),
            "overrides": ("alternative", [sim.attrs.get("overrides", "") for sim in sims]),
        },
        attrs=attrs,
    )
