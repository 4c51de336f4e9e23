"""File names longer than the file system allows (ENAMETOOLONG), as a case to read or an output.

A case file named with 5,000 characters was "cannot be read: File name too long" with the whole
name in the message; an output of that name (``--out``, ``--xlsx``, ``report --out``, ``excel
import``) was an internal error (exit 1) from ``Path.is_dir``, and one a little shorter than the
limit failed after the whole run, at its temporary name. Now each is exit 2 before any work, with
one message naming the shortened name and the limit (docs/reliability.md, "Limits stated up front").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import somrisk.engine.alternatives
import somrisk.engine.run
from somrisk._files import TEMPORARY_EXTRA, name_problem, shown_path
from somrisk.runner import example_case_path

CASE = example_case_path()
NAME_MAX = os.pathconf("/tmp", "PC_NAME_MAX")
PATH_MAX = os.pathconf("/tmp", "PC_PATH_MAX")


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call of the engine's run loop, recorded instead of run."""
    started: list[object] = []
    for module in (somrisk.engine.run, somrisk.engine.alternatives):
        monkeypatch.setattr(module, "execute", lambda *args, **kwargs: started.append(args))
    return started


@pytest.mark.parametrize("suffix", [".toml", ".xlsx"])
@pytest.mark.parametrize("command", ["run", "check"])
def test_a_case_file_name_of_5000_characters_is_exit_2_with_its_name_shortened(
    cli, tmp_path, command, suffix
):
    name = tmp_path / ("a" * 5000 + suffix)
    result = cli(command, name)
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    [line] = _errors(result.stderr)
    shown = shown_path(name)
    assert shown.startswith(str(tmp_path)[:20]) and shown.endswith("a" * 30 + suffix)
    assert f"...({len(str(name)) - 80:,} characters)..." in shown
    expected = f"the file name is too long: {5000 + len(suffix):,} bytes, where the file system allows at most {NAME_MAX}"
    assert line == f"error: {shown}: cannot be read: {expected} bytes in a name"
    assert len(line) < 300


def test_a_folder_name_too_long_and_a_path_too_long_are_named(cli, tmp_path):
    folder = "d" * (NAME_MAX + 1)
    result = cli("run", tmp_path / folder / "case.toml")
    assert result.code == 2
    [line] = _errors(result.stderr)
    assert f"cannot be read: the folder name '{'d' * 10}...({NAME_MAX + 1 - 20:,} characters)..." in line
    assert f"is too long: {NAME_MAX + 1:,} bytes" in line
    # every part allowed, the whole path not: 17 folders of 250 characters
    deep = tmp_path.joinpath(*["p" * 250] * 17, "case.toml")
    result = cli("check", deep)
    [line] = _errors(result.stderr)
    size = len(os.fsencode(str(deep)))
    assert result.code == 2 and line.endswith(
        f"cannot be read: the path is too long: {size:,} bytes, where at most {PATH_MAX - 1:,} are possible "
        "on this file system"
    )


OUTPUTS = {
    "run --out .nc": ("run", CASE, "--draws", "10", "--out", "{}.nc"),
    "run --out .zarr": ("run", CASE, "--draws", "10", "--out", "{}.zarr"),
    "run --xlsx": ("run", CASE, "--draws", "10", "--xlsx", "{}.xlsx"),
    "report --out": ("report", CASE, "--draws", "10", "--out", "{}.html"),
    "compare --out": ("compare", CASE, "OTHER", "--draws", "10", "--out", "{}.nc"),
    "tornado --plot": ("tornado", CASE, "--plot", "{}.png"),
    "excel template": ("excel", "template", "{}.xlsx"),
    "excel import": ("excel", "import", "WORKBOOK", "{}.toml"),
}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from somrisk.io.excel import export_case

    return export_case(CASE, tmp_path_factory.mktemp("workbook") / "case.xlsx")


@pytest.mark.parametrize("length", [5000, NAME_MAX - 10])
@pytest.mark.parametrize("output", list(OUTPUTS))
def test_an_output_name_too_long_is_refused_before_any_work(
    cli, tmp_path, workbook, no_simulation, output, length
):
    """A name the file system refuses, and one it takes but not with the temporary name's 40-odd
    bytes more (which failed after the run): exit 2 before the run loop, nothing written."""
    other = tmp_path / "other.toml"
    other.write_bytes(CASE.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    stem = str(out / ("n" * length))
    given = {"WORKBOOK": str(workbook), "OTHER": str(other)}
    args = [given.get(a, a.format(stem)) if isinstance(a, str) else a for a in OUTPUTS[output]]
    target = args[-1]
    suffix = Path(target).suffix
    result = cli(*args)
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    [line] = _errors(result.stderr)
    most = NAME_MAX - TEMPORARY_EXTRA - len(suffix)
    assert (
        f"'{shown_path(target)}': the file name is too long: {length + len(suffix):,} bytes, where at most {most}"
        in line
    )
    assert no_simulation == []
    assert list(out.iterdir()) == []


def test_the_longest_name_allowed_is_written(cli, tmp_path):
    """The limit is exact: a name (with its suffix) of NAME_MAX - 42 - len(suffix) bytes is written (its
    temporary name is NAME_MAX bytes long), one byte more is refused. Bytes, not characters: ø is two."""
    most = NAME_MAX - TEMPORARY_EXTRA - len(".xlsx")
    stem = most - len(".xlsx")
    fits = tmp_path / ("ø" * ((stem - 1) // 2) + "a" * ((stem - 1) % 2 + 1) + ".xlsx")
    assert len(os.fsencode(fits.name)) == most
    result = cli("excel", "template", fits)
    assert result.code == 0, result.stderr
    assert fits.exists()
    over = tmp_path / ("ø" + fits.name)
    result = cli("excel", "template", over)
    assert result.code == 2 and "the file name is too long" in result.stderr
    assert not over.exists()


def test_name_problem_is_none_for_ordinary_names(tmp_path):
    assert name_problem(tmp_path / "case.toml") is None
    assert name_problem(tmp_path / "missing-folder" / "case.toml") is None
    assert name_problem("relative.toml", temporary=TEMPORARY_EXTRA) is None


def test_compare_of_two_files_of_one_long_name_shows_them_shortened(cli, tmp_path):
    name = tmp_path / ("a" * 5000 + ".toml")
    other = tmp_path / "other" / name.name
    result = cli("compare", name, other)
    assert result.code == 2
    [line] = _errors(result.stderr)
    assert line == (
        f"error: {shown_path(name)!r} and {shown_path(other)!r} have the same name "
        f"{shown_path('a' * 5000)!r}; "
        "alternatives are named by their file's stem (or name, where stems are the same), so rename one"
    )
