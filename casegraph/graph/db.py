"""The one module that owns the Neo4j driver.

Everything in casegraph reaches Neo4j through a :class:`GraphDB`: it holds the driver,
opens sessions on the configured database, runs managed transactions (which the driver
retries on transient errors and leader switches) and turns "Neo4j cannot be reached" into
:class:`~casegraph.errors.DatabaseUnavailableError`.

Cluster-ready: ``bolt://`` reaches one server; ``neo4j://`` and ``neo4j+s://`` (a cluster,
or Aura) route each transaction, reads (:meth:`GraphDB.execute_read`, :meth:`GraphDB.read`)
to any member and writes to the leader, and one bookmark manager per process gives
read-your-writes across sessions.

Cypher text always comes from casegraph's own code; values always go as parameters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction, Session
from neo4j.exceptions import (
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
)

from casegraph.errors import DatabaseUnavailableError
from casegraph.graph.protection import ProtectionKey
from casegraph.settings import Settings, get_settings

T = TypeVar("T")

_UNAVAILABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, OSError)
#: Connections a process keeps beyond its request threads (``request_threads``): the graph
#: watch, the audit sink, analytics jobs and their projection reads.
BACKGROUND_CONNECTIONS = 4

GRAPH_VERSION_READ = "OPTIONAL MATCH (m:CasegraphMeta {key: 'graph'}) RETURN m.version AS v"
GRAPH_VERSION_BUMP = (
    "MERGE (m:CasegraphMeta {key: 'graph'}) "
    "SET m.version = coalesce(m.version, 0) + 1, m.changed_at = datetime() "
    "RETURN m.version AS v"
)


def protection_key_for(settings: Settings) -> ProtectionKey:
    """The protection key the settings name: ``CASEGRAPH_PROTECTION_KEY``, else the key
    file (created on first use)."""
    if settings.protection_key:
        return ProtectionKey.from_text(settings.protection_key)
    return ProtectionKey.load_or_create(settings.protection_key_path())


class GraphDB:
    """Owns one Neo4j driver. Create one per process (``GraphDB.from_settings()``, from the
    settings); close it at exit. Here ``db`` holds the seed dataset:

    >>> db.read("MATCH (o:Organization {id: $id}) RETURN o.name AS name",
    ...         {"id": "org-questra-world"})
    [{'name': 'Questra World'}]
    >>> db.execute_read(lambda tx: tx.run("MATCH (n:Location) RETURN count(n) AS n").single()[0])
    7
    """

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str = "neo4j",
        connection_timeout: float = 5.0,
        max_transaction_retry_time: float = 15.0,
        protection_key: ProtectionKey | Callable[[], ProtectionKey] | None = None,
        max_connections: int = 100,
    ) -> None:
        auth = (user, password) if password else None
        self.uri = uri
        self.database = database
        self._key = protection_key
        # Every session of this process shares one bookmark manager: a read that follows a
        # write (an ingest, then a search) sees it, also when a cluster routes the read to
        # another member (causal consistency; free on a single instance).
        self._bookmarks = GraphDatabase.bookmark_manager()
        self._driver: Driver = GraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=connection_timeout,
            max_transaction_retry_time=max_transaction_retry_time,
            connection_acquisition_timeout=connection_timeout * 2,
            notifications_min_severity="OFF",
            max_connection_pool_size=max_connections,
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> GraphDB:
        s = settings or get_settings()
        return cls(
            s.neo4j_uri,
            user=s.neo4j_user,
            password=s.neo4j_password,
            database=s.neo4j_database,
            protection_key=lambda: protection_key_for(s),
            max_connections=s.request_threads + BACKGROUND_CONNECTIONS,
        )

    @property
    def protection_key(self) -> ProtectionKey:
        """The key that protects victims in this database (loaded, or made, on first use)."""
        if not isinstance(self._key, ProtectionKey):
            self._key = (self._key or (lambda: protection_key_for(get_settings())))()
        return self._key

    @property
    def driver(self) -> Driver:
        return self._driver

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> GraphDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions and transactions -------------------------------------------------

    @contextmanager
    def session(self, *, write: bool = False, **kwargs: Any) -> Iterator[Session]:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        try:
            kwargs.setdefault("bookmark_manager", self._bookmarks)
            with self._driver.session(
                database=self.database, default_access_mode=mode, **kwargs
            ) as session:
                yield session
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailableError(f"Neo4j at {self.uri} is unavailable: {exc}") from exc

    def execute_read(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run ``work`` in a managed READ transaction (retried on transient errors)."""
        with self.session() as s:
            try:
                return s.execute_read(work)
            except _UNAVAILABLE as exc:
                raise DatabaseUnavailableError(
                    f"Neo4j at {self.uri} is unavailable: {exc}"
                ) from exc

    def execute_write(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run ``work`` in a managed WRITE transaction (retried on transient errors)."""
        with self.session(write=True) as s:
            try:
                return s.execute_write(work)
            except _UNAVAILABLE as exc:
                raise DatabaseUnavailableError(
                    f"Neo4j at {self.uri} is unavailable: {exc}"
                ) from exc

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one read query; return its records as dicts."""

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(query, params or {})]

        return self.execute_read(work)

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one write query in its own transaction; return its records as dicts."""

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(query, params or {})]

        return self.execute_write(work)

    def read_once(
        self, query: str, params: dict[str, Any] | None = None, *, timeout: float = 2.0
    ) -> list[dict[str, Any]]:
        """Run one read query as an auto-commit transaction with ``timeout`` seconds and no
        retry (for polls and checks that must not wait: :mod:`casegraph.graph.stamp`)."""
        with self.session() as s:
            try:
                result = s.run(neo4j.Query(query, timeout=timeout), params or {})
                return [r.data() for r in result]
            except _UNAVAILABLE as exc:
                raise DatabaseUnavailableError(
                    f"Neo4j at {self.uri} is unavailable: {exc}"
                ) from exc

    def run_autocommit(self, query: str, params: dict[str, Any] | None = None) -> None:
        """Run one query in an auto-commit transaction (needed by ``CALL … IN TRANSACTIONS``)."""
        with self.session(write=True) as s:
            try:
                s.run(query, params or {}).consume()
            except _UNAVAILABLE as exc:
                raise DatabaseUnavailableError(
                    f"Neo4j at {self.uri} is unavailable: {exc}"
                ) from exc

    # -- health and versioning -----------------------------------------------------

    def ping(self) -> dict[str, Any]:
        """Check that Neo4j answers; return its version and edition."""
        try:
            self._driver.verify_connectivity()
            rows = self.read(
                "CALL dbms.components() YIELD name, versions, edition "
                "RETURN name, versions[0] AS version, edition"
            )
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailableError(f"Neo4j at {self.uri} is unavailable: {exc}") from exc
        row = rows[0] if rows else {}
        return {"version": row.get("version"), "edition": row.get("edition")}

    def wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ping()
                return
            except DatabaseUnavailableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)

    def graph_version(self) -> int:
        """A counter bumped by every write that changes the graph (used by caches)."""
        rows = self.read(GRAPH_VERSION_READ)
        return int(rows[0]["v"] or 0) if rows else 0

    def bump_graph_version(self) -> int:
        rows = self.write(GRAPH_VERSION_BUMP)
        return int(rows[0]["v"])
