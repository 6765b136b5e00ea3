"""Security headers on every response: Content-Security-Policy, X-Content-Type-Options,
Referrer-Policy.

The policy allows only this origin: no remote script, style, font or connection, no
inline script or style, no plugins, no framing. A page may send its own policy built with
:func:`csp`, adding only what it needs: the explorer allows the one style element
Cytoscape.js adds, by hash (:mod:`casegraph.api.routers.web`); the API docs pages allow
their inline start-up script by hash (:mod:`casegraph.api.docs`). The middleware keeps a
policy the route set and adds the other headers.

Examples
--------
>>> "script-src 'self';" in csp()
True
>>> csp(script=("'sha256-abc='",)).split("; ")[1]
"script-src 'self' 'sha256-abc='"
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REFERRER_POLICY = "no-referrer"


def csp(
    *, script: Iterable[str] = (), style: Iterable[str] = (), worker: Iterable[str] = ()
) -> str:
    """The Content-Security-Policy: same origin only, plus the given extra sources."""

    def sources(extra: Iterable[str]) -> str:
        return " ".join(("'self'", *extra))

    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {sources(script)}",
            f"style-src {sources(style)}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            f"worker-src {sources(worker)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


DEFAULT_CSP = csp()


def style_hash(text: str) -> str:
    """The CSP source expression (``'sha256-…'``) that allows an inline script or style
    block whose text is ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def security_headers(policy: str = DEFAULT_CSP) -> dict[str, str]:
    """The headers every response carries."""
    return {
        "content-security-policy": policy,
        "x-content-type-options": "nosniff",
        "referrer-policy": REFERRER_POLICY,
    }


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` to every HTTP response (keeping a route's own CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(k.encode(), v.encode()) for k, v in security_headers().items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {bytes(k).lower() for k, _ in headers}
                headers += [(k, v) for k, v in self._headers if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
