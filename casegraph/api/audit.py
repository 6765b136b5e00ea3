"""The audit log: one JSON line per request, append-only, durable, rotated by size.

Each record holds the time, the caller's key id and role, method, path, query parameters,
status, result size in bytes and duration. Records are written by one background thread
per log file: each line goes out in a single ``write`` on an ``O_APPEND`` descriptor under
an exclusive ``flock`` (so several worker processes can share the file), and is flushed and
``fsync``-ed before the thread takes the next batch. When the file passes ``max_bytes``
it is renamed to ``.1`` (``.1`` to ``.2`` …), keeping ``keep`` old files.

Examples
--------
>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.log")
>>> log.record({"method": "GET", "path": "/health", "status": 200})
>>> log.sync()
>>> log.tail(1)[0]["path"]
'/health'
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_KEEP = 5


class AuditLog:
    """An append-only JSON Lines file with a writer thread (see the module docstring)."""

    def __init__(
        self, path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, keep: int = DEFAULT_KEEP
    ) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.keep = keep
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue()
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
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
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
        pending = list(batch)
        while pending:
            with self._locked_fd() as fd:
                while pending:
                    line = json.dumps(pending.pop(0), ensure_ascii=False, default=str) + "\n"
                    os.write(fd, line.encode("utf-8"))
                    if os.fstat(fd).st_size >= self.max_bytes:
                        os.fsync(fd)
                        self._rotate()
                        break
                else:
                    os.fsync(fd)

    @contextmanager
    def _locked_fd(self) -> Iterator[int]:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # also releases the lock

    def _rotate(self) -> None:
        for i in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{i}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{i + 1}"))
        if self.keep > 0:
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
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


_LOGS: dict[Path, AuditLog] = {}
_LOGS_LOCK = threading.Lock()


def audit_log_for(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, keep: int = DEFAULT_KEEP
) -> AuditLog:
    """The process's one :class:`AuditLog` for ``path``."""
    key = Path(path).resolve()
    with _LOGS_LOCK:
        log = _LOGS.get(key)
        if log is None:
            log = _LOGS[key] = AuditLog(key, max_bytes=max_bytes, keep=keep)
        return log


def annotate(scope_state: Any, **fields: Any) -> None:
    """Add fields to this request's audit record, e.g. ``annotate(request.state,
    file="people.jsonl")`` from a handler."""
    extra = getattr(scope_state, "audit", None)
    if extra is None:
        extra = {}
        scope_state.audit = extra
    extra.update(fields)


def _query_params(raw: bytes) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for k, v in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if k in params:
            prev = params[k]
            params[k] = [*prev, v] if isinstance(prev, list) else [prev, v]
        else:
            params[k] = v
    return params


class AuditMiddleware:
    """Records every HTTP request once its answer is sent (or fails)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        log: AuditLog = scope["app"].state.audit
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
            client = scope.get("client")
            entry: dict[str, Any] = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "key_id": getattr(caller, "key_id", None),
                "role": getattr(caller, "role", None),
                "method": scope["method"],
                "path": scope.get("audit_path", scope["path"]),
                "query": _query_params(scope.get("query_string", b"")),
                "status": status,
                "bytes": size,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "client": client[0] if client else None,
            }
            extra = state.get("audit")
            if isinstance(extra, dict):
                entry.update(extra)
            log.record(entry)
