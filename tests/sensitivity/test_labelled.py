"""Labelled results: each analysis's Dataset has named dimensions labelled by the inputs, settings and
provenance in attrs; the one JSON writer gives the documents of outputs.md; the one table renderer
shows the declared columns in the declared order."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from sensitivity.cases import IRRELEVANT, additive_case, linear_case, product_case
from somrisk import example_case_path, load_case, parse_case, prepare
from somrisk.cli.render_labelled import NOT_DISTINGUISHABLE, labelled_table
from somrisk.io.labelled_json import labelled_json
from somrisk.labelled import Column, Labelled, Number, Pairs, Rows
from somrisk.sensitivity import breakeven, drivers, morris, sobol, tornado, voi

PROVENANCE = ("case_name", "case_sha256", "currency", "price_year", "somrisk_version")
FULL_YEARS = linear_case(
    effect='{ dist = "uniform", min = 0.02, max = 0.2, base = 0.08 }',
    cost='{ dist = "uniform", min = 500, max = 1500 }',
    persistence="[persistence]\nfull_years = 1\ndecay = 1.0",
    extra_consequences=IRRELEVANT,
)


@pytest.fixture(scope="module")
def example():
    return prepare(load_case(example_case_path()))


@pytest.fixture(scope="module")
def results(example) -> dict[str, Labelled]:
    """One result of each kind and variant, small enough to be quick."""
    product, additive, full = parse_case(product_case()), parse_case(additive_case()), parse_case(FULL_YEARS)
    return {
        "tornado": tornado(example),
        "tornado_none": tornado(full, output="npv:region"),  # no switching values: nulls
        "sobol": sobol(product, n=128),
        "sobol_groups": sobol(additive, n=128, groups=True),
        "sobol_second_order": sobol(product, n=128, second_order=True),
        "sobol_no_variance": sobol(product, n=64, output="npv:region"),
        "morris": morris(example, trajectories=4),
        "morris_groups": morris(example, trajectories=4, groups=True),
        "breakeven": breakeven(full, draws=200),
        "breakeven_none": breakeven(parse_case(linear_case(cost="1e7")), draws=64),
        "voi": voi(full, draws=1000),
        "voi_groups": voi(full, draws=1000, groups=True),
        "drivers": drivers(full, draws=1000),
        "drivers_never": drivers(parse_case(linear_case(cost="0", extra_consequences=IRRELEVANT)), draws=100),
    }


# --- the labelled layer -----------------------------------------------------------------------------


def test_tornado_is_labelled_by_input_with_its_group_largest_swing_first(example):
    result = tornado(example)
    data, space = result.data, example.space
    assert dict(data.sizes) == {"input": space.dimension}
    assert sorted(data.input.values) == sorted(space.paths)
    assert data.group.dims == ("input",)
    groups = dict(zip(space.paths, space.groups, strict=True))
    assert [str(g) for g in data.group.values] == [groups[str(p)] for p in data.input.values]
    swing = data.swing.values
    assert np.all(np.diff(swing) <= 0)
    np.testing.assert_array_equal(swing, np.abs(data.npv_high.values - data.npv_low.values))
    assert data.base.dims == ()
    assert (data.attrs["output"], data.attrs["low_quantile"], data.attrs["high_quantile"]) == (
        "npv",
        0.1,
        0.9,
    )
    assert data.attrs["case_sha256"] == example.case.sha256 and data.attrs["sampler"] == "deterministic"
    assert result.bars[0].input == str(data.input.values[0]) and result.names == tuple(data.input.values)


def test_per_input_and_per_group_results_name_their_dimension_after_what_they_hold(results, example):
    product_paths = ["effect.effect", "consequences.x.price.kommune", "consequences.x.price_factor"]
    for key, dim, labels in [
        ("sobol", "input", product_paths),
        ("sobol_groups", "group", ["costs", "consequences", "prices"]),
        (
            "voi",
            "input",
            ["effect.effect", "costs.programme.amount", "consequences.irrelevant.price.kommune"],
        ),
        ("voi_groups", "group", ["effect", "costs", "prices"]),
    ]:
        result = results[key]
        assert result.dim == dim, key
        assert list(result.data[dim].values) == labels, key
        assert list(result.names) == labels, key
        for name, variable in result.data.data_vars.items():
            assert variable.dims in ((dim,), (), (dim, f"other_{dim}")), (key, name)
    # correlated inputs of the example are screened together, under their joined labels
    for key, dim, members, joined in [
        ("morris", "input", example.space.paths, True),
        ("morris_groups", "group", example.space.groups, False),  # both in the group "effect"
    ]:
        result = results[key]
        assert result.dim == dim and result.data.mu_star.dims == (dim,), key
        labels = [str(label) for label in result.data[dim].values]
        parts = [part for label in labels for part in label.split(" + ")]
        assert sorted(parts) == sorted(set(members)), key
        assert any(" + " in label for label in labels) == joined, key
    second = results["sobol_second_order"].data
    assert second.S2.dims == ("input", "other_input")
    assert list(second.other_input.values) == product_paths
    assert "S2" not in results["sobol"].data and "other_input" not in results["sobol"].data.dims


def test_drivers_are_labelled_by_input_largest_distance_first(results):
    data = results["drivers"].data
    assert data.distance.dims == ("input",) and len(data.input) == 3
    assert np.all(np.diff(data.distance.values) <= 0)
    assert data.prob_loss.dims == () and float(data.prob_loss) == data.attrs["loss_draws"] / 1000


def test_breakeven_curve_is_labelled_by_the_effect(results):
    result = results["breakeven"]
    data = result.data
    assert data.curve_prob_positive.dims == ("curve_effect",)
    np.testing.assert_array_equal(result.curve_effect, data.curve_effect.values)
    # None in the wrapper is NaN in the Dataset
    assert (
        math.isnan(float(results["breakeven_none"].data.effect)) and results["breakeven_none"].effect is None
    )
    assert result.full_years == pytest.approx(2.5, rel=1e-10)  # 10 * 0.08 * 500 * F = 1000


def test_every_result_carries_its_settings_and_the_cases_provenance(results):
    case = parse_case(FULL_YEARS)
    for key, result in results.items():
        attrs = result.data.attrs
        assert set(PROVENANCE) <= set(attrs), key
        assert attrs["output"] == result.output, key
        if key in ("breakeven", "voi", "drivers"):
            assert attrs["case_sha256"] == case.sha256 and attrs["draws"] == result.draws, key


def test_the_wrappers_are_frozen(results):
    with pytest.raises(AttributeError):
        results["tornado"].data = results["sobol"].data


# --- the one JSON writer against outputs.md ---------------------------------------------------------


def finite(x: Any) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def provenance(result: Any) -> dict[str, Any]:
    return {key: result.attrs[key] for key in PROVENANCE}


def tornado_document(result: Any) -> dict[str, Any]:
    """outputs.md, "Sensitivity JSON", written out by hand from the result's attributes."""
    bars = [
        {
            "input": bar.input,
            "low": bar.low,
            "high": bar.high,
            "npv_low": bar.npv_low,
            "npv_high": bar.npv_high,
            "swing": bar.swing,
            "switch_value": bar.switch_value,
            "prob_beyond_switch": bar.prob_beyond_switch,
            "group": bar.group,
        }
        for bar in result.bars
    ]
    head = {"output": result.output, "base": result.base}
    return (
        head
        | {"low_quantile": result.low_quantile, "high_quantile": result.high_quantile, "bars": bars}
        | (provenance(result))
    )


