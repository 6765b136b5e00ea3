"""``/entities``: search, one entity, its neighborhood."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from casegraph.api.schemas.common import EdgeOut, NodeOut, Number, Schema


class SearchHit(NodeOut):
    """An entity found by a search, with its score (exact and prefix matches: 100)."""

    score: Number


class SearchOut(Schema):
    """``GET /entities``: what was asked and what was found, best first."""

    query: str
    count: int
    results: list[SearchHit]


class SourceDocumentOut(Schema):
    """A document an entity comes from: its ``Source`` node's properties, flat (those below,
    and any other property the document was loaded with, as it is)."""

    model_config = ConfigDict(json_schema_extra={"x-other-properties": True})

    id: str | None = None
    name: str | None = Field(None, description="its title")
    title: str | None = None
    url: str | None = None
    published: str | None = Field(None, description="YYYY-MM-DD")
    language: str | None = None
    aliases: list[Any] = Field(default_factory=list)
    sources: list[Any] = Field(default_factory=list)


class EntityOut(NodeOut):
    """``GET /entities/{id}``: the entity, its degree and its documents."""

    degree: int = Field(description="number of relationships")
    relationship_counts: dict[str, int] = Field(description="relationships by type")
    source_documents: list[SourceDocumentOut] = Field(description="its sources, resolved")


class NeighborOut(NodeOut):
    """An entity of a neighborhood, with its distance from the centre."""

    depth: int = Field(description="hops from the centre (0: the centre)")


class NeighborhoodOut(Schema):
    """``GET /entities/{id}/neighborhood``: the graph shape, breadth first (nearer entities
    first)."""

    center: str
    depth: int
    nodes: list[NeighborOut]
    edges: list[EdgeOut]
    truncated: bool = Field(description="whether `limit` cut the answer")
