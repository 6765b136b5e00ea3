"""``/watches`` and ``/alerts``: saved queries re-run after every ingest, and what they found."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from casegraph.api.schemas.common import Schema
from casegraph.api.schemas.ingest import WatchRunOut


class WatchOut(Schema):
    name: str
    query: str = Field(description="the saved query it runs")
    params: dict[str, Any]
    created_at: str
    created_by: str
    new_alerts: int = Field(description="alerts not yet acknowledged")


class WatchesOut(Schema):
    """``GET /watches``."""

    watches: list[WatchOut]


class WatchAddedOut(Schema):
    """``POST /watches``: the watch and its baseline run (rows matched now: no alerts)."""

    watch: WatchOut
    baseline: WatchRunOut


class AlertOut(Schema):
    id: str
    watch: str
    row: dict[str, Any] = Field(
        description="the row the watch had not seen before (protected people pseudonymous)"
    )
    first_seen: str
    run_id: str | None = Field(None, description="the ingest run that raised it")
    acked_at: str | None = None
    acked_by: str | None = None


class AlertsOut(Schema):
    """``GET /alerts``."""

    count: int
    new: int = Field(description="alerts not yet acknowledged, in all")
    alerts: list[AlertOut]


class WatchRunsOut(Schema):
    """``POST /watches/run``."""

    runs: list[WatchRunOut]


class RemovedOut(Schema):
    name: str
    alerts_removed: int
