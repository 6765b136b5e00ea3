"""A body read timeout: a client that stops sending its request body gets 408.

Each ``receive()`` of the body must deliver its next chunk within
``settings.body_timeout`` seconds; otherwise the request is answered
``408 Request Timeout`` (``{"error": {"type": "RequestTimeout", ...}}``) and the
connection closed, so a slow client cannot hold a worker. Once the body is complete,
``receive()`` is passed through untouched (it then only waits for a disconnect).
The request head has its own deadline in the HTTP server (:mod:`casegraph.serving`).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.api.context import context_of
from casegraph.api.errors import HTTPProblem


class BodyReadTimeout(HTTPProblem):
    """Raised when the next body chunk does not arrive in time (an HTTP 408, connection
    closed)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            "RequestTimeout",
            f"the request body did not arrive within {seconds:g} s",
            {"timeout_seconds": seconds},
            headers={"Connection": "close"},
        )
        self.seconds = seconds


class BodyTimeoutMiddleware:
    """Wraps ``receive`` with a per-chunk deadline while the body is being read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seconds: float = context_of(scope["app"]).settings.body_timeout
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done or seconds <= 0:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), seconds)
            except TimeoutError:
                raise BodyReadTimeout(seconds) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, watched_send)
        except BodyReadTimeout as exc:
            if started:
                raise
            await exc.response()(scope, receive, send)
