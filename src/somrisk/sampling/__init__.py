"""Stage 3: seed and draw block -> uniforms in (0, 1), with rank correlations imposed."""

from somrisk.sampling.columns import merge_columns
from somrisk.sampling.correlation import GaussianCopula, ImanConover
from somrisk.sampling.samplers import SAMPLERS, Sampler, SamplerName, make_sampler
from somrisk.sampling.streams import BLOCK_DRAWS, Stream, block_bounds, block_rng

__all__ = [
    "BLOCK_DRAWS",
    "SAMPLERS",
    "GaussianCopula",
    "ImanConover",
    "Sampler",
    "SamplerName",
    "Stream",
    "block_bounds",
    "block_rng",
    "make_sampler",
    "merge_columns",
]
