"""Declared groups (``[[groups]]``): validation rules and their use by the sensitivity analyses."""

from __future__ import annotations

import pytest

from somrisk import CaseError, parse_case, sobol, voi
from somrisk.engine import prepare
from somrisk.testing import minimal_case

BASE = minimal_case(
    effect='{ dist = "uniform", min = 0.05, max = 0.15 }',
    cohorts="[10]",
    horizon=3,
    persistence='[persistence]\nfull_years = { dist = "uniform", min = 1, max = 3 }\ndecay = 0.2',
    costs="""
[[costs]]
name = "programme"
actor = "kommune"
kind = "fixed"
year = 0
amount = { dist = "uniform", min = 500, max = 1500 }
""",
    consequences="""
[[consequences]]
name = "saving"
change = { dist = "uniform", min = -1.5, max = -0.5 }
price = { kommune = 500, stat = { dist = "uniform", min = 100, max = 300 } }
""",
)


def with_groups(text: str) -> str:
    return BASE + text


STUDY = """
[[groups]]
name = "study"
label = "What the effect study settles"
inputs = ["effect.effect", "persistence.full_years"]
"""


def test_declared_groups_replace_the_default_groups_of_their_inputs():
    case = parse_case(with_groups(STUDY))
    space = prepare(case).space
    assert dict(zip(space.paths, space.groups, strict=True)) == {
        "effect.effect": "study",
        "persistence.full_years": "study",
        "costs.programme.amount": "costs",
        "consequences.saving.change": "consequences",
        "consequences.saving.price.stat": "prices",
    }
    assert sobol(case, n=256, groups=True).names == ("study", "costs", "consequences", "prices")
    assert voi(case, draws=1000, groups=True).names == ("study", "costs", "consequences", "prices")


@pytest.mark.parametrize(
    ("groups", "path", "message"),
    [
        (
            '[[groups]]\nname = "a"\ninputs = ["effect.efect"]',
            "groups[1].inputs",
            'no input "effect.efect"',
        ),
        (
            '[[groups]]\nname = "a"\ninputs = ["economy.discount_rate"]',
            "groups[1].inputs",
            "is a fixed number; only uncertain inputs (distributions) can be grouped",
        ),
        (
            '[[groups]]\nname = "a"\ninputs = ["effect.effect"]\n[[groups]]\nname = "b"\ninputs = ["effect.effect"]',
            "groups[2].inputs",
            'already in group "a"',
        ),
        (
            '[[groups]]\nname = "prices"\ninputs = ["effect.effect"]',
            "groups[1].name",
            "is a default group",
        ),
        (
            '[[groups]]\nname = "a"\ninputs = ["effect.effect"]\n[[groups]]\nname = "a"\ninputs = ["costs.programme.amount"]',
            "groups[2].name",
            "already used by groups[1]",
        ),
        ('[[groups]]\nname = "a"\ninputs = []', "groups.a.inputs", "at least 1 item"),
        (
            '[[groups]]\nname = "Effekt studie"\ninputs = ["effect.effect"]',
            "groups[1].name",
            "only lower-case letters",
        ),
        (
            '[[groups]]\nname = "a"\ninputs = ["effect.effect"]\nmembers = 2',
            "groups.a.members",
            "unknown key; allowed here: name, label, inputs",
        ),
    ],
)
def test_bad_groups_are_refused_with_their_key_path(groups, path, message):
    with pytest.raises(CaseError) as error:
        parse_case(with_groups("\n" + groups + "\n"))
    text = str(error.value)
    assert f"{path}:" in text and message in text, text
