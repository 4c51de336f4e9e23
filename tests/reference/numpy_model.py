"""An independent, plain numpy/scipy implementation of model.md, written from the specification.

It reads the raw TOML dictionary (not somrisk's Case), maps uniforms through ``scipy.stats`` ``ppf``
and computes the whole cube with broadcast arithmetic over (draw, year, actor, consequence). It is
the oracle the compiled kernel is compared with draw by draw, and the baseline of the speed
benchmark. It imports nothing from somrisk.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

Z975 = 1.959964
DEFAULT_ACTORS = ["kommune", "region", "stat"]
#: Statistics Denmark's net price index, annual averages, 2015 = 100 (PRIS115; som-background.md)
NET_PRICE_INDEX = {
    2015: 100.0,
    2016: 100.5,
    2017: 101.7,
    2018: 102.6,
    2019: 103.5,
    2020: 103.9,
    2021: 105.4,
    2022: 113.5,
    2023: 118.0,
}


def kappa(raw: dict[str, Any], item: dict[str, Any]) -> float:
    """Price-level factor I(P) / I(Y) of an item (model.md, "Price level"): P the case's price year
    (default its start year), Y the item's (default P); the case's own index values take precedence."""
    case = raw["case"]
    level = case.get("price_year", case["start_year"])
    year = item.get("price_year", level)
    if year == level:
        return 1.0
    index = dict(NET_PRICE_INDEX)
    index.update({int(k): float(v) for k, v in raw.get("economy", {}).get("price_index", {}).items()})
    return index[level] / index[year]


def input_specs(raw: dict[str, Any]) -> list[tuple[str, Any]]:
    """(path, value) of every scalar input, in the order of case-format.md's path table."""
    actors = raw["case"].get("actors", DEFAULT_ACTORS)
    out: list[tuple[str, Any]] = []
    part = raw["participants"]
    if "cohorts" in part:
        out += [(f"participants.cohorts.{i}", v) for i, v in enumerate(part["cohorts"])]
    else:
        out.append(("participants.per_year", part["per_year"]))
    for key in ("success_rate", "comparison_rate", "effect"):
        if key in raw["effect"]:
            out.append((f"effect.{key}", raw["effect"][key]))
    out += [(f"effect.cohort_factor.{i}", f) for i, f in enumerate(raw["effect"].get("cohort_factor", []))]
    pers = raw.get("persistence", {})
    for key in ("full_years", "decay"):
        if key in pers:
            out.append((f"persistence.{key}", pers[key]))
    for section in ("costs", "comparison_costs"):
        out += [(f"{section}.{c['name']}.amount", c["amount"]) for c in raw.get(section, [])]
    for c in raw.get("consequences", []):
        out.append((f"consequences.{c['name']}.change", c["change"]))
        if "during" in c:
            out.append((f"consequences.{c['name']}.during", c["during"]))
        out += [(f"consequences.{c['name']}.price.{a}", c["price"][a]) for a in actors if a in c["price"]]
        if "price_factor" in c:
            out.append((f"consequences.{c['name']}.price_factor", c["price_factor"]))
    econ = raw.get("economy", {})
    out.append(("economy.discount_rate", econ.get("discount_rate", 0.035)))
    out.append(("economy.price_growth", econ.get("price_growth", 0.0)))
    return out


def is_uncertain(value: Any) -> bool:
    return isinstance(value, dict) and value["dist"] != "fixed"


def scipy_dist(spec: dict[str, Any]) -> Any:  # noqa: C901 - one branch per family
    """The scipy.stats distribution of a distribution table, from case-format.md's table."""
    d = spec["dist"]
    if d == "uniform":
        return stats.uniform(spec["min"], spec["max"] - spec["min"])
    if d == "triangular":
        lo, mode, hi = spec["min"], spec["mode"], spec["max"]
        return stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if d == "pert":
        lo, mode, hi, lam = spec["min"], spec["mode"], spec["max"], spec.get("lambda", 4.0)
        a = 1 + lam * (mode - lo) / (hi - lo)
        b = 1 + lam * (hi - mode) / (hi - lo)
        return stats.beta(a, b, loc=lo, scale=hi - lo)
    if d in ("normal", "smd"):  # smd: the normal of d, converted by smd_effect
        if "ci95" in spec:
            lo, hi = spec["ci95"]
            return stats.norm(spec["estimate"], (hi - lo) / (2 * Z975))
        return stats.norm(spec["mean"], spec["sd"])
    if d == "truncnormal":
        m, s = spec["mean"], spec["sd"]
        lo, hi = spec.get("min", -np.inf), spec.get("max", np.inf)
        return stats.truncnorm((lo - m) / s, (hi - m) / s, loc=m, scale=s)
    if d == "lognormal":
        if "ci95" in spec:
            lo, hi = spec["ci95"]
            return stats.lognorm(math.log(hi / lo) / (2 * Z975), scale=spec["estimate"])
        if "mu" in spec:
            return stats.lognorm(spec["sigma"], scale=math.exp(spec["mu"]))
        m, s = spec["mean"], spec["sd"]
        sigma2 = math.log(1 + (s / m) ** 2)
        return stats.lognorm(math.sqrt(sigma2), scale=m / math.sqrt(1 + (s / m) ** 2))
    if d == "beta":
        if "successes" in spec:
            k, n = spec["successes"], spec["trials"]
            return stats.beta(k + 1, n - k + 1)
        if "mean" in spec:
            m, s = spec["mean"], spec["sd"]
            nu = m * (1 - m) / s**2 - 1
            return stats.beta(m * nu, (1 - m) * nu)
        return stats.beta(spec["alpha"], spec["beta"])
    if d == "gamma":
        if "mean" in spec:
            m, s = spec["mean"], spec["sd"]
            return stats.gamma((m / s) ** 2, scale=s**2 / m)
        return stats.gamma(spec["shape"], scale=spec["scale"])
    raise ValueError(d)


