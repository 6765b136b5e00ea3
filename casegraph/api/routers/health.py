"""``GET /health``: whether the API and Neo4j answer (open to everyone)."""

from __future__ import annotations

from typing import Any

from casegraph import __version__
from casegraph.api.deps import DbDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.health import HealthOut

router = api_router(None, tags=["health"], errors=(503,))


@router.get("/health", summary="Health of the API and of Neo4j", response_model=HealthOut)
def health(db: DbDep) -> dict[str, Any]:
    """200 with Neo4j's version when Neo4j answers; 503 with a JSON error when it does not."""
    info = db.ping()
    return {"status": "ok", "casegraph": __version__, "neo4j": {"status": "up", **info}}
