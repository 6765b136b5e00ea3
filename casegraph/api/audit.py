"""The audit log: one JSON line per request, append-only, durable, rotated by size.

Each record holds the time, the caller's key id and role, method, path, query parameters,
status, result size in bytes, duration and client address, plus what the route added
(see :mod:`casegraph.api.audit_records`). Records are written by one background thread
per log file, in batches (the thread waits :data:`DEFAULT_LINGER` after a record arrives so
that the records of concurrent requests share a batch): a batch's lines go out in one
``write`` on an ``O_APPEND`` descriptor under an exclusive ``flock`` (so several worker
processes can share the file), and are ``fsync``-ed before the thread takes the next batch.
When the file passes ``max_bytes``
it is renamed to ``.1`` (``.1`` to ``.2`` …), keeping ``keep`` old files.

No one can flush it: records of requests that carried a valid key go to the main log;
records of requests without one (anonymous callers, 401s) go to a separate, smaller log
(``audit-anonymous.log`` beside it, :func:`anonymous_path`) and are rate-limited per
client address (:mod:`casegraph.api.ratelimit`): past the limit they are counted and
summarised, not written one by one. So unauthenticated traffic can neither rotate the
main log nor grow the anonymous one past its bound.

The shared sink (``CASEGRAPH_AUDIT_SINK=neo4j`` or ``both``): :class:`SharedAuditSink`
sends the same records, in batches from a background thread, to Neo4j as sealed
``AuditRecord`` nodes (:mod:`casegraph.graph.audit`), so the records of every API replica
can be read from any of them. A request never waits for it. A batch Neo4j refuses is tried
again (3 times, backing off); then its records go to the local file instead and the loss of
the shared copy is logged (logger ``casegraph.audit``), never dropped silently.

Examples
--------
>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.log")
>>> log.record({"method": "GET", "path": "/health", "status": 200})
>>> log.sync()
>>> log.tail(1)[0]["path"]
'/health'
>>> anonymous_path(pathlib.Path("/var/log/casegraph/audit.log")).name
'audit-anonymous.log'
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.api.audit_records import (
    STATE_EXTRA,
    STATE_REDACT,
    clip,
    merge_extra,
    query_params,
    state_mapping,
)
from casegraph.api.clientaddr import TrustedProxies, resolve_client
from casegraph.api.ratelimit import AnonymousLimiter
from casegraph.graph import audit as stored
from casegraph.graph.db import GraphDB

logger = logging.getLogger("casegraph.audit")

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_KEEP = 100
#: Seconds the writer waits after a record arrives for others to join its batch.
DEFAULT_LINGER = 0.01


def _write_all(fd: int, data: bytes) -> None:
    """``data`` to ``fd`` (an ``O_APPEND`` file: each ``write`` lands at the end)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class AuditLog:
    """An append-only JSON Lines file with a writer thread (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        keep: int = DEFAULT_KEEP,
        linger: float = DEFAULT_LINGER,
    ) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.keep = keep
        self.linger = linger
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- writing -----------------------------------------------------------------------

    def record(self, entry: dict[str, Any]) -> None:
        """Queue one record (a ``time`` is added when missing)."""
        entry.setdefault("time", datetime.now(UTC).isoformat(timespec="milliseconds"))
        self._ensure_thread()
        self._queue.put(entry)

    def sync(self, timeout: float = 10.0) -> None:
        """Wait until every queued record is on disk."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.002)

    def close(self, timeout: float = 10.0) -> None:
        """Write every queued record, then stop the writer thread (a later
        :meth:`record` starts it again)."""
        self.sync(timeout)
        with self._start_lock:
            thread, self._thread = self._thread, None
            if thread is not None and thread.is_alive():
                self._queue.put(None)
                thread.join(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name=f"audit:{self.path}", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:  # close(): every record before it is written
                self._queue.task_done()
                return
            # let the records of the requests being answered now join this batch: one
            # write, one fsync and one wake-up for them all, not one each
            time.sleep(self.linger)
            batch = [first]
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    self._queue.task_done()
                    break
                batch.append(item)
            try:
                self._write(batch)
            except Exception:  # never lose the thread; the records are reported on stderr
                import sys

                for entry in batch:
                    sys.stderr.write("audit: could not write " + json.dumps(entry) + "\n")
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _write(self, batch: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
            for entry in batch
        ]
        lines.reverse()  # popped from the end, in order
        while lines:
            with self._locked_fd() as fd:
                # under the lock no other process appends: the size is counted here, and
                # the lines up to the one that reaches max_bytes go out in one write
                size = os.fstat(fd).st_size
                chunk: list[bytes] = []
                while lines:
                    chunk.append(lines.pop())
                    size += len(chunk[-1])
                    if size >= self.max_bytes:
                        break
                _write_all(fd, b"".join(chunk))
                os.fsync(fd)
                if size >= self.max_bytes:
                    self._rotate()

    @contextmanager
    def _locked_fd(self) -> Iterator[int]:
        """The current log file, opened for append and locked. If another process rotated
        it while this one waited for the lock, the renamed file is let go and the new one
        opened (so a rotation is never followed by a second one of a near-empty file)."""
        while True:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)
        try:
            yield fd
        finally:
            os.close(fd)  # also releases the lock

    def _rotated(self, i: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{i}")

    def _rotate(self) -> None:
        """``.n-1`` → ``.n`` … ``.1`` → ``.2``, the log → ``.1``, where ``.n`` is the first
        free name; only when all ``keep`` names are taken does the oldest (``.keep``) go."""
        free = 1
        while free < self.keep and self._rotated(free).exists():
            free += 1
        for i in range(free - 1, 0, -1):
            self._rotated(i).replace(self._rotated(i + 1))
        if self.keep > 0:
            self.path.replace(self._rotated(1))
        else:
            self.path.unlink(missing_ok=True)

    # -- reading -----------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The log files, newest first."""
        names = [self.path] + [
            self.path.with_name(f"{self.path.name}.{i}") for i in range(1, self.keep + 1)
        ]
        return [p for p in names if p.exists()]

    def tail(self, n: int = 20) -> list[dict[str, Any]]:
        """The last ``n`` records, oldest first (reaching into rotated files when needed)."""
        return tail(self.path, n, keep=self.keep)


def tail(path: Path, n: int = 20, *, keep: int = DEFAULT_KEEP) -> list[dict[str, Any]]:
    """The last ``n`` records of the log at ``path`` and its rotated files, oldest first."""
    out: list[dict[str, Any]] = []
    names = [path] + [path.with_name(f"{path.name}.{i}") for i in range(1, keep + 1)]
    for p in names:
        if len(out) >= n or not p.exists():
            continue
        lines = p.read_text(encoding="utf-8").splitlines()
        chunk = []
        for line in lines[-(n - len(out)) :]:
            try:
                chunk.append(json.loads(line))
            except ValueError:
                continue
        out = chunk + out
    return out[-n:] if n else []


def anonymous_path(main: Path) -> Path:
    """Where the records of anonymous requests go: ``audit.log`` → ``audit-anonymous.log``."""
    main = Path(main)
    return main.with_name(f"{main.stem}-anonymous{main.suffix}")


def annotate(state: Any, **fields: Any) -> None:
    """Add fields to this request's audit record, e.g. ``annotate(request.state,
    cypher=text, params=params)`` from a handler (the same as updating
    ``request.state.audit_extra``)."""
    extra = getattr(state, STATE_EXTRA, None)
    if not isinstance(extra, dict):
        extra = {}
        setattr(state, STATE_EXTRA, extra)
    extra.update(fields)


class AuditTrail:
    """The two logs and the anonymous rate limit: where each record goes."""

    #: How often (seconds at most) pending anonymous summaries are looked for.
    SUMMARY_CHECK = 1.0

    def __init__(
        self,
        main: AuditLog,
        anonymous: AuditLog,
        limiter: AnonymousLimiter,
        *,
        shared: SharedAuditSink | None = None,
        files: bool = True,
    ) -> None:
        self.main = main
        self.anonymous = anonymous
        self.limiter = limiter
        self.shared = shared
        self.files = files or shared is None
        self._next_check = 0.0

    def record(self, entry: dict[str, Any], *, authenticated: bool) -> None:
        """Write ``entry`` to the main log, or (anonymous) to the anonymous log if its
        client is within its rate; otherwise count it for the client's summary. Each goes
        to the files, the shared sink or both, as configured."""
        if authenticated:
            self._send(entry, "main")
        elif self.limiter.allow(entry.get("client")):
            self._send(entry, "anonymous")
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.SUMMARY_CHECK
            self._write_summaries(flush=False)

    def _send(self, entry: dict[str, Any], stream: str) -> None:
        entry.setdefault("time", datetime.now(UTC).isoformat(timespec="milliseconds"))
        if self.files:
            self.log(stream).record(entry)
        if self.shared is not None:
            self.shared.record(entry, stream)

    def log(self, stream: str) -> AuditLog:
        """The local file of ``stream`` (``main`` or ``anonymous``)."""
        return self.anonymous if stream == "anonymous" else self.main

    def _write_summaries(self, *, flush: bool) -> None:
        for summary in self.limiter.due_summaries(flush=flush):
            self._send(summary, "anonymous")

    def sync(self, timeout: float = 10.0) -> None:
        """Write pending summaries, then wait until both logs are on disk and the shared
        sink has sent what it holds."""
        self._write_summaries(flush=True)
        if self.shared is not None:
            self.shared.sync(timeout)
        self.main.sync(timeout)
        self.anonymous.sync(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """:meth:`sync`, then stop the writer threads."""
        self._write_summaries(flush=True)
        if self.shared is not None:
            self.shared.close(timeout)
        self.main.close(timeout)
        self.anonymous.close(timeout)


class SharedAuditSink:
    """Sends audit records to Neo4j (see the module docstring): :meth:`record` queues,
    one daemon thread seals and writes batches of up to :attr:`BATCH` records.

    ``fallback(stream)`` is the local log a record goes to when Neo4j does not take it
    (after :attr:`RETRIES` tries) or when more than ``max_queue`` records wait."""

    BATCH = 500
    RETRIES = 3
    BACKOFF = (0.2, 1.0, 3.0)

    def __init__(
        self,
        db: GraphDB,
        fallback: Any,
        *,
        instance: str = "",
        max_queue: int = 100_000,
    ) -> None:
        self.db = db
        self.fallback = fallback
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}"
        self.max_queue = max_queue
        self.written = 0
        self.diverted = 0
        self._queue: queue.Queue[tuple[dict[str, Any], str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def record(self, entry: dict[str, Any], stream: str) -> None:
        """Queue one record of ``stream`` (``main`` or ``anonymous``)."""
        if self._queue.qsize() >= self.max_queue:
            self._divert([(entry, stream)], "the queue for Neo4j is full")
            return
        self._ensure_thread()
        self._queue.put((entry, stream))

    def sync(self, timeout: float = 10.0) -> None:
        """Wait until every queued record is in Neo4j (or diverted to the file)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.002)

    def close(self, timeout: float = 10.0) -> None:
        self.sync(timeout)
        with self._start_lock:
            thread, self._thread = self._thread, None
            if thread is not None and thread.is_alive():
                self._queue.put(None)
                thread.join(timeout)

    def read(self, limit: int, stream: str = "main") -> list[dict[str, Any]]:
        """The last ``limit`` records of ``stream`` in Neo4j, from every instance."""
        self.sync()
        return stored.read_records(self.db, self.db.protection_key, limit=limit, stream=stream)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit:neo4j", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                self._queue.task_done()
                return
            batch = [first]
            stop = False
            while len(batch) < self.BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.task_done()
                    stop = True
                    break
                batch.append(item)
            try:
                self._write(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if stop:
                return

    def _write(self, batch: list[tuple[dict[str, Any], str]]) -> None:
        error: Exception | None = None
        for attempt in range(self.RETRIES):
            try:
                rows = stored.seal_records(
                    ({**entry, "_stream": stream} for entry, stream in batch),
                    self.db.protection_key,
                    instance=self.instance,
                )
                stored.write_records(self.db, rows)
                self.written += len(batch)
                return
            except Exception as exc:  # Neo4j down, a key that does not load ...
                error = exc
                time.sleep(self.BACKOFF[min(attempt, len(self.BACKOFF) - 1)])
        self._divert(batch, f"Neo4j did not take them: {error}")

    def _divert(self, batch: list[tuple[dict[str, Any], str]], why: str) -> None:
        self.diverted += len(batch)
        paths = set()
        for entry, stream in batch:
            log = self.fallback(stream)
            log.record({**entry, "shared_sink_failed": True})
            paths.add(str(log.path))
        logger.error(
            "audit: %d record(s) not written to the shared sink (%s); written to %s instead",
            len(batch),
            why,
            ", ".join(sorted(paths)),
        )


def build_trail(settings: Any, db: GraphDB | None = None) -> AuditTrail:
    """The :class:`AuditTrail` that ``settings`` describe (``audit_*`` settings); the
    shared sink (``audit_sink`` ``neo4j`` or ``both``) writes to ``db``."""
    main = AuditLog(
        settings.audit_path, max_bytes=settings.audit_max_bytes, keep=settings.audit_keep
    )
    anonymous = AuditLog(
        anonymous_path(settings.audit_path),
        max_bytes=settings.audit_anonymous_max_bytes,
        keep=settings.audit_anonymous_keep,
    )
    limiter = AnonymousLimiter(
        rate=settings.audit_anonymous_rate, burst=settings.audit_anonymous_burst
    )
    sink = str(getattr(settings, "audit_sink", "file"))
    shared = None
    if sink in ("neo4j", "both") and db is not None:
        logs = {"main": main, "anonymous": anonymous}
        shared = SharedAuditSink(
            db, logs.__getitem__, instance=getattr(settings, "audit_instance", "")
        )
    return AuditTrail(main, anonymous, limiter, shared=shared, files=sink != "neo4j")


class AuditMiddleware:
    """Records every HTTP request once its answer is sent (or fails).

    Writes to the app context's :class:`AuditTrail`, with the client address that its
    :class:`~casegraph.api.clientaddr.TrustedProxies` give.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from casegraph.api.context import context_of  # the context is built from this module

        context = context_of(scope["app"])
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500
        size = 0

        async def audited_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        finally:
            caller = state.get("caller")
            entry = _entry(scope, state, context.proxies, caller)
            entry.update(
                status=status, bytes=size, ms=round((time.perf_counter() - started) * 1000, 2)
            )
            merge_extra(entry, state.get(STATE_EXTRA), state_mapping(state, STATE_REDACT))
            context.audit.record(entry, authenticated=caller is not None)


def _entry(
    scope: Scope, state: dict[str, Any], trusted: TrustedProxies, caller: Any
) -> dict[str, Any]:
    redact = state_mapping(state, STATE_REDACT)
    path, path_cut = clip(str(scope.get("audit_path", scope["path"])))
    query, query_cut = query_params(scope.get("query_string", b""), redact=redact)
    address = resolve_client(scope, trusted)
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "key_id": getattr(caller, "key_id", None),
        "role": getattr(caller, "role", None),
        "method": scope["method"],
        "path": path,
        "query": query,
        "status": None,
        "bytes": 0,
        "ms": 0.0,
        "client": address.client,
    }
    if address.forwarded:
        entry["peer"] = address.peer
    if path_cut is not None:
        entry["path_truncated"] = path_cut
    if query_cut is not None:
        entry["query_truncated"] = query_cut
    return entry
