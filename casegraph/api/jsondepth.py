"""A limit on how deeply JSON may nest: deeper bodies get a clear 422, never a 500.

Python's ``json`` (and the Neo4j driver after it) recurse once per level, so a body nested
a thousand deep would end in ``RecursionError``. :func:`json_depth` measures the nesting
without parsing (strings are skipped, so brackets inside them do not count), at C speed
for ordinary documents: a text with fewer brackets than the limit cannot exceed it.

:class:`JsonDepthMiddleware` applies it to every JSON request body (``application/json``,
``*+json``, or no content type, which FastAPI also reads as JSON) before any route sees it;
``POST /ingest`` applies :func:`first_too_deep_line` to uploaded JSON Lines files.

Examples
--------
>>> json_depth(b'{"a": [1, {"b": "[[[[ \\\\" {"}]}')
3
>>> too_deep(b"[" * 100 + b"]" * 100, 64), too_deep(b"[" * 64 + b"]" * 64, 64)
(True, False)
"""

from __future__ import annotations

import re
from itertools import accumulate
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.api.context import context_of
from casegraph.api.errors import error_response

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data`` (0 for a scalar); brackets
    inside strings do not count."""
    brackets = _STRING.sub(b'""', data).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def too_deep(data: bytes, limit: int) -> bool:
    """Whether ``data`` nests deeper than ``limit`` levels. A text with no more opening
    brackets than ``limit`` cannot, and is passed after two ``bytes.count`` calls."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    return json_depth(data) > limit


def first_too_deep_line(path: Path, limit: int) -> int | None:
    """The number (1-based) of the first line of the JSON or JSON Lines file at ``path`` that
    nests deeper than ``limit``; ``None`` if there is none or the file is not JSON (its
    first non-blank character is neither ``{`` nor ``[``)."""
    with path.open("rb") as f:
        head = f.read(4096).lstrip()
        if not head.startswith((b"{", b"[")):
            return None
        f.seek(0)
        for number, line in enumerate(f, start=1):
            if too_deep(line, limit):
                return number
    return None


def depth_error(
    limit: int, where: str = "body", line: int | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The message and details of the 422 for JSON nested deeper than ``limit``."""
    reason = f"JSON nested deeper than the limit of {limit} levels"
    detail: dict[str, Any] = {"field": where, "reason": reason, "limit": limit}
    if line is not None:
        detail["line"] = line
    at = f"line {line}: " if line is not None else ""
    return f"{where}: {at}{reason}", [detail]


def is_json_body(scope: Scope) -> bool:
    """Whether FastAPI would read this request's body as JSON."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = bytes(value).split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (
                media.startswith(b"application/") and media.endswith(b"+json")
            )
    return True


class JsonDepthMiddleware:
    """Reads a JSON request body whole (the body limit keeps it small), refuses it with
    422 when it nests deeper than ``settings.max_json_depth``, and otherwise hands the
    same bytes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        if not is_json_body(scope):
            await self.app(scope, receive, send)
            return
        limit: int = context_of(scope["app"]).settings.max_json_depth
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        if too_deep(b"".join(chunks), limit):
            text, details = depth_error(limit)
            await error_response(422, "InvalidRequestError", text, details)(scope, receive, send)
            return
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)
