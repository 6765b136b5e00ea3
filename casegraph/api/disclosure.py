"""Every JSON answer passes :class:`~casegraph.graph.disclosure.Disclosure` for its caller.

:class:`DisclosureMiddleware` decides, per request, what the caller may see (from the role
that :class:`~casegraph.api.auth.AuthMiddleware` found) and keeps it in a context variable;
:class:`DisclosingJSONResponse`, the app's default response class, applies it while the
answer is rendered. A route cannot forget it: there is no other way for a JSON answer out.
Exports apply the same object to their data before serializing (:func:`get_disclosure`).
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure

_current: ContextVar[Disclosure | None] = ContextVar("casegraph_disclosure", default=None)
_NOTHING = Disclosure(None)


def _role(scope: Scope) -> str | None:
    caller = scope.get("state", {}).get("caller")
    return getattr(caller, "role", None)


def current_disclosure() -> Disclosure:
    """The disclosure of the request being answered (sees nothing outside a request)."""
    return _current.get() or _NOTHING


def get_disclosure(request: Request) -> Disclosure:
    """Dependency: what the caller of ``request`` may see."""
    found = _current.get()
    if found is not None:
        return found
    db: GraphDB | None = getattr(request.app.state, "db", None)
    return Disclosure.for_role(db, _role(request.scope))


class DisclosureMiddleware:
    """Sets the caller's :class:`Disclosure` for the rest of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        db: GraphDB | None = getattr(scope["app"].state, "db", None)
        token = _current.set(Disclosure.for_role(db, _role(scope)))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


class DisclosingJSONResponse(JSONResponse):
    """JSON, after the caller's disclosure (see the module docstring)."""

    def render(self, content: Any) -> bytes:
        content = current_disclosure().apply(content)
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8")
