"""Speed and memory of a portfolio run: many cases sharing one price catalogue.

    python benchmarks/bench_portfolio.py                 # 500 cases x 10,000 draws (a few minutes)
    python benchmarks/bench_portfolio.py --quick         # 40 cases x 2,000 draws, to try the script
    python benchmarks/bench_portfolio.py --cases 200 --draws 50000

Generates N cases (seeded: the same files every time) in a temporary folder: each has 5-12 of SØM's
33 consequence types (benchcase.py's), 10 years, 3 actors, 1-3 cohorts and mixed distributions, and
about a third of its consequences take their price from the portfolio's catalogue
(``price = "catalog"``, shared by every case that uses it). Then measures, every run a separate
process (wall time from start to exit, peak resident memory of the largest process):

1. ``somrisk.runner.run_portfolio`` (summaries only, threads scheduler, 2 threads): the targets are
   under 60 s and under 4 GB at 500 cases x 10,000 draws. Throughput is draws x cases per second.
2. The plain numpy/scipy implementation (tests/reference/numpy_model.py, as
   benchmarks/numpy_baseline.py runs it) case by case, on every k-th case (--baseline-cases of
   them) at the same draws, compute only (TOML parsing and imports excluded, which favours it); its
   time is extrapolated per draw x case to the whole portfolio. The catalogue's prices are copied
   into each case (the numpy model has no catalogue: it draws them per case, as much work). The
   per-case mean NPVs of the two are compared (z-scores), as a check of the numbers.
3. Scaling from 1 to 2 workers: threads=1 against threads=2 in the process, and Dask LocalClusters
   ``local:1`` against ``local:2``. For the clusters, the time inside run_portfolio is split into
   starting and closing the cluster, and the rest.

The four runs of run_portfolio are taken in turn, --repeat times (medians), so that a change in
the machine's load touches them alike. Prints one Markdown table. Results are ratios against
baselines measured in the same run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_core import measure  # noqa: E402
from benchcase import CONSEQUENCES, _uncertain  # noqa: E402

ACTORS = ("kommune", "region", "stat")
#: Draws per call of the numpy model (as benchmarks/numpy_baseline.py).
CHUNK = 20_000
PRICE_KINDS = ("pert", "triangular", "uniform", "gamma", "lognormal")
CHANGE_KINDS = ("normal", "pert", "triangular")
PROFILES = ("[0.5, 1.0]", "[1.0, 0.9, 0.8, 0.7]", "[0.3, 0.8, 1.0]", "[1.2, 1.0, 0.8]")


# --- the generated portfolio --------------------------------------------------------------------


def catalog_toml(seed: int) -> str:
    """A price catalogue with an entry for each of the 33 consequence types (uncertain prices)."""
    rng = np.random.default_rng([seed, 0])
    lines = ["[catalog]", 'name = "Benchmark prices"', "price_year = 2024", ""]
    for i, (name, _area, unit, _change, prices) in enumerate(CONSEQUENCES):
        parts = [
            f"{actor} = {_uncertain(price, PRICE_KINDS[(i + j) % 5], rng) if (i + j) % 4 else price}"
            for j, (actor, price) in enumerate(prices.items())
        ]
        price = "price = { " + ", ".join(parts) + " }"
        lines += ["[[prices]]", f'name = "{name}"', f'unit = "{unit}"', price]
        if i % 2 == 0:
            lines.append('price_factor = { dist = "uniform", min = 0.95, max = 1.05 }')
        lines.append("")
    return "\n".join(lines)


def _case_head(index: int, rng: np.random.Generator) -> list[str]:
    cohorts = int(rng.integers(1, 4))
    size = int(rng.integers(10, 60))
    success, comparison = int(rng.integers(12, 25)), int(rng.integers(4, 12))
    low, high = rng.uniform(0.05, 0.2), rng.uniform(0.3, 0.5)
    return [
        "[case]",
        f'name = "Case {index:04d}"',
        "price_year = 2024",
        "start_year = 2025",
        "horizon = 10",
        "",
        "[participants]",
        "cohorts = ["
        + ", ".join(
            f'{{ dist = "pert", min = {size * 0.7:.4g}, mode = {size}, max = {size * 1.5:.4g} }}'
            for _ in range(cohorts)
        )
        + "]",
        "",
        "[effect]",
        f'success_rate = {{ dist = "beta", successes = {success}, trials = 40 }}',
        f'comparison_rate = {{ dist = "beta", successes = {comparison}, trials = 40 }}',
        "",
        "[persistence]",
        "window = 10",
        'full_years = { dist = "triangular", min = 1, mode = 2, max = 5 }',
        f'decay = {{ dist = "uniform", min = {low:.3g}, max = {high:.3g} }}',
        "",
    ]


def _case_costs(rng: np.random.Generator) -> list[str]:
    lines: list[str] = []
    for name, kind, actor, amount, dist in (
        ("opstart", "fixed", "kommune", 250000, "pert"),
        ("forloeb", "per_participant", "kommune", 45000, "normal"),
        ("evaluering", "fixed", "stat", 120000, "uniform"),
    ):
        scaled = amount * rng.uniform(0.5, 1.5)
        lines += [
            "[[costs]]",
            f'name = "{name}"',
            f'actor = "{actor}"',
            f'kind = "{kind}"',
            f"amount = {_uncertain(scaled, dist, rng)}",
            "",
        ]
    lines += [
        "[[comparison_costs]]",
        'name = "sagsbehandling"',
        'actor = "kommune"',
        'kind = "per_participant"',
        f"amount = {_uncertain(8000 * rng.uniform(0.5, 1.5), 'pert', rng)}",
        "",
    ]
    return lines


def case_toml(index: int, seed: int) -> str:
    """Case `index` of the portfolio: 5-12 of the 33 consequence types, a third priced by the catalogue."""
    rng = np.random.default_rng([seed, 1, index])
    lines = _case_head(index, rng) + _case_costs(rng)
    chosen = np.sort(rng.choice(len(CONSEQUENCES), size=int(rng.integers(5, 13)), replace=False))
    for i in chosen:
        name, area, unit, change, prices = CONSEQUENCES[i]
        lines += [
            "[[consequences]]",
            f'name = "{name}"',
            f'category = "{area}"',
            f'unit = "{unit}"',
            f"change = {_uncertain(change * rng.uniform(0.5, 1.5), CHANGE_KINDS[i % 3], rng)}",
        ]
        if rng.random() < 0.4:
            lines.append(f"profile = {PROFILES[int(rng.integers(len(PROFILES)))]}")
        if rng.random() < 1 / 3:
            lines.append('price = "catalog"')
        else:
            parts = [
                f"{actor} = {_uncertain(price, PRICE_KINDS[(i + j) % 5], rng) if (i + j) % 3 != 2 else price}"
                for j, (actor, price) in enumerate(prices.items())
            ]
            lines.append("price = { " + ", ".join(parts) + " }")
            if rng.random() < 0.3:
                lines.append('price_factor = { dist = "uniform", min = 0.9, max = 1.1 }')
        lines.append("")
    return "\n".join(lines)


def write_portfolio(folder: Path, cases: int, seed: int) -> Path:
    """Write `cases` case files, the catalogue and the portfolio file; returns the portfolio's path."""
    names = [f"c{k:04d}.toml" for k in range(cases)]
    for k, name in enumerate(names):
        (folder / name).write_text(case_toml(k, seed), encoding="utf-8")
    (folder / "catalog.toml").write_text(catalog_toml(seed), encoding="utf-8")
    path = folder / "portfolio.toml"
    path.write_text(
        "[portfolio]\n"
        f'name = "Benchmark portfolio: {cases} cases"\n'
        "cases = [" + ", ".join(f'"{n}"' for n in names) + "]\n"
        'catalog = "catalog.toml"\n',
        encoding="utf-8",
    )
    return path


