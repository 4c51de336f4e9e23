"""Hypothesis strategies that build valid case files (as TOML text) with knobs for properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def scaled(value: Any, factor: float) -> Any:
    """A number or a location-scale distribution table multiplied by `factor`."""
    if isinstance(value, dict):
        keys = ("min", "mode", "max", "mean", "sd")
        return {k: (v * factor if k in keys else v) for k, v in value.items()}
    return value * factor


@dataclass
class CaseSpec:
    horizon: int
    actors: list[str]
    cohorts: list[Any]
    effect: Any
    persistence: dict[str, Any] | None
    costs: list[dict[str, Any]] = field(default_factory=list)
    consequences: list[dict[str, Any]] = field(default_factory=list)
    discount_rate: Any = 0.035
    price_growth: Any = 0.0

    def toml(
        self,
        *,
        participants: float = 1.0,
        prices: float = 1.0,
        effect: Any = None,
        discount_rate: Any = None,
    ) -> str:
        lines = [
            "[case]",
            'name = "Generated"',
            "start_year = 2025",
            f"horizon = {self.horizon}",
            f"actors = {toml_value(self.actors)}",
            "",
            "[economy]",
            f"discount_rate = {toml_value(self.discount_rate if discount_rate is None else discount_rate)}",
            f"price_growth = {toml_value(self.price_growth)}",
            "",
            "[participants]",
            f"cohorts = {toml_value([scaled(c, participants) for c in self.cohorts])}",
            "",
            "[effect]",
            f"effect = {toml_value(self.effect if effect is None else effect)}",
            "",
        ]
        if self.persistence is not None:
            lines += ["[persistence]"] + [f"{k} = {toml_value(v)}" for k, v in self.persistence.items()]
            lines.append("")
        for cost in self.costs:
            lines += ["[[costs]]"] + [f"{k} = {toml_value(v)}" for k, v in cost.items()] + [""]
        for c in self.consequences:
            body = dict(c)
            body["price"] = {a: scaled(v, prices) for a, v in c["price"].items()}
            lines += ["[[consequences]]"] + [f"{k} = {toml_value(v)}" for k, v in body.items()] + [""]
        return "\n".join(lines)


numbers = st.floats(-1000, 1000, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def spread(draw: st.DrawFn, low: float, high: float) -> Any:
    """A number in [low, high], or a uniform or PERT distribution inside it."""
    a = draw(st.floats(low, high, allow_nan=False))
    b = draw(st.floats(low, high, allow_nan=False))
    lo, hi = min(a, b), max(a, b)
    kind = draw(st.sampled_from(["number", "uniform", "pert"]))
    if kind == "number" or hi - lo < 1e-3 * max(1.0, abs(hi)):
        return round(a, 6)
    if kind == "uniform":
        return {"dist": "uniform", "min": lo, "max": hi}
    return {"dist": "pert", "min": lo, "mode": (lo + hi) / 2, "max": hi}


@st.composite
def cases(
    draw: st.DrawFn, *, fixed_costs: bool = True, costs: bool = True, gains_only: bool = False
) -> CaseSpec:
    """A valid case. `gains_only`: no costs and every budget gain >= 0."""
    horizon = draw(st.integers(1, 12))
    actors = draw(st.sampled_from([["kommune", "region", "stat"], ["kommune", "stat"], ["x"]]))
    cohorts = draw(st.lists(spread(0, 50), min_size=1, max_size=min(3, horizon)))
    effect = draw(spread(0.0, 0.8) if gains_only else spread(-0.5, 0.8))
    persistence = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"onset": st.integers(0, 2)},
                optional={
                    "window": st.integers(1, 6),
                    "full_years": spread(0.0, 5.0),
                    "decay": spread(0.0, 1.0),
                },
            ),
            st.fixed_dictionaries(
                {
                    "onset": st.integers(0, 2),
                    "profile": st.lists(st.floats(0, 1).map(lambda x: round(x, 3)), min_size=1, max_size=4),
                }
            ),
        )
    )
    cost_items = []
    if costs and not gains_only:
        for i in range(draw(st.integers(0, 3))):
            kinds = ["per_participant", "fixed"] if fixed_costs else ["per_participant"]
            kind = draw(st.sampled_from(kinds))
            item = {
                "name": f"cost{i}",
                "actor": draw(st.sampled_from(actors)),
                "kind": kind,
                "amount": draw(spread(0, 5000)),
            }
            if kind == "fixed":
                item["year"] = draw(st.integers(0, horizon - 1))
            else:
                item["duration"] = draw(st.sampled_from([1, 2, 0.5, 1.5]))
            cost_items.append(item)
    consequences = []
    for i in range(draw(st.integers(1, 4))):
        change = draw(spread(-2.0, 0.0) if gains_only else spread(-2.0, 2.0))
        chosen = draw(st.lists(st.sampled_from(actors), min_size=1, unique=True))
        price = {a: draw(spread(0, 10000) if gains_only else spread(-10000, 10000)) for a in chosen}
        item: dict[str, Any] = {"name": f"c{i}", "change": change, "price": price}
        if draw(st.booleans()):
            item["profile"] = draw(
                st.lists(st.floats(0, 2).map(lambda x: round(x, 3)), min_size=1, max_size=4)
            )
        consequences.append(item)
    return CaseSpec(
        horizon,
        actors,
        cohorts,
        effect,
        persistence,
        cost_items,
        consequences,
        discount_rate=draw(spread(0.0, 0.1)),
        price_growth=draw(st.floats(-0.02, 0.03).map(lambda x: round(x, 4))),
    )
