"""Regressions: each input here once crashed somrisk (exit 1, an internal error), or ran and printed
NaN, null or a wrong number. The fuzzer (test_fuzz.py) found some, probing by hand around them the
rest. Each must now give exit 2 with one clear message naming the file, the key path and the value,
or the right numbers (docs/reliability.md)."""

from __future__ import annotations

import json

import pytest

from somrisk.testing import minimal_case


def case(**options: str) -> str:
    """A small valid case, with one consequence; options as for :func:`minimal_case`."""
    consequence = '[[consequences]]\nname = "ydelse"\nchange = {change}\nprice = {{ kommune = {price} }}\n'
    change, price = options.pop("change", "-1.0"), options.pop("price", "1000")
    return minimal_case(consequences=consequence.format(change=change, price=price), **options)


def refused(cli, path, key_path: str, *fragments: str) -> str:
    """`check` and `run` both exit 2 with a message naming the file and `key_path`, holding every
    fragment; no traceback, no internal error. Returns the message."""
    for command in (["check", path], ["run", path, "--draws", "50", "--json"]):
        result = cli(*command)
        assert result.code == 2, (command, result.code, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        lines = [
            line for line in result.stderr.splitlines() if line.startswith(f"error: {path}: {key_path}: ")
        ]
        assert len(lines) == 1, result.stderr
        for fragment in fragments:
            assert fragment in lines[0], (fragment, lines[0])
        assert result.stdout == ""
    return lines[0]


def test_a_dist_that_is_not_text_is_an_unknown_distribution(cli, write_case):
    # was: internal error: TypeError: unhashable type: 'list'
    path = write_case(case(effect="{ dist = [], min = 0.1, max = 0.3 }"))
    refused(
        cli, path, "effect.effect", "unknown distribution; `dist` must be one of: fixed", "found {dist = []"
    )


def test_intake_years_of_the_wrong_type_give_one_message_without_pydantic_internals(cli, write_case):
    # was: two messages at "participants.years.function-before[_whole(), int]" and
    # "participants.years.list[function-before[_whole(), int]]"
    path = write_case(case(cohorts="[1]").replace("cohorts = [1]", "per_year = 5\nyears = {}"))
    line = refused(
        cli, path, "participants.years", "expected a whole number of intake years, or [first, last]"
    )
    assert "function-before" not in line and "found {}" in line


@pytest.mark.parametrize(
    ("change", "price", "key_path", "found"),
    [
        # was: exit 0 with null (NaN) in 29 places of the JSON, and numpy warnings on stderr
        ("1e300", "1000", "consequences.ydelse.change", "found 1e+300"),
        ("-1.0", "-1e300", "consequences.ydelse.price.kommune", "found -1e+300"),
        # a whole number beyond 64 bits: TOML allows it, float() would round it
        (
            "1000000000000000000000000000000",
            "1000",
            "consequences.ydelse.change",
            "found 1000000000000000000000000000000",
        ),
    ],
)
def test_numbers_larger_than_1e15_are_refused(cli, write_case, change, price, key_path, found):
    path = write_case(case(change=change, price=price))
    refused(cli, path, key_path, "must lie in [-1e15, 1e15]: larger numbers overflow the calculation", found)


def test_a_distribution_parameter_larger_than_1e15_is_refused(cli, write_case):
    # was: exit 0, "warning: overflow encountered in square", null in the JSON
    path = write_case(case(cohorts='[{ dist = "pert", min = 16, mode = 24, max = 3e301 }]'))
    refused(cli, path, "participants.cohorts.0.max", "must lie in [-1e15, 1e15]", "found 3e+301")


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        # was: internal error: OverflowError: math range error (its mean, exp(800))
        (
            '{ dist = "lognormal", mu = 0, sigma = 40 }',
            ["puts 19 % of its probability outside [-1e15, 1e15]"],
        ),
        # its tail is within the tolerance, but its mean, exp(-1000 + 200^2 / 2), is not a float
        ('{ dist = "lognormal", mu = -1000, sigma = 200 }', ["has a mean beyond floating point"]),
        ('{ dist = "normal", mean = 0, sd = 1e15 }', ["puts 32 % of its probability outside"]),
        ('{ dist = "lognormal", mu = -100, sigma = 25 }', ["has a mean of 1.94e+92, outside [-1e15, 1e15]"]),
        # was: internal error: OverflowError: (34, 'Numerical result out of range')
        (
            '{ dist = "gamma", mean = 1, sd = 1e-300 }',
            ["gamma(mean=1, sd=1e-300) has parameters too extreme"],
        ),
        # was: internal error: ZeroDivisionError: float division by zero
        (
            '{ dist = "beta", mean = 0.5, sd = 1e-300 }',
            ["beta(mean=0.5, sd=1e-300) has parameters too extreme"],
        ),
        # was: exit 0 with null in the JSON (hi / lo overflowed to inf, so the log-sd was inf)
        (
            '{ dist = "lognormal", estimate = 1, ci95 = [1e-300, 1e10] }',
            ["puts 42 % of its probability outside"],
        ),
    ],
)
def test_distributions_whose_values_overflow_are_refused(cli, write_case, change, fragments):
    path = write_case(case(change=change))
    refused(cli, path, "consequences.ydelse.change", *fragments, "found {dist = ")


