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
4. the fixed cost of a run: `somrisk run --draws 1 --json`, whole process (imports, the compiled
   kernels' cache load, the summary, the JSON).
5. `somrisk sobol --n 4096 --json` (S1 and ST of about 90 inputs), whole process: model
   evaluations per second against the baseline's draws per second.

    python benchmarks/bench_core.py --only fixed,sobol --before /tmp/before/src

measures only rows 4 and 5 (`--only` takes core, big, cube, fixed, sobol; the baseline is measured
with core or sobol), and with `--before` each of them also with the sources in that folder first on
PYTHONPATH (an older commit, e.g. `git archive COMMIT src | tar -x -C /tmp/before`), the two taken in
turn, run by run.

Prints one table. Results are ratios against baselines measured in the same run: the machine is
shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime)
print(done.stdout, end="")
"""


def measure_once(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, float, str]:
    """Wall time (s), peak RSS (bytes), CPU time (user + system, s) and stdout of one run of
    `command`, a process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True, env=env
    )
    head, _, out = done.stdout.partition("\n")
    wall, peak, cpu = head.split()
    return float(wall), int(peak), float(cpu), out


def measure(command: list[str], repeat: int) -> tuple[float, int, str]:
    """Median wall time (s), median peak RSS (bytes) and the last stdout of `command`."""
    runs = [measure_once(command) for _ in range(repeat)]
    return (
        statistics.median(run[0] for run in runs),
        int(statistics.median(run[1] for run in runs)),
        runs[-1][3],
    )


def measure_in_turn(
    command: list[str], repeat: int, envs: dict[str, dict[str, str]]
) -> dict[str, tuple[float, int, float, str]]:
    """Median wall time, peak RSS and CPU time, and the last stdout, of `command` in each
    environment, the environments taken in turn run by run, in alternating order (so that a change
    in the machine's load falls on all of them)."""
    runs: dict[str, list[tuple[float, int, float, str]]] = {name: [] for name in envs}
    for turn in range(repeat):
        order = list(envs.items())
        for name, env in order if turn % 2 == 0 else order[::-1]:  # neither always runs first
            runs[name].append(measure_once(command, env))
    return {
        name: (
            statistics.median(run[0] for run in done),
            int(statistics.median(run[1] for run in done)),
            statistics.median(run[2] for run in done),
            done[-1][3],
        )
        for name, done in runs.items()
    }


COMPILE = """
import compileall, pathlib, somrisk
compileall.compile_dir(pathlib.Path(somrisk.__file__).parent, quiet=1)
"""


def compile_bytecode(env: dict[str, str]) -> None:
    """Write the bytecode (.pyc) of the somrisk sources that `env` imports, as installing the
    package does: from a source tree in an environment with PYTHONDONTWRITEBYTECODE set, every run
    would otherwise compile each module it imports again (about 0.1 s of CPU in a fixed-cost run)."""
    subprocess.run([sys.executable, "-c", COMPILE], check=True, capture_output=True, env=env)


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
    parser.add_argument(
        "--only",
        default=",".join(ROWS),
        help=f"comma-separated rows to measure, of {', '.join(ROWS)} (default: all)",
    )
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="also measure the fixed and sobol rows with this source folder first on PYTHONPATH",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not only <= set(ROWS):
        parser.error(f"--only: rows are {', '.join(ROWS)}")
    draws, baseline_draws, big, cube_draws = (
        (10**5, 10**4, 10**6, 2 * 10**4) if args.quick else (10**6, 10**5, 10**7, 10**5)
    )
    somrisk = str(Path(sys.executable).with_name("somrisk"))
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "benchmark-33.toml"
        case.write_text(benchmark_case(33), encoding="utf-8")
        envs = {"now": dict(os.environ)}
        if args.before:
            envs["before"] = {**os.environ, "PYTHONPATH": str(Path(args.before).resolve())}
        for env in envs.values():
            compile_bytecode(env)
        for env in envs.values():  # warm the compiled-kernel caches
            for warm in (["run", "--draws", "1000"], ["sobol", "--n", "64"]):
                subprocess.run(
                    [somrisk, warm[0], str(case), *warm[1:], "--json"],
                    check=True,
                    capture_output=True,
                    env=env,
                )

        baseline_rate = math.nan
        if only & {"core", "sobol"}:
            baseline_rate = measure_baseline(case, baseline_draws, args.repeat, rows)
        if "core" in only:
            measure_runs(somrisk, case, draws, baseline_rate, args.repeat, rows)
        if "big" in only:
            wall, peak, _ = measure(
                [somrisk, "run", str(case), "--draws", str(big), "--json"], max(1, args.repeat - 2)
            )
            rows.append(
                (
                    f"somrisk run, {big:,} draws, summary only",
                    f"peak memory {peak / 1e9:.2f} GB, {wall:.1f} s ({big / wall:,.0f} draws/s)",
                )
            )
        if "cube" in only:
            measure_cubes(somrisk, case, Path(folder), cube_draws, rows)
        if "fixed" in only:
            results = measure_in_turn(
                [somrisk, "run", str(case), "--draws", "1", "--json"], args.repeat, envs
            )
            rows.append(
                (
                    "somrisk run --draws 1 --json, whole process (fixed cost)",
                    against_before(
                        results,
                        lambda wall, peak, cpu: f"{wall:.2f} s (CPU {cpu:.2f} s), {peak / 1e6:,.0f} MB",
                    ),
                )
            )
        if "sobol" in only:
            n = 256 if args.quick else 4096
            results = measure_in_turn(
                [somrisk, "sobol", str(case), "--n", str(n), "--json"], args.repeat, envs
            )
            evaluations = json.loads(results["now"][3])["evaluations"]

            def sobol_cell(wall: float, peak: int, cpu: float) -> str:
                rate = evaluations / wall
                return (
                    f"{wall:.2f} s (CPU {cpu:.2f} s), {peak / 1e6:,.0f} MB, {rate:,.0f} evaluations/s = "
                    f"{rate / baseline_rate:.1f}x the baseline's draws/s"
                )

            rows.append(
                (
                    f"somrisk sobol --n {n} --json, S1/ST, {evaluations:,} evaluations, whole process",
                    against_before(results, sobol_cell),
                )
            )

    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':<{width}}  result")
    print(f"{'-' * width}  {'-' * 40}")
    for name, result in rows:
        print(f"{name:<{width}}  {result}")


