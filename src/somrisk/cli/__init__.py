"""Stage 12: the command line. One error handler maps somrisk's errors to messages and exit codes.

Exit codes: 0 success; 2 bad input (case file, arguments, outputs that cannot be written);
130 interrupted (Ctrl-C); 143 terminated (SIGTERM, handled like Ctrl-C); 1 anything else (a Dask
scheduler that went away included). Errors go to stderr, one line per problem, never a
traceback (set SOMRISK_TRACEBACK=1 to see one for an unexpected error).
"""

from __future__ import annotations

import os
import sys
import warnings

from rich.markup import escape
from typer import Abort, BadParameter

from somrisk.cli import analyses as _analyses  # noqa: F401 - registers the sensitivity commands
from somrisk.cli import decisions as _decisions  # noqa: F401 - registers compare and scenarios
from somrisk.cli import evsi as _evsi  # noqa: F401 - registers evsi
from somrisk.cli import knowledge as _knowledge  # noqa: F401 - registers catalog and new
from somrisk.cli import serve as _serve  # noqa: F401 - registers serve
from somrisk.cli.app import app, stderr
from somrisk.cli.overrides import HELP as _OVERRIDES_HELP

app.info.epilog = _OVERRIDES_HELP

# The base class of typer's argument errors (click's ClickException, vendored by recent typer and
# not exported): it knows how to show itself and its exit code (2).
ClickException = next(c for c in BadParameter.__mro__ if c.__name__ == "ClickException")

__all__ = ["app", "main"]

INTERRUPTED = 130
TERMINATED = 143


def main() -> None:
    """Entry point of the ``somrisk`` console script."""
    from somrisk._files import sigterm_as_interrupt, sigterm_received
    from somrisk.case.overrides import applying
    from somrisk.cli.overrides import take_overrides
    from somrisk.errors import SchedulerLost, SomriskError

    def show_warning(message, category, filename, lineno, file=None, line=None):
        stderr.print(f"[yellow]warning:[/yellow] {escape(str(message))}", highlight=False)

    warnings.showwarning = show_warning
    try:
        with sigterm_as_interrupt():
            args, overrides = take_overrides(sys.argv[1:])
            with applying(overrides):
                code = app(args=args, standalone_mode=False)
    except ClickException as error:  # bad arguments: typer's own message and usage, exit 2
        error.show()
        sys.exit(error.exit_code)
    except SomriskError as error:
        for line in str(error).splitlines():
            stderr.print(f"[red]error:[/red] {escape(line)}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except SchedulerLost as error:
        stderr.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except (KeyboardInterrupt, Abort):
        code = INTERRUPTED
    except SystemExit:
        raise
    except Exception as error:
        if os.environ.get("SOMRISK_TRACEBACK"):
            raise
        stderr.print(
            f"[red]internal error:[/red] {type(error).__name__}: {escape(str(error))}",
            highlight=False,
        )
        sys.exit(1)
    if code == INTERRUPTED and sigterm_received():  # typer turns SIGTERM's error into 130 too
        code = TERMINATED
        stderr.print("terminated; no output was written")
    elif code == INTERRUPTED:  # typer turns Ctrl-C into this exit code
        stderr.print("interrupted; no output was written")
    sys.exit(code if isinstance(code, int) else 0)
