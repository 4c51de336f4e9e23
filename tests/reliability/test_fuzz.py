"""Fuzzing: valid case, portfolio and catalogue files, mutated at random, never crash somrisk.

Each example parses a valid file into a dict, applies one to three mutations (a key deleted, a value
of the wrong type, NaN, infinity, huge, negative or zero numbers, empty lists and tables, unknown or
malformed distributions, broken correlations, duplicate names, years outside the horizon, unknown
actors), writes it back as TOML and runs the CLI in-process. The promise (outputs.md): exit 0, or
exit 2 with one message per problem naming the file and a key path; never a traceback and never
exit 1 (an internal error, i.e. a bug); and a run that succeeds prints no NaN or infinity.

The examples are few so that the file runs in seconds; ``HYPOTHESIS_PROFILE=long`` (tests/conftest.py)
runs 1,000 of each (docs/reliability.md, "Fuzzing").
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from somrisk.case import limits
from somrisk.distributions import FAMILIES
from somrisk.runner import example_case_path
from somrisk.testing import minimal_case

try:
    import tomli_w
except ImportError:  # pragma: no cover - tomli_w is a test dependency; the emitter below stands in
    tomli_w = None

Key = str | int
Doc = dict[str, Any]

# ---------------------------------------------------------------------------------------------
# Writing TOML (NaN and infinity included: TOML has the literals nan, inf and -inf)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_scalar(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def emit(doc: Doc) -> str:
    """`doc` as TOML: a small emitter (sections, arrays of tables, everything below them inline)."""
    key = json.dumps  # a quoted TOML key is a JSON string
    lines = [f"{key(k)} = {_scalar(v)}" for k, v in doc.items() if not _is_table(v)]
    for name, value in doc.items():
        if isinstance(value, dict):
            lines += [f"[{key(name)}]", *(f"{key(k)} = {_scalar(v)}" for k, v in value.items())]
        elif _is_table(value):
            for item in value:
                lines += [f"[[{key(name)}]]", *(f"{key(k)} = {_scalar(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"


def dumps(doc: Doc) -> str:
    """`doc` as TOML: with tomli_w where installed, else :func:`emit`."""
    return emit(doc) if tomli_w is None else tomli_w.dumps(doc)


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


@pytest.mark.parametrize("write", [emit, dumps])
def test_the_writers_write_nan_infinity_and_dates(write):
    doc = {
        "top": -math.inf,
        "a": {"x": math.nan, "y": [math.inf, -math.inf], "z": {"dist": "fixed", "value": 1e300}},
        "b": [{"when": datetime.date(2025, 1, 1), "text": 'æ "ø"\n'}, {"n": [[1], {}]}],
    }
    back = tomllib.loads(write(doc))
    assert math.isnan(back["a"]["x"]) and back["a"]["y"] == [math.inf, -math.inf] and back["top"] == -math.inf
    assert back["a"]["z"] == {"dist": "fixed", "value": 1e300}
    assert back["b"] == doc["b"]


# ---------------------------------------------------------------------------------------------
# The valid files that are mutated

SMALL = """
[case]
name = "Lille sag"
start_year = 2025
price_year = 2024
horizon = 4
actors = ["kommune", "stat"]

[economy]
discount_rate = { dist = "uniform", min = 0.02, max = 0.05 }
price_growth = 0.01
price_index = { 2024 = 120.0, 2019 = 103.5 }

[participants]
per_year = { dist = "gamma", mean = 12, sd = 3 }
years = [0, 1]

[effect]
success_rate = { dist = "beta", successes = 18, trials = 40 }
comparison_rate = { dist = "truncnormal", mean = 0.2, sd = 0.05, min = 0, max = 1 }

[persistence]
onset = 1
window = 2
profile = [1.0, 0.6]

[[costs]]
name = "opstart"
actor = "kommune"
kind = "fixed"
years = [0, 1]
amount = { dist = "empirical", values = [100000, 120000, 150000] }

[[costs]]
name = "forloeb"
actor = "kommune"
kind = "per_participant"
duration = 1.5
amount = { dist = "lognormal", estimate = 30000, ci95 = [25000, 40000] }

