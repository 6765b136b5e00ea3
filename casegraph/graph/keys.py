"""API keys as stored: ``(:ApiKey {key_id, hash, role, name, created_at, revoked})`` nodes
(not entities). Only the hash of a key is stored; making, checking and caching keys is
:mod:`casegraph.api.keys`'.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from casegraph.errors import NotFoundError
from casegraph.graph.db import GraphDB

__all__ = ["get_key", "list_keys", "revoke_key", "store_key"]

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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_key(db: GraphDB, key_id: str, digest: str, role: str, name: str) -> None:
    """Store a new key's hash and role (the role is checked by the caller)."""
    db.write(
        CREATE_KEY,
        {"key_id": key_id, "hash": digest, "role": role, "name": name, "created_at": _now()},
    )


def get_key(db: GraphDB, key_id: str) -> dict[str, Any] | None:
    """The stored ``hash``, ``role`` and ``revoked`` of a key id, or ``None``."""
    rows = db.read(GET_KEY, {"key_id": key_id})
    return rows[0] if rows else None


def list_keys(db: GraphDB) -> list[dict[str, Any]]:
    """Every key's id, role, name, creation time and whether it is revoked (never hashes)."""
    return db.read(LIST_KEYS)


def revoke_key(db: GraphDB, key_id: str) -> None:
    """Revoke a key. Raises :class:`NotFoundError` for an unknown id."""
    if not db.write(REVOKE_KEY, {"key_id": key_id, "now": _now()}):
        raise NotFoundError(f"no API key with id {key_id!r}")
