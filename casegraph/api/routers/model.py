"""``GET /model``: the data model and its policy flags, as data.

The entity kinds (with how the explorer draws them), the relationship types (with the
kinds at either end, their properties and flags: ``control``, ``single_holder``,
``marks_victim``), the protection levels and the Person properties that identify someone.
The web explorer builds its kind list, legend, colours and conflict rule from this answer;
nothing in it is data about anyone, but like the rest of the API it needs the ``read`` right.

>>> body = model_out()
>>> [k.name for k in body.kinds][:2], body.kinds[0].display.color
(['Person', 'Organization'], '#3b82f6')
>>> [r.name for r in body.relationships if r.single_holder]
['LEADS']
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from casegraph.api.routing import api_router
from casegraph.graph.model import (
    IDENTIFYING_PROPERTIES,
    KINDS,
    PROTECTION_LEVELS,
    RELATIONSHIPS,
    Kind,
    PropType,
    RelType,
    Shape,
)

#: A read route, like the data (the model holds no data, but nothing is open without need).
router = api_router("read", tags=["model"])


class DisplayOut(BaseModel):
    """How the explorer draws a kind."""

    color: str = Field(description="fill colour, #rrggbb", examples=["#3b82f6"])
    shape: Shape = Field(description="node shape (Cytoscape.js shape name)")


class KindOut(BaseModel):
    """An entity kind (a Neo4j label besides ``Entity``)."""

    name: str
    description: str
    properties: dict[str, PropType] = Field(description="property name → type")
    display: DisplayOut


class RelTypeOut(BaseModel):
    """A relationship type and its policy flags."""

    name: str
    description: str
    sources: list[str] = Field(description="kinds allowed at the start")
    targets: list[str] = Field(description="kinds allowed at the end")
    properties: dict[str, PropType] = Field(description="property name → type")
    identity: list[str] = Field(description="properties that tell two such facts apart")
    marks_victim: Literal["from", "to"] | None = Field(
        description="the end that this relationship makes a victim, if any"
    )
    control: bool = Field(description="the source directs the target (leads, controls, owns)")
    single_holder: bool = Field(
        description="a target has one holder at a time: two sources claiming it conflict"
    )


class ModelOut(BaseModel):
    """The data model as the API serves it."""

    kinds: list[KindOut]
    relationships: list[RelTypeOut]
    protection_levels: list[str] = Field(description="weakest first")
    identifying_properties: list[str] = Field(
        description="Person properties that identify a human being"
    )


def _kind(k: Kind) -> KindOut:
    return KindOut(
        name=k.name,
        description=k.description,
        properties=dict(k.properties),
        display=DisplayOut(color=k.display.color, shape=k.display.shape),
    )


def _rel(r: RelType) -> RelTypeOut:
    return RelTypeOut(
        name=r.name,
        description=r.description,
        sources=sorted(r.sources),
        targets=sorted(r.targets),
        properties=dict(r.properties),
        identity=list(r.identity),
        marks_victim=r.marks_victim,
        control=r.control,
        single_holder=r.single_holder,
    )


def model_out() -> ModelOut:
    """The model, in declaration order (kinds and relationship types)."""
    return ModelOut(
        kinds=[_kind(k) for k in KINDS.values()],
        relationships=[_rel(r) for r in RELATIONSHIPS.values()],
        protection_levels=list(PROTECTION_LEVELS),
        identifying_properties=sorted(IDENTIFYING_PROPERTIES),
    )


@router.get(
    "/model",
    response_model=ModelOut,
    summary="The data model: kinds, relationship types, policy flags",
)
def get_model() -> ModelOut:
    return model_out()
