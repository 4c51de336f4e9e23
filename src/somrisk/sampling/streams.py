"""Random streams: every random number of a run comes from the seed, a stream and a block index.

Draws are made in fixed blocks of :data:`BLOCK_DRAWS`. Block ``b`` of stream ``s`` uses
``SeedSequence(seed, spawn_key=(s, b))``, the same stream as ``SeedSequence(seed).spawn(...)``'s
children would give but computable by any worker on its own. Results therefore cannot depend on
how blocks are grouped into chunks, on threads, or on where the blocks run.

The block size is part of the reproducibility contract: changing it changes every result.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["BLOCK_DRAWS", "Stream", "block_bounds", "block_rng", "run_seed_sequence"]

#: Draws per block (a power of two, so Sobol blocks keep their balance).
BLOCK_DRAWS = 8192


class Stream(IntEnum):
    """The independent random streams of a run."""

    UNIFORMS = 0  # the sampler's uniforms, per block
    CORRELATION = 1  # Iman-Conover score permutations, per block
    LHS_SUBSTRATA = 2  # per-run: which sub-stratum each Latin hypercube block takes
    SOBOL_SCRAMBLE = 3  # per-run: the one scrambling of the Sobol sequence


def run_seed_sequence(seed: int, stream: Stream, key: tuple[int, ...] = ()) -> np.random.SeedSequence:
    """The seed sequence of a per-run stream.

    `key` names a part of a run with streams of its own (a portfolio's catalogue and each of its
    cases); a case run on its own has the empty key.
    """
    return np.random.SeedSequence(seed, spawn_key=(*key, int(stream)))


def block_rng(seed: int, stream: Stream, block: int, key: tuple[int, ...] = ()) -> np.random.Generator:
    """The generator of one block of one stream (of the part of the run named by `key`)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*key, int(stream), block)))


def block_bounds(draws: int) -> list[tuple[int, int]]:
    """(start, stop) draw indices of every block of a run of `draws` draws."""
    return [(start, min(start + BLOCK_DRAWS, draws)) for start in range(0, draws, BLOCK_DRAWS)]
