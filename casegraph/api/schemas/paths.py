"""``/paths``: all shortest paths between two entities."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from casegraph.api.schemas.common import EdgeOut, NodeOut, Schema


class HopOut(Schema):
    """One hop of a path, in the path's direction, with the relationship behind it."""

    from_: str = Field(alias="from")
    to: str
    type: str
    direction: Literal["forward", "backward"] = Field(
        description="forward when the relationship is stored from `from` to `to`"
    )
    sources: list[Any] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)


class PathOut(Schema):
    length: int
    nodes: list[str] = Field(description="the path's entity ids, in order")
    hops: list[HopOut]


class PathsOut(Schema):
    """``GET /paths``: the paths, and the graph shape of their entities and relationships."""

    source: str
    target: str
    max_depth: int
    length: int | None = Field(description="hops of the shortest path; null: none found")
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    paths: list[PathOut]
    truncated: bool
    too_far: Literal["max_depth", "time_limit"] | None = Field(
        None,
        description="when no path is given: max_depth: none within `max_depth` hops; "
        "time_limit: the search was stopped after `time_limit` seconds",
    )
    time_limit: float | None = Field(None, description="seconds the search may take")
