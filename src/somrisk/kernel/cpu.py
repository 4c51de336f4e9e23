"""Stage 7: the SØM equations of model.md on plain arrays, compiled with numba.

:func:`evaluate_block` computes, for each draw of a block, the net extra cost K, the budget gains G
and the net result N = sum_c G - K by year and actor, and reduces them to the NPV per actor, the
cumulative discounted net result, the payback year and the present values of gains and costs. With
`write_cube` it also writes G by consequence and K into the caller's arrays.

Nothing here knows about cases, xarray, randomness or files; every argument is a plain array
described in :class:`somrisk.plan.KernelPlan`. The functions release the GIL, so blocks of draws run
in parallel on threads. Money is in the case's currency at its price level; a positive gain is money
saved or earned by the public sector, a positive cost is money spent.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["evaluate_block", "series_moments"]

_EFFECT_DIRECT = 0
_PERSIST_FULL, _PERSIST_PROFILE = 0, 2


@numba.njit(cache=True, nogil=True)
def evaluate_block(  # noqa: C901 - one compiled pass per draw, no helper calls
    values,
    param_column,
    param_constant,
    cohort_start,
    cohort_param,
    effect,
    persistence,
    persistence_profile,
    cost_param,
    cost_actor,
    cost_sign,
    cost_pattern,
    cost_weight,
    duration_weight,
    change_param,
    factor_param,
    price_terms,
    consequence_profile,
    profiles,
    economy,
    write_cube,
    out_npv,
    out_series,
    out_payback,
    out_pv_gains,
    out_pv_costs,
    out_gains,
    out_costs,
):  # pragma: no cover - compiled
    """Evaluate the model for every draw of a block.

    Parameters
    ----------
    values : float64 (n, d)
        Values of the uncertain inputs, one row per draw.
    param_column ... economy
        The arrays of :class:`somrisk.plan.KernelPlan`, in :meth:`KernelPlan.kernel_args` order.
    write_cube : bool
        Also write `out_gains` and `out_costs`.
    out_npv : float64 (n, A)
        NPV_a = sum_t beta(t) N[t, a].
    out_series : float64 (n, T, A + 2)
        By year: N[t, a] for each actor, sum_a N[t, a], and CN[t] = sum_{tau <= t} beta(tau)
        sum_a N[tau, a].
    out_payback : int64 (n,)
        First t with CN[tau] >= 0 for every tau >= t; -1 where CN[T-1] < 0.
    out_pv_gains, out_pv_costs : float64 (n,)
        sum_{t,a,c} beta(t) G[t,a,c] and sum_{t,a} beta(t) K[t,a].
    out_gains : float64 (n, T, A, C)
        G[t, a, c] (written only with `write_cube`; may be empty otherwise).
    out_costs : float64 (n, T, A)
        K[t, a] (written only with `write_cube`; may be empty otherwise).
    """
    n = values.shape[0]
    P = param_column.shape[0]
    T, A = out_series.shape[1], out_npv.shape[1]
    C = change_param.shape[0]
    R = profiles.shape[0]
    cohorts = cohort_start.shape[0]
    K = cost_param.shape[0]
    Q = duration_weight.shape[0]
    M = price_terms.shape[0]
    onset, window, mode = persistence[3], persistence[4], persistence[0]
    par = np.empty(P)
    pi = np.empty(T)
    reach = np.zeros((R, T))  # sum_i n_i pi(t - s_i) w_r(t - s_i - O): persons with effect, by profile
    scale = np.empty(C)  # q_c m_c
    by_profile = np.empty((R, A))  # sum of q_c m_c v_{c,a} over the consequences of each profile
    participant_years = np.empty((Q, T))
    cost = np.empty((T, A))
    growth = np.empty(T)
    discount = np.empty(T)

    for d in range(n):
        for p in range(P):
            col = param_column[p]
            par[p] = values[d, col] if col >= 0 else param_constant[p]
        e = par[effect[1]]
        if effect[0] != _EFFECT_DIRECT and effect[2] >= 0:
            e -= par[effect[2]]
        keep_growing = 1.0 + par[economy[1]]
        shrink = 1.0 / (1.0 + par[economy[0]])
        growth[0] = 1.0
        discount[0] = 1.0
        for t in range(1, T):
            growth[t] = growth[t - 1] * keep_growing
            discount[t] = discount[t - 1] * shrink

        # persistence pi[u], u = years since intake (model.md, "Persistence detail")
        full_years = 0.0 if persistence[1] < 0 else min(par[persistence[1]], T + 1.0)
        keep = 0.0 if persistence[2] < 0 else 1.0 - par[persistence[2]]
        f0 = math.floor(full_years)
        blend = full_years - f0
        power = 1.0  # keep ** (v - f0) for v >= f0
        for u in range(T):
            v = u - onset
            if v < 0 or (window > 0 and v >= window):
                pi[u] = 0.0
            elif mode == _PERSIST_FULL:
                pi[u] = 1.0
            elif mode == _PERSIST_PROFILE:
                pi[u] = persistence_profile[v]
            elif v < f0:
                pi[u] = 1.0
            else:  # whole F = f0: keep ** (v - f0 + 1); F = f0 + 1: 1 at v = f0, then keep ** (v - f0)
                later = power if v > f0 else 1.0
                pi[u] = (1.0 - blend) * power * keep + blend * later
                power *= keep

        for q in range(R):
            for t in range(T):
                reach[q, t] = 0.0
        for q in range(Q):
            for t in range(T):
                participant_years[q, t] = 0.0
        for i in range(cohorts):
            n_i = par[cohort_param[i]]
            s = cohort_start[i]
            for t in range(s + onset, T):
                share = n_i * pi[t - s]
                for q in range(R):
                    reach[q, t] += share * profiles[q, t - s - onset]
            for q in range(Q):
                for t in range(s, T):
                    participant_years[q, t] += n_i * duration_weight[q, t - s]

        for c in range(C):
            scale[c] = par[change_param[c]] * (par[factor_param[c]] if factor_param[c] >= 0 else 1.0)
        for q in range(R):
            for a in range(A):
                by_profile[q, a] = 0.0
        for m in range(M):
            c, a = price_terms[m, 0], price_terms[m, 1]
            by_profile[consequence_profile[c], a] += scale[c] * par[price_terms[m, 2]]

        for t in range(T):
            for a in range(A):
                cost[t, a] = 0.0
        for k in range(K):
            amount = cost_sign[k] * par[cost_param[k]]
            a = cost_actor[k]
            q = cost_pattern[k]
            if q < 0:  # fixed: its share in each year
                for t in range(T):
                    cost[t, a] += amount * cost_weight[k, t]
            else:  # per participant: amount per participant-year
                for t in range(T):
                    cost[t, a] += amount * participant_years[q, t]

        pv_gains = 0.0
        pv_costs = 0.0
        cumulative = 0.0
        for a in range(A):
            out_npv[d, a] = 0.0
        for t in range(T):
            year_net = 0.0
            for a in range(A):
                gain = 0.0
                for q in range(R):
                    gain += by_profile[q, a] * reach[q, t]
                gain *= -e * growth[t]
                net = gain - cost[t, a]
                out_series[d, t, a] = net
                out_npv[d, a] += discount[t] * net
                pv_gains += discount[t] * gain
                pv_costs += discount[t] * cost[t, a]
                year_net += net
            cumulative += discount[t] * year_net
            out_series[d, t, A] = year_net
            out_series[d, t, A + 1] = cumulative
        out_pv_gains[d] = pv_gains
        out_pv_costs[d] = pv_costs
        payback = -1
        for t in range(T - 1, -1, -1):
            if not out_series[d, t, A + 1] >= 0.0:  # NaN never counts as paid back
                break
            payback = t
        out_payback[d] = payback

        if write_cube:
            for t in range(T):
                for a in range(A):
                    out_costs[d, t, a] = cost[t, a]
                    for c in range(C):
                        out_gains[d, t, a, c] = 0.0
            for m in range(M):
                c, a = price_terms[m, 0], price_terms[m, 1]
                per_person = -e * scale[c] * par[price_terms[m, 2]]
                for t in range(T):
                    out_gains[d, t, a, c] = per_person * reach[consequence_profile[c], t] * growth[t]


@numba.njit(cache=True, nogil=True)
def series_moments(series, out_mean, out_m2):  # pragma: no cover - compiled
    """Mean and sum of squared deviations over draws (axis 0) of a block's yearly series.

    series : float64 (n, T, S); out_mean, out_m2 : float64 (T, S).
    """
    n, T, S = series.shape
    for t in range(T):
        for s in range(S):
            total = 0.0
            for d in range(n):
                total += series[d, t, s]
            mean = total / n
            m2 = 0.0
            for d in range(n):
                dev = series[d, t, s] - mean
                m2 += dev * dev
            out_mean[t, s] = mean
            out_m2[t, s] = m2