def sobol_document(result: Any) -> dict[str, Any]:
    indices = []
    for k, name in enumerate(result.names):
        entry = {key: finite(getattr(result, key)[k]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        entry = {"name": name} | entry
        # distinguishable: the interval [index - conf, index + conf] above 0, however wide
        for key in ("S1", "ST"):
            x, conf = getattr(result, key)[k], getattr(result, f"{key}_conf")[k]
            entry[f"{key}_distinguishable"] = bool(np.isfinite(x) and x - conf > 0)
        if result.S2 is not None:
            for key in ("S2", "S2_conf"):
                entry[key] = {
                    other: finite(getattr(result, key)[k, m]) for m, other in enumerate(result.names) if m > k
                }
        indices.append(entry)
    return {
        "output": result.output,
        "n": result.n,
        "evaluations": result.evaluations,
        "indices": indices,
        "groups": result.by_group,
        "correlated_groups": list(result.merged),
        "confidence": result.confidence,
        "seed": result.seed,
        "variance": finite(result.variance),
    } | provenance(result)


def morris_document(result: Any) -> dict[str, Any]:
    return {
        "output": result.output,
        "trajectories": result.trajectories,
        "levels": result.levels,
        "evaluations": result.evaluations,
        "indices": [
            {"name": name}
            | {key: finite(getattr(result, key)[k]) for key in ("mu_star", "mu_star_conf", "mu", "sigma")}
            for k, name in enumerate(result.names)
        ],
        "groups": result.by_group,
        "correlated_groups": list(result.merged),
        "seed": result.seed,
    } | provenance(result)


def breakeven_document(result: Any) -> dict[str, Any]:
    return {
        "output": result.output,
        "effect": result.effect,
        "full_years": result.full_years,
        "curve": [
            [float(e), float(p)] for e, p in zip(result.curve_effect, result.curve_prob_positive, strict=True)
        ],
        "base_effect": result.base_effect,
        "base_full_years": result.base_full_years,
        "draws": result.draws,
        "seed": result.seed,
    } | provenance(result)


def voi_document(result: Any) -> dict[str, Any]:
    return {
        "output": result.output,
        "draws": result.draws,
        "evpi": result.evpi,
        "evppi": [
            {"name": name, "value": float(result.evppi[k]), "terms": int(result.terms[k])}
            for k, name in enumerate(result.names)
        ],
        "groups": result.by_group,
        "mean": result.mean,
        "prob_positive": result.prob_positive,
        "seed": result.seed,
    } | provenance(result)


def drivers_document(result: Any) -> dict[str, Any]:
    return {
        "output": result.output,
        "draws": result.draws,
        "loss_draws": result.loss_draws,
        "prob_loss": result.loss_draws / result.draws,
        "drivers": [
            {"input": name}
            | {
                key: finite(getattr(result, key)[k])
                for key in ("distance", "pvalue", "median_loss", "median_rest")
            }
            for k, name in enumerate(result.names)
        ],
        "seed": result.seed,
    } | provenance(result)


DOCUMENTS = {
    "tornado": tornado_document,
    "sobol": sobol_document,
    "morris": morris_document,
    "breakeven": breakeven_document,
    "voi": voi_document,
    "drivers": drivers_document,
}


@pytest.mark.parametrize(
    "key",
    [
        "tornado",
        "tornado_none",
        "sobol",
        "sobol_groups",
        "sobol_second_order",
        "sobol_no_variance",
        "morris",
        "morris_groups",
        "breakeven",
        "breakeven_none",
        "voi",
        "voi_groups",
        "drivers",
        "drivers_never",
    ],
)
def test_the_one_json_writer_gives_the_document_of_outputs_md(results, key):
    result = results[key]
    expected = DOCUMENTS[key.split("_")[0]](result)
    written = labelled_json(result)
    # the same text: the same keys in the same order, the same types (true is not 1), nulls alike
    assert json.dumps(written, allow_nan=False) == json.dumps(expected, allow_nan=False)


def test_undefined_numbers_are_null_in_the_json(results):
    bars = labelled_json(results["tornado_none"])["bars"]
    assert all(bar["switch_value"] is None and bar["prob_beyond_switch"] is None for bar in bars)
    sobol_document = labelled_json(results["sobol_no_variance"])
    assert sobol_document["indices"][0]["S1"] is None and sobol_document["variance"] == 0
    assert labelled_json(results["breakeven_none"])["effect"] is None
    assert labelled_json(results["drivers_never"])["drivers"][0]["distance"] is None


def test_every_declared_key_and_column_names_a_variable_of_its_dataset(results):
    for key, result in results.items():
        data = result.data
        for item in type(result).JSON:
            if isinstance(item, Number):
                assert (item.variable or item.key) in data, (key, item)
            elif isinstance(item, Pairs):
                assert item.variable in data, (key, item)
            elif isinstance(item, Rows):
                for column in item.columns:
                    assert column.optional or (column.variable or column.key) in data.variables, (key, column)
        table = type(result).TABLE
        assert table is not None
        for column in table.columns:
            assert column.variable is None or column.variable in data.variables, (key, column)
        assert all(
            isinstance(c, Column)
            for item in type(result).JSON
            if isinstance(item, Rows)
            for c in item.columns
        )


# --- the one table renderer -------------------------------------------------------------------------


def rendered(table: Any) -> list[str]:
    console = Console(width=250, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text().splitlines()


def body(lines: list[str]) -> list[list[str]]:
    """The cells of a table's body rows (between the heading rule and the bottom rule)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    return [[cell.strip() for cell in line.strip("│").split("│")] for line in lines[start + 1 : -1]]


def test_the_table_sorts_by_the_declared_variable_and_marks_indices_near_zero(results):
    result = results["sobol"]
    lines = rendered(labelled_table(result, "title"))
    assert [cell.strip() for cell in lines[2].strip("┃").split("┃")] == [
        "Input",
        "First order S1",
        "Total ST",
    ]
    rows = body(lines)
    expected = [result.names[k] for k in sorted(range(3), key=lambda k: -result.ST[k])]
    assert [row[0] for row in rows] == expected
    for row in rows:
        k = result.names.index(row[0])
        shown = (
            f"{result.ST[k]:.3f} ± {result.ST_conf[k]:.3f}"
            if result.ST_distinguishable[k]
            else NOT_DISTINGUISHABLE
        )
        assert row[2] == shown


def test_the_table_of_a_result_per_group_says_group(results):
    lines = rendered(labelled_table(results["voi_groups"], "title"))
    assert lines[2].strip("┃").split("┃")[0].strip() == "Group"
    evpi = results["voi_groups"].evpi
    for row in body(lines):
        k = results["voi_groups"].names.index(row[0])
        assert row[2] == f"{100 * results['voi_groups'].evppi[k] / evpi:.1f} %"


def test_the_break_even_table_shows_every_kth_point_of_the_curve(results):
    result = results["breakeven"]
    rows = body(rendered(labelled_table(result, "title")))
    step = len(result.curve_effect) // 10
    assert [row[0] for row in rows] == [f"{e * 100:.2f}" for e in result.curve_effect[::step]]
