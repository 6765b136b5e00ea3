"""API keys, roles and the rights table: who may call what.

A key is ``cg_<key_id>_<secret>``. Only ``sha256(key)`` is stored, on an
``(:ApiKey {key_id, hash, role, name, created_at, revoked})`` node (not an ``Entity``), and
compared with :func:`hmac.compare_digest`. The key itself is shown once, at creation.

Rights are data: :data:`ROLE_RIGHTS` says what each role may do and :data:`ROUTE_RIGHTS`
which right each route needs (first matching rule wins; a route that no rule names needs
``admin``, so a new endpoint is closed until someone opens it here).
:class:`AuthMiddleware` enforces them in one place, for every route of the app.

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

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from casegraph.errors import DatabaseUnavailableError, InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB

# -- roles and rights, as data ----------------------------------------------------------

ROLES: tuple[str, ...] = ("viewer", "analyst", "ingester", "admin")

#: What each role may do. ``read``: search, entities, neighborhoods, paths, analytics;
#: ``query``: saved queries and ad-hoc read Cypher; ``export``: exports;
#: ``ingest``: loading files; ``admin``: keys, the audit log and anything not listed.
ROLE_RIGHTS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "analyst": frozenset({"read", "query", "export"}),
    "ingester": frozenset({"read", "ingest"}),
    "admin": frozenset({"read", "query", "export", "ingest", "admin"}),
}

READ_METHODS = frozenset({"GET", "HEAD"})
ANY = frozenset({"*"})


@dataclass(frozen=True)
class RouteRule:
    """Requests whose method is in ``methods`` (``*``: any) and whose path is ``prefix`` or
    starts with ``prefix + '/'`` need ``right`` (``None``: open to everyone)."""

    methods: frozenset[str]
    prefix: str
    right: str | None

    def matches(self, method: str, path: str) -> bool:
        if "*" not in self.methods and method not in self.methods:
            return False
        if self.prefix == "/":
            return path == "/"
        return path == self.prefix or path.startswith(self.prefix + "/")


#: The route table. First match wins; no match → ``admin``.
ROUTE_RIGHTS: tuple[RouteRule, ...] = (
    # open: health, the API description, the static web UI shell
    RouteRule(READ_METHODS, "/health", None),
    RouteRule(READ_METHODS, "/openapi.json", None),
    RouteRule(READ_METHODS, "/docs", None),
    RouteRule(READ_METHODS, "/redoc", None),
    RouteRule(READ_METHODS, "/", None),
    RouteRule(READ_METHODS, "/web", None),
    RouteRule(READ_METHODS, "/static", None),
    RouteRule(READ_METHODS, "/assets", None),
    RouteRule(READ_METHODS, "/favicon.ico", None),
    # viewer
    RouteRule(READ_METHODS, "/entities", "read"),
    RouteRule(READ_METHODS, "/paths", "read"),
    RouteRule(READ_METHODS, "/analytics", "read"),
    # analyst
    RouteRule(ANY, "/queries", "query"),
    RouteRule(ANY, "/cypher", "query"),
    RouteRule(ANY, "/export", "export"),
    # ingester
    RouteRule(ANY, "/ingest", "ingest"),
    # admin
    RouteRule(ANY, "/audit", "admin"),
    RouteRule(ANY, "/apikeys", "admin"),
)


def required_right(method: str, path: str) -> str | None:
    """The right a request needs (``None``: open). Unlisted routes need ``admin``."""
    method = method.upper()
    for rule in ROUTE_RIGHTS:
        if rule.matches(method, path):
            return rule.right
    return "admin"


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


# -- keys -------------------------------------------------------------------------------

KEY_PREFIX = "cg"

CREATE_KEY = """
CREATE (k:ApiKey {key_id: $key_id, hash: $hash, role: $role, name: $name,
                  created_at: $created_at, revoked: false})
RETURN k.key_id AS key_id
"""
GET_KEY = (
    "MATCH (k:ApiKey {key_id: $key_id}) RETURN k.hash AS hash, k.role AS role, k.revoked AS revoked"
)
LIST_KEYS = """
MATCH (k:ApiKey)
RETURN k.key_id AS key_id, k.role AS role, k.name AS name, k.created_at AS created_at,
       k.revoked AS revoked
