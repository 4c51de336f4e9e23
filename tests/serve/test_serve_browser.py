"""A real browser (Debian's Chromium, headless) on a real server: the run page's vendored script
polls the API under the Content-Security-Policy, reloads when the run is done, and the results show
P(NPV > 0); no console errors (a CSP violation is one).

Chromium runs with a virtual time budget, so that the page's timers run until the run is done;
the run is queued behind another that the test cancels once the page is polling. The CI script
(.ci/run) installs Chromium and sets SOMRISK_REQUIRE_BROWSER=1; elsewhere the test is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import httpx2
import pytest
from serving import LiveServer

from somrisk.runner import example_case_path

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> str:
    if BROWSER is None:
        if os.environ.get("SOMRISK_REQUIRE_BROWSER"):
            pytest.fail("SOMRISK_REQUIRE_BROWSER is set but no chromium was found")
        pytest.skip("no chromium on this machine (.ci/run installs Debian's package)")
    return BROWSER


def chromium(browser: str, url: str, *flags: str) -> subprocess.Popen[str]:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--enable-logging=stderr",
        "--v=0",
        *flags,
        url,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_the_progress_page_polls_until_the_results_show(browser, tmp_path):
    with LiveServer(tmp_path / "data", max_running=1) as url, httpx2.Client(base_url=url, timeout=60) as http:
        case = http.post("/api/cases", files={"case": ("youth.toml", example_case_path().read_bytes())})
        case_id = case.json()["id"]
        blocker = http.post(f"/api/cases/{case_id}/runs", json={"draws": 1_000_000}).json()["run"]
        run = http.post(f"/api/cases/{case_id}/runs", json={"draws": 2000}).json()["run"]
        assert http.get(f"/api/runs/{run}").json()["status"] == "queued"
        page = chromium(browser, f"{url}/runs/{run}", "--virtual-time-budget=600000", "--dump-dom")
        time.sleep(2)  # the page is loaded and polling
        http.post(f"/api/runs/{blocker}/cancel")
        dom, log = page.communicate(timeout=300)
        summary = http.get(f"/api/runs/{run}").json()["summary"]
    assert page.returncode == 0, log[-2000:]
    assert not [line for line in log.splitlines() if "CONSOLE" in line], log[-2000:]
    shown = re.search(r'id="prob-positive">([\d,]+) %', dom)
    assert shown, dom[-3000:]
    assert float(shown.group(1).replace(",", ".")) == round(summary["npv"]["total"]["prob_positive"] * 100, 1)
    assert f"/runs/{run}/report?lang=da" in dom


@pytest.mark.slow
def test_chromium_shows_the_start_page_without_console_errors(browser, tmp_path):
    with LiveServer(tmp_path / "data") as url:
        page = chromium(browser, f"{url}/", "--dump-dom")
        dom, log = page.communicate(timeout=120)
    assert page.returncode == 0
    assert "Start med eksemplet" in dom
    assert not [line for line in log.splitlines() if "CONSOLE" in line], log[-2000:]
