"""``casegraph serve``: the HTTP API and the web explorer (uvicorn, with the timeouts and
limits of :func:`casegraph.serving.uvicorn_options`)."""

from __future__ import annotations

import typer
import uvicorn

from casegraph.serving import uvicorn_options
from casegraph.settings import get_settings


def serve(
    host: str = typer.Option(None, help="address to bind (default CASEGRAPH_HOST, 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default CASEGRAPH_PORT, 8000)"),
    workers: int = typer.Option(1, help="worker processes"),
) -> None:
    """Serve the API on http://HOST:PORT (OpenAPI at /docs)."""
    settings = get_settings()
    uvicorn.run(
        "casegraph.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
        # A worker busy importing on a loaded machine is not dead: give it time to answer.
        timeout_worker_healthcheck=60,
        # Header deadline, head size, keep-alive (30 s by default: under saturation a client
        # may reuse a connection just as the server closes it, seen as ReadError in
        # bench/load.py), concurrency limit; no proxy headers (CASEGRAPH_TRUSTED_PROXIES).
        **uvicorn_options(settings),
    )