ORDER BY k.created_at, k.key_id
"""
REVOKE_KEY = """
MATCH (k:ApiKey {key_id: $key_id})
SET k.revoked = true, k.revoked_at = $now
RETURN k.key_id AS key_id
"""


@dataclass(frozen=True)
class NewKey:
    key_id: str
    role: str
    name: str
    key: str


def hash_key(key: str) -> str:
    """The stored form of a key: hex sha256 (the key carries 256 random bits)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_key(key: str) -> str | None:
    """The key id inside ``key``, or ``None`` when it is not shaped like a casegraph key."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_key(db: GraphDB, role: str, name: str = "") -> NewKey:
    """Make a key for ``role``; store its hash; return the key (shown this once)."""
    check_role(role)
    key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    db.write(
        CREATE_KEY,
        {"key_id": key_id, "hash": hash_key(key), "role": role, "name": name, "created_at": _now()},
    )
    return NewKey(key_id=key_id, role=role, name=name, key=key)


def list_keys(db: GraphDB) -> list[dict[str, Any]]:
    """Every key's id, role, name, creation time and whether it is revoked (never hashes)."""
    return db.read(LIST_KEYS)


def revoke_key(db: GraphDB, key_id: str) -> None:
    """Revoke a key. Raises :class:`NotFoundError` for an unknown id."""
    if not db.write(REVOKE_KEY, {"key_id": key_id, "now": _now()}):
        raise NotFoundError(f"no API key with id {key_id!r}")


@dataclass(frozen=True)
class Identity:
    key_id: str
    role: str


class KeyStore:
    """Checks keys against the database, caching answers for ``ttl`` seconds (so a
    revocation made elsewhere takes effect within ``ttl``; one made here, at once)."""

    def __init__(self, db: GraphDB | Callable[[], GraphDB], ttl: float = 5.0) -> None:
        self._db = db
        self.ttl = ttl
        self._cache: dict[str, tuple[Identity | None, float]] = {}
        self._lock = threading.Lock()

    def authenticate(self, key: str) -> Identity | None:
        """The identity behind ``key``, or ``None`` for an unknown, malformed or revoked key."""
        key_id = parse_key(key)
        if key_id is None or len(key) > 200:
            return None
        digest = hash_key(key)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        rows = self.db.read(GET_KEY, {"key_id": key_id})
        identity = None
        if rows and not rows[0]["revoked"] and hmac.compare_digest(str(rows[0]["hash"]), digest):
            identity = Identity(key_id=key_id, role=str(rows[0]["role"]))
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (identity, now + self.ttl)
        return identity

    @property
    def db(self) -> GraphDB:
        return self._db if isinstance(self._db, GraphDB) else self._db()

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()


# -- enforcement ------------------------------------------------------------------------


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Send a complete JSON answer from inside a middleware."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


def _error(kind: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "details": details}}


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
    """Resolves the caller from ``Authorization: Bearer <key>`` and checks the route table.

    Sets ``scope["state"]["caller"]`` (read by :func:`casegraph.api.deps.get_caller`).
    No or unknown key → 401 with ``WWW-Authenticate: Bearer``; a role without the right →
    403. With ``settings.auth_disabled`` every caller is an anonymous admin.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from casegraph.api.deps import Caller  # deps imports nothing from here

        state = scope.setdefault("state", {})
        fastapi_app = scope["app"]
        settings = fastapi_app.state.settings
        right = required_right(scope["method"], scope["path"])
        if settings.auth_disabled:
            state["caller"] = Caller(key_id="anonymous", role="admin")
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        identity: Identity | None = None
        if token is not None:
            store: KeyStore = fastapi_app.state.keys
            try:
                identity = await run_in_threadpool(store.authenticate, token)
            except DatabaseUnavailableError as exc:
                if right is None:
                    identity = None
                else:
                    await send_json(
                        send,
                        503,
                        _error("DatabaseUnavailableError", exc.message),
                        {"Retry-After": "5"},
                    )
                    return
        if identity is not None:
            state["caller"] = Caller(key_id=identity.key_id, role=identity.role)
        if right is None:
            await self.app(scope, receive, send)
            return
        if identity is None:
            message = "missing API key" if token is None else "unknown or revoked API key"
            await send_json(
                send,
                401,
                _error("Unauthorized", f"{message}; send 'Authorization: Bearer <key>'"),
                {"WWW-Authenticate": 'Bearer realm="casegraph"'},
            )
            return
        if not allows(identity.role, right):
            await send_json(
                send,
                403,
                _error(
                    "Forbidden",
                    f"role {identity.role!r} lacks the right {right!r}",
                    {"role": identity.role, "required": right},
                ),
            )
            return
        await self.app(scope, receive, send)
