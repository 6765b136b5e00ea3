"""Link analysis over HTTP: centrality, communities, brokers, key players, routes, pyramids.

Every measure runs on a projection (:mod:`casegraph.graph.analytics.projection`); the
query parameters ``kind``, ``rel``, ``directed``, ``weight``, ``case``, ``date_from`` and
``date_to`` choose it (default: people and organizations and the relationships among them,
undirected). Answers are cached per graph version.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from casegraph.api.deps import get_db
from casegraph.graph.analytics import service
from casegraph.graph.analytics.projection import DEFAULT_KINDS, ProjectionOptions
from casegraph.graph.db import GraphDB

router = APIRouter(prefix="/analytics", tags=["analytics"])


def projection_options(
    kind: list[str] | None = Query(
        None, description="entity kinds to project (repeatable); default Person, Organization"
    ),
    rel: list[str] | None = Query(
        None, description="relationship types to project (repeatable); default all among them"
    ),
    directed: bool = Query(False, description="keep relationship directions"),
    weight: str | None = Query(None, max_length=64, description="numeric edge property"),
    case: str | None = Query(None, max_length=200, description="only the entities of this case"),
    date_from: str | None = Query(None, description="YYYY[-MM[-DD]]: dated relationships from"),
    date_to: str | None = Query(None, description="YYYY[-MM[-DD]]: dated relationships until"),
) -> ProjectionOptions:
    return ProjectionOptions(
        kinds=tuple(kind) if kind else DEFAULT_KINDS,
        rel_types=tuple(rel) if rel else None,
        directed=directed,
        weight=weight,
        case_id=case,
        date_from=date_from,
        date_to=date_to,
    )


@router.get("/centrality", summary="Rank entities by a centrality measure")
def centrality(
    measure: str = Query(
        "pagerank", description="degree, betweenness, closeness, pagerank, eigenvector, kcore"
    ),
    top: int = Query(10, ge=1, le=service.MAX_TOP),
    k: int | None = Query(None, ge=2, description="betweenness: sample k sources"),
    seed: int = Query(0, description="seed of the betweenness sample"),
    opts: ProjectionOptions = Depends(projection_options),
    db: GraphDB = Depends(get_db),
) -> dict[str, Any]:
    return service.centrality(db, measure, top=top, opts=opts, k=k, seed=seed)


@router.get("/communities", summary="Louvain communities and their modularity")
def communities(
    seed: int = Query(0),
    resolution: float = Query(1.0, gt=0, le=100),
    top: int = Query(100, ge=1, le=service.MAX_TOP, description="largest communities shown"),
    opts: ProjectionOptions = Depends(projection_options),
    db: GraphDB = Depends(get_db),
) -> dict[str, Any]:
    return service.communities(db, opts, seed=seed, resolution=resolution, top=top)


@router.get("/brokers", summary="High betweenness with ties into several communities")
def brokers(
    top: int = Query(10, ge=1, le=service.MAX_TOP),
    seed: int = Query(0),
    k: int | None = Query(None, ge=2, description="sample k sources for betweenness"),
    min_communities: int = Query(2, ge=2),
    opts: ProjectionOptions = Depends(projection_options),
    db: GraphDB = Depends(get_db),
) -> dict[str, Any]:
    return service.brokers(db, opts, top=top, seed=seed, k=k, min_communities=min_communities)


@router.get("/key-players", summary="The k entities whose removal most fragments the network")
def key_players(
    k: int = Query(3, description=f"1..{service.MAX_KEY_PLAYERS}"),
    opts: ProjectionOptions = Depends(projection_options),
    db: GraphDB = Depends(get_db),
) -> dict[str, Any]:
    return service.key_players(db, k, opts)


@router.get("/routes", summary="Trafficking routes: origin → transit → destination")
def routes(db: GraphDB = Depends(get_db)) -> dict[str, Any]:
    return service.routes(db)


@router.get("/pyramid/{org_id}", summary="Pyramid analysis of one organization")
def pyramid(org_id: str, db: GraphDB = Depends(get_db)) -> dict[str, Any]:
    return service.pyramid(db, org_id)
