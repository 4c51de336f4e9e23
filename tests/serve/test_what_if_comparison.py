"""The what-if page compares the what-if with its base on common random numbers: the numbers are
``somrisk compare BASE.toml WHAT_IF.toml --json``'s for the same two cases (the what-if written as
an edited file), and a hand-checked case shows the draw-by-draw pairing."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import tomli_w
from serving import FIXED_COST, wait

from somrisk.runner import example_case_path

HTML = {"accept": "text/html"}


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def upload_page(client, name: str, data: bytes) -> tuple[str, str]:
    csrf = csrf_of(client.get("/", headers=HTML))
    answer = client.post("/cases", data={"csrf": csrf}, files={"case": (name, data)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"], csrf


def base_and_what_if(client, location, csrf, form, what_if) -> tuple[str, str]:
    answer = client.post(location + "/runs", data={"csrf": csrf, **form}, follow_redirects=False)
    base = answer.headers["location"].rsplit("/", 1)[1]
    assert wait(client, base)["status"] == "done"
    answer = client.post(
        location + "/runs", data={"csrf": csrf, "base": base, **what_if}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return base, answer.headers["location"].rsplit("/", 1)[1]


def test_the_comparison_is_somrisk_compares_for_the_same_two_cases(client, cli, tmp_path):
    data = example_case_path().read_bytes()
    location, csrf = upload_page(client, "youth.toml", data)
    form = {"draws": "2000", "seed": "3", "sampler": "lhs"}
    what_if = {"input": "costs.gruppeforloeb.amount", "kind": "set", "value": "60000"}
    _, run = base_and_what_if(client, location, csrf, form, what_if)
    answer = wait(client, run)
    assert answer["status"] == "done", answer
    shown = answer["comparison"]

    edited = tomllib.loads(data.decode("utf-8"))  # the what-if as an edited file
    next(c for c in edited["costs"] if c["name"] == "gruppeforloeb")["amount"] = 60000.0
    (tmp_path / "base.toml").write_bytes(data)
    (tmp_path / "whatif.toml").write_text(tomli_w.dumps(edited), encoding="utf-8")
    printed = cli(
        "compare", tmp_path / "base.toml", tmp_path / "whatif.toml",
        "--draws", "2000", "--seed", "3", "--sampler", "lhs", "--json",
    )  # fmt: skip
    assert printed.code == 0, printed.err
    expected = json.loads(printed.stdout)
    assert shown["difference"]["what-if"] == expected["difference"]["whatif"]  # bit for bit
    assert shown["npv"]["base"] == expected["npv"]["base"]
    assert shown["npv"]["what-if"] == expected["npv"]["whatif"]
    assert shown["overrides"] == {"what-if": ["--set costs.gruppeforloeb.amount=60000.0"]}

    page = client.get(f"/runs/{run}", headers=HTML).text
    assert "Forskel til basis" in page and "Sandsynlighed for at slå basis" in page
    for label, stats in shown["difference"]["what-if"].items():
        cell = re.search(rf'data-label="{re.escape(label)}">([\d,]+) %', page).group(1)
        assert float(cell.replace(",", ".")) == round(stats["prob_positive"] * 100, 1)


TOY = FIXED_COST


def test_the_difference_is_taken_draw_by_draw(client):
    """Doubling the cost: what-if - base = -X in every draw (common random numbers), so the 5-95 %
    interval is U(900, 1100)'s, [-1090, -910], P(beats the base) is 0, and the mean is -1,000;
    independent draws would give the wider interval of a difference of two uniforms."""
    location, csrf = upload_page(client, "toy.toml", TOY.encode())
    form = {"draws": "4096", "seed": "2", "sampler": "sobol"}
    what_if = {"input": "costs.programme.amount", "kind": "scale", "value": "2"}
    _, run = base_and_what_if(client, location, csrf, form, what_if)
    difference = wait(client, run)["comparison"]["difference"]["what-if"]
    for label in ("total", "kommune"):
        stats = difference[label]
        assert stats["mean"] == pytest.approx(-1000.0, abs=0.5)
        assert stats["p05"] == pytest.approx(-1090.0, abs=0.5)
        assert stats["p95"] == pytest.approx(-910.0, abs=0.5)
        assert stats["prob_positive"] == 0.0


def test_a_run_without_a_base_has_no_comparison(client):
    location, csrf = upload_page(client, "toy.toml", TOY.encode())
    answer = client.post(location + "/runs", data={"csrf": csrf, "draws": "100"}, follow_redirects=False)
    run = answer.headers["location"].rsplit("/", 1)[1]
    assert "comparison" not in wait(client, run)
    assert 'class="difference"' not in client.get(f"/runs/{run}", headers=HTML).text


SCENARIOS = """
[[scenarios]]
name = "Dobbelt pris"
scale = { "costs.programme.amount" = 2 }

