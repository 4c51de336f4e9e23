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


def _say(text: str) -> None:
    stdout.print(text, markup=False, highlight=False, soft_wrap=True)


@excel_app.command()
def template(out: WorkbookOut) -> None:
    """Write an empty case workbook to fill in (help in Danish on its sheet "Hjælp")."""
    from somrisk.io.excel import write_template

    _say(f"Template written to {write_template(out)}")


@excel_app.command("export")
def export(
    case: Annotated[Path, typer.Argument(help="Case file (TOML).", show_default=False)],
    out: WorkbookOut,
) -> None:
    """Write a TOML case as a case workbook (every key; comments are not kept)."""
    from somrisk.cli.inputs import refuse_other_kinds
    from somrisk.io.excel import export_case

    refuse_other_kinds(case, ("case",))
    _say(f"Workbook written to {export_case(case, out)}")


@excel_app.command("import")
def import_(
    workbook: Annotated[Path, typer.Argument(help="Case workbook (.xlsx).", show_default=False)],
    out: Annotated[Path, typer.Argument(help="The case file to write (.toml).", show_default=False)],
    force: Annotated[bool, typer.Option(help="Overwrite the case file if it exists.")] = False,
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
    note = " (it replaced a file with comments; a workbook does not keep them)" if commented else ""
    _say(f"Case written to {path}{note}")


def _has_comments(path: Path) -> bool:
    """Whether `path` is a file that seems to hold TOML comments of its own (a `#` on a line other
    than the header an import writes)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return any("#" in line and not line.startswith("# Imported from") for line in lines)
