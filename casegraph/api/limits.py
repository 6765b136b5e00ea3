"""Request body size limits, enforced in one middleware: a clear 413 past the limit.

JSON bodies (``application/json``) get the smaller ``settings.max_json_bytes``; every other
body (uploads) gets ``settings.max_upload_bytes``. A declared ``Content-Length`` over the
limit is refused before reading; a streamed body is counted as it arrives and refused the
moment it passes the limit.

Examples
--------
>>> limit_for(b"application/json; charset=utf-8", max_json=10, max_upload=100)
10
>>> limit_for(b"multipart/form-data; boundary=x", max_json=10, max_upload=100)
100
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.api.context import context_of
from casegraph.api.errors import HTTPProblem


class BodyTooLarge(HTTPProblem):
    """A body over its limit: 413, connection closed (raised while a body is read past
    its limit, or sent at once when ``Content-Length`` says so)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            "PayloadTooLarge",
            f"request body is larger than the limit of {limit} bytes",
            {"limit_bytes": limit},
            headers={"Connection": "close"},
        )
        self.limit = limit


def limit_for(content_type: bytes, *, max_json: int, max_upload: int) -> int:
    media = content_type.split(b";", 1)[0].strip().lower()
    if media == b"application/json" or media.endswith(b"+json"):
        return max_json
    return max_upload


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return bytes(v)
    return None


class BodyLimitMiddleware:
    """Refuses bodies over the size limits with 413 (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = context_of(scope["app"]).settings
        limit = limit_for(
            _header(scope, b"content-type") or b"",
            max_json=settings.max_json_bytes,
            max_upload=settings.max_upload_bytes,
        )
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False
            if too_big:
                await BodyTooLarge(limit).response()(scope, receive, send)
                return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await exc.response()(scope, receive, send)
