"""Every JSON answer passes :class:`~casegraph.graph.disclosure.Disclosure` for its caller.

:class:`DisclosureMiddleware` decides, per request, what the caller may see (from the role
that :class:`~casegraph.api.auth.AuthMiddleware` found) and keeps it in a context variable;
:class:`DisclosingJSONResponse`, the app's default response class, applies it while the
answer is rendered. A route cannot forget it: there is no other way for a JSON answer out.
Exports apply the same object to their data before serializing (:func:`get_disclosure`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from casegraph.api.context import context_of
from casegraph.api.rights import caller_of
from casegraph.graph.disclosure import Disclosure

_current: ContextVar[Disclosure | None] = ContextVar("casegraph_disclosure", default=None)
_NOTHING = Disclosure(None)


def _for(scope: Scope) -> Disclosure:
    """What the caller of this request may see (from her role; nothing without a key)."""
    return Disclosure.for_role(context_of(scope["app"]).db, caller_of(scope).role)


def current_disclosure() -> Disclosure:
    """The disclosure of the request being answered (sees nothing outside a request)."""
    return _current.get() or _NOTHING


async def get_disclosure(request: Request) -> Disclosure:
    """Dependency: what the caller of ``request`` may see."""
    found = _current.get()
    return found if found is not None else _for(request.scope)


class DisclosureMiddleware:
    """Sets the caller's :class:`Disclosure` for the rest of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _current.set(_for(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


class DisclosingJSONResponse(JSONResponse):
    """JSON, after the caller's disclosure (see the module docstring), serialized by orjson
    (UTF-8, compact; non-string keys as strings, as ``json`` did)."""

    def render(self, content: Any) -> bytes:
        content = current_disclosure().apply(content)
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
