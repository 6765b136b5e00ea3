"""``casegraph serve``: the HTTP API and the web explorer (uvicorn, with the timeouts and
limits of :func:`casegraph.serving.uvicorn_options`)."""

from __future__ import annotations

import typer
import uvicorn

from casegraph.commands.common import console, handle_errors
from casegraph.errors import DatabaseUnavailableError
from casegraph.graph.audit import check_protection_key
from casegraph.graph.db import GraphDB
from casegraph.serving import uvicorn_options
from casegraph.settings import Settings, get_settings


def check_key(settings: Settings, wait: float = 30.0) -> bool:
    """Check this server's protection key against the one the graph knows (recorded by the
    first server; :func:`~casegraph.graph.audit.check_protection_key`), so that replicas
    never seal or pseudonymize with different keys. Raises ``ConfigurationError`` on a
    mismatch; when Neo4j does not answer within ``wait`` seconds, warns and returns False
    (the server starts and answers 503 until Neo4j is there)."""
    with GraphDB.from_settings(settings) as db:
        try:
            db.wait_until_ready(wait)
            check_protection_key(db, db.protection_key)
        except DatabaseUnavailableError as exc:
            console.print(f"warning: protection key not checked against the graph: {exc}")
            return False
    return True


@handle_errors
def serve(
    host: str = typer.Option(None, help="address to bind (default CASEGRAPH_HOST, 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default CASEGRAPH_PORT, 8000)"),
    workers: int = typer.Option(1, help="worker processes"),
) -> None:
    """Serve the API on http://HOST:PORT (OpenAPI at /docs)."""
    settings = get_settings()
    check_key(settings)
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
