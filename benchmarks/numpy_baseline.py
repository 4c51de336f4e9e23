"""The plain numpy/scipy implementation of model.md, run like `somrisk run`: the speed baseline.

Inverse CDFs from scipy.stats, broadcast arithmetic over (draw, year, actor, consequence), in chunks
of draws (tests/reference/numpy_model.py, the same code the tests use as an oracle).

    python benchmarks/numpy_baseline.py CASE.toml --draws 100000

prints JSON with the compute time (the loop over chunks, without imports) and summary numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from reference import numpy_model

CHUNK = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("case", type=Path)
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    raw = tomllib.loads(args.case.read_text(encoding="utf-8"))
    d = sum(numpy_model.is_uncertain(v) for _, v in numpy_model.input_specs(raw))
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    npv = []
    for first in range(0, args.draws, CHUNK):
        n = min(CHUNK, args.draws - first)
        result = numpy_model.simulate(raw, rng.random((n, d)))
        npv.append(result["npv"].sum(axis=1))
    total = np.concatenate(npv)
    summary = {
        "mean": float(total.mean()),
        "p05": float(np.percentile(total, 5)),
        "p95": float(np.percentile(total, 95)),
        "prob_positive": float(np.mean(total > 0)),
    }
    elapsed = time.perf_counter() - start
    print(json.dumps({"draws": args.draws, "inputs": d, "compute_seconds": elapsed, "npv": summary}))


if __name__ == "__main__":
    main()
