"""Speed of the Sobol analysis on the 33-consequence benchmark case (about 100 uncertain inputs).

    python benchmarks/bench_sensitivity.py            # N = 4096: first/total order, then second order
    python benchmarks/bench_sensitivity.py --quick    # N = 256, to check the script

For each configuration, one table row with the time of making Saltelli's design, of the
model evaluations (somrisk's kernel in reduce mode over every row of the design), and of SALib's
analysis (indices and their bootstrap intervals), separately. The baseline, measured in the same
run: a plain Monte Carlo run (`somrisk.simulate`, sampler mc) of as many draws as the design has rows,
i.e. the same number of model evaluations with random draws instead of a design.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import somrisk  # noqa: E402
from benchcase import benchmark_case  # noqa: E402
from somrisk.sensitivity import sobol  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="N = 256 instead of 4096")
    parser.add_argument("--n", type=int, default=None, help="base points of the design")
    parser.add_argument("--no-second-order", action="store_true", help="skip the second-order row")
    args = parser.parse_args()
    n = args.n or (256 if args.quick else 4096)

    model = somrisk.prepare(somrisk.parse_case(benchmark_case(33, 1, "benchmark")))
    sobol(model, n=64)  # compile and warm up
    print(f"benchmark case: {model.space.dimension} uncertain inputs, 33 consequences, N = {n}")
    header = (
        f"{'configuration':<26} {'evaluations':>11} {'design':>12} {'model':>7} "
        f"{'SALib analyse':>13} {'total':>7} {'baseline run':>12} {'model/baseline':>14}"
    )
    print(header)
    print("-" * len(header))
    configurations = [("S1, ST", False)] + ([] if args.no_second_order else [("S1, ST, S2", True)])
    for label, second_order in configurations:
        started = time.perf_counter()
        result = sobol(model, n=n, second_order=second_order)
        total = time.perf_counter() - started
        started = time.perf_counter()
        somrisk.simulate(model, draws=result.evaluations, sampler="mc")
        baseline = time.perf_counter() - started
        print(
            f"{label:<26} {result.evaluations:>11,} {result.sampling_seconds:>11.1f}s "
            f"{result.model_seconds:>6.1f}s {result.analysis_seconds:>12.1f}s {total:>6.1f}s "
            f"{baseline:>11.1f}s {result.model_seconds / baseline:>14.2f}"
        )


if __name__ == "__main__":
    main()
