"""CPU time per draw of each stage of a block of draws, on one thread, for the benchmark case.

    python benchmarks/bench_stages.py [--blocks 15]

Times single blocks of 8,192 draws (median over --blocks blocks, CPU time of this process, so that
other processes on a shared machine disturb it less than wall time): the Latin hypercube and plain
Monte Carlo samplers, the inverse CDFs, the kernel, and the yearly series and moments.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from benchcase import benchmark_case  # noqa: E402


def per_draw(fn: Callable[[int], object], blocks: int, draws: int) -> float:
    """Median CPU microseconds per draw of fn(block) over `blocks` blocks (after one warm-up)."""
    fn(0)
    times = []
    for index in range(blocks):
        start = time.process_time()
        fn(index)
        times.append(time.process_time() - start)
    return statistics.median(times) / draws * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--blocks", type=int, default=15)
    args = parser.parse_args()

    import somrisk
    from somrisk.engine.evaluate import evaluate_block
    from somrisk.engine.jobs import Draws, yearly_series
    from somrisk.engine.model import prepare, single
    from somrisk.sampling import BLOCK_DRAWS

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "benchmark-33.toml"
        path.write_text(benchmark_case(33), encoding="utf-8")
        model = prepare(somrisk.load_case(path))
    ensemble = single(model)
    rows: dict[str, float] = {}
    for sampler in ("lhs", "mc"):
        draws = Draws.of(ensemble, draws=BLOCK_DRAWS * (args.blocks + 1), seed=1, sampler=sampler)
        rows[f"{sampler} sampler"] = per_draw(draws.samplers[0].block, args.blocks, BLOCK_DRAWS)
    u = draws.samplers[0].block(0)
    rows["inverse CDFs"] = per_draw(lambda _: model.transform(u), args.blocks, BLOCK_DRAWS)
    values = model.transform(u)
    plan = ensemble.plans[0]
    rows["kernel"] = per_draw(
        lambda _: evaluate_block(plan, values, write_cube=False), args.blocks, BLOCK_DRAWS
    )
    out = evaluate_block(plan, values, write_cube=False)
    rows["yearly series and moments"] = per_draw(
        lambda _: yearly_series(out.net, out.discounted), args.blocks, BLOCK_DRAWS
    )
    width = max(map(len, rows))
    for name, micros in rows.items():
        print(f"{name:<{width}}  {micros:.3f} µs per draw")


if __name__ == "__main__":
    main()
