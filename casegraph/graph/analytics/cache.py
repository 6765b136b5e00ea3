"""Projections and results, cached per graph version.

Every write that changes the graph bumps a counter (:meth:`GraphDB.graph_version`; the
:class:`~casegraph.graph.writer.GraphWriter` bumps it) and stamps the time. A cached value is
keyed by the database it came from, the (version, time) it was computed on — a reset
database counts from 1 again, the time tells the two apart — and what was asked; a new
version makes every older entry unreachable, and they are dropped the next time the cache
is touched. Asking costs one small read query (the version) and a dict lookup.

Examples
--------
>>> cache = AnalyticsCache(max_entries=4)
>>> computed = []
>>> def expensive():
...     computed.append(1)
...     return 42
>>> cache.get_or_compute(db, ("pagerank",), expensive)
42
>>> cache.get_or_compute(db, ("pagerank",), expensive), len(computed)  # cached
(42, 1)
>>> _ = db.bump_graph_version()  # what every write does
>>> cache.get_or_compute(db, ("pagerank",), expensive), len(computed)  # computed again
(42, 2)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from casegraph.graph.analytics.jobs import Jobs
from casegraph.graph.analytics.store import ProjectionStore
from casegraph.graph.db import GraphDB
from casegraph.graph.stamp import Stamp, read_stamp

T = TypeVar("T")


def graph_stamp(db: GraphDB) -> Stamp:
    """(graph version, time of its last bump): changes whenever the graph changes (a reset
    database counts again from 1; the time tells "version 3 after a reset" from the old
    version 3). The stamp of :func:`casegraph.graph.stamp.read_stamp`, read with the
    driver's retries."""
    return read_stamp(db, retry=True)


class AnalyticsCache:
    """A small LRU map from (database, graph version, key) to a computed value.

    Thread-safe for the API's worker threads; two threads asking for the same missing key
    at once both compute it (the second result wins), which is harmless.

    It also holds the :class:`~.store.ProjectionStore` of the CSR projections that every
    process shares (in ``store_dir``; default ``CASEGRAPH_ANALYTICS_CACHE_DIR``) and the
    background :class:`~.jobs.Jobs` of this process.
    """

    def __init__(self, max_entries: int = 64, store_dir: Path | None = None) -> None:
        self.max_entries = max_entries
        self.store = ProjectionStore(store_dir)
        self.jobs = Jobs()
        self._data: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._pinned = threading.local()
        self.hits = 0
        self.misses = 0

    def stamp(self, db: GraphDB) -> tuple[int, str]:
        """``db``'s graph stamp: the one pinned by :meth:`one_stamp` in this thread, else
        read now."""
        pinned = getattr(self._pinned, "value", None)
        if pinned is not None and pinned[0] == (db.uri, db.database):
            return cast(tuple[int, str], pinned[1])
        return graph_stamp(db)

    @contextmanager
    def one_stamp(self, db: GraphDB) -> Iterator[None]:
        """Within the block, this thread reads ``db``'s graph stamp once: the look-ups of
        one request agree on one graph, and cost one read instead of one each."""
        self._pinned.value = ((db.uri, db.database), graph_stamp(db))
        try:
            yield
        finally:
            self._pinned.value = None

    def get_or_compute(self, db: GraphDB, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key`` on ``db``'s current graph, computing it if needed."""
        version = self.stamp(db)
        where = (db.uri, db.database)
        full = (where, version, key)
        with self._lock:
            if full in self._data:
                self._data.move_to_end(full)
                self.hits += 1
                value: T = self._data[full]
                return value
            self.misses += 1
            # Entries of the same database on another version can never be asked again.
            for stale in [k for k in self._data if k[0] == where and k[1] != version]:
                del self._data[stale]
        value = compute()
        with self._lock:
            self._data[full] = value
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value

    def contains(self, db: GraphDB, key: Hashable) -> bool:
        """Whether ``key`` is cached for ``db``'s current graph (nothing is computed)."""
        full = ((db.uri, db.database), self.stamp(db), key)
        with self._lock:
            return full in self._data

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


CACHE = AnalyticsCache()
"""The process-wide cache the API and the CLI share."""
