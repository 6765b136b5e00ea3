"""Ad-hoc read Cypher for analysts: ``POST /cypher`` with ``{"query", "params"}``.

Same rules as saved queries: the plan must only read (else 403 and nothing runs), the
query runs in a READ transaction with the configured timeout (408 when it is cut off)
and row limit (``truncated``). Cypher that does not compile gives 422. The audit record
carries the Cypher text and its parameters.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field

from casegraph.api.audit import annotate
from casegraph.api.deps import DbDep, SettingsDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.queries import QueryResultOut
from casegraph.queries.service import MAX_ADHOC_CHARS, run_adhoc

router = api_router("query", tags=["queries"], errors=(408, 413, 422, 503))


class CypherRequest(BaseModel):
    query: str = Field(..., min_length=1, max_length=MAX_ADHOC_CHARS, description="read Cypher")
    params: dict[str, Any] = Field(default_factory=dict, description="query parameters")


@router.post(
    "/cypher",
    summary="Run ad-hoc read-only Cypher (timeout, row limit)",
    response_model=QueryResultOut,
)
def run_cypher(
    body: CypherRequest, request: Request, db: DbDep, settings: SettingsDep
) -> dict[str, Any]:
    annotate(request.state, cypher=body.query, params=body.params)
    return run_adhoc(db, body.query, body.params, settings).as_dict()
