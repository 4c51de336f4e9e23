"""Samplers: seed and block index -> uniforms in (0, 1), one column per uncertain input.

Every sampler works block by block (:mod:`somrisk.sampling.streams`), so a block's numbers depend
only on (seed, draws, dimension, block index):

- ``mc``: plain Monte Carlo, numpy's default generator on the block's own stream.
- ``lhs``: a Latin hypercube over the whole run, built so that each block is a Latin hypercube
  of its own (see :class:`LatinHypercube`).
- ``sobol``: scrambled Sobol points (scipy.stats.qmc) with one scrambling for the run; block ``b``
  is the same engine fast-forwarded to its first point.
"""

from __future__ import annotations

import warnings
from typing import Literal, Protocol

import numba
import numpy as np

from somrisk.errors import UsageError
from somrisk.sampling.streams import (
    BLOCK_DRAWS,
    Stream,
    block_bounds,
    block_rng,
    run_seed_sequence,
)

__all__ = [
    "SAMPLERS",
    "LatinHypercube",
    "MonteCarlo",
    "Sampler",
    "SamplerName",
    "Sobol",
    "make_sampler",
]

SamplerName = Literal["mc", "lhs", "sobol"]
SAMPLERS: tuple[SamplerName, ...] = ("mc", "lhs", "sobol")

# Uniforms are kept inside (0, 1): an inverse CDF at exactly 0 or 1 is infinite for unbounded
# distributions.
_TINY = 2.0**-60
_BELOW_ONE = 1.0 - 2.0**-53


class Sampler(Protocol):
    """Uniform random numbers for a run of `draws` draws in `dimension` columns."""

    name: SamplerName
    seed: int
    draws: int
    dimension: int
    key: tuple[int, ...]

    def block(self, index: int) -> np.ndarray:
        """Uniforms of block `index`, shape (block size, dimension), values in (0, 1)."""
        ...


