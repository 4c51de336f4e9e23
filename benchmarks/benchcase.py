"""Generate realistic benchmark cases: SØM's consequence types, mixed distributions.

The numbers are illustrative (they set realistic magnitudes for timing, not evidence). The default
case has 33 consequences in SØM's five areas, 3 actors, a 10-year horizon, 3 cohorts and about 100
uncertain inputs. Run ``python benchmarks/benchcase.py > case.toml`` to see one.
"""

from __future__ import annotations

import numpy as np

#: name, area, unit, yearly change per person with effect, {actor: price} (DKK; negative = revenue)
CONSEQUENCES = [
    ("kontanthjaelp", "beskaeftigelse", "år på ydelse", -0.15, {"kommune": 95000, "stat": 45000}),
    (
        "uddannelseshjaelp",
        "beskaeftigelse",
        "år på ydelse",
        -0.12,
        {"kommune": 60000, "stat": 25000},
    ),
    (
        "foertidspension",
        "beskaeftigelse",
        "år på ydelse",
        -0.03,
        {"kommune": 180000, "stat": 60000},
    ),
    ("dagpenge", "beskaeftigelse", "år på ydelse", 0.02, {"stat": 210000}),
    ("sygedagpenge", "beskaeftigelse", "år på ydelse", -0.02, {"kommune": 150000, "stat": 40000}),
    (
        "ressourceforloeb",
        "beskaeftigelse",
        "år på ydelse",
        -0.02,
        {"kommune": 140000, "stat": 50000},
    ),
    (
        "ledighedsydelse",
        "beskaeftigelse",
        "år på ydelse",
        -0.01,
        {"kommune": 120000, "stat": 40000},
    ),
    ("aktivering", "beskaeftigelse", "forløb", -0.2, {"kommune": 25000}),
    (
        "skat_beskaeftigelse",
        "beskaeftigelse",
        "år i arbejde",
        0.18,
        {"kommune": -70000, "stat": -90000},
    ),
    ("skat_ydelser", "beskaeftigelse", "år på ydelse", -0.15, {"kommune": -20000, "stat": -15000}),
    ("ungdomsuddannelse", "uddannelse", "år i uddannelse", 0.1, {"kommune": 20000, "stat": 75000}),
    ("videregaaende_uddannelse", "uddannelse", "år i uddannelse", 0.03, {"stat": 90000}),
    ("su", "uddannelse", "år med SU", 0.08, {"stat": 75000}),
    ("misbrugsbehandling", "social", "forløb", -0.1, {"kommune": 60000}),
    ("herberg", "social", "døgn", -4.0, {"kommune": 550, "stat": 550}),
    ("botilbud_midlertidigt", "social", "døgn", -3.0, {"kommune": 1800}),
    ("botilbud_laengerevarende", "social", "døgn", -1.0, {"kommune": 2200}),
    ("socialpaedagogisk_stoette", "social", "timer", -12.0, {"kommune": 520}),
    ("aktivitets_samvaer", "social", "dage", -5.0, {"kommune": 700}),
    ("beskyttet_beskaeftigelse", "social", "dage", -3.0, {"kommune": 650}),
    ("somatisk_indlaeggelse", "sundhed", "indlæggelser", -0.05, {"kommune": 4500, "region": 42000}),
    (
        "psykiatrisk_indlaeggelse",
        "sundhed",
        "indlæggelser",
        -0.04,
        {"kommune": 3000, "region": 95000},
    ),
    ("somatisk_ambulant", "sundhed", "besøg", -0.3, {"kommune": 400, "region": 2600}),
    ("psykiatrisk_ambulant", "sundhed", "besøg", -0.5, {"kommune": 300, "region": 3100}),
    ("skadestue", "sundhed", "besøg", -0.2, {"kommune": 350, "region": 1900}),
    ("praktiserende_laege", "sundhed", "kontakter", -0.8, {"region": 280}),
    ("speciallaege", "sundhed", "kontakter", -0.3, {"region": 650}),
    ("medicin", "sundhed", "recepter", -1.0, {"region": 450}),
    ("faengselsdage", "kriminalitet", "dage", -2.0, {"stat": 2100}),
    ("dom_vold", "kriminalitet", "domme", -0.02, {"stat": 95000}),
    ("dom_ejendom", "kriminalitet", "domme", -0.04, {"stat": 45000}),
    ("dom_oevrig", "kriminalitet", "domme", -0.03, {"stat": 30000}),
    ("politi", "kriminalitet", "sigtelser", -0.1, {"stat": 12000}),
]


