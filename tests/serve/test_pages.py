"""The pages, as a browser without script uses them: start, upload, errors, case, run, results,
what-if, downloads and history; Danish by default, English on request."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from serving import wait

from somrisk.runner import example_case_path

EXAMPLE = example_case_path().read_bytes()
HTML = {"accept": "text/html"}


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def example_case(client) -> tuple[str, str]:
    csrf = csrf_of(client.get("/", headers=HTML))
    answer = client.post("/cases/example", data={"csrf": csrf}, follow_redirects=False)
    return answer.headers["location"], csrf


def test_start_page_offers_the_example_the_template_and_an_upload_in_danish(client):
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert 'lang="da"' in page.text and "Start med eksemplet" in page.text
    assert 'enctype="multipart/form-data"' in page.text
    english = client.get("/?lang=en", headers=HTML)
    assert "Start from the example" in english.text
    assert "Start from the example" in client.get("/", headers=HTML).text  # the choice is kept
    template = client.get("/template.xlsx")
    assert template.status_code == 200
    assert "Hjælp" in load_workbook(io.BytesIO(template.content)).sheetnames


def test_an_invalid_upload_lists_each_problem_with_its_place(client):
    csrf = csrf_of(client.get("/", headers=HTML))
    bad = EXAMPLE.replace(b"discount_rate = 0.035", b"discount_rate = 3.5")
    page = client.post("/cases", data={"csrf": csrf}, files={"case": ("bad.toml", bad)})
    assert page.status_code == 422
    assert "economy.discount_rate" in page.text and "Casen kan ikke bruges" in page.text


def test_the_case_page_shows_inputs_with_density_charts_and_downloads(client):
    location, _ = example_case(client)
    page = client.get(location, headers=HTML)
    assert page.status_code == 200
    assert "Gruppeforløb for unge med hashmisbrug" in page.text
    assert "effect.success_rate" in page.text and "beta(" in page.text
    charts = re.findall(r'src="(/cases/[0-9a-f]+/density/\d+\.svg)"', page.text)
    assert len(charts) >= 10
    svg = client.get(charts[0])
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<?xml") and "<svg" in svg.text
    fixed = location + "/density/27.svg"  # economy.price_growth: a number, no chart
    assert client.get(fixed).status_code == 404
    toml = client.get(location + "/case.toml")
    assert toml.status_code == 200 and toml.content == EXAMPLE
    workbook = client.get(location + "/case.xlsx")
    assert workbook.status_code == 200
    assert "Priser" in load_workbook(io.BytesIO(workbook.content)).sheetnames or workbook.content[:2] == b"PK"


def test_run_results_what_if_and_history(client):
    location, csrf = example_case(client)
    answer = client.post(
        location + "/runs",
        data={"csrf": csrf, "draws": "2000", "seed": "3", "sampler": "lhs"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    run_page = answer.headers["location"]
    run = run_page.rsplit("/", 1)[1]
    summary = wait(client, run)["summary"]
    page = client.get(run_page, headers=HTML)
    shown = re.search(r'id="prob-positive">([\d,]+) %', page.text).group(1)  # Danish: 92,4 %
    assert float(shown.replace(",", ".")) == round(summary["npv"]["total"]["prob_positive"] * 100, 1)
    for year in summary["net_by_year"]:
        assert f"<td>{year}</td>" in page.text
    assert f"/runs/{run}/report?lang=da" in page.text and f"/runs/{run}/workbook" in page.text
    # what if the group course cost 25 % more: a second run with the base's seed and draws
    answer = client.post(
        location + "/runs",
        data={
            "csrf": csrf,
            "base": run,
            "input": "costs.gruppeforloeb.amount",
            "kind": "scale",
            "value": "1,25",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    what_if = answer.headers["location"].rsplit("/", 1)[1]
    scaled = wait(client, what_if)["summary"]
    assert (scaled["seed"], scaled["draws"]) == (3, 2000)
    assert scaled["npv"]["total"]["mean"] < summary["npv"]["total"]["mean"]
    page = client.get(f"/runs/{what_if}", headers=HTML)
    assert "Sammenlignet med basis" in page.text
    history = client.get(location, headers=HTML).text
    assert (
        run in history
        and what_if in history
        and "Gruppeforløb, 16 uger: beløb pr. deltager: gang med 1.25" in history
    )


def test_a_bad_what_if_is_shown_on_the_case_page(client):
    location, csrf = example_case(client)
    page = client.post(location + "/runs", data={"csrf": csrf, "input": "effect.nothing", "value": "2"})
    assert page.status_code == 422
    assert "scale.effect.nothing" in page.text


def test_a_running_run_shows_a_progress_bar_polled_by_a_vendored_script(server):
    client = server(max_running=1)
    location, csrf = example_case(client)
    answer = client.post(location + "/runs", data={"csrf": csrf, "draws": "1000000"}, follow_redirects=False)
    run = answer.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/runs/{run}", headers=HTML)
    assert "<progress" in page.text and f'data-run="{run}"' in page.text
    assert '<script src="/static/poll.js"' in page.text
    script = client.get("/static/poll.js")
    assert script.status_code == 200 and "/api/runs/" in script.text and "http" not in script.text
    client.post(f"/runs/{run}/stop", data={"csrf": csrf})
    assert wait(client, run)["error"] == "cancelled"
