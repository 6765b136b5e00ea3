"""Who may call what, enforced in one place: :class:`AuthMiddleware`.

Rights are data (:mod:`casegraph.api.rights`): each router declares the right its routes
need, and the app's :class:`~casegraph.api.rights.RightsTable` is read from those
declarations. A request that matches no declared route needs ``admin``, so a new endpoint
is closed until its router declares otherwise (and :func:`casegraph.api.app.create_app`
refuses a route that declares nothing). Keys are made and checked by
:mod:`casegraph.api.keys`.

Examples
--------
>>> required_right("GET", "/entities/p-1/neighborhood")
'read'
>>> required_right("POST", "/cypher")
'query'
>>> required_right("GET", "/health") is None
True
>>> required_right("DELETE", "/something/new")
'admin'
>>> allows("viewer", "query"), allows("analyst", "query"), allows("admin", "admin")
(False, True, True)
>>> parse_key("cg_0123abcd_secret")
'0123abcd'
"""

from __future__ import annotations

from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from casegraph.api.context import context_of
from casegraph.api.errors import UNAVAILABLE, error_response, unavailable_response
from casegraph.api.keys import (
    KeyStore,
    NewKey,
    create_key,
    hash_key,
    list_keys,
    parse_key,
    revoke_key,
)
from casegraph.api.rights import (
    ROLE_RIGHTS,
    ROLES,
    Caller,
    Right,
    RightsTable,
    allows,
    check_role,
    route_path,
)

__all__ = [
    "ROLES",
    "ROLE_RIGHTS",
    "AuthMiddleware",
    "KeyStore",
    "NewKey",
    "allows",
    "bearer_token",
    "check_role",
    "create_key",
    "hash_key",
    "list_keys",
    "parse_key",
    "required_right",
    "revoke_key",
    "rights_table",
]


@cache
def rights_table() -> RightsTable:
    """The rights table of the app :func:`~casegraph.api.app.create_app` builds (the
    same for every app it builds: it comes from the routers' declarations)."""
    from casegraph.api.app import create_app  # the app is made of the modules here
    from casegraph.settings import Settings

    return RightsTable.of(create_app(settings=Settings()).routes)


def required_right(method: str, path: str) -> Right | None:
    """The right a request needs (``None``: open). Undeclared routes need ``admin``."""
    return rights_table().required(method, path)


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            scheme, _, token = text.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


class AuthMiddleware:
    """Resolves the caller from ``Authorization: Bearer <key>`` and checks the app's
    rights table.

    Sets ``scope["state"]["caller"]`` (a :class:`~casegraph.api.rights.Caller`, read by
    :data:`casegraph.api.deps.CallerDep`) when the key is valid. No or unknown key → 401
    with ``WWW-Authenticate: Bearer``; a role without the right → 403; Neo4j unreachable
    while the key is checked → 503 (open routes go on without a caller). With
    ``settings.auth_disabled`` every caller is an anonymous admin.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = context_of(scope["app"])
        state = scope.setdefault("state", {})
        right = context.rights.required(scope["method"], route_path(scope))
        if context.settings.auth_disabled:
            state["caller"] = Caller.unchecked_admin()
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        caller: Caller | None = None
        if token is not None:
            try:
                # a verdict cached for this key is read here; only a key not seen for
                # key_cache_seconds is read from Neo4j, in a worker thread
                known, caller = context.keys.cached(token)
                if not known:
                    caller = await run_in_threadpool(context.keys.authenticate, token)
            except UNAVAILABLE as exc:
                if right is not None:
                    await unavailable_response(exc)(scope, receive, send)
                    return
        if caller is not None:
            state["caller"] = caller
        if right is None:
            await self.app(scope, receive, send)
            return
        if caller is None:
            message = "missing API key" if token is None else "unknown or revoked API key"
            response = error_response(
                401,
                "Unauthorized",
                f"{message}; send 'Authorization: Bearer <key>'",
                headers={"WWW-Authenticate": 'Bearer realm="casegraph"'},
            )
            await response(scope, receive, send)
            return
        if not allows(caller.role, right):
            response = error_response(
                403,
                "Forbidden",
                f"role {caller.role!r} lacks the right {right!r}",
                {"role": caller.role, "required": right},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
