"""Fuzzing with odd values written into the files as text: keys of any unicode (dots, spaces,
quotes, bidirectional overrides, zero-width characters, emoji), duplicate keys and tables, the
strings "nan" and "inf", numbers at and beyond what a double holds, empty and deeply nested tables,
very long strings (docs/reliability.md, "Fuzzing").

test_fuzz.py mutates parsed files and writes them back with a TOML writer, so its files are always
well-formed TOML with keys a writer chose; here the TOML text itself is edited, and a case workbook's
cells are given the same values. Every outcome is exit 0, or exit 2 with one line per problem naming
the file and a key path (or a line and column for TOML syntax, or a sheet and cell); never a
traceback; and no message shows a character that reorders or hides text on a terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reliability.test_fuzz import assert_finite_json
from somrisk.io.excel import export_case
from somrisk.io.excel import layout as L
from somrisk.runner import example_case_path

EXAMPLE = example_case_path().read_text(encoding="utf-8")
SECTIONS = ("case", "economy", "participants", "effect", "persistence", "costs", "comparison_costs")
SECTIONS += ("consequences", "correlations", "groups", "scenarios")
#: Characters that reorder or hide text on a terminal: none may reach stderr as they are.
INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
ODD_CHARACTERS = [
    ".",
    " ",
    '"',
    "\\",
    "æ",
    "ø",
    "Å",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "🙂",
    ":",
    "=",
    "#",
]

#: Values as TOML text: NaN and infinity as strings and as numbers, numbers at and beyond a double,
#: empty and nested tables and lists, long strings.
ODD_VALUES = [
    '"nan"',
    '"inf"',
    '"-inf"',
    '"NaN"',
    '""',
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1.7976931348623157e308",
    "-1.7976931348623157e308",
    "5e-324",
    "-0.0",
    "18446744073709551616",
    "1" + "0" * 400,
    "{}",
    "[]",
    "[[]]",
    "[{}]",
    '"' + "x" * 40_000 + '"',
    '"' + "\\u202e" * 10 + '"',
    "{ a = { b = { c = { d = { e = { f = { g = { h = { i = { j = { k = 1 } } } } } } } } } } }",
    "[" * 30 + "]" * 30,
    "1979-05-27",
    "true",
]


@st.composite
def odd_keys(draw: st.DrawFn) -> str:
    """A key as TOML text: bare, or quoted and holding anything (escaped as TOML needs)."""
    text = draw(
        st.text(st.sampled_from(ODD_CHARACTERS) | st.characters(exclude_categories=["Cs"]), max_size=12)
    )
    if re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return text
    escaped = "".join(f"\\u{ord(c):04X}" if c in '"\\' or ord(c) < 32 or c == "\x7f" else c for c in text)
    return f'"{escaped}"'


VALUE_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w.]*) = (?P<value>[^\n]+)$", re.MULTILINE)
HEADER = re.compile(r"^\[\[?[\w.]+\]\]?$", re.MULTILINE)


@dataclass(frozen=True)
class Edited:
    """A file's text and what was done to it; shown by what was done (the text may be 100 kB)."""

    text: str
    what: str

    def __repr__(self) -> str:
        return f"Edited({self.what!r})"


@st.composite
def odd_files(draw: st.DrawFn) -> Edited:
    """The example case's text with one to three odd edits, and what was done."""
    text, done = EXAMPLE, []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["new key", "odd value", "duplicate line", "duplicate header", "empty table"])
        )
        lines = list(VALUE_LINE.finditer(text))
        headers = list(HEADER.finditer(text))
        if kind == "new key":
            at = draw(st.sampled_from(headers)).end()
            line = f"\n{draw(odd_keys())} = {draw(st.sampled_from(ODD_VALUES))}"
            text = text[:at] + line + text[at:]
        elif kind == "odd value":
            match = draw(st.sampled_from(lines))
            line = f"{match['key']} = {draw(st.sampled_from(ODD_VALUES))}"
            text = text[: match.start()] + line + text[match.end() :]
        elif kind == "duplicate line":
            match = draw(st.sampled_from(lines))
            text = text[: match.end()] + "\n" + match.group() + text[match.end() :]
        elif kind == "duplicate header":
            match = draw(st.sampled_from(headers))
            text = text + "\n" + match.group() + "\n"
        else:
            section = draw(st.sampled_from(["[persistence]", "[[costs]]", "[[consequences]]", "[[groups]]"]))
            text = text + f"\n{section}\n"
        done.append(f"{kind}: {line if kind in ('new key', 'odd value') else ''}"[:200])
    return Edited(text, "; ".join(done))


