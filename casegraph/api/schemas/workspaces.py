"""``/workspaces`` and ``/notes``: saved views of the explorer, and notes on entities,
relationships and workspaces."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from casegraph.api.schemas.common import GraphOut, Schema

MAX_NODES = 2000

# -- requests --------------------------------------------------------------------------------


class ViewNodeIn(BaseModel):
    id: str = Field(min_length=1, max_length=500, description="an entity id")
    x: float = Field(description="its position in the view")
    y: float


class PointIn(BaseModel):
    x: float
    y: float


class ViewIn(BaseModel):
    """What the explorer shows: entities and their positions, zoom and pan, the filters
    (hops, size-by, kind, …: scalars by name) and the selected period."""

    nodes: list[ViewNodeIn] = Field(default_factory=list, max_length=MAX_NODES)
    zoom: float | None = None
    pan: PointIn | None = None
    filters: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=50)
    period: dict[str, str | None] | None = Field(
        None, description='the selected period: {"from": date, "to": date}, or null'
    )


class WorkspaceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="the workspace's name")
    view: ViewIn = Field(default_factory=lambda: ViewIn.model_validate({}))


class WorkspaceUpdateIn(BaseModel):
    """A rename (``name``), a saved view (``view``), or both."""

    name: str | None = Field(None, min_length=1, max_length=200)
    view: ViewIn | None = None


class NoteIn(BaseModel):
    target_kind: str = Field(
        pattern="^(entity|relationship|workspace)$",
        description="entity, relationship or workspace",
    )
    target: str = Field(
        min_length=1,
        max_length=1500,
        description="an entity id, a relationship key FROM|TYPE|TO, or a workspace id",
    )
    text: str = Field(min_length=1, max_length=10_000)


# -- answers ---------------------------------------------------------------------------------


class WorkspaceSummaryOut(Schema):
    id: str
    name: str
    owner: str = Field(description="the id of the API key that made it")
    owner_name: str | None = Field(None, description="that key's name")
    created: str
    updated: str


class WorkspacesOut(Schema):
    """``GET /workspaces``: newest change first."""

    workspaces: list[WorkspaceSummaryOut]


class WorkspaceOut(WorkspaceSummaryOut):
    """A workspace: its view, and the entities in it and the relationships among them as
    the caller may see them (protected people pseudonymous for roles that may not see
    them)."""

    view: dict[str, Any]
    graph: GraphOut
    missing: int = Field(0, description="entities of the view no longer in the graph")


class DeletedOut(Schema):
    id: str
    notes_removed: int


class NoteOut(Schema):
    id: str
    target_kind: str
    target: str
    text: str = Field(description="names of protected people replaced by [redacted]")
    author: str = Field(description="the id of the API key that wrote it")
    author_name: str | None = None
    created: str


class NotesOut(Schema):
    """``GET /notes``: oldest first."""

    notes: list[NoteOut]
