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

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from casegraph.api.audit import annotate
from casegraph.api.deps import get_db
from casegraph.graph.db import GraphDB
from casegraph.queries.library import Library, load_checked_library
from casegraph.queries.service import run_saved
from casegraph.settings import Settings

router = APIRouter(prefix="/queries", tags=["queries"])


class RunRequest(BaseModel):
    params: dict[str, Any] = Field(default_factory=dict, description="the query's parameters")


def get_settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_library(request: Request, db: GraphDB = Depends(get_db)) -> Library:
    """The app's saved-query library, loaded and plan-checked once (on first use)."""
    lib: Library | None = getattr(request.app.state, "query_library", None)
    if lib is None:
        lib = load_checked_library(db, get_settings_of(request).query_path)
        request.app.state.query_library = lib
    return lib


@router.get("", summary="The saved queries: name, description, parameters")
def list_queries(lib: Library = Depends(get_library)) -> dict[str, Any]:
    return {
        "count": len(lib.queries),
        "queries": [q.summary() for q in lib.list()],
        "problems": [p.as_dict() for p in lib.problems],
    }


@router.get("/{name}", summary="One saved query, with its Cypher")
def show_query(name: str, lib: Library = Depends(get_library)) -> dict[str, Any]:
    return lib.get(name).as_dict()


@router.post("/{name}/run", summary="Run a saved query read-only, with parameters")
def run_query(
    name: str,
    request: Request,
    body: RunRequest | None = None,
    db: GraphDB = Depends(get_db),
    lib: Library = Depends(get_library),
) -> dict[str, Any]:
    params = body.params if body is not None else {}
    annotate(request.state, saved_query=name, params=params)
    return run_saved(db, lib, name, params, get_settings_of(request)).as_dict()
