"""``/health``."""

from __future__ import annotations

from casegraph.api.schemas.common import Schema


class Neo4jStatus(Schema):
    status: str
    version: str | None = None
    edition: str | None = None


class HealthOut(Schema):
    """The API answers and so does Neo4j (otherwise: 503 with an error)."""

    status: str
    casegraph: str
    neo4j: Neo4jStatus
