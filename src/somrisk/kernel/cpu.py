"""Stage 6: the SØM equations of model.md on plain arrays, compiled with numba.

:func:`evaluate_cases` computes, for each draw of a block and each case of a chunk (one case, or many
cases of a portfolio in one call), the net extra cost K, the budget gains G and the net result
N = sum_c G - K by year and actor (G with the phase-in factors f_i and the consequences during the
course d_c of model.md), and reduces them to the NPV per actor and per case, the net
result and discounted net result by year, and the present values of gains and costs. With
`write_cube` it also writes G by consequence and K into the caller's arrays. :func:`finish_block`
turns the (summed) net results into the cumulative discounted net result and the payback year.

Nothing here knows about cases, xarray, randomness or files; the plan is a named tuple of plain
arrays (:class:`somrisk.plan.KernelArgs`), and so are the outputs (:class:`KernelOutputs`). The
functions release the GIL, so blocks of draws run in parallel on threads. Money is in the case's
currency at its price level; a positive gain is money saved or earned by the public sector, a
positive cost is money spent.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from somrisk.plan import EFFECT_DIRECT, PERSIST_FULL, PERSIST_PROFILE

__all__ = ["LANES", "KernelOutputs", "evaluate_cases", "finish_block", "series_moments"]


class KernelOutputs(NamedTuple):
    """What :func:`evaluate_cases` writes, for n draws, `cases` cases, T years and A actors of the run.

    Money is at the cases' price level; a gain or net result is positive when public budgets
    improve, a cost when money is spent. The first five are *added to*, so that the chunks of a run
    can be summed; the caller sets them to zero.

    npv : float64 (n, A)
        NPV per actor, sum_k sum_t beta_k(t) N_k[t, a], discounted to the run's first year.
    case_npv : float64 (n, cases)
        Each case's NPV over all its actors (written, not added).
    net : float64 (n, T, A)
        Net result N[t, a] summed over the cases, undiscounted.
    discounted : float64 (n, T)
        sum_k beta_k(t) sum_a N_k[t, a]: the discounted net result of each year.
    pv : float64 (n, 2)
        Present values of all gains and of all net extra costs.
    gains : float64 (n, cases, T, A, C)
        G[t, a, c] of each case (written only with `write_cube`; may be empty otherwise).
    costs : float64 (n, cases, T, A)
        K[t, a] of each case (written only with `write_cube`; may be empty otherwise).
    discount : float64 (n, cases, T)
        beta_k(t) of each case, from the run's first year, as the NPVs used it (written only with
        `write_cube`).
    """

    npv: np.ndarray
    case_npv: np.ndarray
    net: np.ndarray
    discounted: np.ndarray
    pv: np.ndarray
    gains: np.ndarray
    costs: np.ndarray
    discount: np.ndarray


#: Draws evaluated side by side: every quantity of a draw is held for this many draws at once, so
#: that the innermost loops run over draws (the same operations, in the same order, for each draw).
LANES = 64


@numba.njit(cache=True, nogil=True)
def evaluate_cases(values, plan, write_cube, out):  # noqa: C901  # pragma: no cover - compiled, one pass
    """Evaluate the model for every draw of a block and every case of a chunk.

    Parameters
    ----------
    values : float64 (n, d)
        Values of the uncertain inputs, one row per draw (the columns of every case of the chunk).
    plan : KernelArgs
        The chunk's plan (:class:`somrisk.plan.KernelArgs`), as named arrays.
    write_cube : bool
        Also write `out.gains`, `out.costs` and `out.discount`.
    out : KernelOutputs
        Where the results go (:class:`KernelOutputs`).

    Draws go in groups of :data:`LANES`; each draw's numbers are computed by the same operations in
    the same order as one draw at a time would be, so a result does not depend on its group.
    """
    param_column = plan.param_column
    param_constant = plan.param_constant
    cohort_first = plan.cohort_first
    cohort_start = plan.cohort_start
    cohort_param = plan.cohort_param
    effect = plan.effect
    persistence = plan.persistence
    persistence_profile = plan.persistence_profile
    cost_first = plan.cost_first
    cost_param = plan.cost_param
    cost_actor = plan.cost_actor
    cost_sign = plan.cost_sign
    cost_pattern = plan.cost_pattern
    cost_weight = plan.cost_weight
    duration_weight = plan.duration_weight
    duration_first = plan.duration_first
    consequence_first = plan.consequence_first
    change_param = plan.change_param
    factor_param = plan.factor_param
    consequence_profile = plan.consequence_profile
    consequence_index = plan.consequence_index
    price_first = plan.price_first
    price_terms = plan.price_terms
    price_scale = plan.price_scale
    profile_first = plan.profile_first
    profiles = plan.profiles
    economy = plan.economy
    horizon = plan.horizon
    year_offset = plan.year_offset
    actor_first = plan.actor_first
    actor_index = plan.actor_index
    cohort_factor_param = plan.cohort_factor_param
    during_param = plan.during_param
    during_pattern = plan.during_pattern
    out_npv = out.npv
    out_case_npv = out.case_npv
    out_net = out.net
    out_discounted = out.discounted
    out_pv = out.pv
    out_gains = out.gains
    out_costs = out.costs
    out_discount = out.discount
    n = values.shape[0]
    cases = horizon.shape[0]
    P = param_column.shape[0]
    T_run, A_run = out_net.shape[1], out_net.shape[2]
    T_max = profiles.shape[1]
    R_max, Q_max, C_max = 1, 1, 1
    for k in range(cases):
        R_max = max(R_max, profile_first[k + 1] - profile_first[k])
        Q_max = max(Q_max, duration_first[k + 1] - duration_first[k])
        C_max = max(C_max, consequence_first[k + 1] - consequence_first[k])
    W = LANES
    # the parameters: constants once, then each group's draws of the uncertain ones
    par = np.zeros((P, W))  # lanes past the last draw compute on finite numbers, never written out
    drawn_count = 0
    for p in range(P):
        if param_column[p] >= 0:
            drawn_count += 1
    drawn = np.empty(drawn_count, dtype=np.int64)
    drawn_count = 0
    for p in range(P):
        if param_column[p] >= 0:
            drawn[drawn_count] = p
            drawn_count += 1
        else:
            for lane in range(W):
                par[p, lane] = param_constant[p]
    pi = np.empty((T_max, W))
    reach = np.zeros((R_max, T_max, W))  # sum_i n_i pi(t - s_i) w_r(t - s_i - O): persons with effect
    scale = np.empty((C_max, W))  # q_c m_c
    by_profile = np.empty((R_max, A_run, W))  # sum of q_c m_c v_{c,a} over the consequences of a profile
    during_scale = np.empty((C_max, W))  # d_c m_c
    by_pattern = np.empty((Q_max, A_run, W))  # sum of d_c m_c v_{c,a} over the consequences of a pattern
    during_sum = np.empty(W)
    participant_years = np.empty((Q_max, T_max, W))
    cost = np.empty((T_max, A_run, W))
    growth = np.empty((T_max, W))
    discount = np.empty((T_max, W))
    e = np.empty(W)
    keep_growing = np.empty(W)
    shrink = np.empty(W)
    share = np.empty(W)
    price = np.empty(W)
    amount = np.empty(W)
    gain = np.empty(W)
    net = np.empty(W)
    year_net = np.empty(W)
    pv_gains = np.empty(W)
    pv_costs = np.empty(W)
    case_npv = np.empty(W)

    for d0 in range(0, n, W):
        w = min(W, n - d0)
        for m in range(drawn.shape[0]):
            p = drawn[m]
            col = param_column[p]
            for lane in range(w):
                par[p, lane] = values[d0 + lane, col]
        for k in range(cases):
            T = horizon[k]
            shift_years = year_offset[k]
            onset, window, mode = persistence[k, 3], persistence[k, 4], persistence[k, 0]
            for lane in range(W):
                e[lane] = par[effect[k, 1], lane]
            if effect[k, 0] != EFFECT_DIRECT and effect[k, 2] >= 0:
                for lane in range(W):
                    e[lane] -= par[effect[k, 2], lane]
            for lane in range(W):
                keep_growing[lane] = 1.0 + par[economy[k, 1], lane]
                shrink[lane] = 1.0 / (1.0 + par[economy[k, 0], lane])
                growth[0, lane] = 1.0
                discount[0, lane] = 1.0
            for _ in range(shift_years):  # discounted to the run's first year
                for lane in range(W):
                    discount[0, lane] *= shrink[lane]
            for t in range(1, T):
                for lane in range(W):
                    growth[t, lane] = growth[t - 1, lane] * keep_growing[lane]
                    discount[t, lane] = discount[t - 1, lane] * shrink[lane]

            # persistence pi[u], u = years since intake (model.md, "Persistence detail")
            for lane in range(W):
                full_years = 0.0 if persistence[k, 1] < 0 else min(par[persistence[k, 1], lane], T + 1.0)
                keep = 0.0 if persistence[k, 2] < 0 else 1.0 - par[persistence[k, 2], lane]
                f0 = math.floor(full_years)
                blend = full_years - f0
                power = 1.0  # keep ** (v - f0) for v >= f0
                for u in range(T):
                    v = u - onset
                    if v < 0 or (window > 0 and v >= window):
                        pi[u, lane] = 0.0
                    elif mode == PERSIST_FULL:
                        pi[u, lane] = 1.0
                    elif mode == PERSIST_PROFILE:
                        pi[u, lane] = persistence_profile[k, v]
                    elif v < f0:
                        pi[u, lane] = 1.0
                    else:
                        # whole F = f0: keep ** (v - f0 + 1); F = f0 + 1: 1 at v = f0, then keep ** (v - f0)
                        later = power if v > f0 else 1.0
                        pi[u, lane] = (1.0 - blend) * power * keep + blend * later
                        power *= keep

            r0, R = profile_first[k], profile_first[k + 1] - profile_first[k]
            q0, Q = duration_first[k], duration_first[k + 1] - duration_first[k]
            for q in range(R):
                for t in range(T):
                    for lane in range(W):
                        reach[q, t, lane] = 0.0
            for q in range(Q):
                for t in range(T):
                    for lane in range(W):
                        participant_years[q, t, lane] = 0.0
            for i in range(cohort_first[k], cohort_first[k + 1]):
                s = cohort_start[i]
                n_i = cohort_param[i]
                f_i = cohort_factor_param[i]
                for t in range(s + onset, T):
                    if f_i >= 0:  # phase-in: the share of the full effect this cohort reaches
                        for lane in range(W):
                            share[lane] = par[n_i, lane] * par[f_i, lane] * pi[t - s, lane]
                    else:
                        for lane in range(W):
                            share[lane] = par[n_i, lane] * pi[t - s, lane]
                    for q in range(R):
                        weight = profiles[r0 + q, t - s - onset]
                        for lane in range(W):
                            reach[q, t, lane] += share[lane] * weight
                for q in range(Q):
                    for t in range(s, T):
                        weight = duration_weight[q0 + q, t - s]
                        for lane in range(W):
                            participant_years[q, t, lane] += par[n_i, lane] * weight

            c0 = consequence_first[k]
            any_during = False  # consequences during the course (model.md: d_c)
            for c in range(c0, consequence_first[k + 1]):
                if factor_param[c] >= 0:
                    for lane in range(W):
                        scale[c - c0, lane] = par[change_param[c], lane] * par[factor_param[c], lane]
                else:
                    for lane in range(W):
                        scale[c - c0, lane] = par[change_param[c], lane] * 1.0
                d_c, m_c = during_param[c], factor_param[c]
                if d_c >= 0:
                    any_during = True
                    if m_c >= 0:
                        for lane in range(W):
                            during_scale[c - c0, lane] = par[d_c, lane] * par[m_c, lane]
                    else:
                        for lane in range(W):
                            during_scale[c - c0, lane] = par[d_c, lane] * 1.0
            for q in range(R):
                for a in range(A_run):
                    for lane in range(W):
                        by_profile[q, a, lane] = 0.0
            if any_during:
                for q in range(Q):
                    for a in range(A_run):
                        for lane in range(W):
                            by_pattern[q, a, lane] = 0.0
            for m in range(price_first[k], price_first[k + 1]):
                c, a = price_terms[m, 0], price_terms[m, 1]
                for lane in range(W):
                    price[lane] = par[price_terms[m, 2], lane] * price_scale[m]
                if price_terms[m, 3] >= 0:  # a catalogue entry's price factor
                    for lane in range(W):
                        price[lane] *= par[price_terms[m, 3], lane]
                q = consequence_profile[c] - r0
                for lane in range(W):
                    by_profile[q, a, lane] += scale[c - c0, lane] * price[lane]
                if during_pattern[c] >= 0:
                    q = during_pattern[c] - q0
                    for lane in range(W):
                        by_pattern[q, a, lane] += during_scale[c - c0, lane] * price[lane]

            for t in range(T):
                for j in range(actor_first[k], actor_first[k + 1]):
                    for lane in range(W):
                        cost[t, actor_index[j], lane] = 0.0
            for i in range(cost_first[k], cost_first[k + 1]):
                for lane in range(W):
                    amount[lane] = cost_sign[i] * par[cost_param[i], lane]
                a = cost_actor[i]
                q = cost_pattern[i]
                if q < 0:  # fixed: its share in each year
                    for t in range(T):
                        weight = cost_weight[i, t]
                        for lane in range(W):
                            cost[t, a, lane] += amount[lane] * weight
                else:  # per participant: amount per participant-year
                    for t in range(T):
                        for lane in range(W):
                            cost[t, a, lane] += amount[lane] * participant_years[q - q0, t, lane]

            for lane in range(W):
                pv_gains[lane] = 0.0
                pv_costs[lane] = 0.0
                case_npv[lane] = 0.0
            for t in range(T):
                for lane in range(W):
                    year_net[lane] = 0.0
                for j in range(actor_first[k], actor_first[k + 1]):
                    a = actor_index[j]
                    for lane in range(W):
                        gain[lane] = 0.0
                    for q in range(R):
                        for lane in range(W):
                            gain[lane] += by_profile[q, a, lane] * reach[q, t, lane]
                    for lane in range(W):
                        gain[lane] *= -e[lane] * growth[t, lane]
                    if any_during:  # every participant in the course, not scaled by the effect
                        for lane in range(W):
                            during_sum[lane] = 0.0
                        for q in range(Q):
                            for lane in range(W):
                                during_sum[lane] += by_pattern[q, a, lane] * participant_years[q, t, lane]
                        for lane in range(W):
                            gain[lane] -= during_sum[lane] * growth[t, lane]
                    for lane in range(W):
                        net[lane] = gain[lane] - cost[t, a, lane]
                        pv_gains[lane] += discount[t, lane] * gain[lane]
                        pv_costs[lane] += discount[t, lane] * cost[t, a, lane]
                        year_net[lane] += net[lane]
                    for lane in range(w):
                        out_net[d0 + lane, t + shift_years, a] += net[lane]
                        out_npv[d0 + lane, a] += discount[t, lane] * net[lane]
                for lane in range(w):
                    out_discounted[d0 + lane, t + shift_years] += discount[t, lane] * year_net[lane]
                    case_npv[lane] += discount[t, lane] * year_net[lane]
            for lane in range(w):
                out_pv[d0 + lane, 0] += pv_gains[lane]
                out_pv[d0 + lane, 1] += pv_costs[lane]
                out_case_npv[d0 + lane, k] = case_npv[lane]

            if write_cube:
                for lane in range(w):
                    d = d0 + lane
                    factor = 1.0
                    for t in range(T_run):  # the same products as `discount`, continued to the run's end
                        out_discount[d, k, t] = factor
                        factor *= shrink[lane]
                    for t in range(T_run):
                        for a in range(A_run):
                            out_costs[d, k, t, a] = 0.0
                            for c in range(out_gains.shape[4]):
                                out_gains[d, k, t, a, c] = 0.0
                    for t in range(T):
                        for j in range(actor_first[k], actor_first[k + 1]):
                            out_costs[d, k, t + shift_years, actor_index[j]] = cost[t, actor_index[j], lane]
                    for m in range(price_first[k], price_first[k + 1]):
                        c, a = price_terms[m, 0], price_terms[m, 1]
                        one_price = par[price_terms[m, 2], lane] * price_scale[m]
                        if price_terms[m, 3] >= 0:
                            one_price *= par[price_terms[m, 3], lane]
                        per_person = -e[lane] * scale[c - c0, lane] * one_price
                        slot = consequence_index[c]
                        for t in range(T):
                            out_gains[d, k, t + shift_years, a, slot] = (
                                per_person * reach[consequence_profile[c] - r0, t, lane] * growth[t, lane]
                            )
                        if during_pattern[c] >= 0:
                            per_participant = during_scale[c - c0, lane] * one_price
                            q = during_pattern[c] - q0
                            for t in range(T):
                                out_gains[d, k, t + shift_years, a, slot] -= (
                                    per_participant * participant_years[q, t, lane] * growth[t, lane]
                                )


@numba.njit(cache=True, nogil=True)
def finish_block(net, discounted, out_series, out_payback):  # pragma: no cover - compiled
    """The yearly series and payback year of a block, from the sums of :func:`evaluate_cases`.

    net : float64 (n, T, A); discounted : float64 (n, T).
    out_series : float64 (n, T, A + 2)
        By year: N[t, a] for each actor, sum_a N[t, a], and CN[t] = sum_{tau <= t} discounted[tau].
    out_payback : int64 (n,)
        First t with CN[tau] >= 0 for every tau >= t; -1 where CN[T-1] < 0.
    """
    n, T, A = net.shape
    for d in range(n):
        cumulative = 0.0
        for t in range(T):
            year_net = 0.0
            for a in range(A):
                out_series[d, t, a] = net[d, t, a]
                year_net += net[d, t, a]
            cumulative += discounted[d, t]
            out_series[d, t, A] = year_net
            out_series[d, t, A + 1] = cumulative
        payback = -1
        for t in range(T - 1, -1, -1):
            if not out_series[d, t, A + 1] >= 0.0:  # NaN never counts as paid back
                break
            payback = t
        out_payback[d] = payback


@numba.njit(cache=True, nogil=True)
def series_moments(series, out_mean, out_m2):  # pragma: no cover - compiled
    """Mean and sum of squared deviations over draws (axis 0) of a block's yearly series.

    series : float64 (n, T, S); out_mean, out_m2 : float64 (T, S).

    Deviations are taken from the first draw (shifted data): a series that is the same in every draw
    has exactly that mean and exactly zero spread, and cancellation is smaller.
    """
    n, T, S = series.shape
    for t in range(T):
        for s in range(S):
            shift = series[0, t, s]
            total = 0.0
            for d in range(n):
                total += series[d, t, s] - shift
            offset = total / n
            m2 = 0.0
            for d in range(n):
                dev = series[d, t, s] - shift - offset
                m2 += dev * dev
            out_mean[t, s] = shift + offset
            out_m2[t, s] = m2
