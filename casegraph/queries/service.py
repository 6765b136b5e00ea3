"""What the API and the CLI call: run a saved query by name, or ad-hoc read Cypher.

On the seed dataset:

>>> from casegraph.queries.library import load_checked_library
>>> from casegraph.settings import Settings
>>> library = load_checked_library(db)
>>> result = run_saved(db, library, "case-participants", {"case_id": "case-questra-pyramid"},
...                    Settings())
>>> result.columns
['role', 'id', 'name', 'kind', 'date', 'sentence']
>>> [(row["role"], row["id"]) for row in result.rows][:2]
[('INVESTIGATES', 'org-mvd-investigative-department'),
 ('SUSPECT_IN', 'org-atlantic-global-asset-management')]
>>> result.truncated, result.meta["params"]
(False, {'case_id': 'case-questra-pyramid'})
>>> run_adhoc(db, "MATCH (n:Location) RETURN count(n) AS places", None, Settings()).rows
[{'places': 7}]
"""

from __future__ import annotations

from typing import Any

from casegraph.graph.db import GraphDB
from casegraph.queries.errors import CypherError
from casegraph.queries.library import Library
from casegraph.queries.params import coerce_params
from casegraph.queries.readonly import QueryResult, run_read
from casegraph.settings import Settings

MAX_ADHOC_CHARS = 20_000


def run_saved(
    db: GraphDB,
    library: Library,
    name: str,
    params: dict[str, Any] | None,
    settings: Settings,
) -> QueryResult:
    """Check ``params`` against the query's declaration, then run it read-only."""
    query = library.get(name)
    values = coerce_params(query.params, params)
    result = run_read(
        db,
        query.cypher,
        values,
        timeout=settings.query_timeout,
        row_limit=settings.query_row_limit,
    )
    result.meta = {"query": name, "params": values}
    return result


def run_adhoc(
    db: GraphDB, text: str, params: dict[str, Any] | None, settings: Settings
) -> QueryResult:
    """Run an analyst's own Cypher under the same rules as saved queries."""
    if not text or not text.strip():
        raise CypherError("the query is empty")
    if len(text) > MAX_ADHOC_CHARS:
        raise CypherError(f"the query is longer than {MAX_ADHOC_CHARS} characters")
    return run_read(
        db,
        text,
        dict(params or {}),
        timeout=settings.query_timeout,
        row_limit=settings.query_row_limit,
    )
