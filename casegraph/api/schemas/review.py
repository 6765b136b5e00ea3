"""``/documents`` and ``/review``: review sets of extracted proposals, and decisions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from casegraph.api.schemas.common import Schema


class StagedOut(Schema):
    """``POST /documents``: the review set the document's proposals were stored as."""

    id: str = Field(description="the review set's id (rs- and 16 hex digits of the sha256)")
    items: int = Field(description="proposals staged (pending)")
    skipped: int = Field(description="proposals decided before for this document")
    language: str
    sha256: str


class ReviewSetSummary(Schema):
    id: str
    title: str
    language: str | None = None
    sha256: str | None = None
    staged_at: str | None = None
    staged_by: str | None = None
    counts: dict[str, int]


class ReviewListOut(Schema):
    """``GET /review``: review sets, newest first, and the duplicate candidates."""

    sets: list[ReviewSetSummary]
    duplicates: list[dict[str, Any]]
    merges: list[dict[str, Any]]


class ReviewSetOut(Schema):
    """``GET /review/{id}``: the document (masked of victims the caller may not see) and its
    items, each with its spans (``start``, ``end``, ``quote``)."""

    id: str
    text: str | None = None
    title: str | None = None
    items: list[dict[str, Any]]


class DecisionIn(BaseModel):
    item: str = Field(description="an item id, `*` for every pending item, or dup:A:B / a merge id")
    action: Literal["accept", "reject", "link", "edit", "undo"]
    entity_id: str | None = Field(None, description="link: the existing entity")
    kind: str | None = Field(None, description="edit: the new kind")
    name: str | None = Field(None, description="edit: the new name")
    keep: str | None = Field(None, description="merges: the id that stays")


class DecisionsIn(BaseModel):
    decisions: list[DecisionIn] = Field(min_length=1, max_length=5000)


class DecisionsOut(Schema):
    """What the decisions did."""

    accepted: list[str] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list)
    edited: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
