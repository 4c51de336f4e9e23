"""The kernel evaluates draws in groups of LANES side by side; a draw's numbers must not depend on
the group it falls in, on its place in the group, or on the draws beside it."""

from __future__ import annotations

import numpy as np
import pytest
from test_reference import CASES, case_text

from somrisk import parse_case
from somrisk.engine.evaluate import evaluate_block
from somrisk.engine.model import prepare
from somrisk.kernel.cpu import LANES
from somrisk.sampling import make_sampler


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_block_gives_each_draw_what_it_gives_alone(name: str) -> None:
    model = prepare(parse_case(case_text(name)))
    rows = 2 * LANES + 7  # two full groups and a partial one
    u = make_sampler("mc", seed=11, draws=rows, dimension=model.space.dimension).block(0)
    values = model.transform(u)
    whole = evaluate_block(model.stacked, values, write_cube=True)
    for row in (0, 1, LANES - 1, LANES, 2 * LANES, rows - 1):
        alone = evaluate_block(model.stacked, values[row : row + 1], write_cube=True)
        for field in whole._fields:
            np.testing.assert_array_equal(getattr(whole, field)[row], getattr(alone, field)[0], err_msg=field)
    # the draws of a partial group, moved to the start of a block, give the same numbers again
    tail = evaluate_block(model.stacked, values[2 * LANES :], write_cube=True)
    for field in whole._fields:
        np.testing.assert_array_equal(getattr(whole, field)[2 * LANES :], getattr(tail, field), err_msg=field)
