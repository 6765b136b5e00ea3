"""``/entities``: search, one entity, its neighborhood."""

from __future__ import annotations

from typing import Any, Literal

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


class MoreOut(Schema):
    """What a neighborhood left out of one expanded entity, for one relationship type and
    direction: the page shows it as one group node ("+312 more ASSOCIATE_OF")."""

    node: str = Field(description="id of the expanded entity (as in `nodes`)")
    type: str = Field(description="the relationship type, e.g. ASSOCIATE_OF")
    direction: Literal["out", "in"] = Field(
        description="out: relationships from `node`; in: relationships to it"
    )
    count: int = Field(description="relationships of this type and direction not in `edges`")
    total: int = Field(description="all relationships of this type and direction of `node`")


class NeighborhoodOut(Schema):
    """``GET /entities/{id}/neighborhood``: the graph shape, breadth first (nearer entities
    first), each entity expanded through at most `fanout` relationships."""

    center: str
    depth: int
    fanout: int = Field(description="the most relationships followed from one entity")
    nodes: list[NeighborOut]
    edges: list[EdgeOut]
    more: list[MoreOut] = Field(
        default_factory=list,
        description="per expanded entity, type and direction: the relationships that the "
        "fan-out cap or `limit` left out (hubs summarized)",
    )
    truncated: bool = Field(description="whether `limit` cut the answer")
