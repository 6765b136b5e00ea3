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

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.api.auth import send_json


class BodyTooLarge(HTTPException):
    """Raised while a body is read past its limit (an HTTP 413 for FastAPI's handlers)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than the limit of {limit} bytes")
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


def _too_large(limit: int) -> dict[str, object]:
    return {
        "error": {
            "type": "PayloadTooLarge",
            "message": f"request body is larger than the limit of {limit} bytes",
            "details": {"limit_bytes": limit},
        }
    }


class BodyLimitMiddleware:
    """Refuses bodies over the size limits with 413 (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
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
                await send_json(send, 413, _too_large(limit), {"Connection": "close"})
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
        except BodyTooLarge:
            if started:
                raise
            await send_json(send, 413, _too_large(limit), {"Connection": "close"})
