"""A what-if's ``set`` and ``scale`` are the command line's ``--set``/``--scale``: the same numbers and
provenance bit for bit, every family scalable where the CLI scales it, and the CLI's problems in the
API's shape (``{"where", "message"}``, 422) at the body's key."""

from __future__ import annotations

import json

import pytest
from serving import PROGRAMME_COST, upload, wait

from somrisk.runner import example_case_path
from somrisk.testing import minimal_case

EXAMPLE = example_case_path().read_bytes()

#: Beta (a rate) scaled, a cost set to a distribution table and a price scaled.
WHAT_IF = {
    "set": {"costs.opstart.amount": {"dist": "pert", "min": 400000.0, "mode": 500000.0, "max": 900000.0}},
    "scale": {"effect.success_rate": 0.75, "consequences.psykiatri.price.region": 1.5},
}


def test_a_what_if_summary_is_the_clis_with_the_same_set_and_scale_bit_for_bit(client, cli, tmp_path):
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    body = {"draws": 2000, "seed": 11, "sampler": "lhs", **WHAT_IF}
    started = client.post(f"/api/cases/{case}/runs", json=body)
    assert started.status_code == 202, started.text
    answer = wait(client, started.json()["run"])
    assert answer["status"] == "done", answer
    file = tmp_path / "youth.toml"
    file.write_bytes(EXAMPLE)
    printed = cli(
        "run", file, "--draws", "2000", "--seed", "11", "--json",
        "--set", 'costs.opstart.amount={dist="pert",min=400000.0,mode=500000.0,max=900000.0}',
        "--scale", "effect.success_rate=0.75",
        "--scale", "consequences.psykiatri.price.region=1.5",
    )  # fmt: skip
    assert printed.code == 0, printed.err
    expected = json.loads(printed.stdout)
    assert answer["summary"] == expected  # every float parsed exactly: bit for bit
    assert answer["summary"]["overrides"] == [
        '--set costs.opstart.amount={dist = "pert", min = 400000.0, mode = 500000.0, max = 900000.0}',
        "--scale effect.success_rate=0.75",
        "--scale consequences.psykiatri.price.region=1.5",
    ]


def test_a_run_without_what_ifs_has_no_overrides_in_its_summary(client):
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    run = client.post(f"/api/cases/{case}/runs", json={"draws": 200}).json()["run"]
    assert "overrides" not in wait(client, run)["summary"]


#: Hand-checked: 10 participants, effect 0.1 (a rate), one cost U(900, 1100) in year 0.
TOY = minimal_case(effect="0.1", cohorts="[10]", horizon=2, costs=PROGRAMME_COST)


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        ({"set": {"effect.nothing": 1}}, "set.effect.nothing", "did you mean 'effect.effect'"),
        ({"scale": {"effect.effekt": 2}}, "scale.effect.effekt", "did you mean 'effect.effect'"),
        ({"set": {"effect.effect": "high"}}, "set.effect.effect", 'found "high"'),
        ({"set": {"effect.effect": 7.0}}, "set.effect.effect", "found 7.0"),
        ({"scale": {"participants.cohorts.0": -1}}, "scale.participants.cohorts.0", ""),  # < 0
        ({"scale": {"effect.effect": 20}}, "scale.effect.effect", ""),  # 0.1 x 20 is outside [-1, 1]
        ({"scale": {"costs.programme.amount": float("inf")}}, "scale.costs.programme.amount", "finite"),
        ({"set": {"effect.effect": {"dist": "pert", "min": 0.3, "mode": 0.2, "max": 0.4}}},
         "set.effect.effect", ""),
        ({"scale": [1]}, "scale", "object"),
    ],
)  # fmt: skip
def test_the_clis_problems_are_422_at_the_bodys_key(client, body, where, words):
    case = upload(client, "toy.toml", TOY.encode()).json()["id"]
    answer = client.post(f"/api/cases/{case}/runs", content=json.dumps(body).replace("Infinity", "1e999"))
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert [e["where"] for e in errors] == [where] or where in [e["where"] for e in errors]
    assert any(words in e["message"] for e in errors if e["where"] == where)
    assert all(set(e) == {"where", "message"} for e in errors)


def test_scale_zero_is_allowed_as_the_cli_allows_it(client):
    """The cost scaled by 0 is 0 in every draw: NPV = - 0 + nothing else = 0 exactly."""
    case = upload(client, "toy.toml", TOY.encode()).json()["id"]
    run = client.post(f"/api/cases/{case}/runs", json={"draws": 64, "scale": {"costs.programme.amount": 0}})
    assert run.status_code == 202, run.text
    npv = wait(client, run.json()["run"])["summary"]["npv"]["total"]
    assert npv["mean"] == pytest.approx(0.0, abs=1e-9) and npv["sd"] == pytest.approx(0.0, abs=1e-9)
