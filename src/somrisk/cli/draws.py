"""``--draws N|auto`` and ``--tolerance T`` of run, report and compare (outputs.md, model.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from somrisk.errors import UsageError

__all__ = ["DrawsOption", "ToleranceOption", "parse_draws"]

DrawsOption = Annotated[
    str | None,
    typer.Option(
        "--draws",
        "-n",
        help="Number of draws (plain digits), or auto: whole blocks until P(NPV > 0) is precise to "
        "--tolerance.",
        show_default="10000",
    ),
]
ToleranceOption = Annotated[
    float | None,
    typer.Option(
        help="With --draws auto: the largest 95 % half-width of P(NPV > 0), for the total and every "
        "actor, in (0, 0.5).",
        show_default="0.005",
    ),
]


def parse_draws(text: str | None) -> int | str | None:
    """None, ``"auto"``, or the whole number the text holds (the library refuses one below 1, with
    the message it gives every caller).

    Raises
    ------
    UsageError
        For text that is neither, naming the option and the text.
    """
    from somrisk.cli.options import plain_integer

    if text is None or text.strip() == "auto":
        return None if text is None else "auto"
    try:
        return plain_integer(text)
    except typer.BadParameter as error:
        raise UsageError(f"--draws: {error.message}; or auto") from None
