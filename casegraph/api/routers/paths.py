"""Shortest paths between two entities, with the sources behind every hop."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from casegraph.api.deps import DbDep, DisclosureDep, SettingsDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.paths import PathsOut
from casegraph.graph import paths as paths_mod

router = api_router("read", tags=["paths"], errors=(404, 422, 503))


@router.get(
    "/paths",
    summary="All shortest paths between two entities, as a graph (bounded in hops and time)",
    response_model=PathsOut,
)
def get_paths(
    db: DbDep,
    disclosure: DisclosureDep,
    settings: SettingsDep,
    source: str = Query(..., min_length=1, max_length=200, description="entity id"),
    target: str = Query(..., min_length=1, max_length=200, description="entity id"),
    max_depth: int = Query(4, description=f"1..{paths_mod.MAX_DEPTH} hops"),
    limit: int = Query(paths_mod.MAX_PATHS, description=f"1..{paths_mod.MAX_PATHS} paths"),
    with_sources: bool = Query(False, description="allow hops through documents"),
) -> dict[str, Any]:
    return paths_mod.shortest_paths(
        db,
        disclosure.resolve(source),
        disclosure.resolve(target),
        max_depth=max_depth,
        limit=limit,
        with_sources=with_sources,
        time_limit=settings.path_timeout,
    )
