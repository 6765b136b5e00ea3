"""The app factory: :func:`create_app` wires the routers, the error map and the database.

>>> app = create_app(db=None)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from casegraph import __version__
from casegraph.api.disclosure import DisclosingJSONResponse
from casegraph.api.docs import install_docs
from casegraph.api.errors import install_error_handlers
from casegraph.api.routers import admin, analytics, entities, export, health, paths, web
from casegraph.api.routers import cypher as cypher_router
from casegraph.api.routers import ingest as ingest_router
from casegraph.api.routers import queries as queries_router
from casegraph.api.security import install_security
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings, get_settings


def create_app(*, db: GraphDB | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the casegraph API.

    ``db`` is the database provider; when omitted, one is made from ``settings`` at start-up
    and closed at shutdown.
    """
    settings = settings or get_settings()
    owns_db = db is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owns_db:
            app.state.db = GraphDB.from_settings(settings)
        yield
        app.state.audit_trail.sync()  # pending summaries of suppressed anonymous records
        if owns_db:
            app.state.db.close()

    app = FastAPI(
        title="casegraph",
        version=__version__,
        description="A knowledge graph of human-trafficking networks and financial pyramids.",
        lifespan=lifespan,
        default_response_class=DisclosingJSONResponse,
        # /docs and /redoc are served from vendored files (casegraph/api/docs.py), no CDN
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    if db is not None:
        app.state.db = db
    install_error_handlers(app)
    install_security(app, settings)
    install_docs(app)
    for router in (
        health.router,
        entities.router,
        paths.router,
        analytics.router,
        queries_router.router,
        cypher_router.router,
        ingest_router.router,
        export.router,
        admin.router,
        web.router,
    ):
        app.include_router(router)
    return app
