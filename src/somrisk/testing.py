"""Helpers for testing somrisk and cases built on it: toy cases with closed forms, and cube checks.

Nothing in somrisk imports this module.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from somrisk.cube import DISCOUNT_RATE

__all__ = ["CUBE_ATTRS", "ONE_CONSEQUENCE", "assert_cube_valid", "danish_number", "minimal_case"]

#: One consequence for toy cases (``minimal_case(consequences=...)``): half a year less on a benefit
#: per person with the effect (normal, sd 0.2 years), each year priced 40,000 for the kommune and
#: 20,000 for the stat: a gain to both, since the change is negative.
ONE_CONSEQUENCE = """
[[consequences]]
name = "ydelse"
category = "beskaeftigelse"
change = { dist = "normal", mean = -0.5, sd = 0.2 }
price = { kommune = 40000, stat = 20000 }
"""

#: Attributes every result cube carries (outputs.md).
CUBE_ATTRS = (
    "case_name",
    "case_sha256",
    "seed",
    "sampler",
    "draws",
    "somrisk_version",
    "currency",
    "price_year",
    "discount_rate",
)


def minimal_case(
    *,
    effect: str = "0.1",
    cohorts: str = "[10]",
    horizon: int = 5,
    discount_rate: str = "0.0",
    price_growth: str = "0.0",
    costs: str = "",
    consequences: str = "",
    persistence: str = "",
    extra: str = "",
) -> str:
    """TOML text of a small case; each argument is pasted into its place as TOML."""
    return f"""
[case]
name = "Toy case"
start_year = 2025
price_year = 2024
horizon = {horizon}

[economy]
discount_rate = {discount_rate}
price_growth = {price_growth}

[participants]
cohorts = {cohorts}

[effect]
effect = {effect}

{persistence}

{costs}

{consequences}

{extra}
"""


def assert_cube_valid(cube: xr.Dataset) -> None:
    """Check the cube contract of outputs.md: variables, dimensions, attributes, finiteness,
    net = sum of gains over consequences minus costs, and npv = sum over years of net times the
    discount factor (per draw where the discount rate is an uncertain input)."""
    per_draw = DISCOUNT_RATE in cube.input.values
    expected = {
        "gains": ("draw", "year", "actor", "consequence"),
        "costs": ("draw", "year", "actor"),
        "net": ("draw", "year", "actor"),
        "discount_factor": ("draw", "year") if per_draw else ("year",),
        "npv": ("draw", "actor"),
        "inputs": ("draw", "input"),
    }
    for name, dims in expected.items():
        assert name in cube, f"cube lacks variable {name!r}"
        assert cube[name].dims == dims, f"{name} has dims {cube[name].dims}, expected {dims}"
    for attr in CUBE_ATTRS:
        assert attr in cube.attrs, f"cube lacks attribute {attr!r}"
    assert cube.sizes["draw"] == cube.attrs["draws"]
    np.testing.assert_array_equal(cube.draw.values, np.arange(cube.sizes["draw"]))
    for name in expected:
        assert np.isfinite(cube[name].values).all(), f"{name} has NaN or infinite values"
    rebuilt = cube.gains.sum("consequence") - cube.costs
    scale = max(1.0, float(np.abs(cube.net).max()))
    assert float(np.abs(rebuilt - cube.net).max()) <= 1e-9 * scale, "net != gains - costs"
    npv = (cube.net * cube.discount_factor).sum("year").transpose("draw", "actor")
    assert float(np.abs(npv - cube.npv).max()) <= 1e-12 * max(1.0, float(np.abs(cube.npv).max())), (
        "npv != sum over years of net x discount_factor"
    )


def danish_number(x: float, decimals: int = 0) -> str:
    """`x` as Danish text writes it: 1.234.567,5, with the minus sign (U+2212) the report and the
    tables use. Written without somrisk's own number formatting, for tests to check it against."""
    sign = "\u2212" if round(x, decimals) < 0 else ""
    whole, _, fraction = f"{abs(x):.{decimals}f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + ".".join(groups) + ("," + fraction if fraction else "")
