"""Shortest paths between two entities, with the sources behind every hop."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from casegraph.api.deps import get_db
from casegraph.api.disclosure import get_disclosure
from casegraph.graph import paths as paths_mod
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure

router = APIRouter(tags=["paths"])


@router.get("/paths", summary="All shortest paths between two entities, as a graph")
def get_paths(
    source: str = Query(..., min_length=1, max_length=200, description="entity id"),
    target: str = Query(..., min_length=1, max_length=200, description="entity id"),
    max_depth: int = Query(4, description=f"1..{paths_mod.MAX_DEPTH} hops"),
    limit: int = Query(paths_mod.MAX_PATHS, description=f"1..{paths_mod.MAX_PATHS} paths"),
    with_sources: bool = Query(False, description="allow hops through documents"),
    db: GraphDB = Depends(get_db),
    disclosure: Disclosure = Depends(get_disclosure),
) -> dict[str, Any]:
    return paths_mod.shortest_paths(
        db,
        disclosure.resolve(source),
        disclosure.resolve(target),
        max_depth=max_depth,
        limit=limit,
        with_sources=with_sources,
    )
