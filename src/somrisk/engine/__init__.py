"""Stage 8: the evaluation engine. A case (or a portfolio's cases) compiled into a :class:`Model`
and an :class:`Ensemble`; blocks of rows (random draws, designed inputs or the base values) made in
:mod:`~somrisk.engine.jobs`, evaluated by :func:`~somrisk.engine.evaluate.evaluate_block` (the only
call of the kernel), run on one scheduler and collected in block order by
:mod:`~somrisk.engine.run` and :mod:`~somrisk.engine.accumulate` into one result type,
:class:`Simulation` (with a `case` axis for portfolios)."""

from somrisk.engine.accumulate import YEARLY_SAMPLE_BYTES, YEARLY_SAMPLE_DRAWS
from somrisk.engine.jobs import UNIFORM_MARGIN
from somrisk.engine.model import (
    CHUNK_CASES,
    CHUNK_COLUMNS,
    Ensemble,
    Member,
    Model,
    make_ensemble,
    prepare,
    single,
)
from somrisk.engine.result import CubeBlock, Deterministic, Simulation
from somrisk.engine.run import (
    CUBE_MEMORY_SHARE,
    deterministic,
    evaluate,
    evaluate_uniforms,
    run_deterministic,
    run_ensemble,
    scheduler,
    simulate,
)

__all__ = [
    "CHUNK_CASES",
    "CHUNK_COLUMNS",
    "CUBE_MEMORY_SHARE",
    "UNIFORM_MARGIN",
    "YEARLY_SAMPLE_BYTES",
    "YEARLY_SAMPLE_DRAWS",
    "CubeBlock",
    "Deterministic",
    "Ensemble",
    "Member",
    "Model",
    "Simulation",
    "deterministic",
    "evaluate",
    "evaluate_uniforms",
    "make_ensemble",
    "prepare",
    "run_deterministic",
    "run_ensemble",
    "scheduler",
    "simulate",
    "single",
]
