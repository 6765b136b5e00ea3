"""``GET /entities/{id}/timeline``: every dated fact of an entity and its neighbours, earliest
first (see :mod:`casegraph.graph.timeline`)."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from casegraph.api.deps import DbDep, DisclosureDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.timeline import TimelineOut
from casegraph.graph import timeline as timelines

router = api_router("read", prefix="/entities", tags=["entities"], errors=(404, 422, 503))


@router.get(
    "/{entity_id}/timeline",
    summary="Dated facts of an entity and its neighbours, earliest first",
    response_model=TimelineOut,
)
def get_timeline(
    entity_id: str,
    db: DbDep,
    disclosure: DisclosureDep,
    limit: int = Query(500, ge=1, le=timelines.MAX_EVENTS, description="at most this many events"),
) -> dict[str, Any]:
    return timelines.timeline(db, disclosure.resolve(entity_id), limit=limit)
