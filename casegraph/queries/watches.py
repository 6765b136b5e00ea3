"""Watches: saved queries that run again after every ingest, turning rows not seen before
into alerts (as Linkurious runs Cypher alerts on a schedule).

A watch names a saved query of the library and its parameters, checked when it is added.
Adding it runs it once: the rows it matches then are its baseline, never alerts. Each later
run (:func:`run_watches`, called after every ingest by the command line and the API) records
the rows it matches; a row that no earlier run of the watch matched becomes an alert, with
the ingest run that caused it. A row is identified by the SHA-256 of its canonical JSON
(keys sorted), so a row whose values changed is a new row.

Every run is bounded as any saved query is (``query_row_limit`` rows, ``query_timeout``
seconds); a run that hits a limit says so (``truncated``, ``timed_out``), and its alerts
are those of the rows it got.

Rows are stored as the graph stores them: a protected person appears under her pseudonymous
id and name, and the keys that only the disclosure step reads (``_sealed`` …) are dropped,
so an alert never holds more than the pseudonym; an admin opens the entity to see more.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from casegraph.errors import CasegraphError, InvalidRequestError, NotFoundError
from casegraph.graph import alerts as store
from casegraph.graph.db import GraphDB
from casegraph.queries.errors import QueryTimeoutError
from casegraph.queries.library import Library
from casegraph.queries.params import coerce_params
from casegraph.queries.service import run_saved
from casegraph.settings import Settings

__all__ = ["WatchRun", "add_watch", "public_row", "row_hash", "run_watches"]


@dataclass
class WatchRun:
    """What one run of one watch did."""

    watch: str
    rows: int = 0
    new_alerts: list[str] = field(default_factory=list)
    truncated: bool = False
    timed_out: bool = False
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def public_row(value: Any) -> Any:
    """A row without the keys only the disclosure step reads (those starting with ``_``).

    >>> public_row({"p": {"id": "victim-0a1b2c3d4e5f", "_sealed": "…"}, "n": [1, {"_x": 2}]})
    {'p': {'id': 'victim-0a1b2c3d4e5f'}, 'n': [1, {}]}
    """
    if isinstance(value, dict):
        return {k: public_row(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list):
        return [public_row(v) for v in value]
    return value


def row_hash(row: dict[str, Any]) -> tuple[str, str]:
    """``(sha256 of the canonical JSON, the JSON)`` of a row.

    >>> row_hash({"b": 1, "a": "x"}) == row_hash({"a": "x", "b": 1})
    True
    """
    text = orjson.dumps(row, option=orjson.OPT_SORT_KEYS, default=str).decode()
    return hashlib.sha256(text.encode()).hexdigest(), text


def _run_one(
    db: GraphDB,
    library: Library,
    settings: Settings,
    watch: dict[str, Any],
    *,
    run_id: str | None,
    baseline: bool = False,
) -> WatchRun:
    run = WatchRun(watch["name"])
    try:
        result = run_saved(db, library, watch["query"], json.loads(watch["params"]), settings)
    except QueryTimeoutError:
        run.timed_out = True
        return run
    except CasegraphError as exc:  # the query left the library, or its parameters no longer fit
        run.error = exc.message
        return run
    run.rows, run.truncated = len(result.rows), result.truncated
    rows = []
    for row in result.rows:
        digest, text = row_hash(public_row(row))
        rows.append({"hash": digest, "json": text})
    run.new_alerts = store.record_rows(db, watch["name"], rows, run_id=run_id, baseline=baseline)
    return run


def add_watch(
    db: GraphDB,
    library: Library,
    settings: Settings,
    name: str,
    query: str,
    params: dict[str, Any] | None,
    user: str,
) -> WatchRun:
    """Add a watch on a saved query (its parameters checked now) and record its baseline."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidRequestError("a watch needs a name of 1 to 100 characters")
    values = coerce_params(library.get(query).params, params)
    store.add_watch(db, name, query, json.dumps(values, sort_keys=True), user)
    watch = store.get_watch(db, name)
    return _run_one(db, library, settings, watch, run_id=None, baseline=True)


def run_watches(
    db: GraphDB,
    library: Library,
    settings: Settings,
    *,
    run_id: str | None = None,
    names: list[str] | None = None,
) -> list[WatchRun]:
    """Run every watch (or those named); ``run_id`` is the ingest run that caused it."""
    watches = store.list_watches(db)
    if names is not None:
        known = {w["name"] for w in watches}
        for missing in sorted(set(names) - known):
            raise NotFoundError(f"no watch named {missing!r}")
        watches = [w for w in watches if w["name"] in names]
    return [_run_one(db, library, settings, w, run_id=run_id) for w in watches]
