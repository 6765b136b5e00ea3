"""Victim protection, applied in one place that every response passes through.

A *victim* is a ``Person`` who is ``VICTIM_IN`` a case, the target of ``EXPLOITED``, the
one ``TRAFFICKED_TO`` a place, or whose ``role`` property starts with "victim". The set is
computed from the graph and cached per :meth:`GraphDB.graph_version`.

What a role sees (:data:`PROTECTED_BY_ROLE`):

- ``admin``: everything;
- ``analyst``: adult victims by name; *minors* (``is_minor`` or ``age`` < 18) protected;
- ``viewer``, ``ingester`` (and anyone else): every victim protected.

A protected victim appears under a stable pseudonym — name ``"Victim 3f9a12"``, id
``"victim-3f9a12"`` (a keyed HMAC of the real id; the key lives in the graph, so every
process agrees) — with aliases, properties (age, birth details, free text …) and every other
string field removed. Pseudonymous ids work in requests: they are mapped back to the real
id before routing, so a viewer can open ``/entities/victim-3f9a12/neighborhood``.

:class:`RedactionMiddleware` rewrites every JSON body (walking it: any object whose ``id``
is a protected victim is redacted; any string equal to a protected id becomes the
pseudonymous id). When the request carries a text search (``q``, ``name``, ``query``,
``text``), protected victims are dropped from the answer altogether, so searching a
victim's real name gives what a search for an unknown name gives. Belt and braces: every
remaining string value (and every non-JSON text body, such as CSV exports) is scanned for
victims' real names, aliases, normalized names and free-text properties, which are replaced
by ``[redacted]`` — except an exact echo of the caller's own search text.

Examples
--------
>>> v = Protected("p-1", "Victim 3f9a12", "victim-3f9a12", minor=True,
...               needles=("Jane Roe",))
>>> view = RoleView.build([v])
>>> redact_value({"nodes": [{"id": "p-1", "name": "Jane Roe", "aliases": ["J. R."],
...   "label": "Person", "properties": {"age": 16}}], "edges": [
...   {"type": "EXPLOITED", "from": "p-9", "to": "p-1", "properties": {}}]}, view)
... # doctest: +NORMALIZE_WHITESPACE
{'nodes': [{'id': 'victim-3f9a12', 'name': 'Victim 3f9a12', 'aliases': [],
  'label': 'Person', 'properties': {}, 'redacted': True}],
 'edges': [{'type': 'EXPLOITED', 'from': 'p-9', 'to': 'victim-3f9a12', 'properties': {}}]}
>>> redact_value("a note about Jane Roe", view)
'a note about [redacted]'
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.api.auth import send_json
from casegraph.errors import DatabaseUnavailableError
from casegraph.graph.db import GraphDB

#: Which victims each role must not see: ``all``, ``minors`` or ``none``. Roles not
#: listed (anonymous, unknown) get ``all``.
PROTECTED_BY_ROLE: dict[str, str] = {
    "admin": "none",
    "analyst": "minors",
    "viewer": "all",
    "ingester": "all",
}

#: Request parameters that carry free text: a search by a victim's name reveals nothing.
TEXT_QUERY_PARAMS = frozenset({"q", "name", "query", "text", "search"})

REDACTED = "[redacted]"
MIN_NAME_NEEDLE = 3
MIN_TEXT_NEEDLE = 12

#: Fields of a protected victim's object that stay (besides numbers): structure, not identity.
KEEP_FIELDS = frozenset(
    {"label", "labels", "kind", "sources", "relationship_counts", "source_documents"}
)
#: Fields that go even when they are numbers or booleans.
DROP_FIELDS = frozenset(
    {"age", "birth_year", "birth_date", "date_of_birth", "birth_place", "is_minor", "gender"}
)

VICTIMS = """
MATCH (p:Person)
WHERE EXISTS { (p)-[:VICTIM_IN]->() }
   OR EXISTS { ()-[:EXPLOITED]->(p) }
   OR EXISTS { (p)-[:TRAFFICKED_TO]->() }
   OR toLower(toString(coalesce(p.role, ''))) STARTS WITH 'victim'
