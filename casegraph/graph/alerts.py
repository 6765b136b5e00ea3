"""Watches and their alerts as stored: ``(:Watch {name, query, params, created_at, created_by})``
and ``(:Alert {id, key, watch, row, first_seen, run_id, baseline, acked_at, acked_by})`` nodes,
neither of them an ``Entity`` (search, analytics and exports never see them).

An alert's ``key`` is its watch's name and the hash of its row, so a row is recorded once per
watch: :func:`record_rows` returns only the rows no earlier run recorded. The rows a watch
matched when it was added are recorded as its ``baseline`` and are never listed as alerts.
Rows hold what the graph stores (a protected person under her pseudonymous id and name),
never a disclosed form.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB

__all__ = [
    "ack_alert",
    "add_watch",
    "count_new",
    "get_watch",
    "list_alerts",
    "list_watches",
    "record_rows",
    "remove_watch",
]

ADD_WATCH = """
MERGE (w:Watch {name: $name})
ON CREATE SET w.query = $query, w.params = $params, w.created_at = $now,
              w.created_by = $user, w.token = $token
RETURN w.token = $token AS created
"""
LIST_WATCHES = """
MATCH (w:Watch)
OPTIONAL MATCH (a:Alert {watch: w.name}) WHERE NOT a.baseline AND a.acked_at IS NULL
RETURN w.name AS name, w.query AS query, w.params AS params, w.created_at AS created_at,
       w.created_by AS created_by, count(a) AS new_alerts
ORDER BY name
"""
GET_WATCH = """
MATCH (w:Watch {name: $name})
RETURN w.name AS name, w.query AS query, w.params AS params, w.created_at AS created_at,
       w.created_by AS created_by
"""
REMOVE_WATCH = """
MATCH (w:Watch {name: $name})
OPTIONAL MATCH (a:Alert {watch: $name})
WITH w, collect(a) AS alerts
FOREACH (a IN alerts | DETACH DELETE a)
DETACH DELETE w
RETURN size(alerts) AS alerts
"""
RECORD_ROWS = """
UNWIND $rows AS row
MERGE (a:Alert {key: $watch + ':' + row.hash})
ON CREATE SET a.id = row.id, a.watch = $watch, a.row = row.json, a.first_seen = $now,
              a.run_id = $run_id, a.baseline = $baseline, a.token = $token
WITH a WHERE a.token = $token
RETURN a.id AS id
"""
LIST_ALERTS = """
MATCH (a:Alert)
WHERE NOT a.baseline AND ($watch IS NULL OR a.watch = $watch)
  AND ($all OR a.acked_at IS NULL)
RETURN a {.id, .watch, .row, .first_seen, .run_id, .acked_at, .acked_by} AS alert
ORDER BY a.first_seen DESC, a.id
LIMIT $limit
"""
COUNT_NEW = "MATCH (a:Alert) WHERE NOT a.baseline AND a.acked_at IS NULL RETURN count(a) AS n"
ACK_ALERT = """
MATCH (a:Alert {id: $id}) WHERE NOT a.baseline
SET a.acked_at = coalesce(a.acked_at, $now), a.acked_by = coalesce(a.acked_by, $user)
RETURN a {.id, .watch, .row, .first_seen, .run_id, .acked_at, .acked_by} AS alert
"""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def add_watch(db: GraphDB, name: str, query: str, params_json: str, user: str) -> None:
    """Store a watch; a name already taken is a clear error."""
    token = uuid.uuid4().hex
    rows = db.write(
        ADD_WATCH,
        {
            "name": name,
            "query": query,
            "params": params_json,
            "now": now(),
            "user": user,
            "token": token,
        },
    )
    if not rows or not rows[0]["created"]:
        raise InvalidRequestError(f"a watch named {name!r} exists; remove it first")


def list_watches(db: GraphDB) -> list[dict[str, Any]]:
    """Every watch with its count of alerts not yet acknowledged, by name."""
    return db.read(LIST_WATCHES)


def get_watch(db: GraphDB, name: str) -> dict[str, Any]:
    rows = db.read(GET_WATCH, {"name": name})
    if not rows:
        raise NotFoundError(f"no watch named {name!r}")
    return rows[0]


def remove_watch(db: GraphDB, name: str) -> int:
    """Remove a watch and its alerts; the number of alerts removed."""
    rows = db.write(REMOVE_WATCH, {"name": name})
    if not rows:
        raise NotFoundError(f"no watch named {name!r}")
    return int(rows[0]["alerts"])


def record_rows(
    db: GraphDB,
    watch: str,
    rows: list[dict[str, str]],
    *,
    run_id: str | None,
    baseline: bool = False,
) -> list[str]:
    """Record a watch's rows (``{"hash", "json"}``); the ids of the alerts recorded now, i.e.
    of the rows no earlier run of this watch had matched."""
    token = uuid.uuid4().hex
    payload = [{**r, "id": uuid.uuid4().hex[:12]} for r in rows]
    found = db.write(
        RECORD_ROWS,
        {
            "rows": payload,
            "watch": watch,
            "now": now(),
            "run_id": run_id,
            "baseline": baseline,
            "token": token,
        },
    )
    return [r["id"] for r in found]


def list_alerts(
    db: GraphDB, *, watch: str | None = None, include_acked: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    """Alerts, newest first: the new ones, or with ``include_acked`` all of them."""
    rows = db.read(LIST_ALERTS, {"watch": watch, "all": include_acked, "limit": limit})
    return [dict(r["alert"]) for r in rows]


def count_new(db: GraphDB) -> int:
    return int(db.read(COUNT_NEW)[0]["n"])


def ack_alert(db: GraphDB, alert_id: str, user: str) -> dict[str, Any]:
    """Acknowledge an alert (the first acknowledgement is kept); unknown ids are a 404."""
    rows = db.write(ACK_ALERT, {"id": alert_id, "now": now(), "user": user})
    if not rows:
        raise NotFoundError(f"no alert with id {alert_id!r}")
    return dict(rows[0]["alert"])
