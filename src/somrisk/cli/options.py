"""Options shared by the commands: whole numbers typed as plain digits, and the library's defaults
shown in ``--help``.

The defaults themselves live once, in the library's signatures: an option left out is not passed
(:func:`somrisk.cli.app._given`); ``show_default`` only says what that default is.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

import typer

__all__ = [
    "Draws",
    "Lang",
    "LanguageOption",
    "MessageLang",
    "Seed",
    "Threads",
    "calendar_year",
    "plain_integer",
    "table_language",
    "whole_number_option",
]

_DIGITS = re.compile(r"[+-]?\d+")
#: 10.000, 10,000, 10 000 and 10_000: digits in groups of three after the first.
_GROUPED = re.compile(r"\d{1,3}(?:([.,_ ])\d{3})(?:\1\d{3})*")


def plain_integer(text: str) -> int:
    """A whole number written as plain digits (an optional sign, then 0-9 only).

    ``10.000`` is ten thousand to a Danish reader and ten to an English one, so a thousands
    separator of any kind (``.``, ``,``, space, ``_``) and an exponent (``1e4``) are refused with the
    number to write instead, never guessed.

    Raises
    ------
    typer.BadParameter
        For anything else (exit code 2, the option named by click).
    """
    written = text.strip()
    if _DIGITS.fullmatch(written):
        return int(written)
    if _GROUPED.fullmatch(written):
        digits = re.sub(r"\D", "", written)
        raise typer.BadParameter(
            f"{text!r} is not a plain whole number: write {int(digits)} (digits only, no thousands separator)"
        )
    try:
        number = float(written)
    except ValueError:
        number = None
    if number is not None and number.is_integer() and abs(number) < 1e15:
        raise typer.BadParameter(f"{text!r} is not a plain whole number: write {int(number)}")
    raise typer.BadParameter(f"{text!r} is not a whole number: write digits only, e.g. 10000")


def whole_number_option(*names: str, help: str, default: str | None = None) -> typer.models.OptionInfo:
    """A ``typer.Option`` of a whole number in plain digits, with the library's default shown."""
    return typer.Option(
        *names,
        help=help,
        parser=plain_integer,
        metavar="<int>",
        show_default=default if default is not None else False,
    )


Draws = Annotated[int | None, whole_number_option("--draws", "-n", help="Number of draws.", default="10000")]
Seed = Annotated[int | None, whole_number_option("--seed", help="Seed of all random numbers.", default="1")]
Threads = Annotated[
    int | None,
    whole_number_option("--threads", help="Threads; results do not depend on it.", default="all CPUs"),
]


def calendar_year(text: str) -> int:
    """A calendar year in plain digits within the case format's range (``CalendarYear``)."""
    from pydantic import TypeAdapter, ValidationError

    from somrisk.case.schema import CalendarYear

    year = plain_integer(text)
    try:
        return int(TypeAdapter(CalendarYear).validate_python(year))
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
        raise typer.BadParameter(
            f"{year} is not a calendar year a case file allows: {reason[0].lower()}{reason[1:]}"
        ) from None


class LanguageOption(StrEnum):
    da = "da"
    en = "en"


Lang = Annotated[
    LanguageOption | None,
    typer.Option(
        "--lang",
        help="Language of the tables: da (Danish: 1.234.567 and 12,5 %) or en (English).",
        show_default="da where LC_ALL, LC_MESSAGES or LANG starts with da, else en",
    ),
]

#: ``--lang`` of the commands that print only what they wrote (the case workbooks, ``new``).
MessageLang = Annotated[
    LanguageOption | None,
    typer.Option(
        "--lang",
        help="Language of the messages: da (Danish) or en (English).",
        show_default="da where LC_ALL, LC_MESSAGES or LANG starts with da, else en",
    ),
]


def table_language(lang: LanguageOption | None) -> str:
    """The language asked for, else the locale's (:func:`somrisk.report.table_words.locale_language`)."""
    if lang is not None:
        return lang.value
    from somrisk.report.table_words import locale_language

    return locale_language()