def smd_effect(d: np.ndarray, p0: float) -> np.ndarray:
    """model.md (Chinn 2000): ln OR = d pi / sqrt(3), p1 = p0 OR / (1 - p0 + p0 OR), e = p1 - p0."""
    odds_ratio = np.exp(np.asarray(d, dtype=float) * math.pi / math.sqrt(3))
    return p0 * odds_ratio / (1 - p0 + p0 * odds_ratio) - p0


def values_from_uniforms(raw: dict[str, Any], u: np.ndarray) -> dict[str, np.ndarray]:
    """Every input's value per draw: uncertain ones through scipy's ppf of the columns of `u`."""
    n = u.shape[0]
    out: dict[str, np.ndarray] = {}
    j = 0
    for path, value in input_specs(raw):
        if is_uncertain(value):
            if value["dist"] == "empirical":
                xs = np.sort(np.asarray(value["values"], dtype=float))
                k = np.clip(np.ceil(u[:, j] * xs.size).astype(int) - 1, 0, xs.size - 1)
                out[path] = xs[k]
            elif value["dist"] == "smd":
                out[path] = smd_effect(scipy_dist(value).ppf(u[:, j]), value["comparison_rate"])
            else:
                out[path] = scipy_dist(value).ppf(u[:, j])
            j += 1
        else:
            number = value["value"] if isinstance(value, dict) else value
            out[path] = np.full(n, float(number))
    return out


def _persistence(raw: dict[str, Any], v: dict[str, np.ndarray], n: int, T: int) -> np.ndarray:
    """pi[draw, u], u = years since intake (model.md, "Persistence detail")."""
    pers = raw.get("persistence")
    u = np.arange(T)
    if pers is None:
        return np.ones((n, T))
    onset, window = pers.get("onset", 0), pers.get("window")
    since = u - onset  # v = u - O
    if "profile" in pers:
        prof = np.asarray(pers["profile"], dtype=float)
        pi = np.broadcast_to(prof[np.clip(since, 0, prof.size - 1)], (n, T)).copy()
    elif "full_years" in pers or "decay" in pers:
        F = v.get("persistence.full_years", np.zeros(n))[:, None]
        delta = v.get("persistence.decay", np.ones(n))[:, None]

        def whole(f: np.ndarray) -> np.ndarray:
            return np.where(since < f, 1.0, (1 - delta) ** np.maximum(since - f + 1, 0))

        f0 = np.floor(F)
        pi = (1 - (F - f0)) * whole(f0) + (F - f0) * whole(f0 + 1)
    else:
        pi = np.ones((n, T))
    pi = np.where(since < 0, 0.0, pi)
    if window is not None:
        pi = np.where(since >= window, 0.0, pi)
    return pi


def horizon(raw: dict[str, Any]) -> int:
    """T: `case.horizon` (default 10), or for "auto" the last intake year + onset + window
    (model.md, "Persistence detail")."""
    T = raw["case"].get("horizon", 10)
    if T != "auto":
        return int(T)
    part = raw["participants"]
    if "cohorts" in part:
        last = len(part["cohorts"]) - 1
    else:
        years = part["years"]
        last = years - 1 if isinstance(years, int) else years[1]
    pers = raw["persistence"]
    return int(last + pers.get("onset", 0) + pers["window"])


