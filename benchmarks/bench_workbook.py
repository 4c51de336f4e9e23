"""The results workbook's writer: XlsxWriter against openpyxl, for the draws of a ~100-input case.

The Draws sheet is nearly all of the workbook's cells (100,000 draws x about 100 inputs and the NPVs),
so both libraries write that table, the same numbers the same way (openpyxl in write-only mode, as
somrisk did first; XlsxWriter in constant-memory mode, cell by cell, as ``io.workbook`` did next),
one after the other in this process; then the same table's rows in bulk (``io.workbook_draws``, as
``io.workbook`` does now) at deflate levels 1 and 6, each with and without the second thread that
deflates; then ``write_workbook`` writes the whole workbook (every sheet, formats, chart). Prints a
table of wall and CPU times (the CPU time of this process, which a busy shared machine disturbs less
than the wall time; the deflating thread's CPU time counts too), the best of ``--repeat`` rounds,
the writers taking turns::

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


def in_bulk(level: int, threaded: bool = True):
    """The table's rows written by ``io.workbook_draws`` into an XlsxWriter workbook holding the
    header, at deflate `level`, the deflating in a second thread or in this one."""
    import io
    from concurrent import futures

    import xlsxwriter

    from somrisk.io import workbook_draws
    from somrisk.io.workbook_draws import DrawRows, write_with_draws

    class InThisThread:
        def __init__(self, max_workers: int) -> None:
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def submit(self, call, *args):
            done: futures.Future = futures.Future()
            done.set_result(call(*args))
            return done

    def write(table: np.ndarray, path: Path) -> None:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
        sheet = workbook.add_worksheet("Draws")
        money = workbook.add_format({"num_format": '#,##0 "kr."'})
        sheet.set_column(1, table.shape[1] - 1, 14, money)
        for col in range(table.shape[1] + 1):
            sheet.write_string(0, col, f"column {col}")
        workbook.close()
        rows = DrawRows("Draws", (table[:, 1:],), np.full(table.shape[0], 2030.0))
        saved = workbook_draws.DRAWS_COMPRESSION, workbook_draws.ThreadPoolExecutor
        workbook_draws.DRAWS_COMPRESSION = level
        if not threaded:
            workbook_draws.ThreadPoolExecutor = InThisThread  # type: ignore[assignment,misc]
        try:
            write_with_draws(buffer.getvalue(), path, rows)
        finally:
            workbook_draws.DRAWS_COMPRESSION, workbook_draws.ThreadPoolExecutor = saved

    return write


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
            "rows in bulk, level 1, Draws table": in_bulk(1),
            "rows in bulk, level 1, one thread": in_bulk(1, threaded=False),
            "rows in bulk, level 6, Draws table": in_bulk(6),
            "rows in bulk, level 6, one thread": in_bulk(6, threaded=False),
            "write_workbook, every sheet (rows in bulk)": lambda _, p: write_workbook(p, summary, sim),
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
