"""The browser app, ``somrisk serve``: the engine for analysts who do not use a terminal.

outputs.md, "The browser app": an HTTP API (``api``) and server-rendered pages (``pages``) over one
:class:`~somrisk.serve.service.Service` (the SQLite ``store``, the ``runs`` queue of worker threads,
``uploads`` checked against the hostile-file limits before parsing). ``security`` holds the token,
session, CSRF, body-size and CSP rules; docs/serve.md describes running it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette

    from somrisk.serve.settings import Settings

__all__ = ["create_app", "serve"]


def create_app(settings: Settings) -> Starlette:
    """The ASGI application (see :func:`somrisk.serve.app.create_app`)."""
    from somrisk.serve.app import create_app as make

    return make(settings)


def serve(host: str, port: int, settings: Settings) -> None:
    """Check the host against the token rule, then serve until stopped (uvicorn).

    Raises
    ------
    UsageError
        For a non-loopback host without a token.
    """
    import uvicorn

    from somrisk.serve.settings import check_host

    check_host(host, settings.token)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=True,
        server_header=False,
    )