def test_a_lognormal_from_a_wide_ci95_has_a_finite_log_sd():
    from somrisk.distributions import LogNormal

    dist = LogNormal(dist="lognormal", estimate=1.0, ci95=[1e-300, 1e10])
    mu, sigma = dist.canonical().params
    assert mu == 0.0 and sigma == pytest.approx((23.025850929940457 + 690.7755278982137) / (2 * 1.959964))


@pytest.mark.parametrize(
    ("year", "fragment"),
    [
        # was: internal error: OverflowError: Python int too large to convert to C long
        ("1e300", "must be less than or equal to 9999 (found 1e+300)"),
        # was: exit 0, and a payback year before year 0 was written as null (not paid back)
        ("-5", "must be greater than or equal to 0 (found -5)"),
    ],
)
def test_calendar_years_lie_in_0_to_9999(cli, write_case, year, fragment):
    path = write_case(case().replace("start_year = 2025", f"start_year = {year}"))
    refused(cli, path, "case.start_year", fragment)


def test_an_empty_actor_list_gives_one_message(cli, write_case):
    # was: also "unknown actor; case.actors are " (an empty list) for every cost and price
    text = case(extra="").replace("horizon = 5", "horizon = 5\nactors = []")
    path = write_case(text)
    result = cli("check", path)
    assert result.code == 2
    assert result.stderr.splitlines() == [f"error: {path}: case.actors: must hold at least 1 item (found [])"]


def test_lists_of_the_wrong_length_say_how_many_items(cli, write_case):
    # was: "List should have at least 2 items after validation, not 1"
    path = write_case(case(extra='[[correlations]]\ninputs = ["effect.effect"]\nrank = 0.5'))
    refused(cli, path, "correlations[1].inputs", "must hold at least 2 items", 'found ["effect.effect"]')


def test_a_catalogue_whose_prices_are_not_tables(cli, tmp_path):
    # was: internal error: TypeError: 'float' object is not iterable
    consequence = '[[consequences]]\nname = "kontanthjaelp"\nchange = -1.0\nprice = "catalog"'
    (tmp_path / "a.toml").write_text(minimal_case(consequences=consequence), encoding="utf-8")
    (tmp_path / "catalog.toml").write_text("prices = nan\n", encoding="utf-8")
    portfolio = tmp_path / "portfolio.toml"
    portfolio.write_text(
        '[portfolio]\nname = "P"\ncases = ["a.toml"]\ncatalog = "catalog.toml"\n', encoding="utf-8"
    )
    result = cli("portfolio", portfolio, "--draws", "50")
    assert result.code == 2 and "internal error" not in result.stderr
    assert (
        f"error: {tmp_path / 'catalog.toml'}: prices: expected tables written as [[prices]] (found nan)"
        in result.stderr
    )


