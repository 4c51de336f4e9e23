"""How the CLI behaves when things go wrong, and its progress bar."""

from __future__ import annotations

import io
import math

import pytest
from rich.console import Console

from somrisk.cli.render import ProgressBar
from somrisk.errors import Problem, format_value


def test_ctrl_c_exits_130_with_a_message(cli, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("somrisk.runner.run", interrupted)
    result = cli("run")
    assert result.code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.stderr


def test_an_unexpected_error_exits_1_without_a_traceback(cli, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("somrisk.runner.run", broken)
    result = cli("run")
    assert result.code == 1
    assert "internal error: RuntimeError: disk on fire" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.filterwarnings("default")  # as outside the test suite: warnings are not errors
def test_warnings_go_to_stderr_and_the_run_succeeds(cli):
    result = cli("run", "--draws", "100", "--sampler", "sobol", "--json")
    assert result.code == 0
    assert "warning:" in result.stderr and "power of two" in result.stderr
    assert result.stdout.lstrip().startswith("{")


def test_messages_with_brackets_are_printed_as_written(cli, write_case):
    path = write_case(
        '[case]\nname = "x"\nstart_year = 2025\n[participants]\ncohorts = [1]\n'
        '[effect]\neffect = { dist = "pert", min = 0.1, mode = 0.5, max = 0.3 }\n'
    )
    result = cli("check", path)
    assert result.code == 2
    assert "must lie in [min, max] = [0.1, 0.3]" in result.stderr


def test_version(cli):
    result = cli("--version")
    assert result.code == 0 and result.stdout.startswith("somrisk ")


def test_problem_text_names_file_path_message_and_value():
    problem = Problem("case.toml", "costs.opstart.amount.sd", "must be greater than 0", -1.5)
    assert str(problem) == "case.toml: costs.opstart.amount.sd: must be greater than 0 (found -1.5)"
    missing = Problem("case.toml", "case.name", "required key is missing")
    assert str(missing) == "case.toml: case.name: required key is missing"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (math.nan, "nan"),
        (-math.inf, "-inf"),
        (True, "true"),
        ('a"b', '"a\\"b"'),
        ({"dist": "normal", "sd": 1}, '{dist = "normal", sd = 1}'),
        ([1, 2.5], "[1, 2.5]"),
    ],
)
def test_values_are_shown_as_they_look_in_toml(value, text):
    assert format_value(value) == text


def test_progress_bar_appears_only_after_the_delay():
    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    quick = ProgressBar(console, delay=60.0)
    quick(10, 100)
    assert quick.bar is None
    slow = ProgressBar(console, delay=0.0)
    slow(10, 100)
    assert slow.bar is not None
    slow(100, 100)
    slow.close()
    assert "draws" in console.file.getvalue()
