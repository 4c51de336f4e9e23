"""Stage 5: a case and its input space -> the plain arrays the kernel computes with.

The kernel sees every scalar input of the case (:attr:`InputSpace.inputs`, fixed or uncertain) as one
entry of a parameter vector: parameter p is column ``param_column[p]`` of the draws, or the constant
``param_constant[p]`` where that is -1. Everything else it needs (which parameter is a cohort size,
an effect, a price; the weights of costs by year; the consequence profiles) is spelled out here in
integer and float arrays, so the kernel knows nothing of cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from somrisk.case import Case
from somrisk.case.catalog import Catalog, builtin_catalog, uses_catalog
from somrisk.case.prices import PriceIndex, case_price_factors, case_price_problems
from somrisk.case.schema import Cost
from somrisk.errors import CaseError
from somrisk.space import InputSpace

__all__ = [
    "EFFECT_DIRECT",
    "EFFECT_RATES",
    "PERSIST_FULL",
    "PERSIST_PARAMETRIC",
    "PERSIST_PROFILE",
    "KernelArgs",
    "KernelPlan",
    "StackedPlan",
    "make_plan",
    "stack_plans",
]

EFFECT_DIRECT, EFFECT_RATES = 0, 1
PERSIST_FULL, PERSIST_PARAMETRIC, PERSIST_PROFILE = 0, 1, 2
NO_PARAM = -1


@dataclass(frozen=True, eq=False)
class KernelPlan:
    """Plain arrays describing the calculation of one case (model.md, "Per-draw calculation").

    Shapes use P parameters, T years, A actors, C consequences, I cohorts, K cost items, R distinct
    consequence profiles. Integer arrays are int64, the rest float64.

    Attributes
    ----------
    param_column, param_constant : (P,)
        Column of the draws holding parameter p, or -1 and its constant value.
    cohort_start, cohort_param : (I,)
        Intake year s_i (years of the horizon) and the parameter holding n_i.
    cohort_factor_param : (I,)
        Parameter holding cohort i's factor f_i, the share of the full effect it reaches (-1: 1).
    effect : (3,)
        [mode, a, b]: mode EFFECT_DIRECT (e = param a) or EFFECT_RATES (e = param a - param b,
        b = -1 meaning p0 = 0).
    persistence : (5,)
        [mode, full_years param, decay param, onset O, window W (0 = none)].
    persistence_profile : (T,)
        pi by years since onset for PERSIST_PROFILE (last value repeated), else ones.
    cost_param, cost_actor : (K,)
        Parameter of the amount, and the actor index.
    cost_sign : (K,)
        +kappa_k for an intervention cost, -kappa_k for a comparison cost (subtracted): the sign
        times the item's price-level factor (model.md, "Price level"; 1 at the case's level).
    cost_pattern : (K,)
        -1 for a fixed cost; for a per-participant cost, its row of `duration_weight`.
    cost_weight : (K, T)
        Fixed cost: share of the amount paid in year t (zeros for per-participant costs).
    duration_weight : (Q, T)
        Each distinct duration of per-participant costs and of consequences during the course:
        share of a year's amount paid u years after intake (1 for whole years within `duration`,
        a fraction in the last year of a fractional duration).
    change_param, factor_param : (C,)
        Parameter of q_c, and of m_c (-1: factor 1).
    during_param, during_pattern : (C,)
        Parameter of the during-course change d_c, and the row of `duration_weight` of its
        `during_years` (both -1 where the consequence has no `during`).
    price_terms : (M, 4)
        One row per price the case gives: consequence, actor, parameter of v_{c,a}, and the
        parameter of a catalogue entry's price factor (-1: none). Actors a consequence does not
        name pay nothing and have no row. A price taken from a catalogue is the catalogue's input.
    price_scale : (M,)
        Constant multiplier of each price term's v_{c,a}: the price-level factor kappa (model.md,
        "Price level"); 1 where the price is at the case's price level.
    consequence_profile : (C,)
        Row of `profiles` holding w_c.
    profiles : (R, T)
        w(v) for v = 0..T-1, last value repeated; row 0 is all ones.
    economy : (2,)
        Parameters of the discount rate r and the price growth g.
    """

    horizon: int
    actors: tuple[str, ...]
    consequences: tuple[str, ...]
    param_column: np.ndarray
    param_constant: np.ndarray
    cohort_start: np.ndarray
    cohort_param: np.ndarray
    effect: np.ndarray
    persistence: np.ndarray
    persistence_profile: np.ndarray
    cost_param: np.ndarray
    cost_actor: np.ndarray
    cost_sign: np.ndarray
    cost_pattern: np.ndarray
    cost_weight: np.ndarray
    duration_weight: np.ndarray
    change_param: np.ndarray
    factor_param: np.ndarray
    price_terms: np.ndarray
    price_scale: np.ndarray
    consequence_profile: np.ndarray
    profiles: np.ndarray
    economy: np.ndarray
    cohort_factor_param: np.ndarray
    during_param: np.ndarray
    during_pattern: np.ndarray


def _int(values: list[int] | list[list[int]]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _repeat_last(values: list[float], length: int) -> np.ndarray:
    out = np.empty(length)
    n = min(len(values), length)
    out[:n] = values[:n]
    out[n:] = values[-1]
    return out


def _fixed_weight(cost: Cost, horizon: int) -> np.ndarray:
    """Share of a fixed cost paid in each year (evenly over `years`)."""
    weight = np.zeros(horizon)
    if cost.kind == "fixed":
        first, last = cost.paid_years
        weight[first : last + 1] = 1.0 / (last - first + 1)
    return weight


def _duration_weight(duration: float, horizon: int) -> tuple[float, ...]:
    """Share of year u after intake (u = 0..T-1) that lies inside [0, duration)."""
    return tuple(np.clip(duration - np.arange(horizon), 0.0, 1.0))


def _price_terms(case: Case, param: Callable[[str | None], int], index: dict[str, int]) -> list[list[int]]:
    """Rows of `price_terms`: the case's own prices, or its catalogue entries' prices and factors."""
    terms = []
    for c_index, c in enumerate(case.consequences):
        own = isinstance(c.price, dict)
        prefix = f"consequences.{c.name}" if own else f"catalog.{c.name}"
        factor = NO_PARAM if own else param(f"catalog.{c.name}.price_factor")
        for a_index, actor in enumerate(case.actors):
            if f"{prefix}.price.{actor}" in index:
                terms.append([c_index, a_index, param(f"{prefix}.price.{actor}"), factor])
    return terms


def _cohort_factor_params(case: Case, param: Callable[[str | None], int], cohorts: int) -> list[int]:
    """Parameter of f_i for each cohort: entry i of `cohort_factor`, its last entry repeating."""
    listed = len(case.effect.cohort_factor or ())
    if not listed:
        return [NO_PARAM] * cohorts
    return [param(f"effect.cohort_factor.{min(i, listed - 1)}") for i in range(cohorts)]


def _during_patterns(case: Case, durations: list[tuple[float, ...]]) -> list[int]:
    """Row of `duration_weight` of each consequence's `during_years` (-1: no `during`); rows it
    needs are appended to `durations`."""
    patterns = []
    for c in case.consequences:
        if c.during is None:
            patterns.append(NO_PARAM)
            continue
        row = _duration_weight(float(c.during_span), case.horizon)
        if row not in durations:
            durations.append(row)
        patterns.append(durations.index(row))
    return patterns


def make_plan(
    case: Case,
    space: InputSpace,
    *,
    catalog: Catalog | None = None,
    price_level: int | None = None,
    price_index: PriceIndex | None = None,
) -> KernelPlan:
    """The kernel arrays of a case; `space` must be the input space built from the same case (and
    `catalog`, default the knowledge base where the case takes catalogue prices).

    Money is at the case's price level, or at `price_level` (a portfolio's) converted with
    `price_index` (:func:`somrisk.case.prices.case_price_factors`).

    Raises
    ------
    CaseError
        Where the net price index cannot convert a price year (naming the year and how to add it).
    """
    if catalog is None and uses_catalog(case):
        catalog = builtin_catalog()
    problems = case_price_problems(case, catalog, level=price_level, index=price_index)
    if problems:
        raise CaseError(problems)
    kappa = case_price_factors(case, catalog, level=price_level, index=price_index)
    index = {spec.path: p for p, spec in enumerate(space.inputs)}
    column = {p: j for j, p in enumerate(space.uncertain)}
    fixed = space.fixed_values
    T, actors = case.horizon, case.actors

    def param(path: str | None) -> int:
        return NO_PARAM if path is None or path not in index else index[path]

    participants = case.participants
    first, last = participants.intake_years
    if participants.cohorts is not None:
        cohort_param = [param(f"participants.cohorts.{i}") for i in range(len(participants.cohorts))]
    else:
        cohort_param = [param("participants.per_year")] * (last - first + 1)

    effect = case.effect
    cohort_factor_param = _cohort_factor_params(case, param, len(cohort_param))
    if effect.effect is not None:
        effect_row = [EFFECT_DIRECT, param("effect.effect"), NO_PARAM]
    else:
        effect_row = [EFFECT_RATES, param("effect.success_rate"), param("effect.comparison_rate")]

    persistence_row = [PERSIST_FULL, NO_PARAM, NO_PARAM, 0, 0]
    persistence_profile = np.ones(T)
    pers = case.persistence
    if pers is not None:
        # an onset or window beyond the horizon acts as the horizon does (and a 400-digit one fits)
        persistence_row[3], persistence_row[4] = min(pers.onset, T), min(pers.window or 0, T)
        if pers.profile is not None:
            persistence_row[0] = PERSIST_PROFILE
            persistence_profile = _repeat_last(pers.profile, T)
        elif pers.full_years is not None or pers.decay is not None:
            persistence_row[0] = PERSIST_PARAMETRIC
            persistence_row[1] = param("persistence.full_years")  # -1: decay from the first year
            persistence_row[2] = param("persistence.decay")  # -1: the effect ends after F years

    costs = [("costs", c, 1.0) for c in case.costs]
    costs += [("comparison_costs", c, -1.0) for c in case.comparison_costs]
    costs = [(section, c, sign * k) for (section, c, sign), k in zip(costs, kappa.costs, strict=True)]
    durations: list[tuple[float, ...]] = []
    cost_pattern: list[int] = []
    for _, cost, _ in costs:
        if cost.kind == "fixed":
            cost_pattern.append(NO_PARAM)
            continue
        row = _duration_weight(cost.duration_years, T)
        if row not in durations:
            durations.append(row)
        cost_pattern.append(durations.index(row))
    during_pattern = _during_patterns(case, durations)
    price_terms = _price_terms(case, param, index)

    profiles: list[tuple[float, ...]] = [(1.0,) * T]
    consequence_profile: list[int] = []
    for c in case.consequences:
        row = (1.0,) * T if c.profile is None else tuple(_repeat_last(c.profile, T))
        if row not in profiles:
            profiles.append(row)
        consequence_profile.append(profiles.index(row))

    return KernelPlan(
        horizon=T,
        actors=actors,
        consequences=tuple(c.name for c in case.consequences),
        param_column=_int([column.get(p, NO_PARAM) for p in range(len(space.inputs))]),
        param_constant=np.where([p in column for p in range(len(space.inputs))], math.nan, fixed),
        cohort_start=_int(list(range(first, last + 1))),
        cohort_param=_int(cohort_param),
        effect=_int(effect_row),
        persistence=_int(persistence_row),
        persistence_profile=persistence_profile,
        cost_param=_int([param(f"{section}.{c.name}.amount") for section, c, _ in costs]),
        cost_actor=_int([actors.index(c.actor) for _, c, _ in costs]),
        cost_sign=np.array([sign for _, _, sign in costs], dtype=float),
        cost_pattern=_int(cost_pattern),
        cost_weight=np.array([_fixed_weight(c, T) for _, c, _ in costs]).reshape(len(costs), T),
        duration_weight=np.array(durations, dtype=float).reshape(len(durations), T),
        change_param=_int([param(f"consequences.{c.name}.change") for c in case.consequences]),
        factor_param=_int([param(f"consequences.{c.name}.price_factor") for c in case.consequences]),
        price_terms=_int(price_terms).reshape(len(price_terms), 4),
        price_scale=np.array([kappa.prices[term[0]] for term in price_terms], dtype=float),
        consequence_profile=_int(consequence_profile),
        profiles=np.array(profiles, dtype=float).reshape(len(profiles), T),
        economy=_int([param("economy.discount_rate"), param("economy.price_growth")]),
        cohort_factor_param=_int(cohort_factor_param),
        during_param=_int([param(f"consequences.{c.name}.during") for c in case.consequences]),
        during_pattern=_int(during_pattern),
    )


class KernelArgs(NamedTuple):
    """The plan of a chunk of cases, field by field the kernel's parameters after the draws
    (:func:`somrisk.kernel.evaluate_cases`); numba compiles it as a named tuple of arrays.

    Per-case lists of :class:`KernelPlan` are concatenated; case k's rows are
    ``X_first[k]:X_first[k + 1]``. Parameter numbers and rows of `profiles` and `duration_weight`
    are global; year arrays are padded to the run's years.
    """

    param_column: np.ndarray
    param_constant: np.ndarray
    cohort_first: np.ndarray
    cohort_start: np.ndarray
    cohort_param: np.ndarray
    effect: np.ndarray
    persistence: np.ndarray
    persistence_profile: np.ndarray
    cost_first: np.ndarray
    cost_param: np.ndarray
    cost_actor: np.ndarray
    cost_sign: np.ndarray
    cost_pattern: np.ndarray
    cost_weight: np.ndarray
    duration_weight: np.ndarray
    duration_first: np.ndarray
    consequence_first: np.ndarray
    change_param: np.ndarray
    factor_param: np.ndarray
    consequence_profile: np.ndarray
    consequence_index: np.ndarray
    price_first: np.ndarray
    price_terms: np.ndarray
    price_scale: np.ndarray
    profile_first: np.ndarray
    profiles: np.ndarray
    economy: np.ndarray
    horizon: np.ndarray
    year_offset: np.ndarray
    actor_first: np.ndarray
    actor_index: np.ndarray
    cohort_factor_param: np.ndarray
    during_param: np.ndarray
    during_pattern: np.ndarray


@dataclass(frozen=True, eq=False)
class StackedPlan:
    """The plans of several cases, evaluated in one kernel call (:func:`somrisk.kernel.evaluate_cases`).

    The cases' parameters form one vector (case k's are ``param_start[k]:param_start[k + 1]``), and
    every per-case list of :class:`KernelPlan` (cohorts, costs, consequences, price terms, profiles,
    durations, actors) is concatenated (:class:`KernelArgs`). Columns of the draws are those of the
    whole chunk's value matrix. Year arrays are padded to `years`.

    Each case's actors are placed among the run's actors (`actor_index`), its years start
    `year_offset` years after the run's first year, and its consequences are the run's consequences
    `consequence_index` (for the cube).
    """

    years: int
    actors: int
    consequences: int
    args: KernelArgs

    @property
    def cases(self) -> int:
        return int(self.args.horizon.size)


def _starts(counts: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64)


def _pad(rows: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((rows.shape[0], width))
    out[:, : rows.shape[1]] = rows
    return out


def stack_plans(
    plans: list[KernelPlan],
    *,
    column_offsets: list[np.ndarray],
    actors: tuple[str, ...],
    consequences: tuple[str, ...],
    year_offsets: list[int],
    years: int | None = None,
) -> StackedPlan:
    """Stack the plans of cases for one kernel call.

    Parameters
    ----------
    plans : list of KernelPlan
        One per case.
    column_offsets : list of int64 arrays
        For each case, the column of the chunk's value matrix that holds each of its own columns
        (``column_offsets[k][j]``: where case k's column j is).
    actors, consequences : tuple of str
        The run's actors and consequences (every case's are among them).
    year_offsets : list of int
        Years from the run's first year to each case's first year.
    years : int, optional
        The run's years (default: to the end of the last of these cases); every chunk of a run has
        the run's years, so that the chunks' yearly results add up.
    """
    T = max(off + p.horizon for p, off in zip(plans, year_offsets, strict=True))
    if years is not None:
        assert years >= T, "a run's years cover every case's"
        T = years
    P = [p.param_column.size for p in plans]
    param_start = _starts(P)

    def shift(values: np.ndarray, k: int) -> np.ndarray:
        return np.where(values >= 0, values + param_start[k], values)

    columns = [
        np.where(p.param_column >= 0, cols[np.maximum(p.param_column, 0)] if cols.size else -1, -1)
        for p, cols in zip(plans, column_offsets, strict=True)
    ]
    R = [p.profiles.shape[0] for p in plans]
    Q = [p.duration_weight.shape[0] for p in plans]
    profile_start, duration_start = _starts(R), _starts(Q)
    effect = np.array([shift(p.effect, k) * [0, 1, 1] + p.effect * [1, 0, 0] for k, p in enumerate(plans)])
    persistence = np.array(
        [
            np.concatenate([p.persistence[:1], shift(p.persistence[1:3], k), p.persistence[3:]])
            for k, p in enumerate(plans)
        ]
    )
    price_terms = []
    for k, p in enumerate(plans):
        terms = p.price_terms.copy()
        if terms.size:
            terms[:, 0] += sum(len(q.consequences) for q in plans[:k])
            terms[:, 1] = [actors.index(p.actors[a]) for a in terms[:, 1]]
            terms[:, 2:] = shift(terms[:, 2:], k)
        price_terms.append(terms)
    args = KernelArgs(
        param_column=np.concatenate(columns).astype(np.int64),
        param_constant=np.concatenate([p.param_constant for p in plans]),
        cohort_first=_starts([p.cohort_start.size for p in plans]),
        cohort_start=np.concatenate([p.cohort_start for p in plans]).astype(np.int64),
        cohort_param=np.concatenate([shift(p.cohort_param, k) for k, p in enumerate(plans)]).astype(np.int64),
        effect=effect.astype(np.int64),
        persistence=persistence.astype(np.int64),
        persistence_profile=np.concatenate([_pad(p.persistence_profile[None, :], T) for p in plans]),
        cost_first=_starts([p.cost_param.size for p in plans]),
        cost_param=np.concatenate([shift(p.cost_param, k) for k, p in enumerate(plans)]).astype(np.int64),
        cost_actor=np.concatenate([[actors.index(p.actors[a]) for a in p.cost_actor] for p in plans]).astype(
            np.int64
        ),
        cost_sign=np.concatenate([p.cost_sign for p in plans]),
        cost_pattern=np.concatenate(
            [
                np.where(p.cost_pattern >= 0, p.cost_pattern + duration_start[k], -1)
                for k, p in enumerate(plans)
            ]
        ).astype(np.int64),
        cost_weight=np.concatenate([_pad(p.cost_weight, T) for p in plans]),
        duration_weight=np.concatenate([_pad(p.duration_weight, T) for p in plans]),
        duration_first=duration_start,
        consequence_first=_starts([len(p.consequences) for p in plans]),
        change_param=np.concatenate([shift(p.change_param, k) for k, p in enumerate(plans)]).astype(np.int64),
        factor_param=np.concatenate([shift(p.factor_param, k) for k, p in enumerate(plans)]).astype(np.int64),
        consequence_profile=np.concatenate(
            [p.consequence_profile + profile_start[k] for k, p in enumerate(plans)]
        ).astype(np.int64),
        consequence_index=np.array(
            [consequences.index(c) for p in plans for c in p.consequences], dtype=np.int64
        ),
        price_first=_starts([t.shape[0] for t in price_terms]),
        price_terms=np.concatenate(price_terms).astype(np.int64).reshape(-1, 4),
        price_scale=np.concatenate([p.price_scale for p in plans]).astype(np.float64),
        profile_first=profile_start,
        profiles=np.concatenate([_pad(p.profiles, T) for p in plans]),
        economy=np.array([shift(p.economy, k) for k, p in enumerate(plans)], dtype=np.int64),
        horizon=np.array([p.horizon for p in plans], dtype=np.int64),
        year_offset=np.array(year_offsets, dtype=np.int64),
        actor_first=_starts([len(p.actors) for p in plans]),
        actor_index=np.array([actors.index(a) for p in plans for a in p.actors], dtype=np.int64),
        cohort_factor_param=np.concatenate(
            [shift(p.cohort_factor_param, k) for k, p in enumerate(plans)]
        ).astype(np.int64),
        during_param=np.concatenate([shift(p.during_param, k) for k, p in enumerate(plans)]).astype(np.int64),
        during_pattern=np.concatenate(
            [
                np.where(p.during_pattern >= 0, p.during_pattern + duration_start[k], -1)
                for k, p in enumerate(plans)
            ]
        ).astype(np.int64),
    )
    return StackedPlan(T, len(actors), len(consequences), args)
