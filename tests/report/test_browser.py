"""A real browser renders the report: Debian's Chromium, headless, takes a screenshot.

The CI script (.ci/run) installs Chromium and sets SOMRISK_REQUIRE_BROWSER=1, so there the test
cannot be skipped; on a machine without Chromium it is skipped with a reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from somrisk import example_case_path

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> str:
    if BROWSER is None:
        if os.environ.get("SOMRISK_REQUIRE_BROWSER"):
            pytest.fail("SOMRISK_REQUIRE_BROWSER is set but no chromium was found")
        pytest.skip("no chromium on this machine (.ci/run installs Debian's package)")
    return BROWSER


@pytest.mark.parametrize("lang", ["da", "en"])
def test_chromium_renders_the_report_without_console_errors(browser, tmp_path, lang):
    from matplotlib.image import imread

    from somrisk.runner import report

    page = report(example_case_path(), out=tmp_path / "report.html", lang=lang, draws=2000).path
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,3000",
            f"--screenshot={shot}",
            "--enable-logging=stderr",
            "--v=0",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    pixels = imread(shot)[..., :3]
    ink = np.mean(pixels.min(axis=-1) < 0.9)  # share of pixels that are not (nearly) white
    assert ink > 0.03, f"the page looks blank: {ink:.1%} of its pixels are not white"


def test_the_console_check_would_see_an_error(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<html><body><p>x</p><script>console.error("boom")</script></body></html>')
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={tmp_path / 'bad.png'}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert any("CONSOLE" in line and "boom" in line for line in done.stderr.splitlines())
