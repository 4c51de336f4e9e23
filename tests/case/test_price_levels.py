"""Price levels (model.md, "Price level"; case-format.md): kappa = I(P) / I(Y) with Statistics
Denmark's net price index, on costs, comparison costs, consequence prices, catalogue entries and
portfolios; checked by hand and against the index values of som-background.md (typed here, not read
from somrisk's data file)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference import numpy_model as reference
from somrisk import parse_case, run_deterministic
from somrisk.case.prices import PriceIndex, bundled_index
from somrisk.errors import CaseError
from somrisk.runner import run_portfolio
from somrisk.testing import minimal_case

#: som-background.md: net price index, annual averages, 2015 = 100
INDEX = {2015: 100.0, 2016: 100.5, 2017: 101.7, 2018: 102.6, 2019: 103.5, 2020: 103.9, 2021: 105.4}
INDEX |= {2022: 113.5, 2023: 118.0}


def priced_case(level: int = 2023, *, cost_year: str = "", price_year: str = "", economy: str = "") -> str:
    """One fixed cost of 1000 to the kommune in year 0, and one consequence: 10 participants, effect
    0.1, change -1 a year, price 500 for the stat, 2 years, no discounting.
    NPV at kappa 1: stat 2 * 0.1 * 10 * 500 = 1000, kommune -1000."""
    costs = f'[[costs]]\nname = "opstart"\nactor = "kommune"\nkind = "fixed"\namount = 1000\n{cost_year}\n'
    consequence = f'[[consequences]]\nname = "k"\nchange = -1.0\nprice = {{ stat = 500 }}\n{price_year}\n'
    text = minimal_case(horizon=2, costs=costs, consequences=consequence)
    text = text.replace("price_year = 2024", f"price_year = {level}", 1)
    return text.replace("[economy]", f"[economy]\n{economy}", 1)


def test_the_bundled_index_is_som_backgrounds_and_names_its_source() -> None:
    index = bundled_index()
    assert dict(index.values) == INDEX
    assert "PRIS115" in index.source and index.base_year == 2015


def test_hand_calculated_kappa_on_a_cost_and_a_price() -> None:
    # cost at 2015 prices in a 2023 case: 1000 * 118.0 / 100.0 = 1180;
    # price at 2019 prices: 500 * 118.0 / 103.5 = 570.048...; gain 2 * 0.1 * 10 * 570.048 = 1140.10
    det = run_deterministic(
        parse_case(priced_case(cost_year="price_year = 2015", price_year="price_year = 2019"))
    )
    kommune, stat = det.npv[0], det.npv[2]
    assert kommune == pytest.approx(-1180.0, rel=1e-12)
    assert stat == pytest.approx(2 * 0.1 * 10 * 500 * 118.0 / 103.5, rel=1e-12)
    assert det.costs[0, 0] == pytest.approx(1180.0, rel=1e-12)


def test_a_comparison_cost_is_converted_and_subtracted() -> None:
    text = (
        priced_case()
        .replace("[[costs]]", "[[comparison_costs]]")
        .replace("amount = 1000", "amount = 1000\nprice_year = 2021")
    )
    det = run_deterministic(parse_case(text))
    assert det.npv[0] == pytest.approx(1000 * 118.0 / 105.4, rel=1e-12)  # a saving for the kommune


def test_the_cases_own_index_takes_precedence_and_extends_the_bundled_one() -> None:
    # both years in the case's index (any base): 1000 * 250 / 200
    own = "price_index = { 2023 = 250.0, 2015 = 200.0 }"
    det = run_deterministic(parse_case(priced_case(cost_year="price_year = 2015", economy=own)))
    assert det.npv[0] == pytest.approx(-1250.0, rel=1e-12)
    # a 2025 case (not in the bundled index) with a 2015 cost: 2025 from the case, 2015 bundled
    own = "price_index = { 2025 = 123.0 }"
    det = run_deterministic(parse_case(priced_case(2025, cost_year="price_year = 2015", economy=own)))
    assert det.npv[0] == pytest.approx(-1000 * 123.0 / 100.0, rel=1e-12)


def test_price_index_rules_within_one_source() -> None:
    assert PriceIndex().factor(2023, 2015) == pytest.approx(1.18)
    assert PriceIndex().factor(2024, 2024) == 1.0  # the same year never looks at the index
    assert PriceIndex().factor(2024, 2015) is None
    on_base = PriceIndex({2019: 103.5, 2024: 120.0})
    assert on_base.factor(2024, 2015) == pytest.approx(1.2)
    other_base = PriceIndex({2019: 100.0, 2024: 116.0})  # 2019 = 100: not the bundled base
    assert other_base.factor(2024, 2019) == pytest.approx(1.16)
    assert other_base.factor(2024, 2015) is None
    assert "another base" in other_base.explain(2024, 2015)
    assert other_base.factor(2023, 2015) == pytest.approx(1.18)  # neither year given: bundled


def test_a_case_without_price_years_never_looks_at_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    import somrisk.case.prices as prices

    def no_index() -> None:
        raise AssertionError("the index was read")

    monkeypatch.setattr(prices, "bundled_index", no_index)
    det = run_deterministic(parse_case(priced_case(2030)))
    assert det.npv[0] == pytest.approx(-1000.0) and det.npv[2] == pytest.approx(1000.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    constant=st.floats(min_value=1e-3, max_value=1e6),
    cost_year=st.integers(2000, 2040),
    price_year=st.integers(2000, 2040),
)
def test_a_constant_index_changes_nothing(constant: float, cost_year: int, price_year: int) -> None:
    years = sorted({2023, cost_year, price_year})
    own = "price_index = { " + ", ".join(f"{y} = {constant!r}" for y in years) + " }"
    text = priced_case(
        cost_year=f"price_year = {cost_year}", price_year=f"price_year = {price_year}", economy=own
    )
    det = run_deterministic(parse_case(text))
    plain = run_deterministic(parse_case(priced_case()))
    np.testing.assert_allclose(det.npv, plain.npv, rtol=1e-12)
    np.testing.assert_allclose(det.net, plain.net, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(source=st.sampled_from(sorted(INDEX)), target=st.sampled_from(sorted(INDEX)))
def test_converting_a_whole_case_multiplies_every_money_figure_by_the_index_ratio(
    source: int, target: int
) -> None:
    # the case written at `source` prices, once at its own level and once at `target`'s
    at_source = parse_case(priced_case(source))
    at_target = parse_case(
        priced_case(target, cost_year=f"price_year = {source}", price_year=f"price_year = {source}")
    )
    ratio = INDEX[target] / INDEX[source]
    a, b = run_deterministic(at_source), run_deterministic(at_target)
    for key in ("npv", "net", "costs", "gains"):
        np.testing.assert_allclose(getattr(b, key), ratio * getattr(a, key), rtol=1e-12, atol=1e-9)


def test_the_reference_model_agrees_on_a_hand_case() -> None:
    text = priced_case(cost_year="price_year = 2015", price_year="price_year = 2019")
    raw = tomllib.loads(text)
    expected = reference.evaluate(raw, reference.base_values(raw))
    np.testing.assert_allclose(run_deterministic(parse_case(text)).npv, expected["npv"][0], rtol=1e-12)


# --- the knowledge base and portfolios ---------------------------------------------------------


def _catalog_case(level: int, economy: str = "") -> str:
    consequence = '[[consequences]]\nname = "faengselsdage"\nchange = -10.0\nprice = "catalog"\n'
    text = minimal_case(horizon=2, consequences=consequence).replace(
        "price_year = 2024", f"price_year = {level}", 1
    )
    return text.replace("[economy]", f"[economy]\n{economy}", 1)


def test_a_knowledge_base_entry_at_2015_prices_is_converted_to_the_case(cli, tmp_path: Path) -> None:
    # the prison day is at 2015 prices (triangular 1321, 1469, 1878: base value its mean 1556);
    # in a 2023 case it is worth 118.0 / 100.0 as much: gain 2 * 0.1 * 10 * 10 * 1556 * 1.18
    det = run_deterministic(parse_case(_catalog_case(2023)))
    mean = (1321 + 1469 + 1878) / 3
    assert det.npv[2] == pytest.approx(2 * 0.1 * 10 * 10 * mean * 1.18, rel=1e-9)
    # a 2024 case needs the 2024 value; the message says which years the index covers and how
    path = tmp_path / "case.toml"
    path.write_text(_catalog_case(2024), encoding="utf-8")
    result = cli("check", path)
    assert result.code == 2 and "Traceback" not in result.stderr
    assert "consequences.faengselsdage.price" in result.stderr and "at 2015 prices" in result.stderr
    assert "no value for 2024" in result.stderr and "covers 2015-2023" in result.stderr
    assert "[economy] price_index = { 2024 = ... }" in result.stderr
    path.write_text(_catalog_case(2024, "price_index = { 2024 = 120.0 }"), encoding="utf-8")
    assert cli("check", path).code == 0
    det = run_deterministic(parse_case(path.read_text(encoding="utf-8")))
    assert det.npv[2] == pytest.approx(2 * 0.1 * 10 * 10 * mean * 1.2, rel=1e-9)


def _write_portfolio(
    folder: Path, cases: dict[str, str], extra: str = "", catalog: str | None = None
) -> Path:
    for name, text in cases.items():
        (folder / name).write_text(text, encoding="utf-8")
    lines = ["[portfolio]", 'name = "P"', f"cases = {json.dumps(list(cases))}", extra]
    if catalog is not None:
        (folder / "catalog.toml").write_text(catalog, encoding="utf-8")
        lines.append('catalog = "catalog.toml"')
    path = folder / "portfolio.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_portfolio_converts_every_case_to_its_price_level(tmp_path: Path) -> None:
    a = priced_case(2023).replace('"Toy case"', '"A"')
    b = priced_case(2021, cost_year="price_year = 2017").replace('"Toy case"', '"B"')
    catalog = '[catalog]\nprice_year = 2019\n[[prices]]\nname = "c"\nprice = { region = 300 }\n'
    b += '[[consequences]]\nname = "c"\nchange = -1.0\nprice = "catalog"\n'
    result = run_portfolio(_write_portfolio(tmp_path, {"a.toml": a, "b.toml": b}, catalog=catalog), draws=64)
    sim = result.simulation
    assert sim.attrs["price_year"] == 2023  # the latest of its cases
    # A at 2023 prices: NPV 0 (1000 gain - 1000 cost). B at 2021 prices: its cost (2017 prices)
    # 1000 * 105.4/101.7 at 2021 prices, its price 500 at 2021 prices, the catalogue's 300 at 2019 prices;
    # converted to 2023: cost 1000 * 118.0/101.7, gain (2 * 0.1 * 10) * (500 * 118.0/105.4 + 300 * 118.0/103.5)
    cost_b = 1000 * 118.0 / 101.7
    gain_b = 2 * 0.1 * 10 * (500 * 118.0 / 105.4 + 300 * 118.0 / 103.5)
    np.testing.assert_allclose(sim.case_npv[0], 0.0, atol=1e-9)
    np.testing.assert_allclose(sim.case_npv[1], gain_b - cost_b, rtol=1e-12)
    # the portfolio's mean is the sum of its cases' converted means
    assert float(result.summary.npv_mean.sel(actor="total")) == pytest.approx(gain_b - cost_b, rel=1e-12)
    assert float(result.cases.npv_mean.sum()) == pytest.approx(gain_b - cost_b, rel=1e-12)


def test_a_portfolio_price_year_and_index_of_its_own(tmp_path: Path) -> None:
    a = priced_case(2023).replace('"Toy case"', '"A"')
    path = _write_portfolio(tmp_path, {"a.toml": a}, "price_year = 2025\nprice_index = { 2025 = 125.0 }")
    sim = run_portfolio(path, draws=64).simulation
    assert sim.attrs["price_year"] == 2025
    np.testing.assert_allclose(sim.npv_total, 0.0, atol=1e-9)  # 1000 gain - 1000 cost, both scaled
    np.testing.assert_allclose(sim.npv[0], -1000 * 125.0 / 118.0, rtol=1e-12)
    path = _write_portfolio(tmp_path, {"a.toml": a}, "price_year = 2025")
    with pytest.raises(
        CaseError, match=r"a\.toml: case\.price_year: .*no value for 2025.*\[portfolio\] price_index"
    ):
        run_portfolio(path, draws=64)


# --- bad input: exit 2 through somrisk check, naming file, key path, value and what is allowed ---


@pytest.mark.parametrize(
    ("edit", "key_path", "message"),
    [
        (
            ("amount = 1000", "amount = 1000\nprice_year = 2010"),
            "costs.opstart.price_year",
            "no value for 2010: the bundled index (Statistics Denmark, PRIS115, 2015 = 100) covers 2015-2023",
        ),
        (
            ("price_year = 2023", "price_year = 2035"),
            "consequences.k.price_year",
            "converted to the case's price level 2035; the net price index has no value for 2035",
        ),
        (
            ("[economy]", "[economy]\nprice_index = { 2019 = 0 }"),
            "economy.price_index.2019",
            "must be greater than 0 (found 0)",
        ),
        (
            ("[economy]", "[economy]\nprice_index = { 2019 = -103.5 }"),
            "economy.price_index.2019",
            "must be greater than 0 (found -103.5)",
        ),
        (
            ("[economy]", "[economy]\nprice_index = { aar2019 = 103.5 }"),
            "economy.price_index.aar2019",
            'a key of price_index is a calendar year (a whole number 0-9999 without leading zeros), e.g. price_index = { 2024 = 118.7 } (found "aar2019")',
        ),
        (  # "02019" would be the year 2019 a second time beside "2019"
            ("[economy]", '[economy]\nprice_index = { 2019 = 103.5, "02019" = 100.0 }'),
            "economy.price_index.02019",
            "a key of price_index is a calendar year",
        ),
        (
            ("price = { stat = 500 }", 'price = "catalog"'),
            "consequences.k",
            "`price_year` is the price year of the consequence's own prices",
        ),
        (
            ("amount = 1000", "amount = 1000\nprice_year = 2019.5"),
            "costs.opstart.price_year",
            "expected a whole number",
        ),
    ],
)
def test_bad_price_levels_exit_2_naming_file_key_value_and_what_is_allowed(
    cli, write_case, edit: tuple[str, str], key_path: str, message: str
) -> None:
    text = priced_case(price_year="price_year = 2023")
    assert edit[0] in text
    path = write_case(text.replace(edit[0], edit[1], 1))
    result = cli("check", path)
    assert result.code == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert f"{path}: {key_path}: " in result.stderr and message in result.stderr, result.stderr


def test_the_default_price_year_is_said_as_such(cli, write_case) -> None:
    text = priced_case(cost_year="price_year = 2015").replace("price_year = 2023\n", "", 1)
    result = cli("check", write_case(text))
    assert result.code == 2
    assert "the case's price level 2025 (price_year defaults to start_year, 2025)" in result.stderr
    assert "no value for 2025" in result.stderr


def test_somrisk_new_with_an_older_entry_says_how_to_add_the_index(cli, tmp_path: Path) -> None:
    out = tmp_path / "fengsel.toml"
    assert cli("new", "Fængsel", "--out", out, "-c", "faengselsdage").code == 0
    result = cli("check", out)
    assert result.code == 2 and "consequences.faengselsdage.price" in result.stderr
    assert "no value for 2024" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert "# price_index = { 2024 = ... }" in text
    out.write_text(
        text.replace("# price_index = { 2024 = ... }", "price_index = { 2024 = 120.0 }"), encoding="utf-8"
    )
    assert cli("check", out).code == 0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    level_a=st.sampled_from(sorted(INDEX)),
    level_b=st.sampled_from(sorted(INDEX)),
    target=st.sampled_from([None, *sorted(INDEX)]),
)
def test_a_portfolios_mean_is_the_sum_of_its_cases_converted_means(
    tmp_path_factory: pytest.TempPathFactory, level_a: int, level_b: int, target: int | None
) -> None:
    folder = tmp_path_factory.mktemp("portfolio")
    a = priced_case(level_a, cost_year="price_year = 2016").replace('"Toy case"', '"A"')
    b = priced_case(level_b, price_year="price_year = 2020").replace('"Toy case"', '"B"')
    extra = "" if target is None else f"price_year = {target}"
    result = run_portfolio(_write_portfolio(folder, {"a.toml": a, "b.toml": b}, extra), draws=16)
    level = max(level_a, level_b) if target is None else target
    assert result.simulation.attrs["price_year"] == level
    alone = [run_deterministic(parse_case(text)).npv.sum() for text in (a, b)]
    converted = [alone[0] * INDEX[level] / INDEX[level_a], alone[1] * INDEX[level] / INDEX[level_b]]
    np.testing.assert_allclose(result.cases.npv_mean.values, converted, rtol=1e-12, atol=1e-9)
    total = float(result.summary.npv_mean.sel(actor="total"))
    assert total == pytest.approx(sum(converted), rel=1e-12, abs=1e-9)
