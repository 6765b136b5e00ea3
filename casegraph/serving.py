"""How ``casegraph serve`` runs uvicorn, so that slow or idle clients cannot hold a worker.

- The request head (request line and headers) must arrive within
  ``CASEGRAPH_HEADER_TIMEOUT`` seconds of the connection opening, or of the first byte of
  the next request on a kept-alive connection; otherwise the answer is ``408`` and the
  connection is closed (:class:`GuardedH11Protocol`; uvicorn itself has no such deadline).
- A request head larger than ``CASEGRAPH_MAX_HEADER_BYTES`` is refused with ``431`` and
  the connection closed, however it arrives (counted here; h11's
  ``max_incomplete_event_size`` alone lets a head through that arrives in one read).
- Idle kept-alive connections close after ``CASEGRAPH_KEEP_ALIVE_TIMEOUT`` seconds.
- Past ``CASEGRAPH_LIMIT_CONCURRENCY`` connections or requests in flight, a worker answers
  503 at once instead of queueing.
- The body has its own per-chunk deadline in the app
  (:class:`casegraph.api.timeouts.BodyTimeoutMiddleware`).
- uvicorn's access log is off: the audit log (:mod:`casegraph.api.audit`) records every
  request.
- uvicorn's own ``X-Forwarded-For`` handling is off: the app honours the header only from
  ``CASEGRAPH_TRUSTED_PROXIES`` (:mod:`casegraph.api.clientaddr`).

Examples
--------
>>> from casegraph.settings import Settings
>>> options = uvicorn_options(Settings(limit_concurrency=50))
>>> options["limit_concurrency"], options["proxy_headers"], options["http"].__name__
(50, False, 'GuardedH11Protocol')
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from casegraph.settings import Settings, get_settings

END_OF_HEAD = b"\r\n\r\n"


def _closing_response(status: bytes, text: bytes) -> bytes:
    return (
        b"HTTP/1.1 %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n%s"
    ) % (status, len(text), text)


TIMEOUT_RESPONSE = _closing_response(b"408 Request Timeout", b"request head not received in time")
TOO_LARGE_RESPONSE = _closing_response(
    b"431 Request Header Fields Too Large", b"request head too large"
)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline and a size limit for each request's head (see
    the module docstring). ``header_timeout`` and ``max_header_bytes`` come from the
    settings unless a subclass sets them."""

    header_timeout: float | None = None
    max_header_bytes: int | None = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        timeout, limit = self.header_timeout, self.max_header_bytes
        self._head_timeout = settings.header_timeout if timeout is None else timeout
        self._head_limit = settings.max_header_bytes if limit is None else limit
        self._head_deadline: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._head_tail = b""  # the last bytes seen, for an end of head split across reads

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head():
            if self._head_deadline is None:
                self._arm_head_deadline()
            if not self._count_head(data):
                self._cancel_head_deadline()
                self.transport.write(TOO_LARGE_RESPONSE)
                self.transport.close()
                return
        super().data_received(data)
        if not self._waiting_for_head():
            self._cancel_head_deadline()
            self._head_bytes = 0
            self._head_tail = b""

    def _count_head(self, data: bytes) -> bool:
        """Add the head bytes in ``data``; whether the head is still within the limit."""
        seen = self._head_tail + data
        end = seen.find(END_OF_HEAD)
        if end < 0:
            self._head_bytes += len(data)
        else:
            self._head_bytes += max(end + len(END_OF_HEAD) - len(self._head_tail), 0)
        self._head_tail = seen[-(len(END_OF_HEAD) - 1) :]
        return self._head_bytes <= self._head_limit

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._cancel_head_deadline()  # the keep-alive timeout watches the idle connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _waiting_for_head(self) -> bool:
        return bool(self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE)

    def _arm_head_deadline(self) -> None:
        self._cancel_head_deadline()
        if self._head_timeout > 0:
            self._head_deadline = self.loop.call_later(self._head_timeout, self._head_too_slow)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing() or not self._waiting_for_head():
            return
        if self._head_bytes:  # a request was begun: say why it is cut off
            self.transport.write(TIMEOUT_RESPONSE)
        self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn settings that ``casegraph serve`` uses (besides host, port, workers)."""
    return {
        "http": GuardedH11Protocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.limit_concurrency,
        "proxy_headers": False,
        "server_header": False,
        # the audit log records every request (who, what, status, duration); uvicorn's
        # access log line per request repeated a part of it at a cost of CPU
        "access_log": False,
    }
