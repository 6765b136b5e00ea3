"""Watches and alerts: ``GET /watches``, ``GET /alerts`` (right ``read``); ``POST /watches``,
``DELETE /watches/{name}``, ``POST /watches/run`` and ``POST /alerts/{id}/ack`` (right
``query``, the analysts').

A watch runs a saved query again after every ingest (``POST /ingest`` reports each run);
rows it had not matched before are alerts. See :mod:`casegraph.queries.watches`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Query
from pydantic import BaseModel, Field

from casegraph.api.deps import CallerDep, DbDep, LibraryDep, SettingsDep
from casegraph.api.errors import error_responses
from casegraph.api.routing import api_router
from casegraph.api.schemas.watches import (
    AlertOut,
    AlertsOut,
    RemovedOut,
    WatchAddedOut,
    WatchesOut,
    WatchRunsOut,
)
from casegraph.graph import alerts as store
from casegraph.queries.watches import add_watch, run_watches

reading = api_router("read", tags=["watches"], errors=(503,))
triage = api_router("query", tags=["watches"], errors=(503,))


class WatchIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="the watch's name")
    query: str = Field(description="a saved query's name (GET /queries)")
    params: dict[str, Any] = Field(default_factory=dict, description="its parameters")


def _watch(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "params": json.loads(row["params"] or "{}"),
        "new_alerts": row.get("new_alerts", 0),
    }


def _alert(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "row": json.loads(row["row"])}


@reading.get("/watches", summary="The watches and their new alerts", response_model=WatchesOut)
def get_watches(db: DbDep) -> dict[str, Any]:
    return {"watches": [_watch(w) for w in store.list_watches(db)]}


@reading.get("/alerts", summary="Alerts, newest first", response_model=AlertsOut)
def get_alerts(
    db: DbDep,
    watch: str | None = Query(None, description="only this watch's alerts"),
    all: bool = Query(False, description="acknowledged alerts too"),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    alerts = [_alert(a) for a in store.list_alerts(db, watch=watch, include_acked=all, limit=limit)]
    return {"count": len(alerts), "new": store.count_new(db), "alerts": alerts}


@triage.post(
    "/watches",
    summary="Watch a saved query (what it matches now is the baseline)",
    response_model=WatchAddedOut,
    status_code=201,
    responses=error_responses(404, 408, 422),
)
def post_watch(
    body: WatchIn, db: DbDep, lib: LibraryDep, settings: SettingsDep, caller: CallerDep
) -> dict[str, Any]:
    run = add_watch(db, lib, settings, body.name, body.query, body.params, caller.key_id)
    watch = _watch(store.get_watch(db, run.watch))
    return {"watch": watch, "baseline": run.as_dict()}


@triage.delete(
    "/watches/{name}",
    summary="Remove a watch and its alerts",
    response_model=RemovedOut,
    responses=error_responses(404),
)
def delete_watch(name: str, db: DbDep) -> dict[str, Any]:
    return {"name": name, "alerts_removed": store.remove_watch(db, name)}


@triage.post("/watches/run", summary="Run every watch now", response_model=WatchRunsOut)
def post_run(db: DbDep, lib: LibraryDep, settings: SettingsDep) -> dict[str, Any]:
    return {"runs": [r.as_dict() for r in run_watches(db, lib, settings)]}


@triage.post(
    "/alerts/{alert_id}/ack",
    summary="Acknowledge an alert",
    response_model=AlertOut,
    responses=error_responses(404),
)
def ack(alert_id: str, db: DbDep, caller: CallerDep) -> dict[str, Any]:
    return _alert(store.ack_alert(db, alert_id, caller.key_id))
