"""Stage 7: the model's equations on plain arrays (numba, CPU)."""

from somrisk.kernel.cpu import KernelOutputs, evaluate_cases, finish_block, series_moments

__all__ = ["KernelOutputs", "evaluate_cases", "finish_block", "series_moments"]
