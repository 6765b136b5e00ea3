"""Link analysis over HTTP: centrality, communities, brokers, key players, shortest paths on
the projection, routes, pyramids.

Every measure runs on a projection (:mod:`casegraph.graph.analytics.projection`); the
query parameters ``kind``, ``rel``, ``directed``, ``weight``, ``case``, ``date_from`` and
``date_to`` choose it (default: people and organizations and the relationships among them,
undirected). Answers are cached per graph version.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from casegraph.api.deps import AnalyticsCacheDep, DbDep, DisclosureDep, SettingsDep
from casegraph.api.disclosure import DisclosingJSONResponse
from casegraph.api.errors import error_responses
from casegraph.api.routing import api_router
from casegraph.api.schemas.analytics import (
    BrokersOut,
    CentralityOut,
    CommunitiesOut,
    JobOut,
    KeyPlayersOut,
    PyramidOut,
    RoutesOut,
    ShortestPathOut,
)
from casegraph.graph.analytics import service
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.analytics.projection import DEFAULT_KINDS, ProjectionOptions, size
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings

router = api_router("read", prefix="/analytics", tags=["analytics"], errors=(503,))


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


ProjectionDep = Annotated[ProjectionOptions, Depends(projection_options)]
INVALID = error_responses(422)
RETRY_AFTER = 1
RUNNING: dict[int | str, dict[str, Any]] = {
    202: {
        "model": JobOut,
        "description": (
            "On a graph of at least CASEGRAPH_ANALYTICS_ASYNC_NODES entities of the projected "
            "kinds, a measure not yet computed runs in the background: the answer gives its "
            "progress; ask the same URL again (Location, Retry-After) for the result"
        ),
    }
}


def in_background(
    request: Request,
    db: GraphDB,
    cache: AnalyticsCache,
    settings: Settings,
    key: tuple[Any, ...],
    opts: ProjectionOptions,
    ready: bool,
    work: Any,
) -> DisclosingJSONResponse | None:
    """Start (or look up) the background job of ``key`` when the graph is big and the answer
    not ready: a 202 answer while it runs; ``None`` (answer now) when the graph is small,
    the answer is cached, or the job has finished (its error, if any, is raised)."""
    threshold = settings.analytics_async_nodes
    if ready or threshold <= 0:
        return None
    job = cache.jobs.get(key)
    if job is None and size(db, opts) < threshold:
        return None
    job = job or cache.jobs.submit(key, work)
    if job.done.is_set():
        cache.jobs.collect(job)
        if job.error is not None:
            raise job.error
        return None
    headers = {"Location": str(request.url), "Retry-After": str(RETRY_AFTER)}
    return DisclosingJSONResponse(job.status(), status_code=202, headers=headers)


@router.get(
    "/centrality",
    summary="Rank entities by a centrality measure",
    response_model=CentralityOut,
    responses={**INVALID, **RUNNING},
)
def centrality(
    request: Request,
    db: DbDep,
    cache: AnalyticsCacheDep,
    settings: SettingsDep,
    opts: ProjectionDep,
    measure: str = Query(
        "pagerank", description="degree, betweenness, closeness, pagerank, eigenvector, kcore"
    ),
    top: int = Query(10, ge=1, le=service.MAX_TOP),
    k: int | None = Query(None, ge=2, description="betweenness: sample k sources"),
    seed: int = Query(0, description="seed of the betweenness sample"),
) -> Any:
    """On a big graph (``CASEGRAPH_ANALYTICS_ASYNC_NODES``), a measure not yet computed
    answers 202 with its progress while it runs in the background."""

    def answer() -> dict[str, Any]:
        return service.centrality(
            db, measure, top=top, opts=opts, k=k, seed=seed, cache=cache, backend=settings.analytics
        )

    with cache.one_stamp(db):  # one stamp read for the look-ups below
        ready = service.ready(
            db, measure, opts, k=k, seed=seed, cache=cache, backend=settings.analytics
        )
        key = ("centrality", measure, opts.cache_key(), k, seed, settings.analytics)
        running = in_background(request, db, cache, settings, key, opts, ready, answer)
        return running if running is not None else answer()


@router.get(
    "/communities",
    summary="Louvain communities and their modularity",
    response_model=CommunitiesOut,
    responses={**INVALID, **RUNNING},
)
def communities(
    request: Request,
    db: DbDep,
    cache: AnalyticsCacheDep,
    settings: SettingsDep,
    opts: ProjectionDep,
    seed: int = Query(0),
    resolution: float = Query(1.0, gt=0, le=100),
    top: int = Query(100, ge=1, le=service.MAX_TOP, description="largest communities shown"),
) -> Any:
    """On a big graph (``CASEGRAPH_ANALYTICS_ASYNC_NODES``), a partition not yet computed
    answers 202 with its progress while it runs in the background."""

    def answer() -> dict[str, Any]:
        return service.communities(
            db,
            opts,
            seed=seed,
            resolution=resolution,
            top=top,
            cache=cache,
            backend=settings.analytics,
        )

    with cache.one_stamp(db):  # one stamp read for the look-ups below
        ready = service.communities_ready(
            db, opts, seed=seed, resolution=resolution, cache=cache, backend=settings.analytics
        )
        key = ("communities", opts.cache_key(), seed, resolution, settings.analytics)
        running = in_background(request, db, cache, settings, key, opts, ready, answer)
        return running if running is not None else answer()


@router.get(
    "/brokers",
    summary="High betweenness with ties into several communities",
    response_model=BrokersOut,
    responses=INVALID,
)
def brokers(
    db: DbDep,
    cache: AnalyticsCacheDep,
    opts: ProjectionDep,
    top: int = Query(10, ge=1, le=service.MAX_TOP),
    seed: int = Query(0),
    k: int | None = Query(None, ge=2, description="sample k sources for betweenness"),
    min_communities: int = Query(2, ge=2),
) -> dict[str, Any]:
    return service.brokers(
        db, opts, top=top, seed=seed, k=k, min_communities=min_communities, cache=cache
    )


@router.get(
    "/key-players",
    summary="The k entities whose removal most fragments the network",
    response_model=KeyPlayersOut,
    responses=INVALID,
)
def key_players(
    db: DbDep,
    cache: AnalyticsCacheDep,
    opts: ProjectionDep,
    k: int = Query(3, description=f"1..{service.MAX_KEY_PLAYERS}"),
) -> dict[str, Any]:
    return service.key_players(db, k, opts, cache=cache)


@router.get(
    "/shortest-path",
    summary="One shortest path on the projection (weighted by `weight` when given)",
    response_model=ShortestPathOut,
    responses=error_responses(404, 422),
)
def shortest_path(
    db: DbDep,
    cache: AnalyticsCacheDep,
    settings: SettingsDep,
    disclosure: DisclosureDep,
    opts: ProjectionDep,
    source: str = Query(..., min_length=1, max_length=200, description="entity id"),
    target: str = Query(..., min_length=1, max_length=200, description="entity id"),
) -> dict[str, Any]:
    """The path the analytics backend finds on the same projection as the measures (its
    kinds, types, case and dates); with ``weight``, the path of least total weight. For
    every shortest path with the sources behind each hop, see ``GET /paths``."""
    res = service.shortest_path(
        db,
        disclosure.resolve(source),
        disclosure.resolve(target),
        opts,
        cache=cache,
        backend=settings.analytics,
    )
    return {**res, "source": source, "target": target}


@router.get(
    "/routes",
    summary="Trafficking routes: origin → transit → destination",
    response_model=RoutesOut,
)
def routes(db: DbDep, cache: AnalyticsCacheDep) -> dict[str, Any]:
    return service.routes(db, cache=cache)


@router.get(
    "/pyramid/{org_id}",
    summary="Pyramid analysis of one organization",
    response_model=PyramidOut,
    responses=error_responses(404, 422),
)
def pyramid(org_id: str, db: DbDep, cache: AnalyticsCacheDep) -> dict[str, Any]:
    return service.pyramid(db, org_id, cache=cache)
