"""The ``somrisk excel`` commands: cases as Excel workbooks, both ways (docs/excel.md).

``template OUT.xlsx`` writes an empty case workbook, ``export CASE.toml OUT.xlsx`` lays a TOML case
out in one, and ``import IN.xlsx OUT.toml`` reads one back (validated as a TOML case; every problem
names its sheet and cell). Each makes one library call; errors reach the handler of
:func:`somrisk.cli.main`, which prints one line per problem and exits with code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from somrisk.cli.options import LanguageOption, MessageLang, table_language

__all__ = ["excel_app"]

excel_app = typer.Typer(
    name="excel",
    help="Cases as Excel workbooks: an empty template to fill in, and TOML <-> .xlsx without loss.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

stdout = Console()

WorkbookOut = Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).", show_default=False)]


def _say(lang: LanguageOption | None, what: str, path: Path, note: str = "") -> None:
    """Say in `lang` (None: the locale's) that `what` (a key of TableWords, ``template_written``)
    was written to `path`, followed by the words of `note` (a key, or nothing)."""
    from somrisk.report.table_words import TableWords

    words = TableWords(table_language(lang))
    text = words[what].format(path) + (words[note] if note else "")
    stdout.print(text, markup=False, highlight=False, soft_wrap=True)


@excel_app.command()
def template(out: WorkbookOut, lang: MessageLang = None) -> None:
    """Write an empty case workbook to fill in (help in Danish on its sheet "Hjælp")."""
    from somrisk.io.excel import write_template

    _say(lang, "template_written", write_template(out))


@excel_app.command("export")
def export(
    case: Annotated[Path, typer.Argument(help="Case file (TOML).", show_default=False)],
    out: WorkbookOut,
    lang: MessageLang = None,
) -> None:
    """Write a TOML case as a case workbook (every key; comments are not kept)."""
    from somrisk.cli.inputs import refuse_other_kinds
    from somrisk.io.excel import export_case

    refuse_other_kinds(case, ("case",))
    _say(lang, "case_workbook_written", export_case(case, out))


@excel_app.command("import")
def import_(
    workbook: Annotated[Path, typer.Argument(help="Case workbook (.xlsx).", show_default=False)],
    out: Annotated[Path, typer.Argument(help="The case file to write (.toml).", show_default=False)],
    force: Annotated[bool, typer.Option(help="Overwrite the case file if it exists.")] = False,
    lang: MessageLang = None,
) -> None:
    """Read a case workbook, check it as a TOML case, and write the TOML file (only if it is valid)."""
    from somrisk._files import check_writable
    from somrisk.cli.inputs import refuse_other_kinds
    from somrisk.errors import UsageError
    from somrisk.io.excel import import_case
    from somrisk.io.excel.read import CASE_SUFFIXES

    advice = f"this is a TOML case file: `somrisk excel export {workbook} OUT.xlsx` writes it as a workbook"
    refuse_other_kinds(workbook, ("workbook",), {"case": advice})
    check_writable(out, "output", CASE_SUFFIXES)  # before exists(): a name too long would raise
    if out.exists() and not force:
        raise UsageError(f"{str(out)!r} exists: add --force to replace it with the workbook's case")
    commented = _has_comments(out)
    path = import_case(workbook, out)
    _say(lang, "case_written", path, "comments_replaced" if commented else "")


def _has_comments(path: Path) -> bool:
    """Whether `path` is a file that seems to hold TOML comments of its own (a `#` on a line other
    than the header an import writes)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return any("#" in line and not line.startswith("# Imported from") for line in lines)