[[comparison_costs]]
name = "samtaler"
actor = "kommune"
kind = "per_participant"
amount = { dist = "fixed", value = 8000 }
price_year = 2019

[[consequences]]
name = "kontanthjaelp"
category = "beskaeftigelse"
change = { dist = "normal", estimate = -0.2, ci95 = [-0.35, -0.05] }
profile = [0.5, 1.0]
price = { kommune = 95000, stat = { dist = "triangular", min = 40000, mode = 45000, max = 50000 } }
price_factor = { dist = "pert", min = 0.9, mode = 1.0, max = 1.1, lambda = 6 }

[[consequences]]
name = "psykiatri"
change = { dist = "lognormal", mu = -1.0, sigma = 0.5 }
price = { stat = { dist = "gamma", shape = 4, scale = 1500 } }
price_year = 2015

[[correlations]]
inputs = ["effect.success_rate", "effect.comparison_rate"]
rank = 0.4

[[correlations]]
inputs = ["costs.forloeb.amount", "consequences.kontanthjaelp.change"]
rank = -0.3

[[groups]]
name = "pris"
inputs = ["consequences.kontanthjaelp.price.stat", "consequences.kontanthjaelp.price_factor"]
"""

PLAIN = minimal_case(
    effect="0.2",
    cohorts="[10, 10]",
    horizon=3,
    discount_rate="0.035",
    persistence="[persistence]\nfull_years = 1\ndecay = 0.5",
    costs='[[costs]]\nname = "opstart"\nactor = "kommune"\nkind = "fixed"\nyear = 0\namount = 100000',
    consequences='[[consequences]]\nname = "ydelse"\nchange = -1.0\nprice = { kommune = 50000, stat = 10000 }',
)

CASES = {
    "example": tomllib.loads(example_case_path().read_text(encoding="utf-8")),
    "small": tomllib.loads(SMALL),
    "plain": tomllib.loads(PLAIN),
}

PORTFOLIO_CASE = """
[case]
name = "{name}"
start_year = {start}
price_year = 2024
horizon = 5
actors = ["kommune", "stat"]

[participants]
cohorts = [{{ dist = "pert", min = 5, mode = 10, max = 15 }}]

[effect]
effect = {{ dist = "uniform", min = 0.05, max = 0.25 }}

[[costs]]
name = "opstart"
actor = "kommune"
kind = "fixed"
amount = 50000

[[consequences]]
name = "kontanthjaelp"
change = -0.8
price = "catalog"

[[consequences]]
name = "egen"
change = {{ dist = "normal", mean = 0.1, sd = 0.05 }}
price = {{ stat = -20000 }}
"""

PORTFOLIO = {
    "portfolio": {
        "name": "Portefølje",
        "cases": ["a.toml", "b.toml"],
        "catalog": "catalog.toml",
        "price_year": 2024,
        "price_index": {"2024": 120.0},
    }
}
CATALOG = {
    "catalog": {"name": "Priser", "price_year": 2024, "currency": "DKK"},
    "prices": [
        {
            "name": "kontanthjaelp",
            "unit": "år på ydelse",
            "price": {"kommune": 95000, "stat": {"dist": "uniform", "min": 40000, "max": 50000}},
            "price_factor": {"dist": "pert", "min": 0.9, "mode": 1.0, "max": 1.1},
            "price_year": 2019,
        },
        {"name": "ubrugt", "price": {"kommune": 1000}},
    ],
}

# ---------------------------------------------------------------------------------------------
# Mutations

TEXTS = ["text", "", "kommune", "catalog", "nope.toml", "."]
WRONG_TYPES = [*TEXTS, True, False, [], {}, [1, "a"], {"x": 1}, [[1]], [{}], datetime.date(2025, 1, 1)]
NUMBERS = [
    math.nan,
    math.inf,
    -math.inf,
    1e300,
    -1e300,
    1e-300,
    10**30,
    -(10**30),
    2**63 - 1,
    10**400 - 1,  # TOML integers of any length are read exactly; float() of them overflows
    -(10**400 - 1),
    0,
    0.0,
    -0.0,
    -1,
    -0.5,
    0.5,
    1,
    1.5,
    2,
    50,
    51,
    1e6,
    1e12,
    1e15,
    -1e15,
    1e-12,
    1 - 1e-12,
    9999,
    10000,
]
UNKNOWN_DISTS = ["poisson", "Normal", "", "pert ", "catalog", "number"]
PARAMETERS = sorted(
    {
        name
        for family in FAMILIES.values()
        for f, info in family.model.model_fields.items()
        for name in [info.alias or f]
    }
    - {"dist"}
    | {"bogus"}
)
ACTORS = ["kommune", "region", "stat", "amt", "total", ""]


def nodes(node: Any, path: tuple[Key, ...] = ()) -> Iterator[tuple[tuple[Key, ...], Any]]:
    """Every node below the root, with its path of keys and list indices."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*path, key), value
        yield from nodes(value, (*path, key))


