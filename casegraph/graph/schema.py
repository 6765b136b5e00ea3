"""Constraints and indexes, as data. :func:`init_schema` applies them idempotently.

``casegraph db init`` runs it; the writer runs it before each load, so a fresh database
is always ready.
"""

from __future__ import annotations

from casegraph.graph.db import GraphDB

FULLTEXT_INDEX = "entity_names"
BLIND_INDEX = "entity_blind"

SCHEMA: tuple[str, ...] = (
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (n:CasegraphMeta) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT ingest_run_id IF NOT EXISTS FOR (n:IngestRun) REQUIRE n.run_id IS UNIQUE",
    "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_id IS UNIQUE",
    "CREATE CONSTRAINT watch_name IF NOT EXISTS FOR (n:Watch) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT alert_key IF NOT EXISTS FOR (n:Alert) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT alert_id IF NOT EXISTS FOR (n:Alert) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX alert_watch IF NOT EXISTS FOR (n:Alert) ON (n.watch)",
    "CREATE CONSTRAINT workspace_id IF NOT EXISTS FOR (n:Workspace) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT note_id IF NOT EXISTS FOR (n:Note) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX note_target IF NOT EXISTS FOR (n:Note) ON (n.target)",
    "CREATE CONSTRAINT audit_record_id IF NOT EXISTS FOR (n:AuditRecord) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX audit_record_at IF NOT EXISTS FOR (n:AuditRecord) ON (n.at)",
    "CREATE INDEX entity_name_key IF NOT EXISTS FOR (n:Entity) ON (n.name_key)",
    "CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    # Full-text search over the name as written and over the transliterated keys of the
    # name and every alias (so "Таев" and "Taev" reach the same person).
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
    "FOR (n:Entity) ON EACH [n.name, n.search_text]",
    # Protected people: keyed hashes of their name words (the blind index), and their level.
    f"CREATE FULLTEXT INDEX {BLIND_INDEX} IF NOT EXISTS FOR (n:Person) ON EACH [n.blind_text]",
    "CREATE INDEX person_protection IF NOT EXISTS FOR (n:Person) ON (n.protection)",
)


def init_schema(db: GraphDB, *, wait: bool = True) -> list[str]:
    """Create every constraint and index that does not exist yet. Idempotent.

    Returns the statements that were run.
    """
    for statement in SCHEMA:
        db.write(statement)
    if wait:
        db.write("CALL db.awaitIndexes(300)")
    return list(SCHEMA)


def reset_database(db: GraphDB, *, keep_audit: bool = False) -> None:
    """Delete every node and relationship (the schema stays). For tests and ``db reset``,
    which keeps the audit records of the shared sink and the protection key's check
    (``keep_audit``: the records stay readable, sealed with that key)."""
    if keep_audit:
        db.run_autocommit(
            "MATCH (n) WHERE NOT n:AuditRecord AND NOT (n:CasegraphMeta AND n.key = 'protection') "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        )
        return
    db.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
