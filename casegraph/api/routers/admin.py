"""Admin endpoints: the audit log and API keys (the route table gives them to ``admin``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from casegraph.api import auth
from casegraph.api.audit import AuditTrail
from casegraph.api.deps import get_db
from casegraph.graph.db import GraphDB

router = APIRouter(tags=["admin"])


@router.get("/audit", summary="The last records of the audit log (admins only)")
def get_audit(
    request: Request,
    limit: int = Query(100, ge=1, le=10_000),
    stream: Literal["main", "anonymous"] = Query(
        "main",
        description="main: requests with a valid key; anonymous: those without one "
        "(rate-limited per client, with summaries of the suppressed ones)",
    ),
) -> dict[str, Any]:
    trail: AuditTrail = request.app.state.audit_trail
    trail.sync()
    log = trail.main if stream == "main" else trail.anonymous
    records = log.tail(limit)
    return {"count": len(records), "stream": stream, "records": records}


class NewKeyRequest(BaseModel):
    role: str = Field(description="viewer, analyst, ingester or admin")
    name: str = Field("", max_length=200)


@router.get("/apikeys", summary="Every API key (ids, roles, names; never the keys)")
def list_apikeys(db: GraphDB = Depends(get_db)) -> dict[str, Any]:
    keys = auth.list_keys(db)
    return {"count": len(keys), "keys": keys}


@router.post("/apikeys", status_code=201, summary="Create an API key (shown this once)")
def create_apikey(body: NewKeyRequest, db: GraphDB = Depends(get_db)) -> dict[str, Any]:
    new = auth.create_key(db, body.role, body.name)
    return {"key_id": new.key_id, "role": new.role, "name": new.name, "key": new.key}


@router.delete("/apikeys/{key_id}", summary="Revoke an API key")
def revoke_apikey(key_id: str, request: Request, db: GraphDB = Depends(get_db)) -> dict[str, Any]:
    auth.revoke_key(db, key_id)
    request.app.state.keys.forget()
    return {"key_id": key_id, "revoked": True}
