"""Blocks collected in block order: the sums over a block's chunks, and what a run keeps of them.

Every block's results are combined in block order, and a block's chunks in chunk order, so the
results do not depend on where or in which order the blocks ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

import numpy as np

from somrisk.cube import cube_dataset
from somrisk.engine.jobs import YEARLY_SAMPLE_DRAWS, Block, Job, yearly_series
from somrisk.engine.result import CubeBlock
from somrisk.errors import NumericalError
from somrisk.kernel import KernelOutputs
from somrisk.sampling import BLOCK_DRAWS

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "YEARLY_SAMPLE_BYTES",
    "YEARLY_SAMPLE_DRAWS",
    "DrawResults",
    "Moments",
    "RowResults",
    "chunk_sums",
    "sum_participants",
]

#: The yearly results of at most YEARLY_SAMPLE_DRAWS (first) draws are kept for their percentiles,
#: and at most this much memory (a long horizon keeps fewer draws; whole blocks always).
YEARLY_SAMPLE_BYTES = 256 * 2**20


def chunk_sums(blocks: list[Block], start: int, *, finite: bool = True) -> KernelOutputs:
    """The sums of a block's chunks (NPV, net, discounted net, present values), in chunk order.
    With `finite`, a block of draws whose NPV is not finite is refused (:class:`NumericalError`)
    before anything of it is kept; a design's rows are handed on as they are (the analyses say what
    an undefined output means)."""
    out = blocks[0].out
    npv, net, discounted, pv = out.npv, out.net, out.discounted, out.pv
    for b in blocks[1:]:
        npv, net, discounted = npv + b.out.npv, net + b.out.net, discounted + b.out.discounted
        pv = pv + b.out.pv
    if finite and not np.isfinite(npv).all():
        _not_finite(npv, start)
    return out._replace(npv=npv, net=net, discounted=discounted, pv=pv)


def sum_participants(blocks: list[Block]) -> np.ndarray:
    """The participants of each row of a block, over its chunks of cases (rows,)."""
    total = blocks[0].participants
    for b in blocks[1:]:
        total = total + b.participants
    return total


def _not_finite(npv: np.ndarray, start: int) -> NoReturn:
    """Refuse a block whose NPVs (rows x actors) hold NaN or infinity, naming the first such row."""
    row = int(np.flatnonzero(~np.isfinite(npv).all(axis=1))[0])
    raise NumericalError(
        f"draw {start + row:,} gives an NPV that is not a finite number ({npv[row].tolist()}); "
        "some number of the case is too large or too extreme to compute with. Nothing was written."
    )


class Moments:
    """Means and sums of squared deviations, combined block by block (Chan et al. 1979)."""

    def __init__(self) -> None:
        self.count = 0
        self.mean: np.ndarray | None = None
        self.m2: np.ndarray | None = None

    def add(self, n: int, mean: np.ndarray, m2: np.ndarray) -> None:
        """Add a block of `n` draws with its own mean and sum of squared deviations."""
        if self.mean is None or self.m2 is None:
            self.count, self.mean, self.m2 = n, mean, m2
            return
        total = self.count + n
        delta = mean - self.mean
        self.mean = self.mean + delta * (n / total)
        self.m2 = self.m2 + m2 + delta**2 * (self.count * n / total)
        self.count = total

    def variance(self) -> np.ndarray:
        """Sample variance (ddof = 1; 0 for a single draw)."""
        assert self.m2 is not None
        return self.m2 / max(self.count - 1, 1)


class RowResults:
    """The NPV per actor of every row of a design (rows, A), and where asked the sums of its single
    block's cube (the deterministic run)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.npv = np.empty((job.source.rows, len(job.ensemble.actors)))
        self.first: KernelOutputs | None = None
        self.participants = np.empty(0)
        self.cube: tuple[np.ndarray, np.ndarray] | None = None

    def collect(self, index: int, blocks: list[Block]) -> None:
        start, stop = self.job.bounds[index]
        sums = chunk_sums(blocks, start, finite=False)
        self.npv[start:stop] = sums.npv
        if index == 0:
            self.first = sums
            self.participants = sum_participants(blocks)
            if self.job.write_cube:  # gains (n, T, A, C) and costs (n, T, A), summed over the cases
                self.cube = (
                    sum(b.out.gains.sum(axis=1) for b in blocks),  # type: ignore[misc]
                    sum(b.out.costs.sum(axis=1) for b in blocks),  # type: ignore[misc]
                )


