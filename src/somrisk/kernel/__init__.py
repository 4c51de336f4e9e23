"""Stage 7: the model's equations on plain arrays (numba, CPU)."""

from somrisk.kernel.cpu import evaluate_cases, finish_block, series_moments

__all__ = ["evaluate_cases", "finish_block", "series_moments"]
