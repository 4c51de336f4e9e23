"""Hostile and extreme files (docs/reliability.md, "Hostile and extreme files").

Texts that look like formulas stay texts in every workbook; files nested thousands deep, too large,
with too many items, decompression bombs, zip entries that lie about their size and XML entity
bombs are refused with exit 2 and a message naming the limit, nothing written, and (for the bombs)
within a memory bound that the test sets on the process.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import tomli_w
from openpyxl import load_workbook

from somrisk.case import limits
from somrisk.io.excel import archive
from somrisk.runner import example_case_path

#: Texts that spreadsheet programs take for formulas (or did: DDE payloads in older ones).
FORMULAS = [
    '=HYPERLINK("http://example.invalid","klik")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(1,2)",
]

A, B = FORMULAS[1], "=stat"  # the actors
HOSTILE_CASE = tomli_w.dumps(
    {
        "case": {
            "name": FORMULAS[0],
            "description": FORMULAS[1],
            "currency": "=EUR",
            "start_year": 2025,
            "horizon": 5,
            "actors": [A, B],
        },
        "participants": {
            "cohorts": [{"dist": "pert", "min": 8, "mode": 10, "max": 12, "source": FORMULAS[2]}]
        },
        "effect": {
            "measure": FORMULAS[3],
            "effect": {"dist": "uniform", "min": 0.1, "max": 0.3, "source": FORMULAS[4]},
        },
        "costs": [
            {
                "name": "programme",
                "label": FORMULAS[5],
                "actor": A,
                "kind": "per_participant",
                "amount": {"dist": "normal", "mean": 20000, "sd": 1000, "source": "=1+2"},
            }
        ],
        "comparison_costs": [
            {"name": "usual", "label": "=usual()", "actor": B, "kind": "per_participant", "amount": 5000}
        ],
        "consequences": [
            {
                "name": "benefit",
                "label": "=label()",
                "category": "social",
                "unit": "=unit()",
                "change": {
                    "dist": "triangular",
                    "min": -0.5,
                    "mode": -0.3,
                    "max": -0.1,
                    "source": "=source()",
                },
                "price": {
                    A: {"dist": "pert", "min": 50000, "mode": 60000, "max": 80000, "source": "=price()"},
                    B: 10000,
                },
            }
        ],
        "groups": [{"name": "cost_side", "label": "=group()", "inputs": ["costs.programme.amount"]}],
    }
)

#: Every text of HOSTILE_CASE that a workbook should show as text.
HOSTILE_TEXTS = {
    *FORMULAS,
    "=EUR",
    "=stat",
    "=1+2",
    "=usual()",
    "=label()",
    "=unit()",
    "=source()",
    "=price()",
}


def formula_cells(path: Path) -> list[str]:
    """The cells of a workbook that hold a formula (openpyxl's data type "f")."""
    book = load_workbook(path)
    return [
        f"{ws.title}!{cell.coordinate} = {cell.value!r}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def texts(path: Path) -> set[str]:
    book = load_workbook(path)
    return {
        cell.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_formula_looking_texts_are_text_in_the_results_workbook(cli, write_case, tmp_path):
    case = write_case(HOSTILE_CASE)
    out = tmp_path / "results.xlsx"
    result = cli("run", case, "--draws", "64", "--xlsx", out)
    assert result.code == 0, result.stderr
    assert formula_cells(out) == []
    found = texts(out)
    # the case's name, its actors and the sources appear, as the very texts of the file
    assert {FORMULAS[0], FORMULAS[1], "=stat", FORMULAS[2], "=source()", "=price()"} <= found
    # openpyxl's reading of a text cell: inline strings, not formulas written by somrisk; a text that
    # starts with "=" is one of the case's own texts, or an input's label made from one
    # ("=label(): ændring pr. person med effekt", the Assumptions sheet's first column)
    assert not any(
        isinstance(v, str) and v.startswith("=") and not any(v.startswith(t) for t in HOSTILE_TEXTS)
        for v in found
    )
    assert any(isinstance(v, str) and v.startswith("=label():") for v in found)


def test_formula_looking_texts_are_text_in_the_case_workbook_and_back(cli, write_case, tmp_path):
    case = write_case(HOSTILE_CASE)
    out = tmp_path / "case.xlsx"
    assert cli("excel", "export", case, out).code == 0
    assert formula_cells(out) == []
    assert texts(out) >= HOSTILE_TEXTS
    back = tmp_path / "back.toml"
    result = cli("excel", "import", out, back)
    assert result.code == 0, result.stderr
    raw = tomllib.loads(back.read_text(encoding="utf-8"))
    assert raw["case"]["name"] == FORMULAS[0]
    assert raw["consequences"][0]["price"][FORMULAS[1]]["source"] == "=price()"


def test_the_template_holds_no_formula(cli, tmp_path):
    out = tmp_path / "template.xlsx"
    assert cli("excel", "template", out).code == 0
    assert formula_cells(out) == []


def test_the_project_writes_no_csv():
    """No CSV writer, so no CSV injection; a CSV writer must quote texts as the workbooks do."""
    source = Path(__file__).parents[2] / "src" / "somrisk"
    offenders = [p for p in source.rglob("*.py") if re.search(r"\bcsv\b", p.read_text(encoding="utf-8"))]
    assert offenders == []


# ---------------------------------------------------------------------------------------------
# Running under a memory bound

#: The address space a refusing process may use: somrisk's imports need about 0.4 GiB; the bombs
#: below need several GiB where they are parsed.
MEMORY_BOUND = 1 * 2**30


def bounded(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``somrisk ARGS`` in a fresh process whose address space is limited to MEMORY_BOUND."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))

    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "NUMBA_NUM_THREADS": "1", "COLUMNS": "200"}
    command = [sys.executable, "-c", "from somrisk.cli import main; main()", *map(str, args)]
    return subprocess.run(
        command, cwd=cwd, env=env, preexec_fn=limit, capture_output=True, text=True, timeout=120, check=False
    )


def assert_refused(result: subprocess.CompletedProcess[str], file: Path, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert lines and all(line.startswith(f"error: {file}") for line in lines), result.stderr
    for word in words:
        assert word in result.stderr, f"{word!r} not in: {result.stderr}"


# ---------------------------------------------------------------------------------------------
# TOML files

EXAMPLE = example_case_path().read_text(encoding="utf-8")


def with_case_key(line: str) -> str:
    """The example case with one more line under [case]."""
    return EXAMPLE.replace("[case]\n", f"[case]\n{line}\n", 1)


DEEP = {
    "inline tables": with_case_key("x = " + "{ a = " * 100_000 + "1" + " }" * 100_000),
    "arrays": with_case_key("x = " + "[" * 100_000 + "1" + "]" * 100_000),
    "dotted keys": with_case_key(".".join(["a"] * 100_000) + " = 1"),
    "table headers": EXAMPLE + "\n[" + ".".join(["a"] * 100_000) + "]\nb = 1\n",
    "eleven levels": with_case_key("x = " + "[" * 11 + "1" + "]" * 11),
}


@pytest.mark.parametrize("shape", list(DEEP))
def test_deep_nesting_is_refused_within_the_memory_bound(tmp_path, shape):
    case = tmp_path / "case.toml"
    case.write_text(DEEP[shape], encoding="utf-8")
    result = bounded("run", case, "--draws", "50", "--json", "--xlsx", tmp_path / "out.xlsx", cwd=tmp_path)
    assert_refused(result, case, f"more than {limits.MAX_DEPTH} tables or lists deep")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml"]
    assert result.stdout == ""


def test_a_file_too_large_is_refused_without_reading_it_whole(tmp_path):
    case = tmp_path / "case.toml"
    case.write_text(EXAMPLE + "#" * limits.MAX_FILE_BYTES, encoding="utf-8")
    result = bounded("check", case, cwd=tmp_path)
    assert_refused(result, case, "larger than 8 MiB")
    zero = bounded("check", "/dev/zero", cwd=tmp_path)  # endless: read no further than the limit
    assert_refused(zero, Path("/dev/zero"), "larger than 8 MiB")


def consequence(i: int) -> str:
    return (
        f'[[consequences]]\nname = "c{i}"\ncategory = "social"\nchange = 0.1\nprice = {{ kommune = 100 }}\n'
    )


def test_too_many_items_are_refused(cli, write_case, tmp_path):
    case = write_case(EXAMPLE + "".join(consequence(i) for i in range(limits.MAX_ITEMS)))
    result = cli("check", case)
    assert result.code == 2
    assert f"{case}: consequences: holds 1,006 tables; at most 1,000 are allowed" in result.stderr
    # the limit itself is allowed: 1,000 in all (the example has 6)
    fits = write_case(EXAMPLE + "".join(consequence(i) for i in range(limits.MAX_ITEMS - 6)), "fits.toml")
    assert cli("check", fits).code == 0


PROFILE_CASE = """
[case]
name = "profile"
start_year = 2025
horizon = 3
[economy]
discount_rate = 0.0
price_growth = 0.0
[participants]
cohorts = [10]
[effect]
effect = 0.5
[[consequences]]
name = "c"
category = "social"
change = 1.0
price = {{ kommune = 1000 }}
profile = {profile}
"""


def test_a_profile_longer_than_the_horizon_is_cut_up_to_the_bound(cli, write_case):
    """A profile of 1,000 values, longer than the horizon of 3, gives the result of its first 3; one
    of 1,001 is refused. Closed form: 10 participants x effect 0.5 x change 1 x price 1000 x
    (0.2 + 0.6 + 1.0), undiscounted, is 9000 more spent: NPV -9000."""
    long = write_case(PROFILE_CASE.format(profile=[0.2, 0.6, 1.0] + [0.0] * 997), "long.toml")
    result = cli("run", long, "--draws", "1", "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["deterministic"]["npv"]["total"] == pytest.approx(-9000.0, rel=1e-12)
    too_long = write_case(PROFILE_CASE.format(profile=[1.0] * 1001), "too_long.toml")
    result = cli("check", too_long)
    assert result.code == 2
    assert "consequences.c.profile: holds 1,001 values by year" in result.stderr
    assert "at most 1,000" in result.stderr


def test_a_list_too_long_a_text_too_long_and_control_characters_are_refused(cli, write_case):
    values = ", ".join(["1.0"] * (limits.MAX_LIST + 1))
    case = write_case(with_case_key(f'x = {{ dist = "empirical", values = [{values}] }}'))
    result = cli("check", case)
    assert result.code == 2 and "case.x.values: holds 100,001 values; at most 100,000" in result.stderr
    long_text = write_case(EXAMPLE.replace('currency = "DKK"', f'currency = "{"x" * 40_000}"'), "text.toml")
    result = cli("check", long_text)
    assert result.code == 2 and "case.currency: a text of 40,000 characters; at most 32,767" in result.stderr
    control = write_case(EXAMPLE.replace('currency = "DKK"', 'currency = "D\\u0001KK"'), "control.toml")
    result = cli("check", control)
    assert result.code == 2 and "case.currency: a text holds the control character U+0001" in result.stderr
    # tab, line feed and carriage return are text a workbook holds
    fine = write_case(EXAMPLE.replace('currency = "DKK"', 'currency = "D\\tK\\nK\\r"'), "fine.toml")
    assert cli("check", fine).code == 0


def test_many_problems_are_reported_once_each_up_to_a_bound(cli, write_case):
    lines = "\n".join(f'x{i} = "a\\u0001"' for i in range(100))
    result = cli("check", write_case(with_case_key(lines)))
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.code == 2 and len(errors) == limits.MAX_PROBLEMS + 1
    assert errors[-1].endswith("and more such problems; not shown")


# ---------------------------------------------------------------------------------------------
# Workbooks


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from somrisk.io.excel import export_case

    path = tmp_path_factory.mktemp("exported") / "case.xlsx"
    export_case(example_case_path(), path)
    return path


SHEET = "xl/worksheets/sheet1.xml"


def rebuilt(source: Path, target: Path, replace: dict[str, bytes | None], *, spaces: int = 0) -> Path:
    """A copy of the workbook `source` with entries replaced (None: left out), and `spaces` bytes of
    whitespace added before the end of the first sheet (written in chunks: a decompression bomb)."""
    replace = dict(replace)
    with (
        zipfile.ZipFile(source) as old,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as new,
    ):
        for entry in old.infolist():
            data = replace.pop(entry.filename, old.read(entry.filename))
            if data is None:
                continue
            if entry.filename == SHEET and spaces:
                head, tail = data.rsplit(b"</worksheet>", 1)
                with new.open(SHEET, "w", force_zip64=True) as stream:
                    stream.write(head)
                    chunk = b" " * 2**20
                    for _ in range(spaces // len(chunk)):
                        stream.write(chunk)
                    stream.write(b"</worksheet>" + tail)
            else:
                new.writestr(entry.filename, data)
        for name, data in replace.items():  # entries the workbook did not have
            if data is not None:
                new.writestr(name, data)
    return target


def lie_about_size(path: Path, name: str, size: int) -> None:
    """Set the uncompressed size of entry `name` in the zip's central directory to `size`."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for match in re.finditer(rb"PK\x01\x02", data):
        start = match.start()
        if data[start + 46 : start + 46 + len(encoded)] == encoded:
            data[start + 24 : start + 28] = size.to_bytes(4, "little")
            break
    else:
        raise AssertionError(f"{name} not in the central directory")
    path.write_bytes(bytes(data))


def import_bounded(workbook: Path) -> subprocess.CompletedProcess[str]:
    out = workbook.parent / "out.toml"
    result = bounded("excel", "import", workbook, out, cwd=workbook.parent)
    assert not out.exists(), "a refused workbook wrote its TOML"
    assert not [p for p in workbook.parent.iterdir() if p.name.startswith(".")], "a temporary file was left"
    return result


def test_a_decompression_bomb_is_refused_from_the_zip_directory(exported, tmp_path):
    """2 GiB of whitespace in a sheet, 9 MB compressed (fast, level 1): was 12 s and 2.3 GB parsed by
    openpyxl."""
    bomb = rebuilt(exported, tmp_path / "bomb.xlsx", {}, spaces=2 * 2**30)
    assert bomb.stat().st_size < 16 * 2**20
    assert_refused(import_bounded(bomb), bomb, "unpacks to 2,048.", "at most 64.0 MiB")


def test_a_zip_entry_that_lies_about_its_size_is_refused(exported, tmp_path):
    """The directory says 1,000 bytes; the entry holds 1 GiB. Reading stops at 1,000 bytes."""
    liar = rebuilt(exported, tmp_path / "liar.xlsx", {}, spaces=2**30)
    lie_about_size(liar, SHEET, 1_000)
    assert_refused(import_bounded(liar), liar, SHEET, "damaged or larger than its zip directory says")


def test_too_many_cells_are_refused_before_parsing(exported, tmp_path):
    cells = "".join(f'<c r="A{r}"/>' for r in range(2, archive.MAX_CELLS + 3))
    with zipfile.ZipFile(exported) as old:
        sheet = old.read(SHEET)
    sheet = sheet.replace(b"</sheetData>", f"<row>{cells}</row></sheetData>".encode())
    many = rebuilt(exported, tmp_path / "many.xlsx", {SHEET: sheet})
    assert_refused(import_bounded(many), many, "more than 500,000 cells")


def test_too_many_entries_and_a_file_too_large_are_refused(exported, tmp_path):
    extra = {f"xl/media/pad{i}.bin": b"x" for i in range(archive.MAX_ENTRIES)}
    crowded = rebuilt(exported, tmp_path / "crowded.xlsx", extra)
    assert_refused(import_bounded(crowded), crowded, "files in its zip archive; a workbook may hold 1,000")
    huge = tmp_path / "huge.xlsx"
    huge.write_bytes(exported.read_bytes() + b"\0" * archive.MAX_WORKBOOK_BYTES)
    assert_refused(import_bounded(huge), huge, "larger than 32 MiB")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>"""

ENTITIES = {"billion laughs": BILLION_LAUGHS, "external entity": EXTERNAL_ENTITY}


@pytest.mark.parametrize("kind", list(ENTITIES))
def test_xml_entities_are_refused(exported, tmp_path, kind):
    bomb = rebuilt(exported, tmp_path / "entities.xlsx", {SHEET: ENTITIES[kind]})
    assert_refused(import_bounded(bomb), bomb, "XML entity definitions (a DTD)", SHEET)


@pytest.mark.parametrize("kind", list(ENTITIES))
def test_defusedxml_refuses_entities_the_archive_scan_lets_through(
    cli, exported, tmp_path, monkeypatch, kind
):
    """With the scan switched off, openpyxl (through defusedxml) still refuses them."""
    import somrisk.io.excel.read as read

    monkeypatch.setattr(read, "check_archive", lambda data, name: None)
    bomb = rebuilt(exported, tmp_path / "entities.xlsx", {SHEET: ENTITIES[kind]})
    out = tmp_path / "out.toml"
    result = cli("excel", "import", bomb, out)
    assert result.code == 2, result.stderr
    assert "holds XML that Excel never writes" in result.stderr
    assert re.search(r"\((EntitiesForbidden|DTDForbidden|ExternalReferenceForbidden)\)", result.stderr)
    assert not out.exists()


def test_xml_in_utf16_is_refused(exported, tmp_path):
    with zipfile.ZipFile(exported) as old:
        sheet = old.read(SHEET).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    utf16 = rebuilt(exported, tmp_path / "utf16.xlsx", {SHEET: sheet.encode("utf-16")})
    assert_refused(import_bounded(utf16), utf16, "in UTF-16")


def test_a_value_in_the_last_cell_of_a_sheet_is_read_without_its_span(exported, tmp_path):
    """One value in XFD1048576: reading every coordinate of the span was a MemoryError (exit 1)."""
    book = load_workbook(exported)
    book.worksheets[0]["XFD1048576"] = "x"
    far = tmp_path / "far.xlsx"
    book.save(far)
    assert_refused(import_bounded(far), far, "cell A1048576")
