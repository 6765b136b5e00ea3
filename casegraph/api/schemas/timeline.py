"""``/entities/{id}/timeline``: dated facts on one axis."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from casegraph.api.schemas.common import NodeOut, Schema


class TimelineEventOut(Schema):
    """A dated fact: a relationship (with ``from``/``to``) or an entity's dated property
    (with ``entity``)."""

    date: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD, as the data gives it")
    end: str | None = Field(None, description="the end of a fact with a period")
    kind: str = Field(description="relationship or entity")
    type: str = Field(description="the relationship type, or start/end/published/date")
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    entity: str | None = None
    sources: list[Any] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)


class TimelineOut(Schema):
    """``GET /entities/{id}/timeline``: the entity and its neighbours, earliest fact first."""

    entity: str
    nodes: list[NodeOut]
    events: list[TimelineEventOut]
    truncated: bool = Field(description="a bound (neighbours, events) cut the answer")
