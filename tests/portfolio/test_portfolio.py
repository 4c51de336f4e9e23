"""Portfolios: shared catalogue prices, per-case streams, years and actors of many cases, and the
portfolio's outputs, checked against closed forms."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import somrisk.engine.model as simulation
from somrisk.errors import CaseError
from somrisk.runner import run_portfolio
from somrisk.testing import minimal_case

CONSEQUENCE = """
[[consequences]]
name = "kontanthjaelp"
change = -1.0
price = "catalog"
"""


def toy(name: str, *, cohorts: str = "[10]", cost: float = 1000.0, **options: str) -> str:
    """A case with effect 0.1 and one consequence (-1 a year per person with effect) priced by the
    catalogue, full effect for 5 years, no discounting: NPV = 5 * 0.1 * n * v - cost."""
    costs = f'[[costs]]\nname = "opstart"\nactor = "kommune"\nkind = "fixed"\nyear = 0\namount = {cost}\n'
    text = minimal_case(
        cohorts=cohorts, costs=costs, consequences=options.pop("consequences", CONSEQUENCE), **options
    )
    return text.replace('name = "Toy case"', f'name = "{name}"')


CATALOG = """
[[prices]]
name = "kontanthjaelp"
unit = "år på ydelse"
price = { kommune = { dist = "uniform", min = 1000, max = 2000 } }
"""


def write_portfolio(folder: Path, cases: dict[str, str], catalog: str | None = CATALOG) -> Path:
    for file, text in cases.items():
        (folder / file).write_text(text, encoding="utf-8")
    lines = ["[portfolio]", 'name = "Testportefølje"', f"cases = {json.dumps(list(cases))}"]
    if catalog is not None:
        (folder / "catalog.toml").write_text(catalog, encoding="utf-8")
        lines.append('catalog = "catalog.toml"')
    path = folder / "portfolio.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_one_shared_price_makes_the_cases_move_together(tmp_path: Path) -> None:
    path = write_portfolio(tmp_path, {"a.toml": toy("A"), "b.toml": toy("B", cohorts="[20]", cost=500.0)})
    result = run_portfolio(path, draws=5000, seed=3)
    a, b = result.simulation.case_npv
    # every draw: A = 0.5 v - 1000 ... with n = 10: 5 * 0.1 * 10 v - 1000 = 5 v - 1000; B = 10 v - 500
    np.testing.assert_allclose(b, 2 * a + 1500, rtol=1e-12)
    assert stats.spearmanr(a, b).statistic == pytest.approx(1.0)
    # the shared price is uniform(1000, 2000): A's NPV is uniform(4000, 9000)
    assert a.min() >= 4000 and a.max() <= 9000
    assert stats.kstest((a - 4000) / 5000, "uniform").pvalue > 0.01
    # the portfolio's mean is the sum of the cases' means, and its NPV the sum of theirs
    cases = result.cases
    assert float(result.summary.npv_mean.sel(actor="total")) == pytest.approx(
        float(cases.npv_mean.sum()), rel=1e-12
    )
    np.testing.assert_allclose(result.simulation.npv_total, a + b, rtol=1e-12)
    assert float(result.summary.npv_mean.sel(actor="total")) == pytest.approx(15 * 1500 - 1500, rel=1e-3)
    # B moves twice as much as A: its share of the variance is 2/3
    np.testing.assert_allclose(cases.variance_share.values, [1 / 3, 2 / 3], rtol=1e-9)
    assert float(result.summary.npv_deterministic.sel(actor="total")) == pytest.approx(15 * 1500 - 1500)


def test_a_catalogue_factor_multiplies_the_price(tmp_path: Path) -> None:
    catalog = CATALOG.replace("max = 2000 } }", "max = 2000 } }\nprice_factor = 2.0")
    result = run_portfolio(write_portfolio(tmp_path, {"a.toml": toy("A")}, catalog), draws=1000)
    assert float(result.summary.npv_deterministic.sel(actor="total")) == pytest.approx(10 * 1500 - 1000)


def test_cases_draw_from_their_own_streams_keyed_by_name(tmp_path: Path) -> None:
    own = 'change = { dist = "normal", mean = -1.0, sd = 0.2 }'
    uncertain = CONSEQUENCE.replace("change = -1.0", own)
    texts = {"a.toml": toy("A", consequences=uncertain), "b.toml": toy("B", consequences=uncertain)}
    first = run_portfolio(write_portfolio(tmp_path, texts), draws=3000).simulation
    reordered = {"b.toml": texts["b.toml"], "a.toml": texts["a.toml"]}
    folder = tmp_path / "again"
    folder.mkdir()
    second = run_portfolio(write_portfolio(folder, reordered), draws=3000).simulation
    np.testing.assert_array_equal(first.case_npv[0], second.case_npv[1])
    np.testing.assert_array_equal(first.case_npv[1], second.case_npv[0])
    # the same case under two names is two independent cases (besides the shared price)
    assert not np.array_equal(first.case_npv[0], first.case_npv[1])


def test_later_cases_are_discounted_to_the_portfolio_start_and_actors_are_united(tmp_path: Path) -> None:
    later = toy("B", discount_rate="0.1").replace("start_year = 2025", "start_year = 2027")
    region_cost = '[[costs]]\nname = "drift"\nactor = "region"\nkind = "fixed"\nyear = 1\namount = 300.0\n'
    a = toy("A", discount_rate="0.1", consequences=CONSEQUENCE + region_cost)
    a = a.replace("horizon = 5", 'horizon = 5\nactors = ["region", "kommune"]')
    result = run_portfolio(write_portfolio(tmp_path, {"a.toml": a, "b.toml": later}), draws=2000)
    sim = result.simulation
    assert sim.years == tuple(range(2025, 2032))
    assert sim.actors == ("region", "kommune", "stat")
    det = sim.deterministic
    beta = 1.1 ** -np.arange(5)
    own_b = 1500 * beta.sum() - 1000  # B's own NPV, discounted to its own start in 2027
    npv_a = 1500 * beta.sum() - 1000 - 300 / 1.1
    assert det.npv_total == pytest.approx(npv_a + own_b / 1.1**2, rel=1e-12)
    assert det.npv[0] == pytest.approx(-300 / 1.1)  # region: only A's cost
    assert det.npv[2] == 0.0  # stat: no case prices it
    # B's years are 2027-2031 in the portfolio's yearly results
    np.testing.assert_allclose(
        det.net[:, 1], [-1000 + 1500, 1500, 1500 - 1000 + 1500, 3000, 3000, 1500, 1500]
    )


def test_results_do_not_depend_on_how_cases_are_chunked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = 'change = { dist = "normal", mean = -1.0, sd = 0.2 }'
    texts = {
        f"c{i}.toml": toy(f"C{i}", consequences=CONSEQUENCE.replace("change = -1.0", own)) for i in range(5)
    }
    path = write_portfolio(tmp_path, texts)
    whole = run_portfolio(path, draws=2000).simulation
    monkeypatch.setattr(simulation, "CHUNK_CASES", 2)
    chunked = run_portfolio(path, draws=2000).simulation
    assert len(chunked.ensemble.chunks) == 3 and len(whole.ensemble.chunks) == 1
    np.testing.assert_array_equal(whole.case_npv, chunked.case_npv)
    np.testing.assert_allclose(whole.npv, chunked.npv, rtol=1e-12)


def test_chunks_whose_cases_end_before_the_run_does_add_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: the last chunk (one case, 2025-2029) had 5 years, the run 7 (2025-2031): a traceback
    own = 'change = { dist = "normal", mean = -1.0, sd = 0.2 }'
    texts = {
        f"c{i}.toml": toy(f"C{i}", consequences=CONSEQUENCE.replace("change = -1.0", own)).replace(
            "start_year = 2025", "start_year = 2027" if i < 4 else "start_year = 2025"
        )
        for i in range(5)
    }
    path = write_portfolio(tmp_path, texts)
    whole = run_portfolio(path, draws=2000, out=tmp_path / "whole.nc")
    monkeypatch.setattr(simulation, "CHUNK_CASES", 2)
    chunked = run_portfolio(path, draws=2000, out=tmp_path / "chunked.nc")
    assert len(chunked.simulation.ensemble.chunks) == 3
    assert chunked.simulation.years == tuple(range(2025, 2032))
    np.testing.assert_array_equal(whole.simulation.case_npv, chunked.simulation.case_npv)
    np.testing.assert_allclose(whole.simulation.yearly_mean, chunked.simulation.yearly_mean, rtol=1e-12)
    np.testing.assert_allclose(
        whole.simulation.deterministic.net, chunked.simulation.deterministic.net, rtol=1e-12
    )


def test_the_cube_has_a_case_dimension(tmp_path: Path) -> None:
    path = write_portfolio(tmp_path, {"a.toml": toy("A"), "b.toml": toy("B", cohorts="[20]")})
    for suffix in (".nc", ".zarr"):
        out = tmp_path / f"cube{suffix}"
        result = run_portfolio(path, draws=9000, out=out)
        cube = xr.open_dataset(out, engine="h5netcdf" if suffix == ".nc" else "zarr")
        assert cube.gains.dims == ("draw", "case", "year", "actor", "consequence")
        assert cube.net.dims == ("draw", "case", "year", "actor") and cube.costs.dims == cube.net.dims
        assert list(cube.case.values) == ["A", "B"]
        np.testing.assert_allclose(cube.net, cube.gains.sum("consequence") - cube.costs, atol=1e-6)
        npv = (cube.net * cube.discount_factor).sum(("year", "actor"))
        np.testing.assert_allclose(npv.values.T, result.simulation.case_npv, rtol=1e-9)
        assert list(cube.input.values) == ["catalog.kontanthjaelp.price.kommune"]
        assert cube.attrs["case_name"] == "Testportefølje" and cube.attrs["draws"] == 9000
        cube.close()


def test_portfolio_cli_and_json(tmp_path: Path, cli) -> None:
    path = write_portfolio(tmp_path, {"a.toml": toy("A"), "b.toml": toy("B", cohorts="[20]")})
    result = cli("portfolio", path, "--draws", "2000", "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) >= {"case", "draws", "npv", "payback", "net_by_year", "cases"}
    assert document["case"] == "Testportefølje"
    assert set(document["cases"]["A"]) == {
        "mean",
        "sd",
        "p05",
        "p50",
        "p95",
        "prob_positive",
        "variance_share",
    }
    total = document["npv"]["total"]["mean"]
    assert total == pytest.approx(document["cases"]["A"]["mean"] + document["cases"]["B"]["mean"])
    table = cli("portfolio", path, "--draws", "2000")
    assert table.code == 0 and "Var. share" in table.stdout and "Testportefølje" in table.stdout


@pytest.mark.parametrize(
    ("cases", "catalog", "file", "message"),
    [
        (
            {"a.toml": toy("A"), "b.toml": toy("A")},
            CATALOG,
            "portfolio.toml",
            "cases must have different names",
        ),
        (  # B at 2014 prices is converted to the portfolio's 2024: the bundled index has neither year
            {"a.toml": toy("A"), "b.toml": toy("B").replace("price_year = 2024", "price_year = 2014")},
            CATALOG,
            "b.toml",
            "case.price_year: the case's price level 2014 is converted to the price level 2024 (the "
            "portfolio's price_year defaults to the latest of its cases'); the net price index has no "
            "value for 2014 and 2024",
        ),
        (
            {"a.toml": toy("A").replace('"kontanthjaelp"', '"kontanthjalp"')},
            None,
            "a.toml",
            'the knowledge base (somrisk catalog) has no entry "kontanthjalp"; did you mean kontanthjaelp?',
        ),
        (
            {"a.toml": toy("A")},
            CATALOG.replace('"kontanthjaelp"', '"dagpenge"'),
            "a.toml",
            'no entry "kontanthjaelp"',
        ),
        (
            {"a.toml": toy("A")},
            CATALOG.replace("kommune =", "amt = 5, kommune ="),
            "a.toml",
            'prices actor "amt"',
        ),
        ({"a.toml": toy("A").replace("effect = 0.1", "effect = 7")}, CATALOG, "a.toml", "effect"),
        ({"a.toml": toy("A")}, CATALOG.replace("unit =", "units ="), "catalog.toml", "unknown key"),
        ({"a.toml": toy("A")}, CATALOG + CATALOG, "catalog.toml", "each name may be used once"),
    ],
)
def test_each_portfolio_problem_names_its_file(
    tmp_path: Path,
    cli,
    cases: dict[str, str],
    catalog: str | None,
    file: str,
    message: str,
) -> None:
    path = write_portfolio(tmp_path, cases, catalog)
    result = cli("portfolio", path, "--draws", "100", "--out", tmp_path / "cube.nc")
    assert result.code == 2
    assert file in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cube.nc").exists()


def test_a_missing_case_file_and_an_empty_portfolio(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    path.write_text('[portfolio]\nname = "P"\ncases = ["missing.toml"]\n', encoding="utf-8")
    with pytest.raises(CaseError, match=r"missing\.toml: no such file"):
        run_portfolio(path)
    path.write_text('[portfolio]\nname = "P"\ncases = []\n', encoding="utf-8")
    with pytest.raises(CaseError, match=r"portfolio\.cases"):
        run_portfolio(path)


def test_a_chunk_with_a_case_without_uncertain_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cases' values are written side by side into the chunk's array; a case with no
    uncertain input (no columns) takes none, first or later in its chunk."""
    fixed = CONSEQUENCE.replace('price = "catalog"', "price = { kommune = 1500 }")
    uncertain = fixed.replace("change = -1.0", 'change = { dist = "normal", mean = -1.0, sd = 0.2 }')
    texts = {
        "a.toml": toy("A", consequences=fixed),
        "b.toml": toy("B", consequences=uncertain),
        "c.toml": toy("C", consequences=fixed),
        "d.toml": toy("D", consequences=uncertain.replace("sd = 0.2", "sd = 0.3")),
    }
    path = write_portfolio(tmp_path, texts, catalog=None)
    together = run_portfolio(path, draws=500).simulation
    monkeypatch.setattr(simulation, "CHUNK_CASES", 1)
    alone = run_portfolio(path, draws=500).simulation
    assert len(together.ensemble.chunks) == 1 and len(alone.ensemble.chunks) == 4
    np.testing.assert_array_equal(together.case_npv, alone.case_npv)
    # A and C: 5 years x 0.1 x 10 persons x 1 x 1500 kr, less 1000 kr; B and D vary
    np.testing.assert_allclose(together.case_npv[[0, 2]], 5 * 0.1 * 10 * 1500 - 1000.0, rtol=1e-12)
    assert np.std(together.case_npv[1]) > 0 and np.std(together.case_npv[3]) > 0
