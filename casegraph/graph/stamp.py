"""What a server knows of its Neo4j without asking it per request: :class:`GraphWatch`.

A background thread reads, every ``interval`` seconds (at least once a second), whether
Neo4j answers, its version and edition, and the graph stamp (the counter that every write
that changes the graph bumps, :meth:`GraphDB.graph_version
<casegraph.graph.db.GraphDB.graph_version>`), in one auto-commit read. ``GET /health``
answers from the last :class:`GraphState`, and the answer cache of hot reads keys its
entries by :meth:`GraphWatch.stamp`: the graph stamp read here and the count of write
transactions this process made (:attr:`GraphDB.local_writes
<casegraph.graph.db.GraphDB.local_writes>`), so a write made here is seen at once and a
write made by another process within ``interval``.

>>> watch = GraphWatch(db, interval=0.2)
>>> state = watch.refresh()
>>> state.up, state.edition
(True, 'community')
>>> watch.stamp() == (state.graph_version, db.local_writes)
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
RETURN version, edition, m.version AS stamp
"""


@dataclass(frozen=True)
class GraphState:
    """Neo4j as the last poll found it (``checked_at``: ``time.monotonic()``)."""

    up: bool
    checked_at: float
    version: str | None = None
    edition: str | None = None
    graph_version: int | None = None
    error: str | None = None

    def age(self) -> float:
        """Seconds since this state was read."""
        return time.monotonic() - self.checked_at


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
        """The last state if it is at most ``max(2 s, 3 intervals)`` old; waits up to
        ``wait`` seconds for the first poll of a watch just started. ``None``: unknown."""
        if self._state is None:
            self._first.wait(wait)
        state = self._state
        if state is None or state.age() > max(2.0, 3 * self.interval):
            return None
        return state

    def stamp(self) -> tuple[int, int] | None:
        """The key of what the graph holds now, as far as this process knows: (the graph
        stamp, this process's write count); ``None`` when Neo4j's state is unknown."""
        state = self.fresh_state(wait=0)
        if state is None or not state.up or state.graph_version is None:
            return None
        return (state.graph_version, self.db.local_writes)

    def refresh(self) -> GraphState:
        """Read Neo4j's state now (one auto-commit read with a timeout) and keep it."""

        try:
            rows = self.db.read_once(STATE_READ, timeout=max(1.0, 2 * self.interval))
            row = rows[0] if rows else {}
            state = GraphState(
                up=True,
                checked_at=time.monotonic(),
                version=row.get("version"),
                edition=row.get("edition"),
                graph_version=int(row.get("stamp") or 0),
            )
        except (DatabaseUnavailableError, neo4j.exceptions.Neo4jError) as exc:
            state = GraphState(up=False, checked_at=time.monotonic(), error=str(exc))
        self._state = state
        self._first.set()
        return state

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
