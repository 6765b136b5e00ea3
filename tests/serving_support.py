"""A real uvicorn server configured as ``casegraph serve`` configures it, and a raw HTTP/1.1
connection for clients that misbehave (slow heads, stalled bodies, huge request lines)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI

from casegraph.serving import GuardedH11Protocol, uvicorn_options
from casegraph.settings import Settings
from tests.conftest import free_port


class ServedApp:
    """``app`` under uvicorn on a free 127.0.0.1 port (in a thread), with
    :func:`casegraph.serving.uvicorn_options` of ``settings``; the request-head deadline is
    ``settings.header_timeout`` and its size limit ``settings.max_header_bytes`` (read per
    server here, not from the environment)."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        options: dict[str, Any] = uvicorn_options(settings)
        options["http"] = type(
            "TestGuardedH11Protocol",
            (GuardedH11Protocol,),
            {
                "header_timeout": settings.header_timeout,
                "max_header_bytes": settings.max_header_bytes,
            },
        )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,
            **options,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServedApp:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)

    def connect(self, timeout: float = 30.0) -> RawConnection:
        return RawConnection(self.port, timeout)


class RawConnection:
    """One keep-alive TCP connection speaking HTTP/1.1 by hand."""

    def __init__(self, port: int, timeout: float) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def get(self, target: str, headers: dict[str, str] | None = None) -> int:
        """Send ``GET target`` and read the answer; its status."""
        lines = [f"GET {target} HTTP/1.1", "Host: casegraph"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        return self.read_response()[0]

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def read_response(self) -> tuple[int, dict[str, str], bytes]:
        """The next answer: status, headers (lower-case names), body. Raises
        ``ConnectionError`` if the server closes first."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"closed by the server; got {self.buffer[:200]!r}")
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                break
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def closed_by_server(self, within: float) -> bool:
        """Whether the server closes the connection within ``within`` seconds (anything it
        sends first is kept in the buffer)."""
        self.sock.settimeout(within)
        try:
            while self._fill():
                pass
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
        return True
