"""Why Sobol needs at least MIN_N base points: how often small designs mislead (docs/decisions.md).

For `additive_case` (three inputs, S1 = ST known from a design of 8192 points), 40 seeds per n:
the share of indices shown as distinguishable whose 95 % bootstrap interval misses the true S1, and
the share with S1 above ST beyond both intervals (impossible for true indices).

    PYTHONPATH=src:tests python benchmarks/sobol_minimum_n.py
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from sensitivity.cases import additive_case
from somrisk.case import parse_case
from somrisk.sensitivity import sobol

SEEDS = 40


def main() -> None:
    warnings.simplefilter("ignore")
    module = sys.modules["somrisk.sensitivity.sobol"]
    module.MIN_N = 2  # type: ignore[attr-defined]  # measure below the minimum
    case = parse_case(additive_case())
    truth = sobol(case, n=8192, seed=99)
    print("reference S1", np.round(truth.S1, 3), "ST", np.round(truth.ST, 3))
    for n in (2, 4, 8, 16, 32, 64, 128):
        missed = above = total = 0
        for seed in range(SEEDS):
            result = sobol(case, n=n, seed=seed)
            for k in range(len(result.names)):
                total += 1
                s1, conf = result.S1[k], result.S1_conf[k]
                if result.S1_distinguishable[k] and not s1 - conf <= truth.S1[k] <= s1 + conf:
                    missed += 1
                if result.S1_distinguishable[k] and s1 - conf > result.ST[k] + result.ST_conf[k]:
                    above += 1
        print(
            f"n = {n:4d}: distinguishable but missing the true S1 {missed / total:.0%}; "
            f"S1 > ST beyond both intervals {above / total:.0%}"
        )


if __name__ == "__main__":
    main()