#: A key path: dotted parts, each bare, a [n] item, or a quoted key (which may hold anything).
_PART = r'(?:[^\s:."\[]+|\[\d+\]|"(?:[^"\\]|\\.)*")'
KEY_PATH = re.compile(rf"^(?P<path>{_PART}(?:\.?{_PART})*): \S")


def assert_plain_outcome(code: int, stderr: str, file: Path, what: str) -> None:
    """Exit 0, or exit 2 with each problem on one line naming `file` and a key path whose first
    part is a section (or a quoted unknown one), a line and column, or a sheet; nothing invisible."""
    context = f"{what}\nexit {code}\nstderr:\n{stderr[:3000]}"
    assert "Traceback" not in stderr and "internal error" not in stderr, context
    assert code in (0, 2), context
    assert INVISIBLE.search(stderr) is None, context
    if code == 0:
        return
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert errors and len(errors) == len([line for line in stderr.splitlines() if line.strip()]), context
    for line in errors:
        rest = line.removeprefix(f"error: {file}")
        assert rest != line, f"the error names no file: {line}\n{context}"
        if re.match(r"^:\d+:\d+: TOML syntax error: \S", rest) or rest.startswith(", sheet "):
            continue
        match = KEY_PATH.match(rest.removeprefix(": "))
        assert rest.startswith(": ") and match is not None, f"the error names no key path: {line}\n{context}"
        section = re.split(r"[.\[]", match["path"], maxsplit=1)[0]
        assert section in SECTIONS or section.startswith('"'), f"not a section: {line}\n{context}"


FUZZ = settings(
    max_examples=40 if settings().max_examples <= 30 else settings().max_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(edited=odd_files())
def test_odd_toml_text_exits_0_or_2_with_file_and_key_path(cli, tmp_path, edited):
    text, what = edited.text, edited.what
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    checked = cli("check", path)
    assert_plain_outcome(checked.code, checked.stderr, path, what)
    event(f"exit {checked.code}")
    if checked.code == 0:
        ran = cli("run", path, "--draws", "20", "--json")
        assert ran.code == 0, f"{what}\n{ran.stderr}"
        assert_finite_json(ran.stdout, what)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_case(example_case_path(), tmp_path_factory.mktemp("odd") / "case.xlsx")


CELL_VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "NaN", "1e999", "", "x" * 32_767, "\u202eevil", "æøå", "🙂"]),
    st.text(st.sampled_from(ODD_CHARACTERS) | st.characters(exclude_categories=["Cs", "Cc"])),
    st.sampled_from([1e308, -1.7976931348623157e308, 5e-324, -0.0, 2**63, 10**20]),
)


@FUZZ
@given(data=st.data())
def test_odd_cells_in_a_case_workbook_exit_0_or_2_at_their_cell(cli, tmp_path, workbook, data):
    book = load_workbook(workbook)
    done = []
    for _ in range(data.draw(st.integers(1, 3))):
        title = data.draw(st.sampled_from([t for t in L.SHEETS if t in book.sheetnames]))
        ws = book[title]
        row = data.draw(st.integers(1, max(ws.max_row, 1) + 1))
        column = data.draw(st.integers(1, max(ws.max_column, 1)))
        value = data.draw(CELL_VALUES)
        ws.cell(row, column).value = value
        if isinstance(value, str):
            ws.cell(row, column).data_type = "s"  # text, also where it begins with =
        done.append(f"{title}!{ws.cell(row, column).coordinate} = {str(value)[:60]!r}")
    what = "; ".join(done)
    path = tmp_path / "odd.xlsx"
    book.save(path)
    out = tmp_path / "odd.toml"
    result = cli("excel", "import", path, out)
    assert_plain_outcome(result.code, result.stderr, path, what)
    assert out.exists() == (result.code == 0), what
    event(f"exit {result.code}")
    if result.code == 0:
        ran = cli("run", out, "--draws", "20", "--json")
        assert ran.code == 0, f"{what}\n{ran.stderr}"
        assert_finite_json(ran.stdout, what)
        out.unlink()
