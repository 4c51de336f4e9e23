"""The knowledge-base commands: ``somrisk catalog`` (list it) and ``somrisk new`` (a case from it)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Annotated

import typer

from somrisk.cli.app import app, stdout
from somrisk.cli.options import Lang, MessageLang, calendar_year, table_language

__all__: list[str] = []


@app.command()
def catalog(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only the catalogue as JSON on stdout.")
    ] = False,
    lang: Lang = None,
) -> None:
    """The consequence catalogue (knowledge base): each consequence type's unit, area, the actors
    who pay, its price per actor and the price's source. A case takes a price from it with
    price = "catalog"."""
    from somrisk.case.catalog import builtin_catalog

    entries = builtin_catalog()
    if as_json:
        from somrisk.io.json import catalog_json

        print(json.dumps(catalog_json(entries), ensure_ascii=False, indent=2))
        return
    from somrisk.cli.render import catalog_table

    for part in catalog_table(entries, table_language(lang)):
        stdout.print(part, highlight=False)


@app.command()
def new(
    name: Annotated[str, typer.Argument(help='The case\'s name, e.g. "Mentorordning".', show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option(help="The case file to write.", show_default="the name as a file name, .toml"),
    ] = None,
    consequence: Annotated[
        list[str] | None,
        typer.Option(
            "--consequence",
            "-c",
            help="A catalogue consequence to include (repeatable); the others are listed commented out.",
            show_default=False,
        ),
    ] = None,
    start_year: Annotated[
        int | None,
        typer.Option(
            help="Calendar year of t = 0.", parser=calendar_year, metavar="<int>", show_default="next year"
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
    lang: MessageLang = None,
) -> None:
    """Write a commented case file to fill in, with the consequences of the catalogue."""
    from somrisk.report.table_words import TableWords
    from somrisk.runner import new_case

    year = datetime.date.today().year + 1 if start_year is None else start_year
    language = table_language(lang)
    path = new_case(
        name, out, consequences=consequence or (), start_year=year, overwrite=force, lang=language
    )
    said = TableWords(language)["new_written"].format(path=path)
    stdout.print(said, markup=False, highlight=False)
