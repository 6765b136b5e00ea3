"""The app's one context: everything a request may need that lives as long as the app.

:class:`AppContext` is built by the app's lifespan (:func:`casegraph.api.app.create_app`),
kept as ``app.state.context`` and closed at shutdown. Routes reach it through the
dependencies of :mod:`casegraph.api.deps` (``ContextDep``, ``DbDep``, ``SettingsDep``,
``LibraryDep`` ...); middlewares through :func:`context_of`. Nothing else about the app is
kept in ``app.state``, and no module keeps app state of its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from casegraph.api.answers import AnswerCache
from casegraph.api.audit import AuditTrail, build_trail
from casegraph.api.clientaddr import TrustedProxies
from casegraph.api.keys import KeyStore
from casegraph.api.rights import RightsTable
from casegraph.api.stamp_reads import SharedStampReads
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.db import GraphDB
from casegraph.graph.stamp import GraphWatch, read_stamp
from casegraph.queries.library import Library, load_checked_library
from casegraph.settings import Settings


class QueryLibrary:
    """The saved-query library, loaded and plan-checked on first use (it needs Neo4j, which
    may be down when the app starts; a failed load is tried again on the next use)."""

    def __init__(self, db: GraphDB, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._lib: Library | None = None
        self._lock = threading.Lock()

    def get(self) -> Library:
        lib = self._lib
        if lib is not None:
            return lib
        with self._lock:
            if self._lib is None:
                self._lib = load_checked_library(self._db, self._settings.query_path)
            return self._lib


@dataclass(frozen=True)
class AppContext:
    """The database, the settings, the API keys, the audit trail, the saved-query library,
    the analytics cache, the trusted proxies and the rights table of one running app; the
    watch of Neo4j's state (``/health``), the answer cache of hot reads
    (:mod:`casegraph.api.answers`) and its shared stamp reads
    (:mod:`casegraph.api.stamp_reads`)."""

    settings: Settings
    db: GraphDB
    keys: KeyStore
    audit: AuditTrail
    library: QueryLibrary
    analytics: AnalyticsCache
    proxies: TrustedProxies
    rights: RightsTable
    watch: GraphWatch
    answers: AnswerCache
    stamps: SharedStampReads
    owns_db: bool = False

    @classmethod
    def start(
        cls, settings: Settings, rights: RightsTable, db: GraphDB | None = None
    ) -> AppContext:
        """The context of an app about to serve: ``db``, or a database of its own made from
        ``settings`` (closed by :meth:`close`)."""
        owns_db = db is None
        database = GraphDB.from_settings(settings) if db is None else db
        return cls(
            settings=settings,
            db=database,
            keys=KeyStore(database, ttl=settings.key_cache_seconds),
            audit=build_trail(settings, database),
            library=QueryLibrary(database, settings),
            analytics=AnalyticsCache(store_dir=settings.analytics_cache_dir),
            proxies=TrustedProxies.parse(settings.trusted_proxies),
            rights=rights,
            watch=GraphWatch(database, settings.state_interval).start(),
            answers=AnswerCache(
                settings.answer_cache_entries, settings.answer_cache_mb * 1024 * 1024
            ),
            stamps=SharedStampReads(lambda: read_stamp(database)),
            owns_db=owns_db,
        )

    def close(self) -> None:
        """Write what the audit holds (and the pending summaries), stop its writers, and
        close the database if this context made it."""
        self.watch.stop()
        self.audit.close()
        if self.owns_db:
            self.db.close()


class ContextMissing(RuntimeError):
    """A request reached the app before its lifespan started (a ``TestClient`` used
    without ``with``)."""


def context_of(app: Any) -> AppContext:
    """The context of ``app`` (a FastAPI app, or ``scope["app"]``)."""
    context = getattr(app.state, "context", None)
    if not isinstance(context, AppContext):
        raise ContextMissing(
            "the casegraph app has no context: its lifespan has not run "
            "(serve it with uvicorn, or use `with TestClient(app) as client:`)"
        )
    return context