def test_a_portfolio_without_uncertainty_has_no_variance_shares(cli, tmp_path):
    # was: sd 4.7e-10 for each case and variance shares 0.5 and 0.5: rounding noise, divided by
    # rounding noise. Now: sd 0, and no shares (null), as for any portfolio whose NPV does not vary.
    for name in ("A", "B"):
        text = case(
            cohorts="[11]", effect="0.25", change="-0.8", price="95000", horizon=7, discount_rate="0.035"
        )
        (tmp_path / f"{name}.toml").write_text(text.replace("Toy case", name), encoding="utf-8")
    portfolio = tmp_path / "portfolio.toml"
    portfolio.write_text('[portfolio]\nname = "P"\ncases = ["A.toml", "B.toml"]\n', encoding="utf-8")
    result = cli("portfolio", portfolio, "--draws", "100", "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["npv"]["total"]["sd"] == 0.0
    for entry in document["cases"].values():
        assert entry["sd"] == 0.0 and entry["variance_share"] is None
        assert entry["mean"] == entry["p05"] == entry["p95"]


BIG = "9" * 400  # an integer TOML reads exactly; float() of it overflows


def test_a_400_digit_horizon_is_refused_not_a_crash(cli, write_case):
    # was: internal error: OverflowError: int too large to convert to float (case/checks.py)
    path = write_case(case().replace("horizon = 5", f"horizon = {BIG}"))
    refused(cli, path, "case.horizon", "must be less than or equal to 50", "found 9999")


@pytest.mark.parametrize(("key", "same_as"), [("window", "5"), ("onset", "5")])
def test_a_400_digit_window_or_onset_acts_as_one_of_the_horizon(cli, write_case, key, same_as):
    # was: `check` passed, `run` crashed: OverflowError: Python int too large to convert to C long
    runs = {}
    for value in (BIG, same_as):
        path = write_case(case(persistence=f"[persistence]\n{key} = {value}"), name=f"{len(value)}.toml")
        result = cli("run", path, "--draws", "64", "--seed", "1", "--json")
        assert result.code == 0, result.stderr
        runs[value] = json.loads(result.stdout)
    assert runs[BIG] == runs[same_as]
    if key == "onset":  # no effect within the horizon: the NPV is minus the costs, here 0
        assert runs[BIG]["npv"]["total"]["mean"] == 0.0


@pytest.mark.parametrize(
    ("index", "factor"),
    [("{ 2024 = 1.2e302, 2019 = 100 }", "1.2e+300"), ("{ 2024 = 100, 2019 = 1e-300 }", "1e+302")],
)
def test_a_price_index_whose_ratio_is_beyond_1000_is_refused(cli, write_case, index, factor):
    # was: exit 0 with NPVs of -1.7e306 (a price at 2019 prices times I(2024) / I(2019) = 1.2e300);
    # with more participants or a portfolio, "internal error: overflow encountered in matmul"
    consequence = (
        '[[consequences]]\nname = "ydelse"\nchange = -1.0\nprice_year = 2019\nprice = { kommune = 1000 }'
    )
    text = minimal_case(consequences=consequence).replace(
        "price_growth = 0.0", f"price_growth = 0.0\nprice_index = {index}"
    )
    path = write_case(text)
    refused(
        cli,
        path,
        "consequences.ydelse.price_year",
        f"make a factor of {factor}",
        "factors beyond 0.001..1000 are refused",
        "found 2019",
    )


def test_a_factor_of_1000_is_allowed_and_applied(cli, write_case):
    """The bound itself: I(2024) / I(2019) = 1000 exactly multiplies the price by 1000. Closed form:
    10 participants x effect 0.1 x change -1 x price 1 x 1000, for 5 years undiscounted: NPV 5000."""
    consequence = (
        '[[consequences]]\nname = "ydelse"\nchange = -1.0\nprice_year = 2019\nprice = { kommune = 1 }'
    )
    text = minimal_case(consequences=consequence).replace(
        "price_growth = 0.0", "price_growth = 0.0\nprice_index = { 2024 = 100000, 2019 = 100 }"
    )
    result = cli("run", write_case(text), "--draws", "1", "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["deterministic"]["npv"]["total"] == pytest.approx(5000.0, rel=1e-12)


def test_a_portfolio_price_index_beyond_1000_is_refused(cli, tmp_path):
    # was (the fuzzer, 2026-12-06): [portfolio] price_index = { 2024 = 1.2e302 } with a catalogue
    # entry at 2019 prices: "internal error: RuntimeWarning: overflow encountered in matmul"
    consequence = '[[consequences]]\nname = "kontanthjaelp"\nchange = -1.0\nprice = "catalog"'
    (tmp_path / "a.toml").write_text(minimal_case(consequences=consequence), encoding="utf-8")
    (tmp_path / "catalog.toml").write_text(
        '[catalog]\nname = "Priser"\nprice_year = 2024\n\n[[prices]]\nname = "kontanthjaelp"\n'
        "price_year = 2019\nprice = { kommune = 95000 }\n",
        encoding="utf-8",
    )
    portfolio = tmp_path / "portfolio.toml"
    portfolio.write_text(
        '[portfolio]\nname = "P"\ncases = ["a.toml"]\ncatalog = "catalog.toml"\nprice_year = 2024\n'
        "price_index = { 2024 = 1.2e302 }\n",
        encoding="utf-8",
    )
    result = cli("portfolio", portfolio, "--draws", "50", "--json")
    assert result.code == 2, result.stderr
    assert "internal error" not in result.stderr and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "consequences.kontanthjaelp.price" in errors[0] and "factors beyond 0.001..1000" in errors[0]
    assert "[portfolio] price_index" in errors[0]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ('"x.y"', 'case."x.y"'),  # was case.x.y, as if x were a table
        ('"a b"', 'case."a b"'),  # was case.a b
        ('""', 'case.""'),  # was "case.", a path ending in a dot
        ('"q\\"uote"', 'case."q\\"uote"'),
        ('"æøå"', 'case."æøå"'),
        ("bare-key_1", "case.bare-key_1"),
    ],
)
def test_an_unknown_key_is_shown_as_toml_writes_it(cli, write_case, key, shown):
    path = write_case(case().replace("[economy]", f"{key} = 1\n[economy]", 1))
    refused(cli, path, shown, "unknown key; allowed here: name")


