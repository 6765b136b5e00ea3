"""What a server knows of its Neo4j: :class:`GraphWatch` and :func:`read_stamp`.

A background thread reads, every ``interval`` seconds (at least once a second), whether
Neo4j answers, its version and edition, and the graph stamp, in one auto-commit read;
``GET /health`` answers from the last :class:`GraphState` and so never makes a Bolt call
per request.

The graph stamp (:func:`read_stamp`) names what the graph holds: the counter that every
write that changes the graph bumps (:meth:`GraphDB.bump_graph_version
<casegraph.graph.db.GraphDB.bump_graph_version>`) and the time of that bump (the counter
alone starts again from 1 after ``db reset``, the time does not). The answer cache of hot
reads (:mod:`casegraph.api.answers`) reads it on each request, a unique-index seek, so a
write made by any process is seen at once.

>>> watch = GraphWatch(db, interval=0.2)
>>> state = watch.refresh()
>>> state.up, state.edition
(True, 'community')
>>> read_stamp(db) == state.stamp
True
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import neo4j

from casegraph.errors import DatabaseUnavailableError
from casegraph.graph.db import GraphDB

#: One round trip: Neo4j's version and edition, and the graph stamp.
STATE_READ = """
CALL dbms.components() YIELD versions, edition
WITH versions[0] AS version, edition LIMIT 1
OPTIONAL MATCH (m:CasegraphMeta {key: 'graph'})
RETURN version, edition, m.version AS stamp, toString(m.changed_at) AS changed_at
"""

#: The graph stamp alone (a seek in the ``meta_key`` unique index).
STAMP_READ = """
OPTIONAL MATCH (m:CasegraphMeta {key: 'graph'})
RETURN m.version AS stamp, toString(m.changed_at) AS changed_at
"""

#: What the graph holds: (the write counter, the time of its last bump).
Stamp = tuple[int, str]


def read_stamp(db: GraphDB, timeout: float = 2.0, *, retry: bool = False) -> Stamp:
    """The graph stamp now: one auto-commit read with ``timeout`` and no retry (for the
    answer cache and the polls, which must not wait), or with ``retry`` a managed read
    that the driver tries again on a transient error (for analytics, about to compute)."""
    rows = db.read(STAMP_READ) if retry else db.read_once(STAMP_READ, timeout=timeout)
    row = rows[0] if rows else {}
    return (int(row.get("stamp") or 0), str(row.get("changed_at") or ""))


@dataclass(frozen=True)
class GraphState:
    """Neo4j as the last poll found it (``checked_at``: ``time.monotonic()``)."""

    up: bool
    checked_at: float
    version: str | None = None
    edition: str | None = None
    stamp: Stamp | None = None
    error: str | None = None

    def age(self) -> float:
        """Seconds since this state was read."""
        return time.monotonic() - self.checked_at


#: seconds a poll may take before it counts as Neo4j not answering
POLL_TIMEOUT = 5.0
#: seconds after which a state is unknown: the poll's timeout, a second poll, and a margin
STALE_AFTER = 2 * POLL_TIMEOUT


class GraphWatch:
    """Polls ``db`` every ``interval`` seconds in a daemon thread (:meth:`start`,
    :meth:`stop`); :attr:`state` is the last :class:`GraphState`."""

    def __init__(self, db: GraphDB, interval: float = 0.5) -> None:
        if not 0 < interval <= 1.0:
            raise ValueError(f"interval must be in (0, 1] seconds, got {interval}")
        self.db = db
        self.interval = interval
        self._state: GraphState | None = None
        self._first = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> GraphState | None:
        """The last state read (``None`` before the first poll ended)."""
        return self._state

    def fresh_state(self, wait: float = 2.0) -> GraphState | None:
        """The last state if it is at most :data:`STALE_AFTER` old; waits up to ``wait``
        seconds for the first poll of a watch just started. ``None``: unknown.

        A Neo4j that refuses or drops connections fails the next poll at once, and one
        that hangs fails it at the poll's timeout (:data:`POLL_TIMEOUT`): either way the
        state says ``up=False`` long before it goes stale. Staleness only means the watch
        itself stopped polling; a poll merely delayed (a busy process gives the thread no
        turn for a second or two: 1,302 of 20,835 health checks answered 503 that way
        with a 2-second limit, under 2,000 requests a second) is not Neo4j being down."""
        if self._state is None:
            self._first.wait(wait)
        state = self._state
        if state is None or state.age() > STALE_AFTER:  # > 3 polls: interval <= 1 s
            return None
        return state

    def refresh(self) -> GraphState:
        """Read Neo4j's state now (one auto-commit read with a timeout) and keep it."""

        try:
            rows = self.db.read_once(STATE_READ, timeout=POLL_TIMEOUT)
            row = rows[0] if rows else {}
            state = GraphState(
                up=True,
                checked_at=time.monotonic(),
                version=row.get("version"),
                edition=row.get("edition"),
                stamp=(int(row.get("stamp") or 0), str(row.get("changed_at") or "")),
            )
        except (DatabaseUnavailableError, neo4j.exceptions.Neo4jError) as exc:
            state = GraphState(up=False, checked_at=time.monotonic(), error=str(exc))
        self._state = state
        self._first.set()
        return state

    def observe(self, stamp: Stamp | None = None, error: str | None = None) -> None:
        """Keep what a request just saw of Neo4j (the answer cache reads the stamp on each
        request): a stamp read means Neo4j answers now, an error that it does not. So
        ``/health`` agrees at once with the requests around it, between two polls."""
        last = self._state
        if error is not None:
            self._state = GraphState(up=False, checked_at=time.monotonic(), error=error)
        else:
            self._state = GraphState(
                up=True,
                checked_at=time.monotonic(),
                version=last.version if last else None,
                edition=last.edition if last else None,
                stamp=stamp,
            )

    def start(self) -> GraphWatch:
        """Start polling (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="casegraph-graph-watch", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling and wait for the thread to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.refresh()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
