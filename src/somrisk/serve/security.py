"""Who may ask, and what every answer carries: the token, the login session, CSRF, size limits, CSP.

- With a token, every request carries ``Authorization: Bearer <token>`` or the session cookie the
  login page sets (HttpOnly, SameSite=Strict; an HMAC of a random value with the token, so it
  survives a restart and dies with a new token). Only the login page and the static files are open.
- A request body larger than the limit is answered 413 before anything reads it.
- Every form carries a CSRF token equal to the ``somrisk_csrf`` cookie (double submit); every
  unsafe request from another site (``Sec-Fetch-Site: cross-site``, or an ``Origin`` that is not
  this server) is refused.
- Every answer has a Content-Security-Policy without inline script, and no framing by other sites.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "BodyLimit",
    "SecurityHeaders",
    "bearer_ok",
    "new_session",
    "same_origin",
    "session_ok",
]

SESSION_COOKIE = "somrisk_session"
CSRF_COOKIE = "somrisk_csrf"

#: The pages' policy: scripts, styles and images from this server only.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: The committee report: one self-contained page (its own <style>, SVG charts), no script at all.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def _mac(token: str, nonce: str) -> str:
    return hmac.new(token.encode("utf-8"), f"session:{nonce}".encode(), hashlib.sha256).hexdigest()


def new_session(token: str) -> str:
    """A session cookie's value for a user who gave the token."""
    nonce = secrets.token_hex(16)
    return f"{nonce}.{_mac(token, nonce)}"


def session_ok(value: str | None, token: str) -> bool:
    if not value or "." not in value:
        return False
    nonce, mac = value.split(".", 1)
    return hmac.compare_digest(mac, _mac(token, nonce))


def bearer_ok(header: str | None, token: str) -> bool:
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer ") :].encode("utf-8"), token.encode("utf-8"))


def same_origin(headers: Any, host: str | None) -> bool:
    """False for a request another site's page made (checked on every unsafe method).

    A browser's ``Sec-Fetch-Site`` (no page can set it) decides where it is sent: a same-origin form
    post carries ``Origin: null`` under a strict referrer policy, so the origin alone would refuse it.
    Without it (an older browser, a program) the ``Origin``, if any, must be this host.
    """
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    return origin is None or urlsplit(origin).netloc == (host or "")


class BodyLimit:
    """ASGI middleware: 413 for a body over `limit` bytes, by its Content-Length or as it streams."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def counted_receive() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _Oversized
            return message

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _Oversized:
            if not started:
                await _too_large(send, self.limit)


class _Oversized(Exception):
    pass


async def _too_large(send: Any, limit: int) -> None:
    body = json.dumps({"error": f"the upload is larger than {limit:,} bytes, the most this server takes"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode("utf-8")})


class SecurityHeaders:
    """ASGI middleware: the CSP and the other headers of every answer (the report has its own)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", PAGE_POLICY.encode()))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store") if b"cache-control" not in names else (b"x-", b""),
                ]
                message = {**message, "headers": [h for h in headers if h[0] != b"x-"]}
            await send(message)

        await self.app(scope, receive, with_headers)