# --- the measured processes (this script, run with --child) ------------------------------------


def _timed(spent: dict[str, float], key: str, fn: Any) -> Any:
    """`fn`, adding the seconds of each of its calls to spent[key]."""

    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            spent[key] += time.perf_counter() - start

    return timed


def child_somrisk(path: Path, draws: int, threads: int | None, scheduler: str) -> None:
    """Run the portfolio; print JSON: seconds inside run_portfolio and in its parts (compiling the
    cases, starting and closing the scheduler, sending the compiled cases to the workers), and the
    cases' mean and sd of NPV."""
    import somrisk.engine.run as simulation
    import somrisk.portfolio as portfolio
    from somrisk.runner import run_portfolio

    spent = dict.fromkeys(("prepare", "scheduler", "share"), 0.0)
    opened = simulation.open_scheduler

    def open_scheduler(spec: str | None, n: int) -> Any:
        pool = _timed(spent, "scheduler", opened)(spec, n)
        pool.close = _timed(spent, "scheduler", pool.close)
        pool.share = _timed(spent, "share", pool.share)
        return pool

    simulation.open_scheduler = open_scheduler
    portfolio.prepare_portfolio = _timed(spent, "prepare", portfolio.prepare_portfolio)
    start = time.perf_counter()
    result = run_portfolio(path, draws=draws, seed=1, threads=threads, scheduler=scheduler)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                **spent,
                "case_mean": result.case_statistics.at("npv_mean").tolist(),
                "case_sd": result.case_statistics.at("npv_sd").tolist(),
            }
        )
    )