def test_an_unknown_section_with_an_odd_name_is_quoted(cli, write_case):
    path = write_case(case() + '\n["my section"]\nx = 1\n')
    refused(cli, path, '"my section"', "unknown section; allowed: case")


def test_characters_that_reorder_or_hide_text_are_escaped_in_messages(cli, write_case):
    # was: a key holding U+202E (right-to-left override) printed as it is, so the terminal showed
    # the rest of the line reversed; zero-width characters were invisible in the message
    path = write_case(case().replace("[economy]", '"ab\\u202Ecd\\u200B" = "x\\u2066y"\n[economy]', 1))
    line = refused(cli, path, 'case."ab\\u202Ecd\\u200B"', '(found "x\\u2066y")')
    assert not any(c in line for c in "\u202e\u200b\u2066")


def test_a_limit_names_an_odd_key_as_toml_writes_it(cli, write_case):
    # was (the odd-values fuzzer's long run): "case.: a text of 40,000 characters", for the key ""
    long = "x" * 40_000
    path = write_case(case().replace("[economy]", f'"" = "{long}"\n"a.b" = "{long}"\n[economy]', 1))
    for command in (["check", path], ["run", path, "--json"]):
        result = cli(*command)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert result.code == 2 and len(errors) == 2, result.stderr
        assert errors[0] == f'error: {path}: case."": a text of 40,000 characters; at most 32,767 are allowed'
        assert (
            errors[1] == f'error: {path}: case."a.b": a text of 40,000 characters; at most 32,767 are allowed'
        )
