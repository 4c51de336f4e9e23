"""Properties of portfolios on generated cases, checked against each case run on its own."""

from __future__ import annotations

import json
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from properties.strategies import CaseSpec, cases
from somrisk import parse_case, run_deterministic, run_portfolio


@settings(max_examples=10)
@given(
    specs=st.lists(cases(), min_size=1, max_size=4),
    starts=st.lists(st.integers(0, 3), min_size=4, max_size=4),
)
def test_the_portfolio_is_the_sum_of_its_cases_discounted_to_its_first_year(
    specs: list[CaseSpec], starts: list[int]
) -> None:
    texts = [
        spec.toml()
        .replace('name = "Generated"', f'name = "Case {k}"')
        .replace("start_year = 2025", f"start_year = {2025 + starts[k]}\nprice_year = 2025")
        for k, spec in enumerate(specs)
    ]
    first = min(starts[: len(texts)])
    own = []
    for text, start in zip(texts, starts, strict=False):
        det = run_deterministic(parse_case(text))
        rate = parse_case(text).economy.discount_rate
        base = rate if isinstance(rate, float) else rate.base_value
        own.append(det.npv_total * (1 + base) ** -(start - first))
    with TemporaryDirectory() as folder:
        for k, text in enumerate(texts):
            Path(folder, f"c{k}.toml").write_text(text, encoding="utf-8")
        files = json.dumps([f"c{k}.toml" for k in range(len(texts))])
        Path(folder, "p.toml").write_text(f'[portfolio]\nname = "P"\ncases = {files}\n', encoding="utf-8")
        result = run_portfolio(Path(folder, "p.toml"), draws=64)
    det = result.simulation.deterministic
    scale = max(1.0, *(abs(x) for x in own))
    assert abs(det.npv_total - sum(own)) <= 1e-9 * scale
    np.testing.assert_allclose(
        result.simulation.npv_total, result.simulation.case_npv.sum(axis=0), atol=1e-9 * scale
    )