def evaluate(raw: dict[str, Any], v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The cube and its reductions for input values `v` (each an array over draws)."""
    case = raw["case"]
    T = horizon(raw)
    actors = case.get("actors", DEFAULT_ACTORS)
    A = len(actors)
    n = next(iter(v.values())).shape[0]
    t = np.arange(T)

    part = raw["participants"]
    if "cohorts" in part:
        starts = list(range(len(part["cohorts"])))
        sizes = [v[f"participants.cohorts.{i}"] for i in starts]
    else:
        years = part["years"]
        first, last = (0, years - 1) if isinstance(years, int) else years
        starts = list(range(first, last + 1))
        sizes = [v["participants.per_year"]] * len(starts)
    # f_i: entry i of cohort_factor, the last repeating; 1 without the key
    listed = len(raw["effect"].get("cohort_factor", []))
    factors = [
        v[f"effect.cohort_factor.{min(i, listed - 1)}"] if listed else np.ones(n) for i in range(len(starts))
    ]

    eff = raw["effect"]
    if "effect" in eff:
        e = v["effect.effect"]
    else:
        e = v["effect.success_rate"] - v.get("effect.comparison_rate", np.zeros(n))

    pi = _persistence(raw, v, n, T)
    onset = raw.get("persistence", {}).get("onset", 0)
    r = v["economy.discount_rate"][:, None]
    g = v["economy.price_growth"][:, None]
    beta = (1 + r) ** (-t)
    growth = (1 + g) ** t

    cons = raw.get("consequences", [])
    C = len(cons)
    gains = np.zeros((n, T, A, C))
    for c_idx, c in enumerate(cons):
        name = c["name"]
        prof = np.asarray(c.get("profile", [1.0]), dtype=float)
        # people with effect weighted by w_c, summed over cohorts: (n, T)
        reach = np.zeros((n, T))
        # participants in their first `during_years` years after intake, times d_c
        during = np.zeros((n, T))
        d_c = v.get(f"consequences.{name}.during", np.zeros(n))[:, None]
        for s, n_i, f_i in zip(starts, sizes, factors, strict=True):
            u_since = t - s
            valid = u_since >= 0
            pi_t = np.where(valid, pi[:, np.clip(u_since, 0, T - 1)], 0.0)
            w = prof[np.clip(u_since - onset, 0, prof.size - 1)]
            reach += n_i[:, None] * f_i[:, None] * pi_t * w
            in_course = (u_since >= 0) & (u_since < c.get("during_years", 1))
            during += n_i[:, None] * in_course * d_c
        factor = v.get(f"consequences.{name}.price_factor", np.ones(n)) * kappa(raw, c)
        for a_idx, a in enumerate(actors):
            price = v.get(f"consequences.{name}.price.{a}", np.zeros(n))
            gains[:, :, a_idx, c_idx] = -(
                (e[:, None] * reach * v[f"consequences.{name}.change"][:, None] + during)
                * (factor * price)[:, None]
                * growth
            )

    costs = np.zeros((n, T, A))
    for section, sign in (("costs", 1.0), ("comparison_costs", -1.0)):
        for c in raw.get(section, []):
            a_idx = actors.index(c["actor"])
            amount = v[f"{section}.{c['name']}.amount"][:, None] * kappa(raw, c)
            if c["kind"] == "fixed":
                first, last = c.get("years", [c.get("year", 0)] * 2)
                share = ((t >= first) & (t <= last)) / (last - first + 1)
                costs[:, :, a_idx] += sign * amount * share
            else:
                L = c.get("duration", 1)
                for s, n_i in zip(starts, sizes, strict=True):
                    share = np.clip(L - (t - s), 0, 1) * (t >= s)
                    costs[:, :, a_idx] += sign * amount * n_i[:, None] * share

    net = gains.sum(axis=3) - costs
    npv = (beta[:, :, None] * net).sum(axis=1)
    cumulative = np.cumsum(beta * net.sum(axis=2), axis=1)
    ok_from_here = np.flip(np.cumprod(np.flip(cumulative >= 0, axis=1), axis=1), axis=1).astype(bool)
    payback = np.where(ok_from_here.any(axis=1), np.argmax(ok_from_here, axis=1), -1)
    pv_gains = (beta[:, :, None, None] * gains).sum(axis=(1, 2, 3))
    pv_costs = (beta[:, :, None] * costs).sum(axis=(1, 2))
    return {
        "gains": gains,
        "costs": costs,
        "net": net,
        "npv": npv,
        "cumulative": cumulative,
        "payback": payback,
        "pv_gains": pv_gains,
        "pv_costs": pv_costs,
    }


def simulate(raw: dict[str, Any], u: np.ndarray) -> dict[str, np.ndarray]:
    """Evaluate the case for the uniforms `u` (draws, uncertain inputs in path order)."""
    return evaluate(raw, values_from_uniforms(raw, u))


def base_values(raw: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each input at its base value: `base`, else `estimate`, else the distribution's mean."""
    out = {}
    for path, value in input_specs(raw):
        if not isinstance(value, dict):
            number = float(value)
        elif "base" in value:
            number = value["base"]
        elif value["dist"] == "fixed":
            number = value["value"]
        elif value["dist"] == "smd":
            number = float(smd_effect(value.get("estimate", value.get("mean")), value["comparison_rate"]))
        elif "estimate" in value:
            number = value["estimate"]
        elif value["dist"] == "empirical":
            number = float(np.mean(value["values"]))
        else:
            number = float(scipy_dist(value).mean())
        out[path] = np.array([float(number)])
    return out
