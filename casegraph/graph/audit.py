"""Audit records as stored in Neo4j: ``(:AuditRecord {id, at, stream, instance, sealed})``
nodes, the shared audit sink of API replicas (:mod:`casegraph.api.audit` writes them).

Not entities: search, analytics, exports and ``db reset`` leave them alone. Append-only:
casegraph's code has a statement that creates them and one that reads them, none that
changes or deletes them. The record itself (path, query, Cypher text, parameters, client
address ...) is sealed with the protection key (AES-256-GCM, the record's ``id`` as
associated data), so Cypher run through the API (read-only, any role) sees when a record
was written and by which instance, never what it says; only :func:`read_records` (the
admins' ``GET /audit?source=neo4j`` and ``casegraph audit tail --source neo4j``)
opens them. A record that does not open with this key (written under another key) is
returned as ``{"unreadable": true}`` with its time, not dropped.

The protection key check (:func:`check_protection_key`): a ``CasegraphMeta {key:
'protection'}`` node holds a keyed hash of a fixed text, written by the first server that
starts; a server whose key gives another hash refuses to start, so replicas cannot
pseudonymize or seal with different keys.

Examples
--------
>>> from casegraph.graph.protection import ProtectionKey
>>> rows = seal_records([{"path": "/health", "time": "2026-01-01T00:00:00.000+00:00"}],
...                     ProtectionKey(bytes(32)), instance="a:8000")
>>> rows[0]["stream"], rows[0]["at"], "/health" in rows[0]["sealed"]
('main', '2026-01-01T00:00:00.000+00:00', False)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from casegraph.errors import ConfigurationError
from casegraph.graph.db import GraphDB
from casegraph.graph.protection import ProtectionKey

__all__ = [
    "AUDIT_LABEL",
    "check_protection_key",
    "read_records",
    "seal_records",
    "write_records",
]

AUDIT_LABEL = "AuditRecord"

WRITE_RECORDS = """
UNWIND $rows AS row
CREATE (a:AuditRecord)
SET a.id = row.id, a.at = row.at, a.stream = row.stream, a.instance = row.instance,
    a.sealed = row.sealed
"""
# Newest first through the range index on ``at``, then returned oldest first.
READ_RECORDS = """
MATCH (a:AuditRecord)
WHERE a.stream = $stream AND a.at IS NOT NULL
WITH a ORDER BY a.at DESC, a.id DESC LIMIT $limit
RETURN a.id AS id, a.at AS at, a.instance AS instance, a.sealed AS sealed
ORDER BY at, id
"""
KEY_CHECK_MERGE = """
MERGE (m:CasegraphMeta {key: 'protection'})
ON CREATE SET m.check = $check, m.created_at = datetime()
RETURN m.check AS check
"""


def seal_records(
    entries: Iterable[Mapping[str, Any]], key: ProtectionKey, *, instance: str
) -> list[dict[str, Any]]:
    """The rows :func:`write_records` stores for ``entries`` (each sealed whole)."""
    rows = []
    for entry in entries:
        record = dict(entry)
        record_id = uuid.uuid4().hex
        rows.append(
            {
                "id": record_id,
                "at": str(record.get("time") or ""),
                "stream": str(record.pop("_stream", "main")),
                "instance": instance,
                "sealed": key.seal(record, "audit:" + record_id),
            }
        )
    return rows


def write_records(db: GraphDB, rows: list[dict[str, Any]]) -> None:
    """Store sealed rows (one transaction; retried by the driver on transient errors)."""
    if rows:
        db.write(WRITE_RECORDS, {"rows": rows})


def read_records(
    db: GraphDB, key: ProtectionKey, *, limit: int, stream: str = "main"
) -> list[dict[str, Any]]:
    """The last ``limit`` records of ``stream`` (oldest first), opened, each with the
    ``instance`` that wrote it."""
    out: list[dict[str, Any]] = []
    for row in db.read(READ_RECORDS, {"limit": int(limit), "stream": stream}):
        try:
            record = key.unseal(str(row["sealed"]), "audit:" + str(row["id"]))
        except (ConfigurationError, ValueError):
            record = {"time": row["at"], "unreadable": True}
        record.setdefault("instance", row["instance"])
        out.append(record)
    return out


def key_check_value(key: ProtectionKey) -> str:
    """What the graph keeps to recognise its key (a keyed hash of a fixed text)."""
    return key.tag("key-check", "casegraph protection key")[:32]


def check_protection_key(db: GraphDB, key: ProtectionKey) -> None:
    """Record ``key``'s check value if the graph has none; raise
    :class:`ConfigurationError` if it holds another key's."""
    mine = key_check_value(key)
    rows = db.write(KEY_CHECK_MERGE, {"check": mine})
    found = str(rows[0]["check"]) if rows else mine
    if found != mine:
        raise ConfigurationError(
            "this server's protection key is not the one the graph was written with: every "
            "API replica and command must use the same key (CASEGRAPH_PROTECTION_KEY or "
            "CASEGRAPH_PROTECTION_KEY_FILE); refusing to start"
        )
