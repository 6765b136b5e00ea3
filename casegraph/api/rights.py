"""Roles, rights and who may call which route, as data.

:data:`ROLE_RIGHTS` says what each role may do. Each router declares the right its routes
need, as a dependency: ``APIRouter(dependencies=[require("read")])``, or
``dependencies=[OPEN]`` for the few routes anyone may call (health, the API description and
its pages, the explorer page). :class:`RightsTable` reads those declarations from an app's
routes; :class:`~casegraph.api.auth.AuthMiddleware` enforces them for every request, before
any route runs, and the declaration itself checks again when the route runs.

Deny by default: :func:`casegraph.api.app.create_app` refuses to build an app with a route
that declares no right (or more than one), and a request that matches no declared route
(an unknown path, a method a path does not have) needs ``admin``.

Examples
--------
>>> allows("viewer", "query"), allows("analyst", "query"), allows("admin", "admin")
(False, True, True)
>>> require("read").dependency
Requires(right='read')
>>> Caller.anonymous()
Caller(key_id='anonymous', role='none')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import Scope

from casegraph.errors import CasegraphError, ConfigurationError, InvalidRequestError

Right = Literal["read", "query", "export", "ingest", "admin"]
RIGHTS: tuple[str, ...] = get_args(Right)

ROLES: tuple[str, ...] = ("viewer", "analyst", "ingester", "admin")

#: What each role may do. ``read``: search, entities, neighborhoods, paths, analytics;
#: ``query``: saved queries and ad-hoc read Cypher; ``export``: exports;
#: ``ingest``: loading files; ``admin``: keys, the audit log and anything not declared.
ROLE_RIGHTS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "analyst": frozenset({"read", "query", "export"}),
    "ingester": frozenset({"read", "ingest"}),
    "admin": frozenset({"read", "query", "export", "ingest", "admin"}),
}

#: What a request that matches no declared route needs.
UNDECLARED: Right = "admin"


def allows(role: str, right: str) -> bool:
    """Whether ``role`` holds ``right``."""
    return right in ROLE_RIGHTS.get(role, frozenset())


def check_role(role: str) -> str:
    if role not in ROLE_RIGHTS:
        raise InvalidRequestError(
            f"unknown role {role!r}; expected one of {', '.join(ROLES)}",
            details={"field": "role", "allowed": list(ROLES)},
        )
    return role


@dataclass(frozen=True)
class Caller:
    """Who is asking: the API key's id and its role (``anonymous``/``none`` without a key;
    ``anonymous``/``admin`` when ``settings.auth_disabled``)."""

    key_id: str
    role: str

    @classmethod
    def anonymous(cls) -> Caller:
        return cls(key_id="anonymous", role="none")

    @classmethod
    def unchecked_admin(cls) -> Caller:
        """The caller of every request when authentication is disabled."""
        return cls(key_id="anonymous", role="admin")


def caller_of(scope: Scope) -> Caller:
    """The caller :class:`~casegraph.api.auth.AuthMiddleware` found for this request."""
    caller = scope.get("state", {}).get("caller")
    return caller if isinstance(caller, Caller) else Caller.anonymous()


class Forbidden(CasegraphError):
    """The caller's role lacks the right the route declares."""

    status_code = 403


@dataclass(frozen=True)
class Requires:
    """The declaration of the right a route needs (``None``: open to everyone).

    As a dependency it checks the caller again when the route runs (the middleware has
    already refused callers without the right; this keeps a route closed even if it were
    reached some other way)."""

    right: Right | None

    async def __call__(self, request: Request) -> None:
        if self.right is None:
            return
        caller = caller_of(request.scope)
        if not allows(caller.role, self.right):
            raise Forbidden(
                f"role {caller.role!r} lacks the right {self.right!r}",
                details={"role": caller.role, "required": self.right},
            )


def require(right: Right) -> Any:
    """The dependency that declares that a router's (or a route's) callers need ``right``."""
    if right not in RIGHTS:
        raise ValueError(f"unknown right {right!r}; expected one of {', '.join(RIGHTS)}")
    return Depends(Requires(right))


#: The dependency that declares a route open to everyone (no key needed).
OPEN: Any = Depends(Requires(None))


def declared(dependencies: Iterable[Any]) -> list[Requires]:
    """The :class:`Requires` declarations among a route's dependencies."""
    return [
        d.dependency
        for d in dependencies
        if isinstance(d, DependsParam) and isinstance(d.dependency, Requires)
    ]


# -- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRight:
    """The right that requests for one route need."""

    methods: frozenset[str]
    path: str
    regex: re.Pattern[str]
    right: Right | None

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.regex.match(path) is not None


class UndeclaredRights(ConfigurationError):
    """Routes that declare no right (or several): the app is not built."""


@dataclass(frozen=True)
class RightsTable:
    """The declared right of every route of an app, in routing order."""

    rules: tuple[RouteRight, ...]

    @classmethod
    def of(cls, routes: Sequence[BaseRoute], *, strict: bool = True) -> RightsTable:
        """The table of ``routes`` (an app's ``routes``). ``strict``: raise
        :class:`UndeclaredRights` naming every route without exactly one declaration;
        otherwise such routes are left out (and need :data:`UNDECLARED`)."""
        rules: list[RouteRight] = []
        problems: list[str] = []
        for ctx in iter_route_contexts(routes):
            methods = frozenset(ctx.methods or ())
            path, regex = ctx.path, getattr(ctx, "path_regex", None)
            if path is None or regex is None:
                problems.append(f"{ctx.original_route!r}: not a path route")
                continue
            found = declared(getattr(ctx, "dependencies", None) or ())
            if len(found) != 1:
                what = "declares no right" if not found else "declares several rights"
                problems.append(
                    f"{'|'.join(sorted(methods))} {path}: {what} (give its router "
                    "dependencies=[require(RIGHT)], or [OPEN] for an open route)"
                )
                continue
            rules.append(RouteRight(methods, path, regex, found[0].right))
        if strict and problems:
            raise UndeclaredRights(
                "every route must declare the right it needs: " + "; ".join(problems),
                details=problems,
            )
        return cls(tuple(rules))

    def required(self, method: str, path: str) -> Right | None:
        """The right a request needs (``None``: open); :data:`UNDECLARED` when it matches
        no declared route. ``HEAD`` needs what ``GET`` needs."""
        method = method.upper()
        methods = (method, "GET") if method == "HEAD" else (method,)
        for rule in self.rules:
            if any(rule.matches(m, path) for m in methods):
                return rule.right
        return UNDECLARED

    def open_paths(self) -> list[str]:
        return [f"{'|'.join(sorted(r.methods))} {r.path}" for r in self.rules if r.right is None]


def route_path(scope: Scope) -> str:
    """The path routing matches: the request path without the app's ``root_path`` (as
    Starlette's router computes it)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path
