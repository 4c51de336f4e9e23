"""Stage 7: kernel arrays -> the labelled result cube of outputs.md, with its provenance.

:func:`make_attrs` stamps every result (the cube and every summary) with what is needed to trace and
reproduce it; :func:`cube_dataset` attaches dimensions, coordinates and units to the arrays of a run
(or of one block of draws of it, for writing block by block).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk._version import __version__
from somrisk.case import Case
from somrisk.case.model_warnings import model_warnings
from somrisk.distributions import as_distribution
from somrisk.space import InputSpace

#: The input path of the discount rate (case-format.md).
DISCOUNT_RATE = "economy.discount_rate"

if TYPE_CHECKING:  # xarray takes a third of a second to import: only when a Dataset is made
    import xarray as xr

__all__ = [
    "CubeLayout",
    "base_discount_rate",
    "cube_dataset",
    "discount_factors",
    "make_attrs",
    "provenance",
]


def base_discount_rate(case: Case) -> float:
    """The discount rate of the deterministic run (its base value when uncertain)."""
    return as_distribution(case.economy.discount_rate).base_value


def discount_factors(case: Case) -> np.ndarray:
    """beta(t) = (1 + r)^-t at the base discount rate, for t = 0..T-1."""
    return (1.0 + base_discount_rate(case)) ** -np.arange(case.horizon, dtype=float)


def make_attrs(case: Case, *, seed: int, sampler: str, draws: int) -> dict[str, Any]:
    """Provenance attributes of every somrisk result of a case (outputs.md, "The result cube"), and
    model.md's warnings of the case (``warnings``: one text, "; " between warnings; "" for none)."""
    attrs = provenance(
        name=case.name,
        sha256=case.sha256,
        seed=seed,
        sampler=sampler,
        draws=draws,
        currency=case.info.currency,
        price_year=case.info.price_level,
        discount_rate=base_discount_rate(case),
        start_year=case.info.start_year,
    )
    attrs["warnings"] = "; ".join(w.en for w in model_warnings(case))
    if case.overrides:  # --set/--scale or a scenario: the file alone does not give this result
        attrs["overrides"] = "; ".join(case.overrides)
    return attrs


def provenance(
    *,
    name: str,
    sha256: str,
    seed: int,
    sampler: str,
    draws: int,
    currency: str,
    price_year: int,
    discount_rate: float,
    start_year: int,
) -> dict[str, Any]:
    """The provenance attributes of a result (of a case, or of a portfolio)."""
    return {
        "case_name": name,
        "case_sha256": sha256,
        "seed": int(seed),
        "sampler": sampler,
        "draws": int(draws),
        "somrisk_version": __version__,
        "currency": currency,
        "price_year": int(price_year),
        "discount_rate": float(discount_rate),
        "start_year": int(start_year),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@dataclass(frozen=True, eq=False)
class CubeLayout:
    """The coordinates of a result cube: of one case, or of a portfolio (with `cases`).

    `discount_factor` is (T,) for a case, and (cases, T) for a portfolio: each case's factor at its
    base discount rate, discounted to the portfolio's first year. Where a discount rate is uncertain
    (`discount_per_draw`), the cube holds each draw's factors instead (draw, [case,] year).
    """

    years: tuple[int, ...]
    actors: tuple[str, ...]
    consequences: tuple[str, ...]
    inputs: tuple[str, ...]
    money: str
    discount_factor: np.ndarray
    cases: tuple[str, ...] | None = None
    discount_per_draw: bool = False

    @classmethod
    def of_case(cls, case: Case, space: InputSpace) -> CubeLayout:
        return cls(
            years=case.years,
            actors=case.actors,
            consequences=tuple(c.name for c in case.consequences),
            inputs=space.paths,
            money=f"{case.info.currency}, {case.info.price_level} prices",
            discount_factor=discount_factors(case),
            discount_per_draw=DISCOUNT_RATE in space.paths,
        )

    def nbytes(self, draws: int) -> int:
        """Bytes of the cube's data variables for `draws` draws (float64)."""
        T, A, C = len(self.years), len(self.actors), len(self.consequences)
        K = 1 if self.cases is None else len(self.cases)
        per_case = T * A * C + 2 * T * A + (T if self.discount_per_draw else 0)
        return 8 * draws * (K * per_case + A + len(self.inputs))


def cube_dataset(
    layout: CubeLayout,
    *,
    draw_start: int,
    gains: np.ndarray,
    costs: np.ndarray,
    net: np.ndarray,
    npv: np.ndarray,
    inputs: np.ndarray,
    attrs: dict[str, Any],
    discount: np.ndarray | None = None,
) -> xr.Dataset:
    """The result cube (or the part of it for draws ``draw_start ...``).

    Parameters
    ----------
    gains : float64 (n, [cases,] T, A, C)
        G: budget gains, undiscounted; positive = public money saved or earned.
    costs : float64 (n, [cases,] T, A)
        K: net extra cost (intervention minus comparison); positive = money spent.
    net : float64 (n, [cases,] T, A)
        N = sum over consequences of G minus K.
    npv : float64 (n, A)
        NPV per actor of each draw, discounted to the first year (of the portfolio).
    inputs : float64 (n, d)
        The value of every uncertain input in every draw.
    discount : float64 (n, [cases,] T), optional
        Each draw's discount factors, where the layout's discount rate is uncertain; otherwise the
        layout's factors at the base rate are written.
    """
    n = net.shape[0]
    coords: dict[str, Any] = {
        "draw": np.arange(draw_start, draw_start + n, dtype=np.int64),
        "year": np.array(layout.years, dtype=np.int64),
        "actor": list(layout.actors),
        "consequence": list(layout.consequences),
        "input": list(layout.inputs),
    }
    case = () if layout.cases is None else ("case",)
    if layout.cases is not None:
        coords["case"] = list(layout.cases)
    money = layout.money
    data = {
        "gains": (
            ("draw", *case, "year", "actor", "consequence"),
            gains,
            {
                "long_name": "budget gain by consequence (undiscounted)",
                "units": money,
                "sign": "positive = public money saved or earned",
            },
        ),
        "costs": (
            ("draw", *case, "year", "actor"),
            costs,
            {
                "long_name": "net extra cost, intervention minus comparison (undiscounted)",
                "units": money,
                "sign": "positive = money spent",
            },
        ),
        "net": (
            ("draw", *case, "year", "actor"),
            net,
            {
                "long_name": "net result (nettoresultat), gains minus costs, undiscounted",
                "units": money,
                "sign": "positive = public budget improves",
            },
        ),
        "discount_factor": (
            ("draw", *case, "year"),
            discount,
            {"long_name": "discount factor (1 + r)^-t of each draw (the discount rate is uncertain)"},
        )
        if layout.discount_per_draw
        else (
            (*case, "year"),
            layout.discount_factor,
            {"long_name": "discount factor (1 + r)^-t at the base discount rate"},
        ),
        "npv": (
            ("draw", "actor"),
            npv,
            {
                "long_name": "net present value by actor, sum over years of net x discount_factor",
                "units": money,
                "sign": "positive = public budget improves",
            },
        ),
        "inputs": (
            ("draw", "input"),
            inputs,
            {"long_name": "value of each uncertain input in each draw"},
        ),
    }
    import xarray as xr

    return xr.Dataset(data, coords=coords, attrs=attrs)
