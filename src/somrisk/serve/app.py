"""The ASGI application of ``somrisk serve``: routes, the gate (token, same-site posts), errors."""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from somrisk.serve.api import api_routes
from somrisk.serve.security import (
    SESSION_COOKIE,
    BodyLimit,
    SecurityHeaders,
    bearer_ok,
    same_origin,
    session_ok,
)
from somrisk.serve.service import Service
from somrisk.serve.settings import Settings

__all__ = ["create_app"]

#: Room for the multipart form's own bytes around the largest file.
_FORM_OVERHEAD = 64 * 1024
_OPEN = ("/login", "/static/")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Gate:
    """ASGI middleware: the token (where one is set) and same-site unsafe requests."""

    def __init__(self, app: Any, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        if request.method in _UNSAFE and not same_origin(request.headers, request.headers.get("host")):
            await _refuse(403, "a request from another site is refused", path)(scope, receive, send)
            return
        if self.token is not None and not path.startswith(_OPEN) and not self._allowed(request):
            if _wants_page(request):
                await RedirectResponse("/login", status_code=303)(scope, receive, send)
            else:
                response = _refuse(401, "give the server's token: Authorization: Bearer <token>", path)
                response.headers["www-authenticate"] = "Bearer"
                await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, request: Request) -> bool:
        assert self.token is not None
        return bearer_ok(request.headers.get("authorization"), self.token) or session_ok(
            request.cookies.get(SESSION_COOKIE), self.token
        )


def _wants_page(request: Request) -> bool:
    path = request.url.path
    api = path.startswith("/api/") or path == "/health"
    return not api and request.method == "GET" and "text/html" in request.headers.get("accept", "")


def _refuse(status: int, message: str, path: str) -> Response:
    if path.startswith("/api/") or path == "/health":
        return JSONResponse({"error": message}, status_code=status)
    return PlainTextResponse(message, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = {404: "not found", 405: "method not allowed"}.get(status, "the server could not answer")
    return _refuse(status, message, request.url.path)


async def _internal_error(request: Request, exc: Exception) -> Response:
    """Never a traceback: the kind of error, and the promise that nothing was half-done."""
    return _refuse(500, f"internal error ({type(exc).__name__}); nothing was changed", request.url.path)


def create_app(settings: Settings) -> Starlette:
    """The application of a server with these settings (its database opened, runs cut off by a
    restart marked failed)."""
    from somrisk.serve.pages import page_routes

    service = Service(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        yield
        service.close()

    static = StaticFiles(directory=str(resources.files("somrisk.serve") / "static"))
    app = Starlette(
        routes=[*api_routes(), *page_routes(), Mount("/static", static, name="static")],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, limit=settings.max_upload_bytes + _FORM_OVERHEAD),
            Middleware(Gate, token=settings.token),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.settings = settings
    return app
