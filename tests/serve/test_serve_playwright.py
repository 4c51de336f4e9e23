"""An analyst's whole visit in a real browser: Playwright drives Debian's Chromium against a real
``somrisk serve`` process on 127.0.0.1. The analyst opens the start page, uploads the example's case
workbook through the upload form, starts a run on the case page, waits while the progress page polls,
reads P(NPV > 0) on the results page (it must be the API summary's) and downloads the report (HTML
with the case's name). No console error, page error or Content-Security-Policy violation may occur.

Playwright is pointed at the system's ``chromium`` (no ``playwright install``: CI has no network). The
test is skipped where Chromium or Playwright is missing, and fails there when SOMRISK_REQUIRE_BROWSER
is set (.ci/run sets it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from somrisk.cli import app
from somrisk.runner import example_case_path

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
#: Milliseconds the browser waits for one step (a page, the run); generous for a loaded machine.
STEP_MS = 120_000
#: Reports every CSP violation of any page or frame to the test (a listener on each new document).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.somriskCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " on " + e.documentURI);
});
"""


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    missing = [] if BROWSER else ["chromium"]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("playwright (pip install -e .[dev])")
    if missing:
        if os.environ.get("SOMRISK_REQUIRE_BROWSER"):
            pytest.fail(f"SOMRISK_REQUIRE_BROWSER is set but {' and '.join(missing)} was not found")
        pytest.skip(f"no {' or '.join(missing)} on this machine (.ci/run installs Debian's chromium)")
    with sync_playwright() as driver:
        yield driver


class Watched:
    """A headless Chromium page that records console errors, page errors and CSP violations."""

    def __init__(self, driver: Any) -> None:
        self.problems: list[str] = []
        self.browser = driver.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        self.context = self.browser.new_context(accept_downloads=True, locale="da-DK")
        self.context.set_default_timeout(STEP_MS)
        self.context.expose_binding(
            "somriskCspViolation", lambda _source, text: self.problems.append(f"CSP: {text}")
        )
        self.context.add_init_script(CSP_WATCH)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location})")

    def close(self) -> None:
        self.context.close()
        self.browser.close()


@pytest.fixture
def watched(playwright: Any) -> Iterator[Watched]:
    browser = Watched(playwright)
    yield browser
    browser.close()


def served(data: Path) -> tuple[subprocess.Popen[str], str]:
    """``somrisk serve --port 0``'s stand-in: a real process on a free port of 127.0.0.1, and its URL."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from somrisk.cli import main; main()", "serve", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if k != "SOMRISK_TOKEN"}
    process = subprocess.Popen(
        [*command, "--data", str(data)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except httpx2.TransportError:
            time.sleep(0.1)
        if process.poll() is not None:
            raise AssertionError(process.communicate()[1])
    process.kill()
    process.communicate()
    raise AssertionError("somrisk serve did not answer within 120 s")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    process, url = served(tmp_path / "data")
    try:
        yield url
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr, stderr[-3000:]


def example_workbook(folder: Path) -> Path:
    """The bundled example written by ``somrisk excel export`` (the command itself, in process)."""
    out = folder / "ungeindsats.xlsx"
    result = CliRunner().invoke(app, ["excel", "export", str(example_case_path()), str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_an_analyst_uploads_runs_reads_and_downloads_in_chromium(watched, server, tmp_path):
    page = watched.page
    workbook = example_workbook(tmp_path)

    page.goto(f"{server}/")
    upload = page.locator('form[action="/cases"]')
    upload.locator('input[type="file"]').set_input_files(workbook)
    with page.expect_navigation():
        upload.locator('button[type="submit"]').click()
    case_id = re.fullmatch(rf"{server}/cases/(\w+)", page.url)
    assert case_id, page.url + page.content()[-3000:]  # a refused post shows its reason
    name = page.locator("h1").inner_text()
    assert name == "Gruppeforløb for unge med hashmisbrug"

    run_form = page.locator(f'form[action="/cases/{case_id.group(1)}/runs"]').first
    run_form.locator('input[name="draws"]').fill("2000")
    run_form.locator('input[name="seed"]').fill("7")
    with page.expect_navigation():
        run_form.locator('button[type="submit"]').click()
    run_id = re.fullmatch(rf"{server}/runs/(\w+)", page.url)
    assert run_id, page.url
    shown = page.locator("#prob-positive").inner_text(timeout=STEP_MS)  # after poll.js reloads

    answer = httpx2.get(f"{server}/api/runs/{run_id.group(1)}", timeout=60).json()
    assert answer["status"] == "done"
    assert (answer["summary"]["draws"], answer["summary"]["seed"]) == (2000, 7)  # the form's values
    expected = f"{answer['summary']['npv']['total']['prob_positive'] * 100:.1f}".replace(".", ",")
    assert shown == f"{expected} %"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rapport (HTML)").click()
    assert download_info.value.suggested_filename == f"somrisk-{run_id.group(1)}-da.html"
    report = Path(download_info.value.path()).read_bytes().decode("utf-8")
    assert report.lstrip().lower().startswith("<!doctype html")
    assert name in report

    assert watched.problems == []


@pytest.mark.slow
def test_the_watch_sees_a_csp_violation_and_a_console_error(watched, server):
    """The journey's check of no problems could not fail if the watch saw nothing: an inline script
    (refused by the page's CSP) and a console error must both be recorded."""
    page = watched.page
    page.goto(f"{server}/")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "1"; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)
    assert any(p.startswith("CSP: script-src") for p in watched.problems), watched.problems
    assert any(p.startswith("console error:") for p in watched.problems), watched.problems
