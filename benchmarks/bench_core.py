"""Speed and memory of the core engine against the plain numpy/scipy implementation.

    python benchmarks/bench_core.py            # the targets of the core-engine issue (minutes)
    python benchmarks/bench_core.py --quick    # smaller runs, to check the script

Measures, each as the median of --repeat runs, every run a separate process (wall time from start
to exit, peak resident memory of the process):

1. `somrisk run` (default sampler, summary only) on the 33-consequence benchmark case at 10^6 draws,
   against benchmarks/numpy_baseline.py (scipy.stats ppf, broadcast numpy) on the same case. The
   baseline's throughput counts only its compute loop, not its start-up, which favours it.
2. `somrisk run` at 10^7 draws, summary only: peak memory.
3. cube-writing runs: cells (draw x year x actor x consequence) per second, in memory and to a
   .zarr file, against this machine's memory write bandwidth measured here (numpy filling a
   1 GB array).

Prints one table. Results are ratios against baselines measured in the same run: the machine is
shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from benchcase import benchmark_case  # noqa: E402

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(wall, peak)
print(done.stdout, end="")
"""


def measure(command: list[str], repeat: int) -> tuple[float, int, str]:
    """Median wall time (s), median peak RSS (bytes) and the last stdout of `command`."""
    walls, peaks, out = [], [], ""
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
        )
        head, _, out = done.stdout.partition("\n")
        wall, peak = head.split()
        walls.append(float(wall))
        peaks.append(int(peak))
    return statistics.median(walls), int(statistics.median(peaks)), out


def write_bandwidth() -> float:
    """Bytes per second numpy writes into fresh memory (median of 5 fills of 1 GB)."""
    a = np.empty(2**27)  # 1 GiB of float64
    a.fill(0.0)  # touch the pages once
    times = []
    for value in range(5):
        start = time.perf_counter()
        a.fill(float(value))
        times.append(time.perf_counter() - start)
    return a.nbytes / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small runs, to try the script")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    draws, baseline_draws, big, cube_draws = (
        (10**5, 10**4, 10**6, 2 * 10**4) if args.quick else (10**6, 10**5, 10**7, 10**5)
    )
    somrisk = str(Path(sys.executable).with_name("somrisk"))
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "benchmark-33.toml"
        case.write_text(benchmark_case(33), encoding="utf-8")
        subprocess.run(
            [somrisk, "run", str(case), "--draws", "1000", "--json"],
            check=True,
            capture_output=True,
        )  # warm the compiled-kernel cache

        wall, peak, out = measure(
            [
                sys.executable,
                str(HERE / "numpy_baseline.py"),
                str(case),
                "--draws",
                str(baseline_draws),
            ],
            args.repeat,
        )
        baseline = json.loads(out)
        baseline_rate = baseline["draws"] / baseline["compute_seconds"]
        rows.append(
            (
                f"numpy/scipy baseline, {baseline_draws:,} draws",
                f"{baseline_rate:,.0f} draws/s (compute only; process {wall:.1f} s, {peak / 1e6:,.0f} MB)",
            )
        )
        for sampler in ("lhs", "mc"):
            wall, peak, _ = measure(
                [somrisk, "run", str(case), "--draws", str(draws), "--json", "--sampler", sampler],
                args.repeat,
            )
            rate = draws / wall
            rows.append(
                (
                    f"somrisk run, {draws:,} draws, {sampler}, whole process",
                    f"{rate:,.0f} draws/s ({wall:.2f} s, {peak / 1e6:,.0f} MB): "
                    f"{rate / baseline_rate:.1f}x the baseline",
                )
            )
        wall, peak, _ = measure(
            [somrisk, "run", str(case), "--draws", str(big), "--json"], max(1, args.repeat - 2)
        )
        rows.append(
            (
                f"somrisk run, {big:,} draws, summary only",
                f"peak memory {peak / 1e9:.2f} GB, {wall:.1f} s ({big / wall:,.0f} draws/s)",
            )
        )

        bandwidth = write_bandwidth()
        cells_per_draw = 10 * 3 * 33
        rows.append(
            (
                "memory write bandwidth (numpy fill)",
                f"{bandwidth / 1e9:.1f} GB/s = {bandwidth / 8 / 1e6:,.0f} M float64 cells/s",
            )
        )
        timing = (
            "import sys, time, somrisk; case = somrisk.load_case(sys.argv[1]); "
            "somrisk.simulate(case, draws=1000, keep_cube=True); t = time.perf_counter(); "
            "somrisk.simulate(case, draws=int(sys.argv[2]), keep_cube=True); "
            "print(time.perf_counter() - t)"
        )
        done = subprocess.run(
            [sys.executable, "-c", timing, str(case), str(cube_draws)],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = float(done.stdout)
        cells = cube_draws * cells_per_draw
        rows.append(
            (
                f"cube in memory, {cube_draws:,} draws ({cells * 8 / 1e9:.2f} GB)",
                f"{cells / seconds / 1e6:,.0f} M cells/s = "
                f"{cells * 8 / seconds / bandwidth:.0%} of write bandwidth",
            )
        )
        for suffix in (".zarr", ".nc"):
            out_path = Path(folder) / f"cube{suffix}"
            wall, peak, _ = measure(
                [
                    somrisk,
                    "run",
                    str(case),
                    "--draws",
                    str(cube_draws),
                    "--json",
                    "--out",
                    str(out_path),
                ],
                1,
            )
            rows.append(
                (
                    f"somrisk run --out cube{suffix}, {cube_draws:,} draws, whole process",
                    f"{cells / wall / 1e6:,.1f} M cells/s ({wall:.1f} s, peak {peak / 1e9:.2f} GB)",
                )
            )

    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':<{width}}  result")
    print(f"{'-' * width}  {'-' * 40}")
    for name, result in rows:
        print(f"{name:<{width}}  {result}")


if __name__ == "__main__":
    main()