class DrawResults:
    """What a Monte Carlo run keeps of its blocks (see :class:`somrisk.engine.Simulation`)."""

    def __init__(
        self,
        job: Job,
        *,
        keep_cube: bool,
        keep_inputs: int,
        cube_sink: Callable[[CubeBlock], None] | None,
        progress: Callable[[int, int], None] | None,
        attrs: dict,
    ) -> None:
        self.job, self.cube_sink, self.progress, self.attrs = job, cube_sink, progress, attrs
        layout = job.ensemble.layout
        self.layout = layout
        self.T, self.A, self.C = len(layout.years), len(layout.actors), len(layout.consequences)
        self.portfolio = layout.cases is not None
        K = len(job.ensemble.members)
        D, d = job.source.rows, len(layout.inputs)
        self.draws = D
        self.npv = np.empty((self.A, D))
        self.net_total = np.empty((self.A, D))
        self.participants = np.empty(D)
        self.case_npv = np.empty((K, D)) if self.portfolio else None
        self.payback = np.empty(D, dtype=np.int16)
        self.pv_sums = np.zeros(2)  # present values of gains and costs, summed in block order
        by_memory = YEARLY_SAMPLE_BYTES // (8 * self.T * (self.A + 2))
        self.sample_draws = min(
            D, max(BLOCK_DRAWS, min(YEARLY_SAMPLE_DRAWS, by_memory) // BLOCK_DRAWS * BLOCK_DRAWS)
        )
        self.yearly_sample = np.empty((self.T, self.A + 2, self.sample_draws))
        self.moments = Moments()
        cases = (K,) if self.portfolio else ()
        self.cube_arrays: dict[str, np.ndarray] | None = None
        if keep_cube:
            self.cube_arrays = {
                "gains": np.empty((D, *cases, self.T, self.A, self.C)),
                "costs": np.empty((D, *cases, self.T, self.A)),
                "net": np.empty((D, *cases, self.T, self.A)),
                "npv": np.empty((D, self.A)),
                "inputs": np.empty((D, d)),
            }
            if layout.discount_per_draw:
                self.cube_arrays["discount"] = np.empty((D, *cases, self.T))
        # the input values of the first `keep_inputs` draws (all of them with the cube)
        self.inputs = (
            self.cube_arrays["inputs"]
            if self.cube_arrays is not None
            else np.empty((keep_inputs, d))
            if keep_inputs
            else None
        )

    def collect(self, index: int, blocks: list[Block]) -> None:
        """Combine one block's results with the run's (in block order, chunks in order)."""
        start, stop = self.job.bounds[index]
        n = stop - start
        sums = chunk_sums(blocks, start)
        yearly = blocks[0].yearly if len(blocks) == 1 else None
        if yearly is None:  # chunks of a portfolio: their sums are known only here
            yearly = yearly_series(sums.net, sums.discounted)
        self.npv[:, start:stop] = sums.npv.T
        self.net_total[:, start:stop] = yearly.net_total.T
        self.participants[start:stop] = sum_participants(blocks)
        self.payback[start:stop] = yearly.payback
        if self.case_npv is not None:
            for b, (lo, hi) in zip(blocks, self.job.ensemble.chunks, strict=True):
                self.case_npv[lo:hi, start:stop] = b.out.case_npv.T
        if stop <= self.sample_draws:
            assert yearly.series is not None  # kept by every block of the sample
            self.yearly_sample[:, :, start:stop] = yearly.series.transpose(1, 2, 0)
        self.moments.add(n, yearly.mean, yearly.m2)
        self.pv_sums += sums.pv.sum(axis=0)
        values = self._values(blocks, start, stop)
        if blocks[0].out.gains.shape[0]:
            self._cube(blocks, sums, values, start, stop)
        elif self.cube_sink is not None and values is not None:  # gains written on the workers
            self.cube_sink(CubeBlock(start, stop, _client_dataset(values, sums.npv)))
        if self.progress is not None:
            self.progress(stop, self.draws)

    def _values(self, blocks: list[Block], start: int, stop: int) -> np.ndarray | None:
        first = blocks[0].values
        if first is None:
            return None
        joined = first if len(blocks) == 1 else np.hstack([b.values for b in blocks])  # type: ignore[misc]
        values = joined if not self.portfolio else joined[:, self.job.ensemble.input_take]
        if self.inputs is not None and start < self.inputs.shape[0]:
            kept = min(stop, self.inputs.shape[0])
            self.inputs[start:kept] = values[: kept - start]
        return values

    def _cube(
        self, blocks: list[Block], sums: KernelOutputs, values: np.ndarray | None, start: int, stop: int
    ) -> None:
        gains, costs, discount = (
            getattr(blocks[0].out, name)
            if len(blocks) == 1  # no copy of the largest arrays of a run
            else np.concatenate([getattr(b.out, name) for b in blocks], axis=1)
            for name in ("gains", "costs", "discount")
        )
        if not self.portfolio:
            gains, costs, discount = gains[:, 0], costs[:, 0], discount[:, 0]
        net = gains.sum(axis=-1) - costs
        arrays = {"gains": gains, "costs": costs, "net": net, "npv": sums.npv}
        if self.layout.discount_per_draw:
            arrays["discount"] = discount
        if self.cube_arrays is not None:
            for name, array in arrays.items():
                self.cube_arrays[name][start:stop] = array
        if self.cube_sink is not None:
            assert values is not None
            dataset = cube_dataset(self.layout, draw_start=start, inputs=values, attrs=self.attrs, **arrays)
            self.cube_sink(CubeBlock(start, stop, dataset))

    def whole_cube(self) -> xr.Dataset | None:
        """The cube held in memory, or None."""
        if self.cube_arrays is None:
            return None
        return cube_dataset(self.layout, draw_start=0, attrs=self.attrs, **self.cube_arrays)


def _client_dataset(values: np.ndarray, npv: np.ndarray) -> xr.Dataset:
    """The `inputs` and `npv` of one block, for a cube whose other variables the workers write."""
    import xarray as xr

    return xr.Dataset({"inputs": (("draw", "input"), values), "npv": (("draw", "actor"), npv)})
