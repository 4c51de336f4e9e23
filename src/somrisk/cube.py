"""Stage 7: kernel arrays -> the labelled result cube of outputs.md, with its provenance.

:func:`make_attrs` stamps every result (the cube and every summary) with what is needed to trace and
reproduce it; :func:`cube_dataset` attaches dimensions, coordinates and units to the arrays of a run
(or of one block of draws of it, for writing block by block).

Metadata (CF-1.10 where it applies; docs/decisions.md): every variable and coordinate has a
``long_name`` and ``units``. Money is in ``units = "DKK"`` (the case's ISO 4217 currency code; not a
UDUNITS unit, which CF would want, as UDUNITS has no currencies), with the price level in its own
attribute ``price_year``; labels and dimensionless numbers have ``units = "1"``. The file's global
attributes add ``Conventions``, ``title`` and ``source`` to the provenance.
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
    "CONVENTIONS",
    "CubeLayout",
    "base_discount_rate",
    "cube_attrs",
    "cube_dataset",
    "discount_factors",
    "make_attrs",
    "provenance",
]


#: The metadata conventions the cube follows (its global attribute ``Conventions``).
CONVENTIONS = "CF-1.10"


def cube_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """A cube file's global attributes: `attrs` (the provenance) with ``Conventions``, ``title`` and
    ``source`` first."""
    title = f"somrisk result cube: {attrs['case_name']}" if "case_name" in attrs else "somrisk result cube"
    return {"Conventions": CONVENTIONS, "title": title, "source": f"somrisk {__version__}", **attrs}


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
    #: The currency (ISO 4217) and price level of the money; None where `money` alone says them.
    currency: str | None = None
    price_year: int | None = None

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
            currency=case.info.currency,
            price_year=case.info.price_level,
        )

    def money_attrs(self) -> dict[str, Any]:
        """The attributes of an amount of money: ``units`` (the currency) and ``price_year``."""
        if self.currency is None:
            return {"units": self.money}
        found: dict[str, Any] = {"units": self.currency}
        if self.price_year is not None:
            found["price_year"] = int(self.price_year)
        return found

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
    label = {"units": "1"}
    coords: dict[str, Any] = {
        "draw": (
            "draw",
            np.arange(draw_start, draw_start + n, dtype=np.int64),
            {"long_name": "number of the Monte Carlo draw, from 0", **label},
        ),
        "year": (
            "year",
            np.array(layout.years, dtype=np.int64),
            {"long_name": "calendar year (2025 is the year 2025, not a time since a date)", **label},
        ),
        "actor": ("actor", list(layout.actors), {"long_name": "actor whose budget is affected", **label}),
        "consequence": (
            "consequence",
            list(layout.consequences),
            {"long_name": "budget consequence (its name in the case file)", **label},
        ),
        "input": (
            "input",
            list(layout.inputs),
            {"long_name": "uncertain input (its path in the case file)", **label},
        ),
    }
    case = () if layout.cases is None else ("case",)
    if layout.cases is not None:
        coords["case"] = ("case", list(layout.cases), {"long_name": "case of the portfolio", **label})
    money = layout.money_attrs()
    data = {
        "gains": (
            ("draw", *case, "year", "actor", "consequence"),
            gains,
            {
                "long_name": "budget gain by consequence (undiscounted)",
                **money,
                "sign": "positive = public money saved or earned",
            },
        ),
        "costs": (
            ("draw", *case, "year", "actor"),
            costs,
            {
                "long_name": "net extra cost, intervention minus comparison (undiscounted)",
                **money,
                "sign": "positive = money spent",
            },
        ),
        "net": (
            ("draw", *case, "year", "actor"),
            net,
            {
                "long_name": "net result (nettoresultat), gains minus costs, undiscounted",
                **money,
                "sign": "positive = public budget improves",
            },
        ),
        "discount_factor": (
            ("draw", *case, "year"),
            discount,
            {
                "long_name": "discount factor (1 + r)^-t of each draw (the discount rate is uncertain)",
                **label,
            },
        )
        if layout.discount_per_draw
        else (
            (*case, "year"),
            layout.discount_factor,
            {"long_name": "discount factor (1 + r)^-t at the base discount rate", **label},
        ),
        "npv": (
            ("draw", "actor"),
            npv,
            {
                "long_name": "net present value by actor, sum over years of net x discount_factor",
                **money,
                "sign": "positive = public budget improves",
            },
        ),
        "inputs": (
            ("draw", "input"),
            inputs,
            {
                "long_name": "value of each uncertain input in each draw",
                "units": "each input's own unit, as in the case file",
            },
        ),
    }
    import xarray as xr

    return xr.Dataset(data, coords=coords, attrs=cube_attrs(attrs))