[[scenarios]]
name = "Fast pris"
set = { "costs.programme.amount" = 1000 }
"""


def test_the_case_page_shows_the_scenarios_and_runs_them_as_somrisk_scenarios(client, cli, tmp_path):
    text = TOY + SCENARIOS
    location, csrf = upload_page(client, "toy.toml", text.encode())
    page = client.get(location, headers=HTML).text
    assert 'id="scenarios"' in page and "Dobbelt pris" in page and "Fast pris" in page
    assert "gang med 2" in page and "sæt til 1000" in page
    form = {"csrf": csrf, "scenarios": "1", "draws": "1024", "seed": "4", "sampler": "sobol"}
    answer = client.post(location + "/runs", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    run = answer.headers["location"].rsplit("/", 1)[1]
    shown = wait(client, run)["comparison"]

    (tmp_path / "toy.toml").write_text(text, encoding="utf-8")
    printed = cli(
        "scenarios", tmp_path / "toy.toml", "--draws", "1024", "--seed", "4", "--sampler", "sobol", "--json"
    )
    assert printed.code == 0, printed.err
    assert shown == json.loads(printed.stdout)  # bit for bit
    # hand-checked: doubling costs -X per draw; a fixed 1,000 differs from U(900, 1100) by 1000 - X
    assert shown["difference"]["Dobbelt pris"]["total"]["prob_positive"] == 0.0
    assert shown["difference"]["Fast pris"]["total"]["mean"] == pytest.approx(0.0, abs=0.5)
    assert shown["difference"]["Fast pris"]["total"]["prob_positive"] == pytest.approx(0.5, abs=0.01)

    page = client.get(f"/runs/{run}", headers=HTML).text
    assert "Scenarie «Dobbelt pris»" in page and "Scenarie «Fast pris»" in page
    assert "Scenarier: Dobbelt pris, Fast pris" in client.get(location, headers=HTML).text


def test_running_scenarios_of_a_case_without_any_is_refused(client):
    location, csrf = upload_page(client, "toy.toml", TOY.encode())
    assert 'id="scenarios"' not in client.get(location, headers=HTML).text
    answer = client.post(location + "/runs", data={"csrf": csrf, "scenarios": "1"}, follow_redirects=False)
    assert answer.status_code == 422
    assert "[[scenarios]]" in answer.text


def api_upload(client, text: str) -> str:
    return client.post("/api/cases", files={"case": ("toy.toml", text.encode())}).json()["id"]


def test_the_api_takes_a_base_run_and_the_scenarios_as_the_pages_do(client):
    case = api_upload(client, TOY + SCENARIOS)
    base = client.post(f"/api/cases/{case}/runs", json={"draws": 512, "seed": 9, "sampler": "sobol"})
    assert wait(client, base.json()["run"])["status"] == "done"
    body = {"base": base.json()["run"], "scale": {"costs.programme.amount": 2}}
    what_if = client.post(f"/api/cases/{case}/runs", json=body)
    assert what_if.status_code == 202, what_if.text
    answer = wait(client, what_if.json()["run"])
    assert (answer["summary"]["draws"], answer["summary"]["seed"]) == (512, 9)  # the base's
    assert answer["comparison"]["difference"]["what-if"]["total"]["prob_positive"] == 0.0
    scenarios = client.post(f"/api/cases/{case}/runs", json={"draws": 256, "scenarios": True})
    assert scenarios.status_code == 202, scenarios.text
    compared = wait(client, scenarios.json()["run"])["comparison"]
    assert compared["alternatives"] == ["base", "Dobbelt pris", "Fast pris"]


def test_a_bad_base_or_scenarios_is_422_naming_the_key(server):
    client = server(max_running=1)
    case, other = api_upload(client, TOY), api_upload(client, TOY + SCENARIOS)
    done = client.post(f"/api/cases/{case}/runs", json={"draws": 64}).json()["run"]
    elsewhere = client.post(f"/api/cases/{other}/runs", json={"draws": 64}).json()["run"]
    wait(client, done), wait(client, elsewhere)
    going = client.post(f"/api/cases/{case}/runs", json={"draws": 1_000_000}).json()["run"]
    for body, where in (
        ({"base": "0123456789abcdef"}, "base"),  # no such run
        ({"base": elsewhere}, "base"),  # a run of another case
        ({"base": going}, "base"),  # not finished
        ({"base": 7}, "base"),
        ({"base": done, "draws": 65}, "draws"),  # not the base's numbers
        ({"base": done, "sampler": "mc"}, "sampler"),
        ({"scenarios": "yes"}, "scenarios"),
        ({"scenarios": True}, "scenarios"),  # the case has none
        ({"scenarios": True, "base": done}, "base"),
    ):
        answer = client.post(f"/api/cases/{case}/runs", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert where in [e["where"] for e in answer.json()["errors"]], (body, answer.json())
    client.post(f"/api/runs/{going}/cancel")
    wait(client, going)