def _with_catalog(raw: dict[str, Any], catalog: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The case with each ``price = "catalog"`` replaced by the catalogue's price and factor."""
    for c in raw.get("consequences", []):
        if c["price"] == "catalog":
            entry = catalog[c["name"]]
            c["price"] = entry["price"]
            if "price_factor" in entry:
                c["price_factor"] = entry["price_factor"]
    return raw


def child_numpy(path: Path, draws: int, every: int) -> None:
    """Run the numpy model on every `every`-th case; print JSON: compute seconds, cases' mean and sd."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from reference import numpy_model

    folder = path.parent
    portfolio = tomllib.loads(path.read_text(encoding="utf-8"))["portfolio"]
    catalog = tomllib.loads((folder / portfolio["catalog"]).read_text(encoding="utf-8"))
    entries = {entry["name"]: entry for entry in catalog["prices"]}
    raws = [
        _with_catalog(tomllib.loads((folder / name).read_text(encoding="utf-8")), entries)
        for name in portfolio["cases"][::every]
    ]
    rng = np.random.default_rng(1)
    means, sds = [], []
    start = time.perf_counter()
    for raw in raws:
        d = sum(numpy_model.is_uncertain(v) for _, v in numpy_model.input_specs(raw))
        npv = []
        for first in range(0, draws, CHUNK):
            n = min(CHUNK, draws - first)
            npv.append(numpy_model.simulate(raw, rng.random((n, d)))["npv"].sum(axis=1))
        total = np.concatenate(npv)
        means.append(float(total.mean()))
        sds.append(float(total.std(ddof=1)))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "cases": len(raws), "case_mean": means, "case_sd": sds}))


# --- the measurements ---------------------------------------------------------------------------


#: The runs of run_portfolio measured: (threads, scheduler).
RUNS = {"2 threads": (2, "threads"), "1 thread": (1, "threads"), "local:1": (None, "local:1")}
RUNS["local:2"] = (None, "local:2")


def run_somrisk(path: Path, draws: int, threads: int | None, scheduler: str) -> dict[str, Any]:
    """One process running the portfolio: its wall time, peak RSS and the child's report."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "somrisk", str(path)]
    command += ["--draws", str(draws), "--scheduler", scheduler]
    if threads is not None:
        command += ["--threads", str(threads)]
    wall, peak, out = measure(command, 1)
    return {"wall": wall, "peak": peak, **json.loads(out)}


def run_all(path: Path, draws: int, repeat: int) -> dict[str, dict[str, Any]]:
    """Every run of RUNS, `repeat` times, taken in turn (so that a change of the machine's load
    touches them alike): medians of the times and peaks; the cases' mean and sd of NPV."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in RUNS}
    for _ in range(repeat):
        for name, (threads, scheduler) in RUNS.items():
            runs[name].append(run_somrisk(path, draws, threads, scheduler))
    medians = {}
    for name, rows in runs.items():
        numbers = {
            key: statistics.median(row[key] for row in rows)
            for key, value in rows[0].items()
            if not isinstance(value, list)
        }
        medians[name] = {**rows[-1], **numbers}
    return medians


def _parts(row: dict[str, Any]) -> str:
    """run_portfolio's time and its parts."""
    rest = row["seconds"] - row["prepare"] - row["scheduler"] - row["share"]
    text = f"run_portfolio {row['seconds']:.1f} s = compiling the cases {row['prepare']:.1f} s"
    if row["scheduler"] > 0.01 or row["share"] > 0.01:
        text += (
            f" + cluster start/close {row['scheduler']:.1f} s"
            f" + sending the compiled cases to the workers {row['share']:.1f} s"
        )
    return text + f" + the rest {rest:.1f} s"


def _rest(row: dict[str, Any]) -> float:
    """run_portfolio's seconds without compiling the cases and starting or closing a cluster."""
    return row["seconds"] - row["prepare"] - row["scheduler"]


def _check(somrisk_run: dict[str, Any], numpy_run: dict[str, Any], every: int, draws: int) -> str:
    """Largest |z| of the difference of the cases' mean NPVs (numpy against somrisk)."""
    z = []
    for k, (mean, sd) in enumerate(zip(numpy_run["case_mean"], numpy_run["case_sd"], strict=True)):
        other, other_sd = somrisk_run["case_mean"][k * every], somrisk_run["case_sd"][k * every]
        se = math.sqrt((sd**2 + other_sd**2) / draws)
        z.append(abs(mean - other) / se if se > 0 else 0.0)
    worst = int(np.argmax(z))
    return (
        f"largest |z| {z[worst]:.2f} over {len(z)} cases (case {worst * every}); "
        f"median |z| {statistics.median(z):.2f} (expected below about 3.5 and 0.7)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="40 cases x 2,000 draws, to try the script")
    parser.add_argument("--cases", type=int, help="cases in the portfolio (default 500; --quick 40)")
    parser.add_argument("--draws", type=int, help="draws (default 10,000; --quick 2,000)")
    parser.add_argument(
        "--baseline-cases", type=int, help="cases the numpy model runs (default 50; --quick 10)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated cases")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--child", choices=("somrisk", "numpy"), help=argparse.SUPPRESS)
    parser.add_argument("portfolio", nargs="?", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scheduler", default="threads", help=argparse.SUPPRESS)
    parser.add_argument("--every", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "somrisk":
        return child_somrisk(args.portfolio, args.draws, args.threads, args.scheduler)
    if args.child == "numpy":
        return child_numpy(args.portfolio, args.draws, args.every)
    cases = args.cases or (40 if args.quick else 500)
    draws = args.draws or (2_000 if args.quick else 10_000)
    every = max(1, cases // (args.baseline_cases or (10 if args.quick else 50)))
    with tempfile.TemporaryDirectory() as folder:
        path = write_portfolio(Path(folder), cases, args.seed)
        run_somrisk(path, min(draws, 1000), 2, "threads")  # warm the compiled-kernel cache
        rows = measure_all(path, cases, draws, every, args.repeat)
    print(f"Portfolio: {cases} cases x {draws:,} draws x 10 years x 3 actors, summaries only\n")
    print("| measurement | result |")
    print("| --- | --- |")
    for name, result in rows:
        print(f"| {name} | {result} |")


def measure_all(path: Path, cases: int, draws: int, every: int, repeat: int) -> list[tuple[str, str]]:
    """Every measurement, as rows of the table."""
    work = cases * draws  # draws x cases
    rows: list[tuple[str, str]] = []
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "numpy", str(path)]
    _, _, out = measure([*command, "--draws", str(draws), "--every", str(every)], repeat)
    numpy_run = json.loads(out)
    baseline_rate = numpy_run["cases"] * draws / numpy_run["seconds"]
    rows.append(
        (
            f"numpy/scipy model, {numpy_run['cases']} of the cases (every {every}th) x {draws:,} draws",
            f"{baseline_rate:,.0f} draws x cases/s (compute only, {numpy_run['seconds']:.1f} s); "
            f"extrapolated to {cases} cases: {work / baseline_rate:,.0f} s",
        )
    )
    measured = run_all(path, draws, repeat)
    main_run = measured["2 threads"]
    rate = work / main_run["wall"]
    rows.append(
        (
            "run_portfolio, threads scheduler, 2 threads, whole process",
            f"**{main_run['wall']:.1f} s**, peak **{main_run['peak'] / 1e9:.2f} GB**: "
            f"{rate:,.0f} draws x cases/s = **{rate / baseline_rate:.1f}x** the numpy model "
            f"({work / _rest(main_run) / baseline_rate:.0f}x without compiling the cases); "
            + _parts(main_run),
        )
    )
    rows.append(
        (
            "targets (under 60 s, under 4 GB)",
            f"time {'met' if main_run['wall'] < 60 else 'NOT met'}, "
            f"memory {'met' if main_run['peak'] < 4e9 else 'NOT met'}",
        )
    )
    rows.append(("check: cases' mean NPV, numpy against somrisk", _check(main_run, numpy_run, every, draws)))
    one = measured["1 thread"]
    rows.append(
        (
            "run_portfolio, threads scheduler, 1 thread, whole process",
            f"{one['wall']:.1f} s, peak {one['peak'] / 1e9:.2f} GB; " + _parts(one),
        )
    )
    rows.append(
        (
            "2 threads against 1",
            f"**{one['wall'] / main_run['wall']:.2f}x** whole process, "
            f"{one['seconds'] / main_run['seconds']:.2f}x run_portfolio, "
            f"{_rest(one) / _rest(main_run):.2f}x without compiling the cases",
        )
    )
    local = {n: measured[f"local:{n}"] for n in (1, 2)}
    for n, row in local.items():
        rows.append(
            (
                f"run_portfolio, scheduler local:{n}, whole process",
                f"{row['wall']:.1f} s, peak {row['peak'] / 1e9:.2f} GB (largest process); " + _parts(row),
            )
        )
    rows.append(
        (
            "local:2 against local:1",
            f"**{local[1]['wall'] / local[2]['wall']:.2f}x** whole process, "
            f"{local[1]['seconds'] / local[2]['seconds']:.2f}x run_portfolio, "
            f"{_rest(local[1]) / _rest(local[2]):.2f}x without compiling the cases and the cluster's "
            "start/close",
        )
    )
    return rows


if __name__ == "__main__":
    main()
