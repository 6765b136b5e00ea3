"""``/ingest``: the report of one load."""

from __future__ import annotations

from pydantic import Field

from casegraph.api.schemas.common import Number, Schema


class RecordErrorOut(Schema):
    """One rejected record: where and why."""

    line: int
    field: str
    reason: str


class DuplicateOut(Schema):
    """Two entities that may be the same."""

    a: str
    b: str
    score: Number
    method: str


class WatchRunOut(Schema):
    """One watch run: rows matched, the alerts it raised, the limits it hit."""

    watch: str
    rows: int
    new_alerts: list[str] = Field(description="ids of the alerts this run raised")
    truncated: bool = Field(description="the row limit cut the run")
    timed_out: bool = Field(description="the time limit stopped the run")
    error: str = Field(description="why the watch could not run (empty when it ran)")


class IngestOut(Schema):
    """``POST /ingest``: what was loaded (a refused file is a 422 listing every error)."""

    path: str
    format: str
    run_id: str
    records: int
    counts: dict[str, dict[str, int]] = Field(
        description="per kind and relationship type: created, updated, unchanged "
        "(and `protected`: written)"
    )
    created: int
    updated: int
    rejected: list[RecordErrorOut] = Field(description="records left out (skip_invalid)")
    warnings: list[RecordErrorOut] = Field(
        description="noted, nothing refused: references kept as properties because no "
        "entity satisfies them, FollowTheMoney schemata casegraph does not load"
    )
    rejects_path: str
    seconds: Number
    possible_duplicates: list[DuplicateOut] | None = Field(
        None, description="with dedupe only: pairs flagged POSSIBLY_SAME_AS"
    )
    watches: list[WatchRunOut] = Field(
        default_factory=list, description="every watch, run again after this load"
    )
