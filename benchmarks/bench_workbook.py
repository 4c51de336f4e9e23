"""The results workbook's writer: XlsxWriter against openpyxl, for the draws of a ~100-input case.

The Draws sheet is nearly all of the workbook's cells (100,000 draws x about 100 inputs and the NPVs),
so both libraries write that table, the same numbers the same way (openpyxl in write-only mode, as
somrisk did before; XlsxWriter in constant-memory mode, as ``io.workbook`` does now), one after the
other in this process; then ``write_workbook`` writes the whole workbook (every sheet, formats,
chart). Prints a table of wall and CPU times (the CPU time of this process, which a busy shared machine
disturbs less than the wall time), the best of ``--repeat`` rounds, the writers taking turns::

    python benchmarks/bench_workbook.py               # 100,000 draws
    python benchmarks/bench_workbook.py --draws 5000  # to try the script
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from benchcase import benchmark_case
from somrisk import load_case, prepare, simulate
from somrisk.io.workbook import write_workbook
from somrisk.summary import summarize


def draws_table(sim, kept: int) -> np.ndarray:
    """The Draws sheet's numbers: draw, inputs, NPV per actor and total."""
    npv = np.concatenate([sim.npv[:, :kept], sim.npv_total[None, :kept]]).T
    return np.column_stack([np.arange(kept), sim.inputs[:kept], npv])


def with_openpyxl(table: np.ndarray, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Draws")
    for row in table.tolist():
        sheet.append(row)
    workbook.save(path)


def with_xlsxwriter(table: np.ndarray, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Draws")
    money = workbook.add_format({"num_format": '#,##0 "kr."'})
    write_number = sheet.write_number
    width = table.shape[1]
    for r, row in enumerate(table.tolist()):
        for c in range(width):
            write_number(r, c, row[c], money)
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        case_path = tmp / "case.toml"
        case_path.write_text(benchmark_case(), encoding="utf-8")
        model = prepare(load_case(case_path))
        sim = simulate(model, draws=args.draws, seed=1, keep_inputs=args.draws)
        summary = summarize(sim)
        table = draws_table(sim, args.draws)
        print(
            f"{args.draws:,} draws x {model.space.dimension} uncertain inputs: "
            f"a table of {table.size:,} numbers"
        )
        writers = {
            "openpyxl (write-only), Draws table": with_openpyxl,
            "XlsxWriter (constant memory), Draws table": with_xlsxwriter,
            "write_workbook (XlsxWriter), every sheet": lambda _, p: write_workbook(p, summary, sim),
        }
        best: dict[str, tuple[float, float, float]] = {}
        for _ in range(args.repeat):
            for k, (name, write) in enumerate(writers.items()):
                file = tmp / f"{k}.xlsx"
                wall, cpu = time.perf_counter(), time.process_time()
                write(table, file)
                took = (time.perf_counter() - wall, time.process_time() - cpu, file.stat().st_size / 1e6)
                best[name] = min(best.get(name, took), took)
                file.unlink()
        print(f"{'writer':<44} {'wall s':>8} {'CPU s':>8} {'MB':>6}")
        for name, (wall, cpu, size) in best.items():
            print(f"{name:<44} {wall:>8.1f} {cpu:>8.1f} {size:>6.1f}")


if __name__ == "__main__":
    main()
