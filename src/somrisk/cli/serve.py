"""``somrisk serve``: the browser app (outputs.md, "The browser app"); somrisk.serve does the work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from somrisk.cli.app import app


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; without a token only loopback addresses.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the database and made files (default: the user's data folder).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="Every request must carry it (Authorization: Bearer T) (default: SOMRISK_TOKEN).",
            show_default=False,
        ),
    ] = None,
    max_running: Annotated[int, typer.Option(help="Runs executing at the same time.", min=1)] = 2,
    max_queued: Annotated[int, typer.Option(help="Runs waiting or going at most.", min=1)] = 20,
    max_draws: Annotated[int, typer.Option(help="Most draws of one run.", min=1)] = 1_000_000,
    time_limit: Annotated[float, typer.Option(help="Seconds a run may take.", min=1)] = 600.0,
) -> None:
    """Serve the browser app: upload a case, run it, read the report (Ctrl-C stops it)."""
    from somrisk.serve import serve as run_server
    from somrisk.serve.settings import Settings, default_data_folder

    token = token or os.environ.get("SOMRISK_TOKEN") or None
    settings = Settings(
        data=data or default_data_folder(),
        token=token,
        max_running=max_running,
        max_queued=max_queued,
        max_draws=max_draws,
        time_limit_s=time_limit,
    )
    run_server(host, port, settings)
