"""``somrisk compare`` of two alternatives against one ``somrisk run``, at 10^6 draws (issue 17:
at most 1.3x), each a process of its own, taken in turn; the ratio of median wall times, and of median CPU
times (steadier than wall times on a shared machine).

    python benchmarks/bench_compare.py             # 10^6 draws, 3 runs each
    python benchmarks/bench_compare.py --quick     # 10^5 draws, 1 run each
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_core import measure_once  # noqa: E402
from benchcase import benchmark_case  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=1_000_000)
    args = parser.parse_args()
    draws, repeat = (100_000, 1) if args.quick else (args.draws, args.repeat)
    somrisk = [str(Path(sys.executable).with_name("somrisk"))]
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder, "a.toml"), Path(folder, "b.toml")
        text = benchmark_case()
        a.write_text(text, encoding="utf-8")
        # the alternative: a larger first cohort (every input shared, one distribution changed)
        b.write_text(text.replace("mode = 20, max = 30", "mode = 22, max = 33", 1), encoding="utf-8")
        commands = {
            "run": [*somrisk, "run", str(a), "--draws", str(draws), "--json"],
            "compare": [*somrisk, "compare", str(a), str(b), "--draws", str(draws), "--json"],
        }
        measure_once(commands["run"])  # numba's cache warm
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for turn in range(repeat):
            order = list(commands.items())
            for name, command in order if turn % 2 == 0 else order[::-1]:
                wall, _, cpu, _ = measure_once(command)
                walls[name].append(wall)
                cpus[name].append(cpu)
    run, compare = (statistics.median(walls[name]) for name in ("run", "compare"))
    run_cpu, compare_cpu = (statistics.median(cpus[name]) for name in ("run", "compare"))
    print(
        f"{draws:,} draws, median of {repeat}: run {run:.2f} s, compare of two {compare:.2f} s: "
        f"{compare / run:.2f}x (target <= 1.3x); CPU time (user + system): run {run_cpu:.2f} s, "
        f"compare {compare_cpu:.2f} s: {compare_cpu / run_cpu:.2f}x"
    )


if __name__ == "__main__":
    main()
