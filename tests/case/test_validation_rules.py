"""Every rule of case-format.md: `somrisk check` exits 2 and names file, key path, value, allowed."""

from __future__ import annotations

import pytest

BASE = """
[case]
name = "Rules"
start_year = 2025
price_year = 2024
horizon = 5
actors = ["kommune", "stat"]

[economy]
discount_rate = 0.035
price_growth = 0.0

[participants]
cohorts = [10, 12]

[effect]
success_rate = { dist = "beta", successes = 18, trials = 40 }
comparison_rate = 0.2

[persistence]
onset = 0
window = 3
full_years = { dist = "triangular", min = 1, mode = 2, max = 4 }
decay = { dist = "uniform", min = 0.1, max = 0.4 }

[[costs]]
name = "opstart"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "pert", min = 100, mode = 200, max = 300 }

[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
amount = { dist = "normal", mean = 35000, sd = 5000 }

[[consequences]]
name = "kontanthjaelp"
change = { dist = "normal", mean = -0.12, sd = 0.04 }
price = { kommune = 95000, stat = { dist = "uniform", min = 40000, max = 50000 } }

[[correlations]]
inputs = ["effect.success_rate", "persistence.full_years"]
rank = 0.4
"""


def replace(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# (id, case text, key path, fragments that the message must hold)
RULES = [
    (
        "normal sd <= 0",
        replace(("sd = 5000", "sd = 0")),
        "costs.forloeb.amount.sd",
        ["greater than 0", "found 0"],
    ),
    (
        "negative sd of a lognormal",
        replace(
            (
                'amount = { dist = "normal", mean = 35000, sd = 5000 }',
                'amount = { dist = "lognormal", mean = 35000, sd = -1 }',
            )
        ),
        "costs.forloeb.amount.sd",
        ["greater than 0", "found -1"],
    ),
    (
        "min >= max",
        replace(("min = 0.1, max = 0.4", "min = 0.4, max = 0.1")),
        "persistence.decay",
        ["`min` (0.4) must be less than `max` (0.1)"],
    ),
    (
        "mode outside [min, max]",
        replace(("min = 100, mode = 200, max = 300", "min = 100, mode = 400, max = 300")),
        "costs.opstart.amount",
        ["`mode` (400) must lie in [min, max] = [100, 300]"],
    ),
    (
        "rate with mass outside [0, 1]",
        replace(
            (
                'success_rate = { dist = "beta", successes = 18, trials = 40 }',
                'success_rate = { dist = "normal", mean = 0.5, sd = 0.3 }',
            )
        ),
        "effect.success_rate",
        [
            "a rate must lie in [0, 1]",
            "Use beta, truncnormal or pert",
            'found {dist = "normal", mean = 0.5, sd = 0.3}',
        ],
    ),
    (
        "successes > trials",
        replace(("successes = 18, trials = 40", "successes = 41, trials = 40")),
        "effect.success_rate",
        ["`successes` (41) cannot exceed `trials` (40)"],
    ),
    (
        "empty empirical values",
        replace(
            (
                'amount = { dist = "normal", mean = 35000, sd = 5000 }',
                'amount = { dist = "empirical", values = [] }',
            )
        ),
        "costs.forloeb.amount.values",
        ["at least 1 item"],
    ),
    (
        "ci95 without the estimate",
        replace(
            (
                'amount = { dist = "normal", mean = 35000, sd = 5000 }',
                'amount = { dist = "normal", estimate = 35000, ci95 = [36000, 40000] }',
            )
        ),
        "costs.forloeb.amount",
        ["`ci95` [36000, 40000] must contain `estimate` (35000)"],
    ),
    (
        "nan",
        replace(("price = { kommune = 95000,", "price = { kommune = nan,")),
        "consequences.kontanthjaelp.price.kommune",
        ["finite number", "found nan"],
    ),
    (
        "infinity",
        replace(("discount_rate = 0.035", "discount_rate = inf")),
        "economy.discount_rate",
        ["finite number", "found inf"],
    ),
    (
        "unknown key (typo)",
        replace(("horizon = 5", "horizon = 5\nhorizont = 6")),
        "case.horizont",
        ["unknown key", "allowed here:", "horizon", "found 6"],
    ),
    (
        "unknown distribution",
        replace(('dist = "uniform", min = 40000', 'dist = "uniformm", min = 40000')),
        "consequences.kontanthjaelp.price.stat",
        ["unknown distribution", "pert", "truncnormal"],
    ),
    (
        "unknown key in a distribution",
        replace(("mean = -0.12, sd = 0.04", "mean = -0.12, sdev = 0.04")),
        "consequences.kontanthjaelp.change.sdev",
        ["unknown key", "allowed here:", "sd", "found 0.04"],
    ),
    (
        "name that is not a slug",
        replace(('name = "opstart"', 'name = "Opstart 1"')),
        "costs[1].name",
        ["lower-case letters a-z", 'found "Opstart 1"'],
    ),
    (
        "cost actor not in case.actors",
        replace(('actor = "kommune"\nkind = "fixed"', 'actor = "region"\nkind = "fixed"')),
        "costs.opstart.actor",
        ["unknown actor", "kommune, stat", 'found "region"'],
    ),
    (
        "price actor not in case.actors",
        replace(("price = { kommune = 95000,", "price = { regoin = 95000,")),
        "consequences.kontanthjaelp.price.regoin",
        ["unknown actor", 'found "regoin"'],
    ),
    (
        "effect with success_rate",
        replace(("comparison_rate = 0.2", "comparison_rate = 0.2\neffect = 0.1")),
        "effect",
        ["give either `effect`, or `success_rate`"],
    ),
    (
        "neither effect nor rates",
        replace(
            (
                'success_rate = { dist = "beta", successes = 18, trials = 40 }\ncomparison_rate = 0.2',
                'measure = "x"',
            )
        ),
        "effect",
        ["give `effect`, or `success_rate`"],
    ),
    (
        "profile with full_years",
        replace(("window = 3", "window = 3\nprofile = [1.0, 0.5]")),
        "persistence",
        ["give either `profile`, or `full_years` and `decay`"],
    ),
    (
        "profile value outside [0, 1]",
        replace(
            (
                'full_years = { dist = "triangular", min = 1, mode = 2, max = 4 }\n'
                'decay = { dist = "uniform", min = 0.1, max = 0.4 }',
                "profile = [1.0, 1.5]",
            ),
            (
                'inputs = ["effect.success_rate", "persistence.full_years"]',
                'inputs = ["effect.success_rate", "costs.opstart.amount"]',
            ),
        ),
        "persistence.profile.1",
        ["less than or equal to 1", "found 1.5"],
    ),
    (
        "window not whole",
        replace(("window = 3", "window = 2.5")),
        "persistence.window",
        ["whole number", "found 2.5"],
    ),
    (
        "window below 1",
        replace(("window = 3", "window = 0")),
        "persistence.window",
        ["greater than or equal to 1", "found 0"],
    ),
    (
        "cohort outside the horizon",
        replace(("cohorts = [10, 12]", "cohorts = [1, 2, 3, 4, 5, 6]")),
        "participants.cohorts",
        ["intake in year 5 lies outside the horizon of 5 years", "found [1, 2, 3, 4, 5, 6]"],
    ),
    (
        "cost year outside the horizon",
        replace(("year = 0", "year = 5")),
        "costs.opstart.year",
        ["outside the horizon", "0..4", "found 5"],
    ),
    (
        "negative participants",
        replace(("cohorts = [10, 12]", "cohorts = [10, -2]")),
        "participants.cohorts.1",
        ["number of participants must lie in [0, inf)", "found -2"],
    ),
    (
        "correlation with an unknown input",
        replace(('"persistence.full_years"]', '"persistence.fullyears"]')),
        "correlations[1].inputs",
        ['no input "persistence.fullyears"', "persistence.full_years"],
    ),
    (
        "correlation with a fixed input",
        replace(('"persistence.full_years"]', '"effect.comparison_rate"]')),
        "correlations[1].inputs",
        ['"effect.comparison_rate" is a fixed number'],
    ),
    (
        "correlations that are not PSD",
        replace(
            (
                "rank = 0.4",
                'rank = 0.9\n\n[[correlations]]\ninputs = ["effect.success_rate", "persistence.decay"]\n'
                'rank = 0.9\n\n[[correlations]]\ninputs = ["persistence.full_years", "persistence.decay"]\n'
                "rank = -0.9",
            )
        ),
        "correlations",
        ["positive semi-definite", "smallest eigenvalue"],
    ),
    (
        "rank outside [-1, 1]",
        replace(("rank = 0.4", "rank = 1.4")),
        "correlations[1].rank",
        ["less than or equal to 1", "found 1.4"],
    ),
    (
        "duplicate names",
        replace(('name = "forloeb"', 'name = "opstart"')),
        "costs[2].name",
        ["already used by costs[1]", 'found "opstart"'],
    ),
    (
        "horizon above 50",
        replace(("horizon = 5", "horizon = 51")),
        "case.horizon",
        ["less than or equal to 50", "found 51"],
    ),
    (
        "discount rate of 1",
        replace(("discount_rate = 0.035", "discount_rate = 1.0")),
        "economy.discount_rate",
        ["the discount rate must lie in [0, 1)"],
    ),
    (
        "price growth of -1",
        replace(("price_growth = 0.0", "price_growth = -1.0")),
        "economy.price_growth",
        ["the price growth must lie in (-1, 1)"],
    ),
    (
        "negative cost amount",
        replace(("min = 100, mode = 200, max = 300", "min = -100, mode = 200, max = 300")),
        "costs.opstart.amount",
        ["a cost amount must lie in [0, inf)", "truncnormal"],
    ),
    (
        "negative duration",
        replace(('kind = "per_participant"', 'kind = "per_participant"\nduration = -1')),
        "costs.forloeb.duration",
        ["greater than or equal to 0", "found -1"],
    ),
    (
        "effect outside [-1, 1]",
        replace(
            (
                'success_rate = { dist = "beta", successes = 18, trials = 40 }\ncomparison_rate = 0.2',
                "effect = 1.5",
            ),
            (
                'inputs = ["effect.success_rate", "persistence.full_years"]',
                'inputs = ["costs.opstart.amount", "persistence.full_years"]',
            ),
        ),
        "effect.effect",
        ["must lie in [-1, 1]", "found 1.5"],
    ),
    (
        "negative full_years",
        replace(("min = 1, mode = 2, max = 4", "min = -1, mode = 2, max = 4")),
        "persistence.full_years",
        ["full_years must lie in [0, inf)"],
    ),
    (
        "text where a number belongs",
        replace(("cohorts = [10, 12]", 'cohorts = [10, "12"]')),
        "participants.cohorts.1",
        ["not text", 'found "12"'],
    ),
    (
        "missing required section",
        replace(("[participants]\ncohorts = [10, 12]", "")),
        "participants",
        ["required section [participants] is missing"],
    ),
]


@pytest.mark.parametrize(("text", "key_path", "fragments"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule_is_enforced_with_a_clear_message(cli, write_case, text, key_path, fragments):
    path = write_case(text)
    result = cli("check", path)
    assert result.code == 2, result.stdout
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if f"{path}: {key_path}:" in line]
    assert lines, f"no message for {key_path!r} in:\n{result.stderr}"
    message = " ".join(lines)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_the_base_case_itself_is_valid(cli, write_case):
    result = cli("check", write_case(BASE))
    assert result.code == 0, result.stderr


def test_every_problem_of_a_file_is_reported_at_once(cli, write_case):
    text = replace(
        ("sd = 5000", "sd = 0"),
        ("horizon = 5", "horizon = 5\ncolour = 1"),
        ('actor = "kommune"\nkind = "fixed"', 'actor = "region"\nkind = "fixed"'),
        ("year = 0", "year = 9"),
    )
    result = cli("check", write_case(text))
    assert result.code == 2
    for path in (
        "costs.forloeb.amount.sd",
        "case.colour",
        "costs.opstart.actor",
        "costs.opstart.year",
    ):
        assert f": {path}:" in result.stderr


def test_toml_syntax_error_gives_line_and_column(cli, write_case):
    path = write_case('[case]\nname = "x"\nstart_year = 2025 2026\n')
    result = cli("check", path)
    assert result.code == 2
    assert f"{path}:3:" in result.stderr and "TOML syntax error" in result.stderr


def test_a_price_from_the_knowledge_base_needs_its_entry(cli, write_case):
    path = write_case(
        replace(
            ('name = "kontanthjaelp"', 'name = "kontanthjalp"'),
            (
                'price = { kommune = 95000, stat = { dist = "uniform", min = 40000, max = 50000 } }',
                'price = "catalog"',
            ),
        )
    )
    result = cli("check", path)
    assert result.code == 2
    assert "consequences.kontanthjalp.price" in result.stderr
    assert 'the knowledge base (somrisk catalog) has no entry "kontanthjalp"' in result.stderr
    assert "did you mean kontanthjaelp?" in result.stderr


def test_a_file_that_is_not_utf8_is_refused(cli, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[case]\nname = "Gruppeforløb"\n'.encode("latin-1"))
    result = cli("check", path)
    assert result.code == 2 and "not UTF-8" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        # a Danish decimal comma, bare: a TOML syntax error, with the line and the fix
        ("discount_rate = 0.035", "discount_rate = 0,035", ["write 0.035, not 0,035 (discount_rate)"]),
        ("min = 100, mode = 200", "min = 100, mode = 200,5", ["write 200.5, not 200,5 (mode)"]),
        # in quotes: the key path, and the fix
        (
            "discount_rate = 0.035",
            'discount_rate = "0,035"',
            [
                "economy.discount_rate: expected a number, not text;",
                "write 0.035, not 0,035 and without quotes",
            ],
        ),
        (
            "min = 1, mode = 2, max = 4",
            'min = 1, mode = "2,5", max = 4',
            ["persistence.full_years.mode: expected a number, not text;", "write 2.5, not 2,5"],
        ),
    ],
)
def test_a_decimal_comma_is_named_with_the_number_written_with_a_point(cli, write_case, old, new, words):
    assert old in BASE
    path = write_case(BASE.replace(old, new, 1))
    result = cli("check", path)
    assert result.code == 2 and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    if '"' not in new:  # a syntax error: named by its line
        line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if new in text)
        assert f"{path}:{line}:" in result.stderr


def test_a_decimal_comma_in_set_is_named_too(cli, write_case):
    result = cli("run", write_case(BASE), "--draws", "100", "--set", "effect.comparison_rate=0,25")
    assert result.code == 2
    assert "write 0.25, not 0,25" in result.stderr


def test_commas_of_valid_toml_get_no_decimal_hint():
    from somrisk.case.limits import decimal_comma_hint

    for line in ("cohorts = [10,12]", "x = { min = 0,max = 1 }", "years = [0, 2]", 'name = "a,b"', ""):
        assert decimal_comma_hint(line) is None
    assert decimal_comma_hint("10,5") == "a decimal number takes a point, not a comma: write 10.5, not 10,5"
