"""API keys: made, listed, revoked, and checked.

A key is ``cg_<key_id>_<secret>``. Only ``sha256(key)`` is stored (by
:mod:`casegraph.graph.keys`, on an ``ApiKey`` node), and compared with
:func:`hmac.compare_digest`. The key itself is shown once, at creation.

Examples
--------
>>> parse_key("cg_0123abcd_secret")
'0123abcd'
>>> parse_key("not-a-key") is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from casegraph.api.rights import Caller, check_role
from casegraph.graph import keys as stored
from casegraph.graph.db import GraphDB

KEY_PREFIX = "cg"


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


def create_key(db: GraphDB, role: str, name: str = "") -> NewKey:
    """Make a key for ``role``; store its hash; return the key (shown this once)."""
    check_role(role)
    key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    stored.store_key(db, key_id, hash_key(key), role, name)
    return NewKey(key_id=key_id, role=role, name=name, key=key)


list_keys = stored.list_keys
revoke_key = stored.revoke_key


class KeyStore:
    """Checks keys against the database, caching answers for ``ttl`` seconds (so a
    revocation made elsewhere takes effect within ``ttl``; one made here, at once)."""

    def __init__(self, db: GraphDB, ttl: float = 5.0) -> None:
        self.db = db
        self.ttl = ttl
        self._cache: dict[str, tuple[Caller | None, float]] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[bool, Caller | None]:
        """``(True, caller)`` when the answer for ``key`` is known without Neo4j (a verdict
        younger than ``ttl``, or a malformed key: ``None``); ``(False, None)`` when
        :meth:`authenticate` must read the key. Never blocks on I/O, so the event loop may
        call it."""
        if parse_key(key) is None or len(key) > 200:
            return True, None
        with self._lock:
            hit = self._cache.get(hash_key(key))
        if hit is not None and hit[1] > time.monotonic():
            return True, hit[0]
        return False, None

    def authenticate(self, key: str) -> Caller | None:
        """The caller behind ``key``, or ``None`` for an unknown, malformed or revoked key."""
        known, caller = self.cached(key)
        if known:
            return caller
        key_id = parse_key(key)
        assert key_id is not None  # cached() answered the malformed ones
        digest = hash_key(key)
        now = time.monotonic()
        row = stored.get_key(self.db, key_id)
        caller = None
        if row and not row["revoked"] and hmac.compare_digest(str(row["hash"]), digest):
            caller = Caller(key_id=key_id, role=str(row["role"]))
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (caller, now + self.ttl)
        return caller

    def revoke(self, key_id: str) -> None:
        """Revoke a key and forget every cached answer (so it is refused at once here)."""
        revoke_key(self.db, key_id)
        self.forget()

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
