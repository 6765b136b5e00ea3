"""Admin endpoints: the audit log and API keys (the router declares ``admin``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from casegraph.api import keys
from casegraph.api.deps import AuditDep, DbDep, KeysDep
from casegraph.api.errors import error_responses
from casegraph.api.routing import api_router
from casegraph.api.schemas.admin import ApiKeysOut, AuditOut, NewKeyOut, RevokedKeyOut
from casegraph.errors import InvalidRequestError

router = api_router("admin", tags=["admin"], errors=(503,))


@router.get(
    "/audit",
    summary="The last records of the audit log (admins only)",
    response_model=AuditOut,
    responses=error_responses(422),
)
def get_audit(
    trail: AuditDep,
    limit: int = Query(100, ge=1, le=10_000),
    stream: Literal["main", "anonymous"] = Query(
        "main",
        description="main: requests with a valid key; anonymous: those without one "
        "(rate-limited per client, with summaries of the suppressed ones)",
    ),
    source: Literal["file", "neo4j"] | None = Query(
        None,
        description="file: this server's local log; neo4j: the shared sink, with the records "
        "of every API replica (each names its `instance`). Default: neo4j when "
        "CASEGRAPH_AUDIT_SINK writes there, else file",
    ),
) -> dict[str, Any]:
    chosen = source or ("neo4j" if trail.shared is not None else "file")
    if chosen == "neo4j":
        if trail.shared is None:
            raise InvalidRequestError(
                "this server does not write audit records to Neo4j "
                "(CASEGRAPH_AUDIT_SINK=file); read source=file"
            )
        records = trail.shared.read(limit, stream)
    else:
        trail.sync()
        records = trail.log(stream).tail(limit)
    return {"count": len(records), "stream": stream, "source": chosen, "records": records}


class NewKeyRequest(BaseModel):
    role: str = Field(description="viewer, analyst, ingester or admin")
    name: str = Field("", max_length=200)


@router.get(
    "/apikeys",
    summary="Every API key (ids, roles, names; never the keys)",
    response_model=ApiKeysOut,
)
def list_apikeys(db: DbDep) -> dict[str, Any]:
    found = keys.list_keys(db)
    return {"count": len(found), "keys": found}


@router.post(
    "/apikeys",
    status_code=201,
    summary="Create an API key (shown this once)",
    response_model=NewKeyOut,
    responses=error_responses(413, 422),
)
def create_apikey(body: NewKeyRequest, db: DbDep) -> dict[str, Any]:
    new = keys.create_key(db, body.role, body.name)
    return {"key_id": new.key_id, "role": new.role, "name": new.name, "key": new.key}


@router.delete(
    "/apikeys/{key_id}",
    summary="Revoke an API key",
    response_model=RevokedKeyOut,
    responses=error_responses(404),
)
def revoke_apikey(key_id: str, store: KeysDep) -> dict[str, Any]:
    store.revoke(key_id)
    return {"key_id": key_id, "revoked": True}
