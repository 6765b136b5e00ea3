"""``/health``."""

from __future__ import annotations

from pydantic import Field

from casegraph.api.schemas.common import Schema


class Neo4jStatus(Schema):
    status: str
    version: str | None = None
    edition: str | None = None
    checked_ms_ago: float | None = Field(
        None, description="age of the state (read in the background at least once a second)"
    )


class HealthOut(Schema):
    """The API answers and Neo4j answered its last background poll (otherwise: 503 with
    an error). No request makes a Bolt call."""

    status: str
    casegraph: str
    neo4j: Neo4jStatus