def _uncertain(value: float, kind: str, rng: np.random.Generator) -> str:
    spread = abs(value) * rng.uniform(0.1, 0.4)
    if kind == "pert":
        lo, hi = sorted((value - spread, value + 1.5 * spread))
        return f'{{ dist = "pert", min = {lo:.6g}, mode = {value:.6g}, max = {hi:.6g} }}'
    if kind == "normal":
        return f'{{ dist = "normal", mean = {value:.6g}, sd = {spread / 2:.6g} }}'
    if kind == "triangular":
        lo, hi = sorted((value - spread, value + spread))
        return f'{{ dist = "triangular", min = {lo:.6g}, mode = {value:.6g}, max = {hi:.6g} }}'
    if kind == "uniform":
        lo, hi = sorted((value - spread, value + spread))
        return f'{{ dist = "uniform", min = {lo:.6g}, max = {hi:.6g} }}'
    if kind == "gamma":
        sign = "-" if value < 0 else ""
        body = f'{{ dist = "gamma", mean = {abs(value):.6g}, sd = {spread / 2:.6g} }}'
        return body if not sign else f'{{ dist = "normal", mean = {value:.6g}, sd = {spread / 2:.6g} }}'
    if kind == "lognormal":
        if value <= 0:
            return _uncertain(value, "normal", rng)
        return f'{{ dist = "lognormal", mean = {value:.6g}, sd = {spread / 2:.6g} }}'
    raise ValueError(kind)


def benchmark_case(consequences: int = 33, seed: int = 0, name: str = "Benchmark") -> str:
    """TOML text of a benchmark case with `consequences` consequences (repeating SØM's list)."""
    rng = np.random.default_rng(seed)
    lines = [
        "[case]",
        f'name = "{name}: {consequences} consequences"',
        "price_year = 2024",
        "start_year = 2025",
        "horizon = 10",
        "",
        "[participants]",
        "cohorts = [" + ", ".join('{ dist = "pert", min = 15, mode = 20, max = 30 }' for _ in range(3)) + "]",
        "",
        "[effect]",
        'success_rate = { dist = "beta", successes = 18, trials = 40 }',
        'comparison_rate = { dist = "beta", successes = 8, trials = 40 }',
        "",
        "[persistence]",
        "window = 10",
        'full_years = { dist = "triangular", min = 1, mode = 2, max = 5 }',
        'decay = { dist = "uniform", min = 0.1, max = 0.4 }',
        "",
    ]
    for name_, kind, actor, amount, dist in [
        ("opstart", "fixed", "kommune", 250000, "pert"),
        ("forloeb", "per_participant", "kommune", 45000, "normal"),
        ("mentor", "per_participant", "kommune", 15000, "triangular"),
        ("evaluering", "fixed", "stat", 120000, "uniform"),
    ]:
        lines += [
            "[[costs]]",
            f'name = "{name_}"',
            f'actor = "{actor}"',
            f'kind = "{kind}"',
            f"amount = {_uncertain(amount, dist, rng)}",
            "",
        ]
    for name_, amount in (("samtaler", 12000), ("sagsbehandling", 8000)):
        lines += [
            "[[comparison_costs]]",
            f'name = "{name_}"',
            'actor = "kommune"',
            'kind = "per_participant"',
            f"amount = {_uncertain(amount, 'pert', rng)}",
            "",
        ]
    profiles = ["[0.5, 1.0]", "[1.0, 0.9, 0.8, 0.7]", "[0.3, 0.8, 1.0]", "[1.2, 1.0, 0.8]"]
    change_kinds = ["normal", "pert", "triangular"]
    price_kinds = ["pert", "triangular", "uniform", "gamma", "lognormal"]
    for i in range(consequences):
        base_name, area, unit, change, prices = CONSEQUENCES[i % len(CONSEQUENCES)]
        suffix = "" if i < len(CONSEQUENCES) else f"_{i // len(CONSEQUENCES)}"
        lines += [
            "[[consequences]]",
            f'name = "{base_name}{suffix}"',
            f'category = "{area}"',
            f'unit = "{unit}"',
            f"change = {_uncertain(change, change_kinds[i % 3], rng)}",
        ]
        if i % 3 == 0:
            lines.append(f"profile = {profiles[(i // 3) % len(profiles)]}")
        parts = []
        for j, (actor, price) in enumerate(prices.items()):
            uncertain = (i + j) % 3 != 2
            parts.append(
                f"{actor} = {_uncertain(price, price_kinds[(i + j) % 5], rng) if uncertain else price}"
            )
        lines.append("price = { " + ", ".join(parts) + " }")
        if i % 3 == 1:
            lines.append('price_factor = { dist = "uniform", min = 0.9, max = 1.1 }')
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(benchmark_case())
