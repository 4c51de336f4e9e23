"""Every command's --help shows its texts whole: square brackets in a help text ("[[scenarios]]",
"[default: 1]") are read as Rich markup unless escaped, and vanish from the help."""

from __future__ import annotations

import re

import click
import pytest
import typer
from typer.testing import CliRunner

from somrisk.cli import app


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append(((*prefix, name), command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize(("names", "command"), COMMANDS, ids=[" ".join(n) for n, _ in COMMANDS])
def test_bracketed_words_of_a_help_text_are_shown(names, command):
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    wanted = [
        fragment
        for text in texts
        for fragment in re.findall(r"\[[^\]\n]*\]+", text.replace("\\[", "["))
        if fragment != "[]"
    ]
    shown = CliRunner().invoke(app, [*names, "--help"], env={"COLUMNS": "400"}).output
    shown = " ".join(shown.split())
    for fragment in wanted:
        assert fragment in shown, f"{' '.join(names)} --help lost {fragment!r}"
