"""``/queries`` and ``/cypher``: the saved query library and read-only Cypher."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from casegraph.api.schemas.common import GraphOut, Schema


class QueryParamOut(Schema):
    name: str
    type: str = Field(description="string, int, float, bool, date or list<...>")
    required: bool
    default: Any = None
    description: str = ""


class QuerySummaryOut(Schema):
    name: str
    description: str
    params: list[QueryParamOut]


class LibraryProblemOut(Schema):
    """A query file left out of the library, and why."""

    path: str
    reason: str


class QueriesOut(Schema):
    """``GET /queries``."""

    count: int
    queries: list[QuerySummaryOut]
    problems: list[LibraryProblemOut]


class QueryOut(QuerySummaryOut):
    """``GET /queries/{name}``: the query with its Cypher."""

    cypher: str
    path: str


class QueryResultOut(Schema):
    """What a read-only query answered. Cells hold JSON values: nodes and relationships in
    the shapes of :class:`~casegraph.api.schemas.NodeOut` and
    :class:`~casegraph.api.schemas.EdgeOut`, paths as ``{"nodes", "edges"}``."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = Field(description="whether the row limit cut the answer")
    row_count: int
    graph: GraphOut | None = Field(
        None, description="the nodes and relationships of the rows (only when there are some)"
    )


class SavedQueryResultOut(QueryResultOut):
    """``POST /queries/{name}/run``: the result, the query's name and the parameters used."""

    query: str
    params: dict[str, Any]
