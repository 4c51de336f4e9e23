"""``--set PATH=VALUE`` and ``--scale PATH=FACTOR`` (repeatable) for every command that reads a case.

They are taken from the command line before typer sees it, and applied to every case the command
loads (:func:`somrisk.case.overrides.applying`), so that each command gets them without an option
of its own: the same as editing the file, validated the same way, recorded in the provenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from somrisk.case.overrides import Overrides, parse_assignment
from somrisk.errors import CaseError, Problem

__all__ = ["HELP", "take_overrides"]

OPTIONS = ("--set", "--scale")
#: Commands that read no case to simulate (the case workbooks copy files as they are).
WITHOUT_CASE = ("catalog", "new", "excel")

HELP = (
    "Every command that reads a case also takes --set PATH=VALUE (a number or a TOML inline table "
    'such as {dist="pert",min=1,mode=2,max=4}) and --scale PATH=FACTOR (every draw of the input '
    "times FACTOR), repeatable: the same as editing the file."
)


def take_overrides(argv: Sequence[str]) -> tuple[list[str], Overrides]:
    """The arguments without ``--set``/``--scale``, and the changes those gave.

    Raises
    ------
    CaseError
        For an option without its ``PATH=VALUE``, a bad one, or a path given twice to one option.
    """
    rest: list[str] = []
    given: dict[str, dict[str, Any]] = {option: {} for option in OPTIONS}
    problems: list[Problem] = []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            rest.append(arg)
            rest.extend(args)
            break
        option, equals, inline = arg.partition("=")
        if option not in OPTIONS:
            rest.append(arg)
            continue
        text = inline if equals else next(args, None)
        if text is None:
            problems.append(Problem(option, "", "needs PATH=VALUE after it"))
            continue
        try:
            path, value = parse_assignment(text, option)
        except CaseError as error:
            problems.extend(error.problems)
            continue
        if path in given[option]:
            problems.append(Problem(option, path, "is given twice; give each path once", value))
        given[option][path] = value
    command = next((arg for arg in rest if not arg.startswith("-")), None)
    if (given["--set"] or given["--scale"]) and command in WITHOUT_CASE:
        message = (
            f"`somrisk {command}` does not simulate a case, so --set/--scale would change nothing; "
            "edit the file, or use them with run, report, compare, ..."
        )
        problems.append(Problem("--set/--scale", "", message))
    if problems:
        raise CaseError(problems)
    return rest, Overrides(set=given["--set"], scale=given["--scale"])