class _Blocked:
    name: SamplerName
    #: `_block` keeps its uniforms within [_TINY, _BELOW_ONE] itself
    clipped = False

    def __init__(self, seed: int, draws: int, dimension: int, key: tuple[int, ...] = ()) -> None:
        self.seed, self.draws, self.dimension, self.key = seed, draws, dimension, key
        self.bounds = block_bounds(draws)

    def block(self, index: int) -> np.ndarray:
        start, stop = self.bounds[index]
        if self.dimension == 0:
            return np.empty((stop - start, 0))
        u = self._block(index, start, stop)
        return u if self.clipped else np.clip(u, _TINY, _BELOW_ONE, out=u)

    def _block(self, index: int, start: int, stop: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def uniforms(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Uniforms of draws [start, stop), assembled from whole blocks (for tests and small runs)."""
        stop = self.draws if stop is None else stop
        first, last = start // BLOCK_DRAWS, max(start, stop - 1) // BLOCK_DRAWS
        parts = [self.block(b) for b in range(first, min(last + 1, len(self.bounds)))]
        joined = np.concatenate(parts) if parts else np.empty((0, self.dimension))
        offset = first * BLOCK_DRAWS
        return joined[start - offset : stop - offset]


class MonteCarlo(_Blocked):
    """Independent uniforms from numpy's default generator (PCG64), one stream per block."""

    name: SamplerName = "mc"

    def _block(self, index: int, start: int, stop: int) -> np.ndarray:
        return block_rng(self.seed, Stream.UNIFORMS, index, self.key).random((stop - start, self.dimension))


@numba.njit(cache=True, nogil=True)
def _latin_hypercube(words, substratum, substrata, out):  # pragma: no cover - compiled
    """out[i, j] = clip((perm_j[i] + (substratum[j] + jitter_j[i]) / substrata) / n, _TINY, _BELOW_ONE).

    words (uint64 (d, n)) are the block's random 64-bit words, one per point. The high 32 bits
    shuffle 0..n-1 into perm_j by Fisher-Yates (position i swaps with floor(high (i + 1) / 2^32),
    Lemire's multiply-shift; bias below (i + 1) / 2^32); the low 32 bits place the point within
    its (sub)stratum, jitter = (low + 1/2) / 2^32. out: float64 (n, d). Columns go in groups of 8
    so that rows of `out` are written a cache line at a time; a permutation is held in 32 bits, so
    that the one being shuffled stays in the fastest cache.
    """
    n, d = out.shape
    group = 8
    perm = np.empty((group, n), dtype=np.int32)
    per_stratum, per_substratum = 1.0 / n, 1.0 / substrata
    low_bits, shift = np.uint64(0xFFFFFFFF), np.uint64(32)
    for j0 in range(0, d, group):
        width = min(group, d - j0)
        for g in range(width):
            for i in range(n):
                perm[g, i] = i
            for i in range(n - 1, 0, -1):
                k = ((words[j0 + g, i] >> shift) * np.uint64(i + 1)) >> shift
                perm[g, i], perm[g, k] = perm[g, k], perm[g, i]
        for i in range(n):
            for g in range(width):
                j = j0 + g
                jitter = ((words[j, i] & low_bits) + 0.5) * 2.0**-32
                value = (perm[g, i] + (substratum[j] + jitter) * per_substratum) * per_stratum
                out[i, j] = min(max(value, _TINY), _BELOW_ONE)


class LatinHypercube(_Blocked):
    """A Latin hypercube of the whole run, stratified within every block.

    Each block of n draws is a Latin hypercube of its own: column j has one point in each of the n
    strata [k/n, (k+1)/n), in an order given by a Fisher-Yates shuffle (numba) driven by the
    block's random 64-bit words. The K full blocks of a run also share out each stratum: a per-run
    random permutation gives block b the sub-stratum o_j(b) of width 1/(nK), so that the full
    blocks together form an exact Latin hypercube of nK points. A last, partial block is a Latin hypercube
    of its own size. The per-run permutation is fixed before any block is drawn, so every block can
    be made alone (on any thread or worker) and the design does not depend on chunking.

    scipy's LatinHypercube draws a whole design at once; a run of blocks needs the sub-strata, and
    this is the hot path of the default sampler, hence the compiled shuffle.
    """

    name: SamplerName = "lhs"
    clipped = True

    def __init__(self, seed: int, draws: int, dimension: int, key: tuple[int, ...] = ()) -> None:
        super().__init__(seed, draws, dimension, key)
        self.full_blocks = draws // BLOCK_DRAWS
        rng = np.random.default_rng(run_seed_sequence(seed, Stream.LHS_SUBSTRATA, key))
        # substratum[b, j]: the sub-stratum of full block b in column j
        ordered = np.broadcast_to(np.arange(self.full_blocks), (dimension, self.full_blocks))
        self.substratum = rng.permuted(ordered, axis=1).T.copy()

    def _block(self, index: int, start: int, stop: int) -> np.ndarray:
        n, d = stop - start, self.dimension
        rng = block_rng(self.seed, Stream.UNIFORMS, index, self.key)
        words = rng.bit_generator.random_raw(d * n).reshape(d, n)
        if n == BLOCK_DRAWS and self.full_blocks > 1:
            substratum, substrata = self.substratum[index], self.full_blocks
        else:
            substratum, substrata = np.zeros(d, dtype=np.int64), 1
        out = np.empty((n, d))
        _latin_hypercube(words, substratum, substrata, out)
        return out


class Sobol(_Blocked):
    """Scrambled Sobol points (scipy.stats.qmc.Sobol), one scrambling for the whole run."""

    name: SamplerName = "sobol"

    def __init__(self, seed: int, draws: int, dimension: int, key: tuple[int, ...] = ()) -> None:
        from scipy.stats import qmc  # importing scipy.stats takes most of a second: only here

        if dimension > qmc.Sobol.MAXDIM:
            raise UsageError(
                f"the Sobol sampler supports at most {qmc.Sobol.MAXDIM} uncertain inputs; this case "
                f"has {dimension}. Use sampler 'lhs' or 'mc'."
            )
        super().__init__(seed, draws, dimension, key)
        # scipy fills its table of direction numbers on first use, which is not thread-safe: fill
        # it here, before blocks are drawn on worker threads
        qmc.Sobol(max(dimension, 1), scramble=False)

    def _block(self, index: int, start: int, stop: int) -> np.ndarray:
        # a new seed sequence each time: scipy spawns children from the one it is given, so a
        # shared one would scramble each block differently
        from scipy.stats import qmc  # (not kept on the sampler, which must pickle for Dask workers)

        scramble = np.random.default_rng(run_seed_sequence(self.seed, Stream.SOBOL_SCRAMBLE, self.key))
        engine = qmc.Sobol(self.dimension, scramble=True, rng=scramble)
        with warnings.catch_warnings():
            # scipy warns when a block is not a power of two; the run-level check is ours
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            if start:  # scipy's fast_forward(0) fails
                engine.fast_forward(start)
            return engine.random(stop - start)


def make_sampler(name: str, *, seed: int, draws: int, dimension: int, key: tuple[int, ...] = ()) -> Sampler:
    """The sampler called `name` (``mc``, ``lhs`` or ``sobol``) for a run (or, with `key`, for a
    part of a run that has streams of its own: :func:`somrisk.sampling.streams.block_rng`).

    Raises
    ------
    UsageError
        For an unknown sampler name, a negative seed or a draw count below 1.
    """
    classes = {"mc": MonteCarlo, "lhs": LatinHypercube, "sobol": Sobol}
    if name not in classes:
        raise UsageError(f"unknown sampler {name!r}; choose one of: {', '.join(SAMPLERS)}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UsageError(f"the seed must be a whole number >= 0; got {seed!r}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise UsageError(f"the number of draws must be a whole number >= 1; got {draws!r}")
    if name == "sobol" and draws & (draws - 1):
        warnings.warn(
            f"Sobol points keep their balance only for a power of two draws; {draws} is not "
            f"(e.g. use {1 << int(draws).bit_length()}).",
            UserWarning,
            stacklevel=2,
        )
    return classes[name](int(seed), int(draws), dimension, key)
