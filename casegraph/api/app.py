"""The app factory: :func:`create_app` wires the routers, the error map, the security
middlewares and the app's one :class:`~casegraph.api.context.AppContext`.

One router per area (:data:`ROUTERS`); each declares the right its routes need and the
response model of each route. The lifespan builds the context (the database, unless one is
given, the key store, the audit trail, the saved-query library, the analytics cache) and
closes it at shutdown.

>>> app = create_app()  # nothing is reached before start-up
>>> app.title
'casegraph'
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts

from casegraph import __version__
from casegraph.api.answers import AnswerCacheMiddleware
from casegraph.api.clientaddr import TrustedProxies
from casegraph.api.context import AppContext
from casegraph.api.disclosure import DisclosingJSONResponse
from casegraph.api.docs import install_docs
from casegraph.api.errors import install_error_handlers
from casegraph.api.rights import RightsTable
from casegraph.api.routers import (
    admin,
    analytics,
    entities,
    export,
    health,
    paths,
    web,
)
from casegraph.api.routers import cypher as cypher_router
from casegraph.api.routers import ingest as ingest_router
from casegraph.api.routers import map as map_router
from casegraph.api.routers import model as model_router
from casegraph.api.routers import notes as notes_router
from casegraph.api.routers import queries as queries_router
from casegraph.api.routers import review as review_router
from casegraph.api.routers import timeline as timeline_router
from casegraph.api.routers import watches as watches_router
from casegraph.api.routers import workspaces as workspaces_router
from casegraph.api.security import install_security
from casegraph.errors import ConfigurationError
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings, get_settings

#: The routers, one per area, in routing order.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    entities.router,
    timeline_router.router,
    paths.router,
    analytics.router,
    map_router.router,
    queries_router.router,
    cypher_router.router,
    ingest_router.router,
    review_router.router,
    watches_router.reading,
    watches_router.triage,
    workspaces_router.router,
    notes_router.router,
    export.router,
    admin.router,
    model_router.router,
    web.router,
)


def create_app(*, db: GraphDB | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the casegraph API.

    ``db`` is the database; when omitted, one is made from ``settings`` at start-up and
    closed at shutdown. Raises :class:`~casegraph.errors.ConfigurationError` when a route
    declares no right (:class:`~casegraph.api.rights.UndeclaredRights`) or could answer
    JSON without the caller's disclosure, and ``ValueError`` for unreadable trusted
    proxies.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # routes added after create_app that declare no right need admin (deny by default)
        rights = RightsTable.of(app.routes, strict=False)
        # the routes that read Neo4j run in at most this many threads (the driver's pool
        # is sized to match: GraphDB.from_settings)
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        context = AppContext.start(settings, rights, db)
        app.state.context = context
        try:
            yield
        finally:
            context.close()  # audit on disk (with pending summaries); own database closed

    app = FastAPI(
        title="casegraph",
        version=__version__,
        description="A knowledge graph of human-trafficking networks and financial pyramids.",
        lifespan=lifespan,
        default_response_class=DisclosingJSONResponse,
        # /openapi.json, /docs and /redoc are casegraph's own open routes
        # (casegraph/api/docs.py: vendored files, no CDN)
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    # innermost: after the security middlewares decided who asks and what she may see
    app.add_middleware(AnswerCacheMiddleware)
    install_security(app)
    install_docs(app)
    for router in ROUTERS:
        app.include_router(router)
    check_app(app, settings)
    return app


def check_app(app: FastAPI, settings: Settings) -> None:
    """The start-up checks: every route declares its right (deny by default), every route
    that answers JSON does so through :class:`DisclosingJSONResponse`, the trusted proxies
    parse."""
    RightsTable.of(app.routes, strict=True)
    bypass = []
    seen: set[tuple[str, str]] = set()
    for ctx in iter_route_contexts(app.routes):
        for method in sorted(ctx.methods or ()):
            if (method, str(ctx.path)) in seen:
                raise ConfigurationError(f"two routes answer {method} {ctx.path}")
            seen.add((method, str(ctx.path)))
        response_class = getattr(ctx, "response_class", None)
        if isinstance(response_class, type) and issubclass(response_class, JSONResponse):
            if not issubclass(response_class, DisclosingJSONResponse):
                bypass.append(f"{'|'.join(sorted(ctx.methods or ()))} {ctx.path}")
        elif not isinstance(response_class, type) and response_class is not None:
            bypass.append(f"{'|'.join(sorted(ctx.methods or ()))} {ctx.path} (default class)")
    if bypass:
        raise ConfigurationError(
            "routes that would answer JSON without the caller's disclosure: " + ", ".join(bypass)
        )
    TrustedProxies.parse(settings.trusted_proxies)