def at(doc: Doc, path: tuple[Key, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def set_at(doc: Doc, path: tuple[Key, ...], value: Any) -> None:
    at(doc, path[:-1])[path[-1]] = value


def delete_at(doc: Doc, path: tuple[Key, ...]) -> None:
    del at(doc, path[:-1])[path[-1]]


def items_of(doc: Doc, section: str) -> list[dict[str, Any]]:
    """The tables of a ``[[section]]`` list, where it is one."""
    items = doc.get(section)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def tables(doc: Doc) -> list[tuple[Key, ...]]:
    return [path for path, value in nodes(doc) if isinstance(value, dict)]


def input_paths(doc: Doc) -> list[str]:
    """The input paths (case-format.md) the case's own keys suggest, valid or not."""
    paths = []
    for section in ("effect", "persistence", "economy"):
        for key in doc.get(section, {}) if isinstance(doc.get(section), dict) else {}:
            paths.append(f"{section}.{key}")
    participants = doc.get("participants")
    if isinstance(participants, dict) and isinstance(participants.get("cohorts"), list):
        paths += [f"participants.cohorts.{i}" for i in range(len(participants["cohorts"]))]
    for section, keys in (("costs", ["amount"]), ("consequences", ["change", "price_factor"])):
        for item in items_of(doc, section):
            if isinstance(item.get("name"), str):
                paths += [f"{section}.{item['name']}.{k}" for k in keys]
                if isinstance(item.get("price"), dict):
                    paths += [f"{section}.{item['name']}.price.{a}" for a in item["price"]]
    return paths or ["effect.effect"]


@st.composite
def numbers(draw: st.DrawFn) -> Any:
    return draw(st.one_of(st.sampled_from(NUMBERS), st.floats(-1e6, 1e6, allow_nan=False)))


@st.composite
def distributions(draw: st.DrawFn) -> dict[str, Any]:
    """A distribution table: a known or unknown family with any set of parameters (missing, extra,
    out of range)."""
    name = draw(st.one_of(st.sampled_from(list(FAMILIES)), st.sampled_from(UNKNOWN_DISTS)))
    keys = draw(st.lists(st.sampled_from(PARAMETERS), max_size=4, unique=True))
    table: dict[str, Any] = {"dist": name}
    for key in keys:
        if key in ("ci95", "values"):
            table[key] = draw(st.lists(numbers(), max_size=3))
        elif key == "source":
            table[key] = draw(st.sampled_from(["a study", 1]))
        else:
            table[key] = draw(numbers())
    return table


# Each mutation changes `doc` in place (draw: hypothesis's draw) and says what it did.
Mutation = Callable[[st.DrawFn, Doc], str]


def _at_a_node(draw: st.DrawFn, doc: Doc) -> str:
    """Delete a key (or list item), or put a wrong type, a number or a distribution in its place."""
    kind = draw(st.sampled_from(["delete", "wrong type", "number", "scale", "distribution"]))
    everything = list(nodes(doc))
    numeric = [(p, v) for p, v in everything if isinstance(v, int | float) and not isinstance(v, bool)]
    candidates = numeric if kind in ("number", "scale") and numeric else everything
    if not candidates:
        return "nothing"
    path, value = draw(st.sampled_from(candidates))
    if kind == "delete":
        delete_at(doc, path)
    elif kind == "wrong type":
        set_at(doc, path, copy.deepcopy(draw(st.sampled_from(WRONG_TYPES))))
    elif kind == "number":
        set_at(doc, path, draw(numbers()))
    elif kind == "scale" and (path, value) in numeric:
        factor = draw(st.sampled_from([-1, 0, 1e300, -1e300, 1e12, 1e-300, 0.5, 2]))
        # an integer too large for a double (10^400) is scaled as an integer: float() of it overflows
        set_at(doc, path, value * factor if abs(value) < 1e300 else value * int(factor))
    elif kind == "distribution":
        set_at(doc, path, draw(distributions()))
    return f"{kind} at {path}"


def _unknown_key(draw: st.DrawFn, doc: Doc) -> str:
    if not tables(doc):
        return "nothing"
    path = draw(st.sampled_from(tables(doc)))
    at(doc, path)["bogus"] = draw(numbers())
    return f"unknown key in {path}"


def _correlation(draw: st.DrawFn, doc: Doc) -> str:
    """A correlation of zero to three inputs, known or not, with any rank."""
    inputs = [*input_paths(doc), "effect.nope", "costs.nope.amount"]
    pair = draw(st.lists(st.sampled_from(inputs), min_size=0, max_size=3))
    rank = draw(st.one_of(st.sampled_from([1.0, -1.0, 1.5, -2, math.nan, math.inf, 0]), numbers()))
    if not isinstance(doc.get("correlations"), list):
        doc["correlations"] = []
    doc["correlations"].append({"inputs": pair, "rank": rank})
    return f"correlation {pair} {rank}"


def _not_psd(draw: st.DrawFn, doc: Doc) -> str:
    """Three correlations that contradict each other (a, b and b, c close; a, c opposite)."""
    if len(set(input_paths(doc))) < 3:
        return "nothing"
    a, b, c = draw(st.lists(st.sampled_from(input_paths(doc)), min_size=3, max_size=3, unique=True))
    doc["correlations"] = [
        {"inputs": [a, b], "rank": 0.9},
        {"inputs": [b, c], "rank": 0.9},
        {"inputs": [a, c], "rank": -0.9},
    ]
    return f"non-psd {a}, {b}, {c}"


def _duplicate(draw: st.DrawFn, doc: Doc) -> str:
    lists = [(p, v) for p, v in nodes(doc) if isinstance(v, list) and v and isinstance(v[0], dict)]
    if not lists:
        return "nothing"
    path, items = draw(st.sampled_from(lists))
    items.append(copy.deepcopy(draw(st.sampled_from(items))))
    return f"duplicate in {path}"


def _year(draw: st.DrawFn, doc: Doc) -> str:
    """Cost years, cohorts, intake years and onsets outside the horizon; horizons outside 1..50."""
    case = doc.get("case") if isinstance(doc.get("case"), dict) else {}
    horizon = case.get("horizon", 10)
    horizon = horizon if isinstance(horizon, int) and not isinstance(horizon, bool) else 10
    target = draw(st.sampled_from(["cost", "cohorts", "horizon", "onset", "years"]))
    year = draw(st.sampled_from([horizon, horizon + 1, -1, 100, 2**40]))
    participants = isinstance(doc.get("participants"), dict)
    if target == "cost":
        for item in items_of(doc, "costs"):
            item.pop("years", None)
            item["kind"], item["year"] = "fixed", year
    elif target == "cohorts" and participants:
        doc["participants"] = {"cohorts": [1] * max(1, min(year, 60))}
    elif target == "horizon" and case:
        case["horizon"] = draw(st.sampled_from([0, 1, 50, 51, -3]))
    elif target == "onset" and isinstance(doc.get("persistence"), dict):
        doc["persistence"]["onset"] = year
    elif target == "years" and participants:
        doc["participants"] = {"per_year": 5, "years": draw(st.sampled_from([[0, year], [year, 1], year]))}
    return f"year {target} {year}"


def _actor(draw: st.DrawFn, doc: Doc) -> str:
    """Costs and prices for actors the case does not have; actor lists that are not allowed."""
    actor = draw(st.sampled_from(ACTORS))
    where = draw(st.sampled_from(["cost", "price", "actors"]))
    if where == "cost":
        for item in items_of(doc, "costs"):
            item["actor"] = actor
    elif where == "price":
        for item in items_of(doc, "consequences"):
            item["price"] = {actor: 1000}
    elif isinstance(doc.get("case"), dict):
        doc["case"]["actors"] = draw(st.sampled_from([[actor], [], ["kommune", "kommune"], ["a.b"]]))
    return f"actor {actor} in {where}"


#: Texts that spreadsheet programs take for formulas; a workbook must hold them as text.
FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://example.invalid","klik")',
    "=cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "+1",
    "-1",
]
#: Characters no workbook can hold (refused), and some that it can (accepted).
CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\t", "\n", "\r", "\x7f", "\u2028", "\ufeff"]


def _nested(depth: int, leaf: Any, kind: str) -> Any:
    for _ in range(depth):
        leaf = {"a": leaf} if kind == "table" else [leaf]
    return leaf


def _extreme(draw: st.DrawFn, doc: Doc) -> str:
    """Extreme shapes (docs/reliability.md, "Hostile and extreme files"): deep nesting, huge lists,
    long texts, many items, control characters, formula-looking texts; at and beyond each limit."""
    kind = draw(st.sampled_from(["deep", "list", "text", "items", "control", "formula"]))
    everything = list(nodes(doc))
    if kind == "items":
        lists = [(p, v) for p, v in everything if isinstance(v, list) and v and isinstance(v[0], dict)]
        if not lists:
            return "nothing"
        path, items = draw(st.sampled_from(lists))
        count = draw(st.sampled_from([limits.MAX_ITEMS, limits.MAX_ITEMS + 1, 3 * limits.MAX_ITEMS]))
        renamed = draw(st.booleans())  # distinct names (valid if within the limit) or duplicates
        for k in range(count - len(items)):
            item = copy.deepcopy(items[k % len(items)])
            if renamed and isinstance(item.get("name"), str):
                item["name"] = f"{item['name']}_{k}"
            items.append(item)
        return f"{count} items in {path}"
    path, value = draw(st.sampled_from(everything)) if everything else ((), None)
    texts = [(p, v) for p, v in everything if isinstance(v, str)]
    if kind in ("text", "control", "formula") and texts and draw(st.booleans()):
        path, value = draw(st.sampled_from(texts))  # a text in the place of a text, mostly
    if not path:
        return "nothing"
    if kind == "deep":
        depth = draw(st.sampled_from([3, limits.MAX_DEPTH - 2, limits.MAX_DEPTH, limits.MAX_DEPTH + 1, 60]))
        new = _nested(depth, draw(numbers()), draw(st.sampled_from(["table", "list"])))
    elif kind == "list":
        size = draw(
            st.sampled_from(
                [limits.MAX_YEAR_VALUES, limits.MAX_YEAR_VALUES + 1, limits.MAX_LIST, limits.MAX_LIST + 1]
            )
        )
        new = [draw(st.sampled_from([0.5, 1.0, 0.0, 1e6]))] * size
        if isinstance(value, dict) and value.get("dist") == "empirical":  # an empirical distribution's values
            new = {**value, "values": new}
    elif kind == "text":
        size = draw(st.sampled_from([limits.MAX_TEXT, limits.MAX_TEXT + 1, 10 * limits.MAX_TEXT]))
        new = draw(st.sampled_from(["x", "æ", "=", " "])) * size
    elif kind == "control":
        base = value if isinstance(value, str) else "tekst"
        new = base + draw(st.sampled_from(CONTROL))
    else:
        new = draw(st.sampled_from(FORMULAS))
    set_at(doc, path, new)
    return f"{kind} at {path}"


#: Changes at a node are the most varied, so they are drawn as often as all the others together.
MUTATIONS: list[Mutation] = [
    *[_at_a_node] * 6,
    *[_extreme] * 2,
    _unknown_key,
    _correlation,
    _not_psd,
    _duplicate,
    _year,
    _actor,
]


@st.composite
def mutations(draw: st.DrawFn, doc: Doc) -> str:
    """Mutate `doc` in place; return what was done (for the failure message)."""
    mutation = draw(st.sampled_from(MUTATIONS))
    return mutation(draw, doc)


@st.composite
def mutated(draw: st.DrawFn, doc: Doc) -> tuple[Doc, list[str]]:
    doc = copy.deepcopy(doc)
    done = [draw(mutations(doc)) for _ in range(draw(st.integers(1, 3)))]
    return doc, done


# ---------------------------------------------------------------------------------------------
# What every outcome must satisfy

SECTIONS = {
    "case",
    "economy",
    "participants",
    "effect",
    "persistence",
    "costs",
    "comparison_costs",
    "consequences",
    "correlations",
    "groups",
    "portfolio",
    "catalog",
    "prices",
}
KEY_PATH = re.compile(r"^(?P<path>[A-Za-z_]\w*(?:\[\d+\])?(?:\.[^\s:]+?)*): (?P<message>\S.*)$")
#: A path that somrisk._files.shown_path shortened: its start, then what follows the path.
SHORTENED = re.compile(r"^(?P<head>[^:]*?)\.\.\.\([\d,]+ characters\)\.\.\.[^:]*: (?P<rest>.*)$")
WHOLE_FILE = ("no such file", "is a folder", "is larger than", "a key of more than", "is nested more than")
#: null in the JSON by outputs.md: no payback; the benefit-cost ratio where the costs are not positive
NULLABLE = {"payback_year", "median_year", "benefit_cost_ratio"}


def assert_outcome(result: Any, files: list[Path], what: str) -> None:
    """Exit 0, or exit 2 with every error naming one of `files` and a key path (or being a whole
    file problem); never a traceback, never exit 1."""
    context = f"{what}\nexit {result.code}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, context
    assert "internal error" not in result.stderr, context
    assert result.code in (0, 2), context
    if result.code == 0:
        return
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors, context
    for line in errors:
        text = line.removeprefix("error: ")
        file = next((str(f) for f in files if text.startswith(f"{f}: ") or text.startswith(f"{f}:")), None)
        if file is None:  # a file the portfolio names: relative to the portfolio's folder
            folder = str(files[0].parent)
            shortened = SHORTENED.match(text)  # a name too long to show whole: its start and end
            if shortened is not None:
                assert folder.startswith(shortened["head"]), f"the error names no file: {line}\n{context}"
                assert shortened["rest"].startswith((*WHOLE_FILE, "cannot be read")), context
                continue
            assert text.startswith(folder), f"the error names no file: {line}\n{context}"
            file, _, rest = text.partition(": ")
        else:
            rest = text.removeprefix(file)
            rest = re.sub(r"^:\d+:\d+", "", rest).removeprefix(": ")
        if rest.startswith(WHOLE_FILE) or rest.startswith("TOML syntax error"):
            continue
        match = KEY_PATH.match(rest)
        assert match is not None, f"the error names no key path: {line}\n{context}"
        section = re.split(r"[.\[]", match["path"], maxsplit=1)[0]
        assert section in SECTIONS, f"unknown section in key path: {line}\n{context}"
        assert len(match["message"]) > 5, context


def assert_finite_json(text: str, what: str) -> dict[str, Any]:
    """The JSON summary holds numbers that are finite (null only where outputs.md allows it)."""
    document = json.loads(text)

    def walk(node: Any, key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif node is None:
            assert key in NULLABLE, f"{key} is null (NaN or infinite) in the JSON of {what}"
        elif isinstance(node, float):
            assert math.isfinite(node), f"{key} = {node} in the JSON of {what}"

    walk(document, "")
    for stats in document["npv"].values():
        assert 0 <= stats["prob_positive"] <= 1 and stats["sd"] >= 0, what
        assert stats["p05"] <= stats["p50"] <= stats["p95"], what
    return document


#: Examples per fuzz test: 60 in the suite's default profile ("ci"), the profile's own number in a
#: longer one (HYPOTHESIS_PROFILE=long: 1,000 each; docs/reliability.md).
EXAMPLES = (
    60 if settings().max_examples <= settings.get_profile("ci").max_examples else settings().max_examples
)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run_case(cli: Callable[..., Any], path: Path, sampler: str, what: str, xlsx: Path | None = None) -> None:
    """Check and run the case; with `xlsx`, also write the results workbook and look for formulas."""
    checked = cli("check", path)
    assert_outcome(checked, [path], what)
    workbook = ("--xlsx", xlsx) if xlsx is not None else ()
    ran = cli("run", path, "--draws", "50", "--sampler", sampler, "--json", *workbook)
    assert_outcome(ran, [path], what)
    assert ran.code == checked.code, f"check exits {checked.code} but run {ran.code}: {what}\n{ran.stderr}"
    event(f"exit {ran.code}")  # pytest --hypothesis-show-statistics: how many mutants are still valid
    if ran.code == 0:
        assert_finite_json(ran.stdout, what)
    if xlsx is not None:
        assert xlsx.exists() == (ran.code == 0), what
        if ran.code == 0:
            formulas = [
                c for ws in load_workbook(xlsx) for row in ws.iter_rows() for c in row if c.data_type == "f"
            ]
            assert formulas == [], f"formulas in the results workbook: {formulas}\n{what}"
            xlsx.unlink()


# ---------------------------------------------------------------------------------------------
# The fuzz tests


@pytest.mark.parametrize("name", list(CASES))
def test_the_unmutated_files_are_valid(cli, tmp_path, name):
    path = tmp_path / "case.toml"
    path.write_text(dumps(CASES[name]), encoding="utf-8")
    result = cli("run", path, "--draws", "50", "--json")
    assert result.code == 0, result.stderr
    assert_finite_json(result.stdout, name)


@pytest.mark.filterwarnings("default::UserWarning")  # e.g. a consequence without a price: a warning
@pytest.mark.parametrize("name", list(CASES))
@FUZZ
@given(data=st.data())
def test_a_mutated_case_exits_0_or_2_with_a_message(cli, tmp_path, name, data):
    doc, done = data.draw(mutated(CASES[name]))
    sampler = data.draw(st.sampled_from(["lhs", "mc", "sobol"]))
    path = tmp_path / "case.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    xlsx = tmp_path / "results.xlsx" if any(d.startswith("formula") for d in done) else None
    text = path.read_text(encoding="utf-8")
    run_case(
        cli,
        path,
        sampler,
        f"{name}: {'; '.join(done)}\n{text if len(text) < 20_000 else text[:20_000]}",
        xlsx,
    )


def write_portfolio(folder: Path, portfolio: Doc, catalog: Doc) -> Path:
    (folder / "a.toml").write_text(PORTFOLIO_CASE.format(name="A", start=2025), encoding="utf-8")
    (folder / "b.toml").write_text(PORTFOLIO_CASE.format(name="B", start=2026), encoding="utf-8")
    (folder / "catalog.toml").write_text(dumps(catalog), encoding="utf-8")
    path = folder / "portfolio.toml"
    path.write_text(dumps(portfolio), encoding="utf-8")
    return path


def test_the_unmutated_portfolio_is_valid(cli, tmp_path):
    path = write_portfolio(tmp_path, PORTFOLIO, CATALOG)
    result = cli("portfolio", path, "--draws", "50", "--json")
    assert result.code == 0, result.stderr
    document = assert_finite_json(result.stdout, "portfolio")
    assert list(document["cases"]) == ["A", "B"]


@pytest.mark.filterwarnings("default::UserWarning")
@FUZZ
@given(data=st.data())
def test_a_mutated_portfolio_or_catalogue_exits_0_or_2_with_a_message(cli, tmp_path, data):
    which = data.draw(st.sampled_from(["portfolio", "catalog", "both"]))
    portfolio, done = data.draw(mutated(PORTFOLIO)) if which != "catalog" else (PORTFOLIO, [])
    catalog, more = data.draw(mutated(CATALOG)) if which != "portfolio" else (CATALOG, [])
    path = write_portfolio(tmp_path, portfolio, catalog)
    what = "; ".join(done + more) + f"\n{dumps(portfolio)}\n{dumps(catalog)}"
    files = [path, tmp_path / "catalog.toml", tmp_path / "a.toml", tmp_path / "b.toml"]
    result = cli("portfolio", path, "--draws", "50", "--json")
    assert_outcome(result, files, what)
    event(f"exit {result.code}")
    if result.code == 0:
        assert_finite_json(result.stdout, what)
