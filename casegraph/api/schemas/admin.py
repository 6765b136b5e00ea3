"""``/audit`` and ``/apikeys``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from casegraph.api.schemas.common import Schema


class AuditOut(Schema):
    """``GET /audit``: the last records of one audit stream, oldest first."""

    count: int
    stream: Literal["main", "anonymous"]
    source: Literal["file", "neo4j"] = Field(
        "file", description="file: this server's log; neo4j: the shared sink (every replica)"
    )
    records: list[dict[str, Any]] = Field(
        description="time, key_id, role, method, path, query, status, bytes, ms, client, "
        "and what the route added"
    )


class ApiKeyOut(Schema):
    """A key's id, role and name (never the key or its hash)."""

    key_id: str
    role: str
    name: str | None = None
    created_at: str | None = None
    revoked: bool | None = None


class ApiKeysOut(Schema):
    """``GET /apikeys``."""

    count: int
    keys: list[ApiKeyOut]


class NewKeyOut(Schema):
    """``POST /apikeys``: the new key, shown this once."""

    key_id: str
    role: str
    name: str
    key: str


class RevokedKeyOut(Schema):
    """``DELETE /apikeys/{key_id}``."""

    key_id: str
    revoked: bool
