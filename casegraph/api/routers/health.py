"""``GET /health``: whether the API and Neo4j answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from casegraph import __version__
from casegraph.api.deps import get_db
from casegraph.graph.db import GraphDB

router = APIRouter(tags=["health"])


@router.get("/health", summary="Health of the API and of Neo4j")
def health(db: GraphDB = Depends(get_db)) -> dict[str, Any]:
    """200 with Neo4j's version when Neo4j answers; 503 with a JSON error when it does not."""
    info = db.ping()
    return {"status": "ok", "casegraph": __version__, "neo4j": {"status": "up", **info}}
