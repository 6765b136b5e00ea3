"""Saved queries: list them, show one, run one with parameters.

``POST /queries/{name}/run`` with ``{"params": {...}}`` answers
``{"columns", "rows", "truncated", "row_count", "query", "params"}`` plus ``graph``
(DESIGN.md's shape) when the rows hold nodes, relationships or paths. Errors: 404 for an
unknown query, 422 for missing/bad/unknown parameters (the details list what the query
takes), 403 for a plan that would write, 408 when the timeout stops the query. The audit
record of a run carries the query's name and parameters.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field

from casegraph.api.audit import annotate
from casegraph.api.deps import DbDep, LibraryDep, SettingsDep
from casegraph.api.errors import error_responses
from casegraph.api.routing import api_router
from casegraph.api.schemas.queries import QueriesOut, QueryOut, SavedQueryResultOut
from casegraph.queries.service import run_saved

router = api_router("query", prefix="/queries", tags=["queries"], errors=(503,))


class RunRequest(BaseModel):
    params: dict[str, Any] = Field(default_factory=dict, description="the query's parameters")


@router.get(
    "", summary="The saved queries: name, description, parameters", response_model=QueriesOut
)
def list_queries(lib: LibraryDep) -> dict[str, Any]:
    return {
        "count": len(lib.queries),
        "queries": [q.summary() for q in lib.list()],
        "problems": [p.as_dict() for p in lib.problems],
    }


@router.get(
    "/{name}",
    summary="One saved query, with its Cypher",
    response_model=QueryOut,
    responses=error_responses(404),
)
def show_query(name: str, lib: LibraryDep) -> dict[str, Any]:
    return lib.get(name).as_dict()


@router.post(
    "/{name}/run",
    summary="Run a saved query read-only, with parameters",
    response_model=SavedQueryResultOut,
    responses=error_responses(404, 408, 413, 422),
)
def run_query(
    name: str,
    request: Request,
    db: DbDep,
    lib: LibraryDep,
    settings: SettingsDep,
    body: RunRequest | None = None,
) -> dict[str, Any]:
    params = body.params if body is not None else {}
    annotate(request.state, saved_query=name, params=params)
    return run_saved(db, lib, name, params, settings).as_dict()