#: The rows --only can choose.
ROWS = ("core", "big", "cube", "fixed", "sobol")


def against_before(
    results: dict[str, tuple[float, int, float, str]], cell: Callable[[float, int, float], str]
) -> str:
    """A table cell for the current sources, and for the --before sources where measured, with the
    ratio of their wall times (before / now: above 1 where now is faster)."""
    wall, peak, cpu, _ = results["now"]
    text = cell(wall, peak, cpu)
    if "before" in results:
        before_wall, before_peak, before_cpu, _ = results["before"]
        text += (
            f"; before: {cell(before_wall, before_peak, before_cpu)}; "
            f"wall before / now {before_wall / wall:.2f}"
        )
    return text


def measure_baseline(case: Path, baseline_draws: int, repeat: int, rows: list[tuple[str, str]]) -> float:
    """The numpy/scipy baseline's draws per second (compute only); adds its row."""
    wall, peak, out = measure(
        [sys.executable, str(HERE / "numpy_baseline.py"), str(case), "--draws", str(baseline_draws)],
        repeat,
    )
    baseline = json.loads(out)
    baseline_rate = baseline["draws"] / baseline["compute_seconds"]
    rows.append(
        (
            f"numpy/scipy baseline, {baseline_draws:,} draws",
            f"{baseline_rate:,.0f} draws/s (compute only; process {wall:.1f} s, {peak / 1e6:,.0f} MB)",
        )
    )
    return baseline_rate


def measure_runs(
    somrisk: str, case: Path, draws: int, baseline_rate: float, repeat: int, rows: list[tuple[str, str]]
) -> None:
    """`somrisk run` with each sampler, whole process, against the baseline."""
    for sampler in ("lhs", "mc"):
        wall, peak, _ = measure(
            [somrisk, "run", str(case), "--draws", str(draws), "--json", "--sampler", sampler], repeat
        )
        rate = draws / wall
        rows.append(
            (
                f"somrisk run, {draws:,} draws, {sampler}, whole process",
                f"{rate:,.0f} draws/s ({wall:.2f} s, {peak / 1e6:,.0f} MB): "
                f"{rate / baseline_rate:.1f}x the baseline",
            )
        )


def measure_cubes(
    somrisk: str, case: Path, folder: Path, cube_draws: int, rows: list[tuple[str, str]]
) -> None:
    """Cubes in memory and to files, against this machine's memory write bandwidth."""
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
        out_path = folder / f"cube{suffix}"
        wall, peak, _ = measure(
            [somrisk, "run", str(case), "--draws", str(cube_draws), "--json", "--out", str(out_path)], 1
        )
        rows.append(
            (
                f"somrisk run --out cube{suffix}, {cube_draws:,} draws, whole process",
                f"{cells / wall / 1e6:,.1f} M cells/s ({wall:.1f} s, peak {peak / 1e9:.2f} GB)",
            )
        )


if __name__ == "__main__":
    main()
