"""`run --by-year`, `check --json`, case workbooks read directly, files of another kind, defaults in
`--help`, tables at 80 columns and in a pipe, and the spinner of steps without a count."""

from __future__ import annotations

import hashlib
import io
import json
import time
from pathlib import Path

import pytest
import xarray as xr
from rich.console import Console

from somrisk import example_case_path
from somrisk.cli.render import Working

EXAMPLE = str(example_case_path())


def english(x: float) -> str:
    return f"{x:,.0f}"


def danish(x: float) -> str:
    sign = "−" if round(x) < 0 else ""
    return sign + f"{abs(x):,.0f}".replace(",", ".")


def table_rows(text: str) -> dict[str, list[str]]:
    """The cells of each table row that starts with a year or a name, keyed by that first cell."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0]:
            rows[cells[0]] = cells[1:]
    return rows


# --- run --by-year -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "write"), [("en", english), ("da", danish)])
def test_by_year_is_the_mean_undiscounted_net_result_and_the_cumulative_discounted_total(
    cli, tmp_path, lang, write
):
    cube_path = tmp_path / "cube.nc"
    result = cli("run", "--draws", "400", "--by-year", "--out", cube_path, "--lang", lang)
    assert result.code == 0, result.stderr
    with xr.open_dataset(cube_path) as cube:
        net = cube.net.load()  # draw, year, actor: undiscounted
        factor = cube.discount_factor.load()
    # independently of the summary: means over the draws, from the cube
    total = net.sum("actor")
    cumulative = (total * factor).cumsum("year").mean("draw")
    rows = table_rows(result.stdout)
    for year in net.year.values:
        cells = rows[str(int(year))]
        expected = [write(float(net.sel(year=year, actor=a).mean())) for a in net.actor.values]
        expected += [write(float(total.sel(year=year).mean())), write(float(cumulative.sel(year=year)))]
        assert cells == expected, (year, cells, expected)


def test_by_year_with_json_is_refused(cli):
    result = cli("run", "--by-year", "--json")
    assert result.code == 2 and "--by-year" in result.stderr and result.stdout == ""


# --- check --json ------------------------------------------------------------------------------------


def test_check_json_says_what_a_valid_case_holds(cli):
    result = cli("check", EXAMPLE, "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["valid"] is True and document["file"] == EXAMPLE
    assert document["name"] == "Gruppeforløb for unge med hashmisbrug"
    assert document["horizon"] == 10 and document["years"] == [2025, 2034]
    assert document["actors"] == ["kommune", "region", "stat"]
    assert document["uncertain"] == len(document["uncertain_inputs"]) == 23
    entry = next(e for e in document["uncertain_inputs"] if e["path"] == "effect.success_rate")
    assert entry["base"] == pytest.approx(0.48)  # the beta's mean in the case file
    assert set(document) >= {"costs", "consequences", "rank_correlations", "warnings", "intake_years"}
    assert json.loads(cli("check", EXAMPLE, "--json", "--lang", "da").stdout) == document


def test_check_json_lists_every_problem_and_exits_2(cli, write_case):
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    bad = text.replace("horizon = 10", "horizon = -3", 1).replace(
        "discount_rate = 0.035", 'discount_rate = "x"'
    )
    path = write_case(bad)
    result = cli("check", path, "--json")
    assert result.code == 2
    document = json.loads(result.stdout)
    assert document["valid"] is False
    found = {p["key_path"]: p for p in document["problems"]}
    assert found["case.horizon"]["found"] == "-3" and found["case.horizon"]["file"] == str(path)
    assert found["economy.discount_rate"]["found"] == '"x"'
    assert len(result.stderr.strip().splitlines()) == len(document["problems"])  # one line each too


def test_check_json_of_a_missing_file(cli, tmp_path):
    result = cli("check", tmp_path / "nope.toml", "--json")
    assert result.code == 2
    (problem,) = json.loads(result.stdout)["problems"]
    assert "no such file" in problem["message"] and problem["found"] is None


# --- case workbooks and files of another kind --------------------------------------------------------


def workbook_of_the_example(cli, tmp_path) -> Path:
    workbook = tmp_path / "case.xlsx"
    assert cli("excel", "export", EXAMPLE, workbook).code == 0
    return workbook


def test_run_reads_a_case_workbook_as_the_toml_case(cli, tmp_path):
    workbook = workbook_of_the_example(cli, tmp_path)
    from_workbook = cli("run", workbook, "--draws", "300", "--json")
    assert from_workbook.code == 0, from_workbook.stderr
    assert json.loads(from_workbook.stdout) == json.loads(
        cli("run", EXAMPLE, "--draws", "300", "--json").stdout
    )
    assert cli("check", workbook).stdout.startswith(f"OK {workbook}")
    tornado = json.loads(cli("tornado", workbook, "--json").stdout)
    from_toml = json.loads(cli("tornado", EXAMPLE, "--json").stdout)
    assert tornado.pop("case_sha256") == hashlib.sha256(workbook.read_bytes()).hexdigest()
    from_toml.pop("case_sha256")
    assert tornado == from_toml


def test_a_workbook_with_a_bad_cell_is_exit_2_at_that_cell(cli, tmp_path):
    import openpyxl

    workbook = workbook_of_the_example(cli, tmp_path)
    book = openpyxl.load_workbook(workbook)
    sheet = book["Sag"]
    key = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "horizon")
    target = sheet.cell(row=key.row, column=key.column + 1)
    target.value = "ti"
    book.save(workbook)
    result = cli("run", workbook, "--draws", "100")
    assert result.code == 2 and result.stdout == ""
    assert f'sheet "Sag", cell {target.coordinate}' in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def portfolio_file(tmp_path) -> Path:
    path = tmp_path / "portfolio.toml"
    path.write_text(f'[portfolio]\nname = "P"\ncases = ["{Path(EXAMPLE).as_posix()}"]\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "advice"),
    [
        (["run", "{portfolio}"], "this is a portfolio file: use `somrisk portfolio {portfolio}`"),
        (["check", "{portfolio}"], "this is a portfolio file: use `somrisk portfolio"),
        (["tornado", "{portfolio}"], "this is a portfolio file: use `somrisk portfolio"),
        (["portfolio", EXAMPLE], f"this is a case file: use `somrisk run {EXAMPLE}`"),
        (["portfolio", "{tmp}/case.xlsx"], "this is a workbook"),
        (["run", "{tmp}/result.nc"], "this is a result cube: use `somrisk run --reproduce"),
        (["check", "{tmp}/summary.json"], "this is a JSON file"),
        (["excel", "import", EXAMPLE, "{tmp}/out.toml"], "this is a TOML case file: `somrisk excel export"),
        (["excel", "export", "{tmp}/case.xlsx", "{tmp}/out.xlsx"], "this is a workbook"),
        (["run", "{catalog}"], "this is a price catalogue"),
    ],
)
def test_a_file_of_another_kind_is_answered_with_the_right_command(
    cli, tmp_path, portfolio_file, args, advice
):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text('[catalog]\nname = "K"\n\n[[prices]]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "case.xlsx").write_bytes(b"PK")  # the kind is told from the suffix
    names = {"portfolio": str(portfolio_file), "tmp": str(tmp_path), "catalog": str(catalog)}
    result = cli(*(a.format(**names) for a in args))
    assert result.code == 2, result.stdout
    assert advice.format(**names) in result.stderr
    assert not (tmp_path / "out.toml").exists() and not (tmp_path / "out.xlsx").exists()


# --- --help, 80 columns, pipes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "defaults"),
    [
        ("run", ["10000", "lhs", "threads", "all CPUs", "LANG"]),
        ("sobol", ["1024", "npv"]),
        ("tornado", ["0.1", "0.9"]),
        ("morris", ["20", "4"]),
        ("new", ["next year"]),
    ],
)
def test_help_shows_the_defaults(cli, command, defaults):
    result = cli(command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0
    assert "[default:" in result.stdout or "default:" in result.stdout
    for default in defaults:
        assert default in result.stdout, default


@pytest.mark.parametrize(("lang", "write"), [("en", english), ("da", danish)])
def test_numbers_never_wrap_at_80_columns_or_in_a_pipe(cli, lang, write):
    document = json.loads(cli("run", "--draws", "300", "--json").stdout)
    table = cli("run", "--draws", "300", "--lang", lang, env={"COLUMNS": "80"})  # captured: a pipe
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for actor, stats in document["npv"].items():
        for key in ("mean", "p05", "p95"):
            number = write(stats[key])
            assert any(number in line for line in lines), (actor, key, number)
    tornado = cli("tornado", EXAMPLE, "--lang", lang, env={"COLUMNS": "80"})
    tornado_lines = tornado.stdout.splitlines()
    assert max(len(line) for line in tornado_lines) <= 80
    for bar in json.loads(cli("tornado", EXAMPLE, "--json").stdout)["bars"]:
        for key in ("npv_low", "npv_high", "swing"):
            assert any(write(bar[key]) in line for line in tornado_lines), (bar["input"], key)
    assert "…" not in table.stdout + tornado.stdout  # nothing cut short either


def test_a_long_label_folds_and_the_numbers_stay_whole_in_a_narrow_console():
    from somrisk.cli.render import summary_table
    from somrisk.runner import run

    summary = run(None, draws=200).summary
    for width in (80, 72):
        console = Console(file=io.StringIO(), width=width, force_terminal=False)
        for item in summary_table(summary, "da"):
            console.print(item)
        text = console.file.getvalue()
        total = float(summary.npv_mean.sel(actor="total"))
        assert danish(total) in text


# --- the spinner -------------------------------------------------------------------------------------


def test_the_spinner_appears_only_after_the_delay_and_only_at_a_terminal():
    terminal = Console(file=io.StringIO(), force_terminal=True, width=80)
    with Working(terminal, "Writing the workbook", delay=60.0) as quick:
        pass
    assert quick.shown is None and terminal.file.getvalue() == ""
    with Working(terminal, "Writing the workbook", delay=0.01) as slow:
        time.sleep(0.3)
    assert slow.shown is not None and "Writing the workbook" in terminal.file.getvalue()
    pipe = Console(file=io.StringIO(), force_terminal=False, width=80)
    with Working(pipe, "Writing the workbook", delay=0.0) as piped:
        time.sleep(0.1)
    assert piped.shown is None and pipe.file.getvalue() == ""


def test_the_analyses_and_file_writing_name_their_step(monkeypatch, cli, tmp_path):
    seen: list[str] = []
    import somrisk.cli.render as render

    class Recording(render.Working):
        def __init__(self, console, what, delay=1.0):
            seen.append(what)
            super().__init__(console, what, delay)

    monkeypatch.setattr(render, "Working", Recording)
    assert cli("sobol", EXAMPLE, "--n", "64", "--groups", "--second-order", "--json").code == 0
    assert seen == ["Sobol indices, second order too"]
    assert cli("run", "--draws", "100", "--out", tmp_path / "r.nc").code == 0
    assert seen[-1] == "Writing the cube"
    # the workbook has a bar of its own (draws written), not a spinner: one live display at a time
    assert cli("run", "--draws", "100", "--xlsx", tmp_path / "r.xlsx").code == 0
    assert seen[-1] == "Writing the cube"


def test_number_columns_that_do_not_fit_go_to_a_second_table_with_the_labels():
    from somrisk.cli.fit import FittedTable

    table = FittedTable("Title", "Caption")
    table.add_label_column("Input")
    for k in range(8):
        table.add_number_column(f"N{k}")
    numbers = [[f"{(k + 1) * 1_111_111 + row:,}" for k in range(8)] for row in range(2)]
    for row, cells in enumerate(numbers):
        table.add_row(f"consequences.long_name_{row}.price.kommune", *cells)
    for width, tables in ((200, 1), (80, 2), (50, 3)):
        console = Console(file=io.StringIO(), width=width)
        console.print(table)
        text = console.file.getvalue()
        assert max(len(line) for line in text.splitlines()) <= width
        assert text.count("Title") == 1 and text.count("Caption") == 1
        assert text.count("┃ Input") == tables  # the labels in every table
        for cells in numbers:
            for number in cells:
                assert sum(line.count(number) for line in text.splitlines()) == 1, (width, number)


def test_a_table_of_short_labels_is_never_wider_than_the_console():
    # the label column is drawn at least 8 wide however short its labels ("Stat", "I alt"): at 80
    # columns the portfolio's table was 81 wide and Rich cut its last border
    from somrisk.cli.fit import FittedTable

    for label in range(1, 13):
        for width in range(60, 101):
            table = FittedTable("Title")
            table.add_label_column("A")
            for heading in ("Deterministisk", "Gennemsnit", "5 %", "95 %", "P(NPV > 0)"):
                table.add_number_column(heading)
            table.add_row("x" * label, "12.362.763", "12.653.461", "−2.143.866", "28.477.725", "94,8 %")
            console = Console(file=io.StringIO(), width=width)
            console.print(table)
            lines = console.file.getvalue().splitlines()
            assert max(len(line) for line in lines) <= width, (label, width)
            assert "94,8 %" in console.file.getvalue() and "…" not in console.file.getvalue()
