"""Small cases with closed-form answers for the sensitivity tests (TOML text)."""

from __future__ import annotations

from somrisk.testing import minimal_case


def product_case() -> str:
    """NPV = e * m * v for one participant, one year, no discounting: a product of three
    independent uniforms (effect, price factor, price)."""
    return minimal_case(
        effect='{ dist = "uniform", min = 0.0, max = 1.0 }',
        cohorts="[1]",
        horizon=1,
        consequences="""
[[consequences]]
name = "x"
change = -1
price = { kommune = { dist = "uniform", min = 1.0, max = 3.0 } }
price_factor = { dist = "uniform", min = 0.5, max = 1.5 }
""",
    )


def additive_case() -> str:
    """NPV = -c + 10 * 0.5 * (-q) * 100 + 10 * 0.5 * 1 * v: additive in a cost c (costs), a change q
    (consequences) and a price v (prices)."""
    return minimal_case(
        effect="0.5",
        cohorts="[10]",
        horizon=1,
        costs="""
[[costs]]
name = "c"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "uniform", min = 0.0, max = 600.0 }
""",
        consequences="""
[[consequences]]
name = "q"
change = { dist = "uniform", min = -2.0, max = 0.0 }
price = { kommune = 100 }

[[consequences]]
name = "v"
change = -1
price = { stat = { dist = "uniform", min = 0.0, max = 120.0 } }
""",
    )


def linear_case(
    effect: str = "0.1",
    cost: str = "1000",
    discount_rate: str = "0.0",
    persistence: str = "",
    extra_consequences: str = "",
) -> str:
    """NPV = 10 * e * 500 * (sum over 3 years of the persistence and discount) - cost: ten
    participants in year 0, each with effect saving 500 a year for the kommune, a fixed cost in year 0."""
    return minimal_case(
        effect=effect,
        cohorts="[10]",
        horizon=3,
        discount_rate=discount_rate,
        persistence=persistence,
        costs=f"""
[[costs]]
name = "programme"
actor = "kommune"
kind = "fixed"
year = 0
amount = {cost}
""",
        consequences="""
[[consequences]]
name = "saving"
change = -1
price = { kommune = 500 }
"""
        + extra_consequences,
    )


#: A consequence whose change is 0: its uncertain price does not enter the NPV.
IRRELEVANT = """
[[consequences]]
name = "irrelevant"
change = 0
price = { kommune = { dist = "uniform", min = 0.0, max = 1000.0 } }
"""
