"""The JSON of the value of sample information (outputs.md, "Value of sample information JSON")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from somrisk.io.json import finite

if TYPE_CHECKING:
    from somrisk.sensitivity import SampleInformation

__all__ = ["evsi_json"]

#: The provenance keys written after the contract's (as every sensitivity JSON has them).
PROVENANCE = ("case_name", "case_sha256", "currency", "price_year", "somrisk_version")


def evsi_json(result: SampleInformation) -> dict[str, Any]:
    """outputs.md's keys in its order (``cost``, ``enbs`` and ``best_n`` only with a study cost);
    each ``evsi`` entry also holds ``se``, its Monte Carlo standard error; then ``seed``,
    ``sampler`` and the provenance."""
    sizes = [int(n) for n in result.sizes]
    document: dict[str, Any] = {
        "output": result.output,
        "input": result.input,
        "draws": int(result.draws),
        "evpi": finite(result.data["evpi"].values),
        "evppi": finite(result.data["evppi"].values),
        "study": result.study,
        "sd": result.sd,
        "evsi": [
            {"n": n, "value": finite(value), "se": finite(se)}
            for n, value, se in zip(sizes, result.evsi, result.evsi_se, strict=True)
        ],
    }
    if result.cost is not None:
        document["cost"] = result.cost
        document["enbs"] = [
            {"n": n, "value": finite(value)} for n, value in zip(sizes, result.enbs, strict=True)
        ]
        document["best_n"] = result.best_n
    document["seed"] = result.seed
    document["sampler"] = result.attrs["sampler"]
    return document | {key: result.attrs[key] for key in PROVENANCE if key in result.attrs}