RETURN p.id AS id, properties(p) AS props
"""

PSEUDONYM_KEY = """
MERGE (m:CasegraphMeta {key: 'pseudonym'})
ON CREATE SET m.secret = $secret
RETURN m.secret AS secret
"""


@dataclass(frozen=True)
class Protected:
    """One victim as the redaction sees it."""

    id: str
    pseudonym: str
    pseudo_id: str
    minor: bool
    needles: tuple[str, ...] = ()


def pseudonym_of(secret: bytes, entity_id: str) -> tuple[str, str]:
    """The stable pseudonymous (name, id) of an entity id under ``secret``.

    >>> pseudonym_of(b"k", "p-1") == pseudonym_of(b"k", "p-1")
    True
    >>> pseudonym_of(b"k", "p-1")[0].startswith("Victim ")
    True
    """
    tag = hmac.new(secret, entity_id.encode("utf-8"), hashlib.sha256).hexdigest()[:6]
    return f"Victim {tag}", f"victim-{tag}"


def is_minor(props: dict[str, Any]) -> bool:
    """Whether a person's properties say they are (or were, when recorded) a minor.

    >>> is_minor({"is_minor": True}), is_minor({"age": 16}), is_minor({"age": "40"})
    (True, True, False)
    """
    if props.get("is_minor") is True or str(props.get("is_minor")).lower() == "true":
        return True
    try:
        return float(props.get("age")) < 18  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def needles_of(props: dict[str, Any]) -> tuple[str, ...]:
    """The strings that identify a victim: names, aliases, normalized keys, free text."""
    found: set[str] = set()
    for key, value in props.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if not isinstance(v, str):
                continue
            v = v.strip()
            if key in ("name", "aliases", "name_key", "search_keys"):
                if len(v) >= MIN_NAME_NEEDLE:
                    found.add(v)
            elif key not in ("id", "sources", "search_text") and len(v) >= MIN_TEXT_NEEDLE:
                found.add(v)
    return tuple(sorted(found))


_WORD = re.compile(r"\w+")


class Scrubber:
    """Finds any of many strings (case-insensitive) in a text, by words: each string is
    filed under its first two words (or its only word), and a text is checked only where
    such a pair starts. Building and scanning cost little even for tens of thousands of
    strings (one regex alternation of them takes minutes to compile).

    >>> Scrubber(["Jane Roe", "J. R."]).scrub("met jane roe and J. R. today")
    'met [redacted] and [redacted] today'
    >>> Scrubber([]).scrub("nothing") == "nothing"
    True
    """

    def __init__(self, needles: Iterable[str]) -> None:
        self.by_words: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        for needle in needles:
            low = needle.lower()
            if len(low) != len(needle):
                low = needle
            words = list(_WORD.finditer(low))
            if not words:
                continue
            key = tuple(w.group() for w in words[:2])
            self.by_words.setdefault(key, []).append((low, words[0].start()))
        for entries in self.by_words.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest first

    def __bool__(self) -> bool:
        return bool(self.by_words)

    def spans(self, text: str) -> list[tuple[int, int]]:
        low = text.lower()
        if len(low) != len(text):  # a character whose lower case is longer: compare as is
            low = text
        words = list(_WORD.finditer(low))
        found: list[tuple[int, int]] = []
        end_of_last = 0
        for i, m in enumerate(words):
            for key in (
                (m.group(), words[i + 1].group()) if i + 1 < len(words) else None,
                (m.group(),),
            ):
                entries = self.by_words.get(key) if key else None
                hit = None
                for needle, offset in entries or ():
                    start = m.start() - offset
                    if start >= end_of_last and low.startswith(needle, start):
                        hit = (start, start + len(needle))
                        break
                if hit:
                    found.append(hit)
                    end_of_last = hit[1]
                    break
        return found

    def scrub(self, text: str) -> str:
        if not self.by_words:
            return text
        spans = self.spans(text)
        if not spans:
            return text
        out, pos = [], 0
        for start, end in spans:
            out.append(text[pos:start])
            out.append(REDACTED)
            pos = end
        out.append(text[pos:])
        return "".join(out)


@dataclass
class RoleView:
    """What one protection level hides: the protected victims and the strings to scrub."""

    protected: dict[str, Protected] = field(default_factory=dict)
    pseudo_to_real: dict[str, str] = field(default_factory=dict)
    scrubber: Scrubber = field(default_factory=lambda: Scrubber(()))

    @classmethod
    def build(cls, victims: Iterable[Protected]) -> RoleView:
        vs = list(victims)
        needles = {n for v in vs for n in v.needles}
        return cls(
            protected={v.id: v for v in vs},
            pseudo_to_real={v.pseudo_id: v.id for v in vs},
            scrubber=Scrubber(needles),
        )

    def __bool__(self) -> bool:
        return bool(self.protected)

    def scrub(self, text: str) -> str:
        return self.scrubber.scrub(text)


@dataclass
class VictimIndex:
    version: int
    views: dict[str, RoleView]


class VictimGuard:
    """Per app: the victim index, recomputed when the graph version changes."""

    def __init__(self, db: GraphDB | Callable[[], GraphDB]) -> None:
        self._db = db
        self._secret: bytes | None = None
        self._index: VictimIndex | None = None
        self._lock = threading.Lock()

    @property
    def db(self) -> GraphDB:
        return self._db if isinstance(self._db, GraphDB) else self._db()

    def secret(self) -> bytes:
        if self._secret is None:
            rows = self.db.write(PSEUDONYM_KEY, {"secret": secrets.token_hex(32)})
            self._secret = str(rows[0]["secret"]).encode("utf-8")
        return self._secret

    def view(self, level: str) -> RoleView:
        """The view for a protection level (``all`` or ``minors``) at the current version."""
        version = self.db.graph_version()
        index = self._index
        if index is None or index.version != version:
            with self._lock:
                index = self._index
                if index is None or index.version != version:
                    index = self._index = self._build(version)
        return index.views[level]

    def _build(self, version: int) -> VictimIndex:
        secret = self.secret()
        victims = []
        for row in self.db.read(VICTIMS):
            props = dict(row["props"] or {})
            name, pid = pseudonym_of(secret, str(row["id"]))
            victims.append(Protected(str(row["id"]), name, pid, is_minor(props), needles_of(props)))
        return VictimIndex(
            version,
            {
                "all": RoleView.build(victims),
                "minors": RoleView.build(v for v in victims if v.minor),
            },
        )

    def forget(self) -> None:
        self._index = None
        self._secret = None


# -- the walk ---------------------------------------------------------------------------


def _redact_node(node: dict[str, Any], v: Protected, view: RoleView, ctx: _Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "id":
            out[key] = v.pseudo_id
        elif key == "name":
            out[key] = v.pseudonym
        elif key == "aliases":
            out[key] = []
        elif key == "properties":
            out[key] = {}
        elif key in DROP_FIELDS:
            continue
        elif key in KEEP_FIELDS or isinstance(value, dict | list):
            out[key] = _walk(value, view, ctx)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = value
    out["redacted"] = True
    return out


@dataclass
class _Ctx:
    drop_victims: bool = False
    own_text: frozenset[str] = frozenset()


def _protected_in(value: Any, view: RoleView) -> Protected | None:
    if isinstance(value, dict):
        ident = value.get("id")
        if isinstance(ident, str):
            return view.protected.get(ident)
    return None


def _walk(value: Any, view: RoleView, ctx: _Ctx) -> Any:
    if isinstance(value, str):
        v = view.protected.get(value)
        if v is not None:
            return v.pseudo_id
        if value in ctx.own_text:
            return value
        return view.scrub(value)
    if isinstance(value, list):
        return [
            _walk(x, view, ctx)
            for x in value
            if not (ctx.drop_victims and _protected_in(x, view) is not None)
        ]
    if isinstance(value, dict):
        victim = _protected_in(value, view)
        if victim is not None:
            return _redact_node(value, victim, view, ctx)
        out: dict[str, Any] = {}
        for key, item in value.items():
            new_key = _walk(key, view, ctx) if isinstance(key, str) else key
            out[new_key] = _walk(item, view, ctx)
        count = value.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and ctx.drop_victims:
            for key, item in value.items():
                if isinstance(item, list) and len(item) == count:
                    out["count"] = len(out[_walk(key, view, ctx)])
                    break
        return out
    return value


def redact_value(
    value: Any,
    view: RoleView,
    *,
    drop_victims: bool = False,
    own_text: Iterable[str] = (),
) -> Any:
    """``value`` (parsed JSON) as a caller under ``view`` may see it."""
    if not view:
        return value
    return _walk(value, view, _Ctx(drop_victims, frozenset(own_text)))


# -- the middleware ---------------------------------------------------------------------

_TEXT_TYPES = (
    b"application/json",
    b"text/",
    b"application/xml",
    b"application/x-ndjson",
    b"application/graphml",
    b"+json",
    b"+xml",
)


def _is_text(content_type: bytes) -> bool:
    ct = content_type.lower()
    return any(t in ct for t in _TEXT_TYPES)


def _map_path(path: str, view: RoleView) -> str:
    parts = path.split("/")
    return "/".join(view.pseudo_to_real.get(unquote(p), p) for p in parts)


def _map_query(raw: bytes, view: RoleView) -> tuple[bytes, list[tuple[str, str]]]:
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    mapped = [(k, view.pseudo_to_real.get(v, v)) for k, v in pairs]
    if mapped == pairs:
        return raw, pairs
    return urlencode(mapped, quote_via=quote).encode("latin-1"), pairs


class RedactionMiddleware:
    """Applies victim protection to every answer (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller = scope.get("state", {}).get("caller")
        role = getattr(caller, "role", None)
        if caller is None or PROTECTED_BY_ROLE.get(role or "", "all") == "none":
            # No caller: an open route (health, docs, the web UI shell), which shows no data.
            await self.app(scope, receive, send)
            return
        level = PROTECTED_BY_ROLE.get(role or "", "all")
        guard: VictimGuard = scope["app"].state.victims
        try:
            view = await run_in_threadpool(guard.view, level)
        except DatabaseUnavailableError as exc:
            await send_json(
                send,
                503,
                {
                    "error": {
                        "type": "DatabaseUnavailableError",
                        "message": exc.message,
                        "details": None,
                    }
                },
                {"Retry-After": "5"},
            )
            return
        if not view:
            await self.app(scope, receive, send)
            return

        scope = dict(scope)
        scope["audit_path"] = scope["path"]
        new_path = _map_path(scope["path"], view)
        if new_path != scope["path"]:
            scope["path"] = new_path
            scope["raw_path"] = new_path.encode("utf-8")
        query, pairs = _map_query(scope.get("query_string", b""), view)
        scope["query_string"] = query
        own_text = {v for k, v in pairs if k in TEXT_QUERY_PARAMS and v.strip()}
        drop = bool(own_text)

        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def redacting_send(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if not _is_text(ctype):
                    passthrough = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or passthrough:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            body = _redact_body(body, start, view, drop, own_text)
            raw = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            raw.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, redacting_send)


def _redact_body(
    body: bytes, start: Message, view: RoleView, drop: bool, own_text: set[str]
) -> bytes:
    headers = dict(start.get("headers", []))
    ctype = headers.get(b"content-type", b"").lower()
    if b"json" in ctype and b"ndjson" not in ctype:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        else:
            clean = redact_value(data, view, drop_victims=drop, own_text=own_text)
            return json.dumps(clean, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text = body.decode("utf-8", errors="replace")
    for pseudo_real in view.protected.values():
        # whole-token ids in CSV / GraphML / NDJSON exports
        text = (
            re.sub(rf"(?<![\w-]){re.escape(pseudo_real.id)}(?![\w-])", pseudo_real.pseudo_id, text)
            if pseudo_real.id in text
            else text
        )
    return view.scrub(text).encode("utf-8")


def redact_for_role(guard: VictimGuard, role: str | None, value: Any) -> Any:
    """``value`` (graph-shaped data) as a caller with ``role`` may see it. For answers that
    are serialized into a non-JSON format (exports), so that they are redacted as data,
    field by field, before the text pass of the middleware."""
    level = PROTECTED_BY_ROLE.get(role or "", "all")
    if level == "none":
        return value
    return redact_value(value, guard.view(level))
