"""What a command wrote, said in the chosen `--lang` (default: the locale's), on stdout beside the
tables or on stderr where stdout holds only JSON; the JSON the same in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from somrisk import example_case_path
from somrisk.testing import ONE_CONSEQUENCE, minimal_case

EXAMPLE = str(example_case_path())
DANISH = {"LANG": "da_DK.UTF-8"}
GAINS = ONE_CONSEQUENCE


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


@pytest.mark.parametrize(
    ("lang", "cube", "workbook"),
    [
        ("da", "Resultatkuben er skrevet til {}", "Regnearket med resultaterne er skrevet til {}"),
        ("en", "Cube written to {}", "Workbook written to {}"),
    ],
)
def test_run_says_what_it_wrote_in_the_language(cli, tmp_path, lang, cube, workbook):
    nc, xlsx = tmp_path / "r.nc", tmp_path / "r.xlsx"
    result = cli("run", "--draws", "200", "--out", nc, "--xlsx", xlsx, "--lang", lang)
    assert result.code == 0, result.stderr
    assert lines(result.stdout)[-2:] == [cube.format(nc), workbook.format(xlsx)]
    assert nc.exists() and xlsx.exists()


def test_run_follows_the_locale_and_json_says_nothing(cli, tmp_path):
    nc = tmp_path / "r.nc"
    result = cli("run", "--draws", "200", "--out", nc, env=DANISH)
    assert f"Resultatkuben er skrevet til {nc}" in lines(result.stdout)
    quiet = cli("run", "--draws", "200", "--out", tmp_path / "j.nc", "--json", env=DANISH)
    assert quiet.code == 0 and json.loads(quiet.stdout)["draws"] == 200  # nothing but JSON
    assert "skrevet" not in quiet.stdout + quiet.stderr


@pytest.mark.parametrize(
    ("lang", "said"), [("da", "Figuren er skrevet til {}"), ("en", "Chart written to {}")]
)
def test_a_chart_is_announced_in_the_language_on_stdout_or_beside_the_json(cli, tmp_path, lang, said):
    plot = tmp_path / "tornado.png"
    table = cli("tornado", EXAMPLE, "--plot", plot, "--lang", lang)
    assert table.code == 0, table.stderr
    assert said.format(plot) in lines(table.stdout)
    document = cli("tornado", EXAMPLE, "--json")
    with_plot = cli("tornado", EXAMPLE, "--plot", tmp_path / "again.png", "--json", "--lang", lang)
    assert with_plot.stdout == document.stdout  # stdout stays pure JSON
    assert said.format(tmp_path / "again.png") in lines(with_plot.stderr)


def test_evsi_and_breakeven_charts_are_announced_in_danish(cli, tmp_path):
    evsi = tmp_path / "evsi.svg"
    args = ("--input", "effect.success_rate", "--n", "20,80", "--draws", "1000")
    result = cli("evsi", EXAMPLE, *args, "--plot", evsi, "--lang", "da")
    assert result.code == 0, result.stderr
    assert f"Figuren er skrevet til {evsi}" in lines(result.stdout)
    breakeven = tmp_path / "breakeven.png"
    result = cli("breakeven", EXAMPLE, "--draws", "300", "--plot", breakeven, env=DANISH)
    assert result.code == 0, result.stderr
    assert f"Figuren er skrevet til {breakeven}" in lines(result.stdout)


@pytest.mark.parametrize(
    ("lang", "comparison", "chart"),
    [
        ("da", "Sammenligningen er skrevet til {}", "Figuren er skrevet til {}"),
        ("en", "Comparison written to {}", "Chart written to {}"),
    ],
)
def test_compare_says_what_it_wrote_in_the_language(cli, write_case, tmp_path, lang, comparison, chart):
    small = write_case(minimal_case(cohorts="[10]", consequences=GAINS), "lille.toml")
    large = write_case(minimal_case(cohorts="[20]", consequences=GAINS), "stor.toml")
    out, plot = tmp_path / "compare.nc", tmp_path / "compare.png"
    result = cli("compare", small, large, "--draws", "200", "--out", out, "--plot", plot, "--lang", lang)
    assert result.code == 0, result.stderr
    assert comparison.format(out) in lines(result.stdout) and chart.format(plot) in lines(result.stdout)
    as_json = cli(
        "compare", small, large, "--draws", "200", "--out", tmp_path / "j.nc", "--json", "--lang", lang
    )
    assert json.loads(as_json.stdout)  # nothing but JSON on stdout
    assert comparison.format(tmp_path / "j.nc") in lines(as_json.stderr)


def test_portfolio_says_what_it_wrote_in_danish(cli, tmp_path):
    (tmp_path / "a.toml").write_text(minimal_case(consequences=GAINS), encoding="utf-8")
    path = tmp_path / "portfolio.toml"
    path.write_text('[portfolio]\nname = "P"\ncases = ["a.toml"]\n', encoding="utf-8")
    out = tmp_path / "p.nc"
    result = cli("portfolio", path, "--draws", "200", "--out", out, "--lang", "da")
    assert result.code == 0, result.stderr
    assert lines(result.stdout)[-1] == f"Resultatkuben er skrevet til {out}"
    english = cli("portfolio", path, "--draws", "200", "--out", tmp_path / "e.nc")
    assert lines(english.stdout)[-1] == f"Cube written to {tmp_path / 'e.nc'}"


@pytest.mark.parametrize(
    ("lang", "template", "workbook", "case"),
    [
        (
            "da",
            "Skabelonen er skrevet til {}",
            "Sagens regneark er skrevet til {}",
            "Sagen er skrevet til {}",
        ),
        ("en", "Template written to {}", "Workbook written to {}", "Case written to {}"),
    ],
)
def test_case_workbook_commands_say_what_they_wrote(cli, tmp_path, lang, template, workbook, case):
    empty, exported, imported = tmp_path / "tom.xlsx", tmp_path / "sag.xlsx", tmp_path / "sag.toml"
    assert lines(cli("excel", "template", empty, "--lang", lang).stdout) == [template.format(empty)]
    assert lines(cli("excel", "export", EXAMPLE, exported, "--lang", lang).stdout) == [
        workbook.format(exported)
    ]
    assert lines(cli("excel", "import", exported, imported, "--lang", lang).stdout) == [case.format(imported)]
    imported.write_text("# my own notes\n" + imported.read_text(encoding="utf-8"), encoding="utf-8")
    again = cli("excel", "import", exported, imported, "--force", "--lang", lang)
    note = (
        " (den erstattede en fil med kommentarer; et regneark gemmer dem ikke)"
        if lang == "da"
        else " (it replaced a file with comments; a workbook does not keep them)"
    )
    assert lines(again.stdout) == [case.format(imported) + note]


def test_the_case_workbook_commands_follow_the_locale(cli, tmp_path):
    empty = tmp_path / "tom.xlsx"
    assert lines(cli("excel", "template", empty, env=DANISH).stdout) == [f"Skabelonen er skrevet til {empty}"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--lang", "da"), "skrev {0}: udfyld TODO'erne, og kør derefter somrisk check {0}"),
        (("--lang", "en"), "wrote {0}: fill in the TODOs, then run somrisk check {0}"),
        ((), "wrote {0}: fill in the TODOs, then run somrisk check {0}"),
    ],
)
def test_new_says_what_it_wrote(cli, tmp_path, args, said):
    out = tmp_path / "mentor.toml"
    result = cli("new", "Mentorordning", "--out", out, "--start-year", "2026", *args)
    assert result.code == 0, result.stderr
    assert " ".join(result.stdout.split()) == said.format(out)
    assert Path(out).exists()


def test_progress_and_spinners_name_their_step_in_the_language(monkeypatch, cli, tmp_path):
    import somrisk.cli.render as render

    steps: list[str] = []
    bars: list[tuple[str, str]] = []

    class Spinner(render.Working):
        def __init__(self, console, what, delay=1.0):
            steps.append(what)
            super().__init__(console, what, delay)

    class Bar(render.ProgressBar):  # records the words each bar shows
        def __init__(self, console, delay=1.0, after=None, **named):
            super().__init__(console, delay, after, **named)
            bars.append((self.label, self.unit))

    monkeypatch.setattr(render, "Working", Spinner)
    monkeypatch.setattr(render, "ProgressBar", Bar)
    assert cli("sobol", EXAMPLE, "--n", "64", "--groups", "--second-order", "--lang", "da").code == 0
    assert cli("tornado", EXAMPLE, env=DANISH).code == 0
    assert cli("tornado", EXAMPLE, "--lang", "en").code == 0
    assert steps == [
        "Sobol-indeks, også anden orden",
        "Tornado: ét input ad gangen",
        "Tornado: one input at a time",
    ]
    assert cli("run", "--draws", "100", "--out", tmp_path / "r.nc", "--lang", "da").code == 0
    assert bars == [("Simulerer", "trækninger"), ("Skriver regnearket", "trækninger")]
    assert steps[-1] == "Skriver resultatkuben"  # the spinner after the last draw
    bars.clear()
    assert cli("run", "--draws", "100", "--lang", "en").code == 0
    assert bars == [("Simulating", "draws"), ("Writing the workbook", "draws")]


@pytest.mark.parametrize(
    ("lang", "shown"), [("da", "Simulerer 4.096/10.000 trækninger"), ("en", "Simulating 4,096/10,000 draws")]
)
def test_the_bar_counts_in_the_language(lang, shown):
    import io

    from rich.console import Console

    from somrisk.cli.render import ProgressBar
    from somrisk.report.table_words import TableWords

    words = TableWords(lang)
    terminal = Console(file=io.StringIO(), force_terminal=True, width=120)
    bar = ProgressBar(terminal, delay=0.0, label=words["simulating"], unit=words["draws"], lang=lang)
    bar(4096, 10_000)
    bar.close()
    text = " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.file.getvalue()).split())
    label, count = shown.split(" ", 1)
    assert label in text and count in text, text
