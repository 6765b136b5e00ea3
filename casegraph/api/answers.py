"""The answer cache of hot reads: search, entity pages, neighborhoods and the rankings.

:class:`AnswerCacheMiddleware` sits innermost, after authentication, the audit and the
caller's :class:`~casegraph.graph.disclosure.Disclosure` were decided, and keeps the
*rendered* answers (the bytes that :class:`~casegraph.api.disclosure.DisclosingJSONResponse`
made for that caller) of ``GET /entities``, ``GET /entities/{id}``,
``GET /entities/{id}/neighborhood`` and the rankings ``GET /analytics/centrality``,
``/communities``, ``/brokers`` and ``/key-players`` (a 202 "still computing" is not a 200
and is never kept). An entry's key is

- the caller's role **and** the protection levels she may see: an answer disclosed for an
  admin is never served to a viewer;
- the path and the query parameters (sorted);

and each entry carries the graph stamp (:func:`~casegraph.graph.stamp.read_stamp`: the
write counter and the time of its last bump) it was computed under. An entry is served only
if the stamp read **now** (one unique-index seek, in a worker thread; requests that ask at
the same moment share a read sent after each of them arrived, see
:mod:`casegraph.api.stamp_reads`) is the same, so a write made by any process is seen at
once.

When there is no entry for the key (most neighborhoods under load), that read is skipped:
the answer is computed, and kept under the last stamp the :class:`~casegraph.graph.stamp.
GraphWatch` read (at most a second old, always read before the answer is computed). That
is safe because an older stamp only makes the entry look older than it is: every write
bumps the stamp, so if the stamp read by a later request still equals it, nothing was
written since that poll, let alone since the answer was computed; if a write came in
between, the stamps differ and the entry is not served. The empty stamp (no graph written
since the last ``db reset``: ``(0, "")``, which comes back after every reset) is never
used to keep an answer, so a reset and new writes cannot bring an old entry back.

A hit answers without reading Neo4j, rendering or disclosing again; the audit still records
the request, with the redaction the route asked for when it was computed (a search for a
protected person's name is kept as a keyed hash). Only 200 answers are kept; nothing is
kept when the stamp cannot be read (Neo4j down: the route answers 503 as ever).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from neo4j.exceptions import Neo4jError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.api.audit_records import STATE_REDACT
from casegraph.api.rights import caller_of
from casegraph.errors import DatabaseUnavailableError
from casegraph.graph.stamp import Stamp

#: The paths whose GET answers are cached.
CACHED_PATHS = re.compile(
    r"^/entities(?:/[^/]+(?:/neighborhood)?)?$"
    # the rankings: functions of the graph and their parameters (shortest paths are not
    # kept: a "too far" from the time limit depends on the moment, not on the graph)
    r"|^/analytics/(?:centrality|communities|brokers|key-players)$"
)
#: Larger answers are not kept.
MAX_ENTRY_BYTES = 1024 * 1024

Key = tuple[Any, ...]


#: The stamp of a graph not written since its last reset (no stamp node): it comes back
#: after every reset, so no answer is kept under it.
EMPTY_STAMP: Stamp = (0, "")


@dataclass(frozen=True)
class Answer:
    """A rendered 200 answer: the graph stamp it was computed under, its headers (as the
    route made them), body and the audit redaction its request set."""

    stamp: Stamp
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    redact: dict[str, Any] | None


class AnswerCache:
    """A bounded LRU of :class:`Answer` (``entries`` at most, and ``max_bytes`` of answers
    together: ``CASEGRAPH_ANSWER_CACHE_ENTRIES`` and ``CASEGRAPH_ANSWER_CACHE_MB``, whose
    defaults the settings hold); ``entries=0`` keeps nothing. An entry is found only under
    the stamp it was kept with.

    >>> cache = AnswerCache(2, max_bytes=1024)
    >>> s = (1, "t")
    >>> for i in (1, 2, 3):
    ...     cache.put(("k", i), Answer(s, (), b"abc"[i - 1 : i], None))
    >>> cache.get(("k", 1), s) is None, cache.get(("k", 3), s).body, len(cache)
    (True, b'c', 2)
    >>> cache.stamp_of(("k", 3)), cache.get(("k", 3), (2, "u")) is None
    ((1, 't'), True)
    >>> small = AnswerCache(10, max_bytes=4)
    >>> for i in (1, 2, 3):
    ...     small.put(("k", i), Answer(s, (), b"ab", None))
    >>> len(small), small.get(("k", 1), s) is None
    (2, True)
    """

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries = max(0, entries)
        self.max_bytes = max_bytes
        self._items: OrderedDict[Key, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def stamp_of(self, key: Key) -> Stamp | None:
        """The stamp the entry of ``key`` was kept under (``None``: no entry)."""
        with self._lock:
            found = self._items.get(key)
        return None if found is None else found.stamp

    def get(self, key: Key, stamp: Stamp) -> Answer | None:
        """The entry of ``key`` if it was kept under ``stamp`` (counted as a hit or a miss)."""
        with self._lock:
            found = self._items.get(key)
            if found is None or found.stamp != stamp:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Key, answer: Answer) -> None:
        if not self.entries or len(answer.body) > MAX_ENTRY_BYTES or answer.stamp == EMPTY_STAMP:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = answer
            self._bytes += len(answer.body)
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def cache_key(scope: Scope, levels: frozenset[str]) -> Key:
    """The key of a request's answer: the caller's role and the protection levels she may
    see, the path and the sorted query parameters."""
    role = caller_of(scope).role
    query = tuple(sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)))
    return (role, tuple(sorted(levels)), scope["path"], query)


class AnswerCacheMiddleware:
    """Serves and keeps the answers of :data:`CACHED_PATHS` (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        # the context and the disclosure are built from this module's cache
        from casegraph.api.context import context_of
        from casegraph.api.disclosure import current_disclosure

        self.app = app
        self._context_of = context_of
        self._disclosure = current_disclosure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not CACHED_PATHS.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        context = self._context_of(scope["app"])
        if not context.answers.entries:
            await self.app(scope, receive, send)
            return
        key = cache_key(scope, self._disclosure().levels)
        kept = context.answers.stamp_of(key)
        last = context.watch.state
        if kept is None and last is not None and last.stamp not in (None, EMPTY_STAMP):
            # nothing to serve: keep the answer under the last stamp polled (see above)
            stamp: Stamp = last.stamp
            context.answers.misses += 1
        else:
            try:
                # a read sent after this request arrived, shared with the requests
                # that arrived meanwhile (casegraph.api.stamp_reads)
                stamp = await context.stamps.read()
            except (DatabaseUnavailableError, Neo4jError) as exc:
                context.watch.observe(error=str(exc))
                await self.app(scope, receive, send)
                return
            context.watch.observe(stamp)
            found = context.answers.get(key, stamp)
            if found is not None:
                state = scope.setdefault("state", {})
                if found.redact is not None:
                    state[STATE_REDACT] = dict(found.redact)
                await send({"type": "http.response.start", "status": 200, "headers": found.headers})
                await send({"type": "http.response.body", "body": found.body})
                return
        state = scope.setdefault("state", {})
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        complete = False

        async def keeping_send(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers.extend(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, keeping_send)
        if status == 200 and complete:
            redact = state.get(STATE_REDACT)
            context.answers.put(
                key,
                Answer(
                    stamp,
                    tuple(headers),
                    b"".join(chunks),
                    dict(redact) if redact is not None else None,
                ),
            )
