"""Entities: search, one entity, its neighborhood."""

from __future__ import annotations

from fastapi import Query, Request

from casegraph.api.deps import DbDep, DisclosureDep
from casegraph.api.disclosure import DisclosingJSONResponse
from casegraph.api.errors import error_responses
from casegraph.api.routing import api_router, hot_answer
from casegraph.api.schemas.entities import EntityOut, NeighborhoodOut, SearchOut
from casegraph.errors import InvalidRequestError, ModelError
from casegraph.graph import repository

router = api_router("read", prefix="/entities", tags=["entities"], errors=(422, 503))


@router.get(
    "",
    summary="Search entities by name or alias (Latin or Cyrillic)",
    response_model=SearchOut,
)
def search_entities(
    request: Request,
    db: DbDep,
    disclosure: DisclosureDep,
    q: str = Query("", max_length=200, description="name or alias, any script"),
    label: str | None = Query(None, description="Person, Organization, Location, Case, Source"),
    limit: int = Query(20, ge=1, le=repository.MAX_SEARCH),
) -> DisclosingJSONResponse:
    try:
        results, names_protected = repository.search_checked(
            db, q, label=label, limit=limit, levels=disclosure.levels
        )
    except (InvalidRequestError, ModelError):
        # refused (an unknown kind): the audit must still not keep a protected name
        names_protected = bool(q.strip()) and repository.names_protected_person(db, q)
        if names_protected:
            request.state.audit_redact = {"q": db.protection_key.query_hash(q)}
        raise
    if names_protected:
        # the audit keeps a search for a protected person's name as a keyed hash
        request.state.audit_redact = {"q": db.protection_key.query_hash(q)}
    return hot_answer({"query": q, "count": len(results), "results": results})


@router.get(
    "/{entity_id}",
    summary="One entity: properties, sources, degree",
    response_model=EntityOut,
    responses=error_responses(404),
)
def get_entity(entity_id: str, db: DbDep, disclosure: DisclosureDep) -> DisclosingJSONResponse:
    return hot_answer(repository.get_entity(db, disclosure.resolve(entity_id)))


@router.get(
    "/{entity_id}/neighborhood",
    summary="Entities within depth hops, as a graph",
    response_model=NeighborhoodOut,
    responses=error_responses(404),
)
def get_neighborhood(
    entity_id: str,
    db: DbDep,
    disclosure: DisclosureDep,
    depth: int = Query(1, ge=1, le=repository.MAX_DEPTH),
    limit: int = Query(200, ge=1, le=repository.MAX_NEIGHBORHOOD),
    fanout: int = Query(
        repository.DEFAULT_FANOUT,
        ge=1,
        le=repository.MAX_NEIGHBORHOOD,
        description="the most relationships followed from one entity; the rest are "
        "counted in `more`",
    ),
    with_sources: bool = Query(False, description="include MENTIONED_IN links to documents"),
) -> DisclosingJSONResponse:
    return hot_answer(
        repository.neighborhood(
            db,
            disclosure.resolve(entity_id),
            depth=depth,
            limit=limit,
            fanout=fanout,
            with_sources=with_sources,
        )
    )
