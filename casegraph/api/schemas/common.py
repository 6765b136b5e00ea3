"""Shapes every area shares: entities and relationships, the graph shape, errors.

Graph-shaped answers (neighborhoods, paths, query results with nodes) use one shape
(DESIGN.md): ``{"nodes": [NodeOut], "edges": [EdgeOut]}``.

>>> node = NodeOut.model_validate({"id": "p-1", "label": "Person", "name": "A", "_sealed": "x"})
>>> node.model_dump(exclude_unset=True)  # what the disclosure step then reads and removes
{'id': 'p-1', 'label': 'Person', 'name': 'A', '_sealed': 'x'}
>>> EdgeOut.model_validate({"type": "LEADS", "from": "p-1", "to": "o-1"}).model_dump(
...     by_alias=True, exclude_unset=True)
{'type': 'LEADS', 'from': 'p-1', 'to': 'o-1'}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: A JSON number as the graph gave it (an int stays an int, a float a float).
Number = int | float


class Schema(BaseModel):
    """Base of the response models: declared fields are the contract; keys a handler adds
    that a model does not declare pass through (see :mod:`casegraph.api.schemas`)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Disclosed(Schema):
    """The keys the disclosure step adds to a protected person's dict (after validation:
    documented here, never set by a handler)."""

    protected: bool | str | None = Field(
        None,
        description="on protected people only: true when the caller may not see her (then "
        "`redacted` is true too), else her protection level (`minors` or `all`)",
    )
    redacted: bool | None = Field(None, description="true when the caller sees a pseudonym")
    original_id: str | None = Field(
        None, description="a protected person's real id, for callers who may see her"
    )


class EntityRef(Disclosed):
    """An entity named in an answer: its id, kind and (shown) name."""

    id: str = Field(description="the entity's id (a protected person's pseudonymous id)")
    name: str | None = Field(None, description="its name (a pseudonym for protected people)")
    label: str | None = Field(None, description="its kind: Person, Organization, ...")


class NodeOut(Disclosed):
    """An entity as the API shows it (:func:`casegraph.graph.repository.node_dict`)."""

    id: str | None = Field(description="the entity's id (a protected person's pseudonymous id)")
    label: str | None = Field(None, description="its kind: Person, Organization, Location, ...")
    name: str | None = Field(None, description="its name (a pseudonym for protected people)")
    aliases: list[Any] = Field(default_factory=list, description="other names")
    sources: list[Any] = Field(default_factory=list, description="ids of the documents")
    properties: dict[str, Any] = Field(default_factory=dict, description="other properties")


class EdgeOut(Schema):
    """A relationship as the API shows it (:func:`casegraph.graph.repository.edge_dict`)."""

    type: str = Field(description="the relationship type, e.g. LEADS")
    from_: str | None = Field(alias="from", description="id of the start entity")
    to: str | None = Field(description="id of the end entity")
    sources: list[Any] = Field(default_factory=list, description="ids of the documents")
    properties: dict[str, Any] = Field(default_factory=dict, description="other properties")


class GraphOut(Schema):
    """DESIGN.md's graph shape."""

    nodes: list[NodeOut]
    edges: list[EdgeOut]


class ErrorBody(BaseModel):
    """What went wrong: the error's type, a sentence, and details (the parameter and the
    reason, every error of a refused file, ...)."""

    type: str = Field(description="e.g. InvalidRequestError, NotFoundError, Unauthorized")
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    """Every error answer: ``{"error": {"type", "message", "details"}}``."""

    error: ErrorBody
