"""One map from exceptions to HTTP responses. Every error answer is JSON:
``{"error": {"type", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from neo4j import exceptions as neo4j_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

from casegraph.api.timeouts import BodyReadTimeout, timeout_body
from casegraph.errors import CasegraphError, DatabaseUnavailableError

#: Driver errors that mean Neo4j is down or unreachable (after the driver's own retries).
NEO4J_UNAVAILABLE: tuple[type[Exception], ...] = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    neo4j_errors.DatabaseUnavailable,
    neo4j_errors.TransientError,
    ConnectionError,
)

log = logging.getLogger("casegraph.api")

RETRY_AFTER_SECONDS = 5


def error_body(kind: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "details": details}}


async def _casegraph_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CasegraphError)
    headers = {}
    if isinstance(exc, DatabaseUnavailableError):
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(
        error_body(type(exc).__name__, exc.message, exc.details),
        status_code=exc.status_code,
        headers=headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "reason": e.get("msg", "")}
        for e in exc.errors()
    ]
    first = details[0] if details else {"field": "", "reason": "invalid request"}
    return JSONResponse(
        error_body("InvalidRequestError", f"{first['field']}: {first['reason']}", details),
        status_code=422,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        error_body("HTTPError", str(exc.detail)),
        status_code=exc.status_code,
        headers=dict(exc.headers or {}),
    )


async def _neo4j_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A driver error that means "Neo4j cannot be reached", raised outside the
    :class:`~casegraph.graph.db.GraphDB` helpers: the same 503 as
    :class:`DatabaseUnavailableError`."""
    return JSONResponse(
        error_body("DatabaseUnavailableError", f"Neo4j is unavailable: {exc}"),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unsendable_value(request: Request, exc: Exception) -> JSONResponse:
    """A request value Neo4j cannot carry (an integer beyond 64 bits, a string with lone
    UTF-16 surrogates from a JSON ``\\udXXX`` escape): the driver refuses to encode it."""
    return JSONResponse(
        error_body(
            "InvalidRequestError",
            "a parameter value cannot be sent to Neo4j (integers must fit in 64 bits, "
            f"strings must be valid Unicode): {exc}",
        ),
        status_code=422,
    )


async def _body_timeout(request: Request, exc: Exception) -> JSONResponse:
    """The body stopped arriving (raised while a route read it): 408, connection closed."""
    assert isinstance(exc, BodyReadTimeout)
    return JSONResponse(timeout_body(exc.seconds), status_code=408, headers={"Connection": "close"})


async def _too_deep(request: Request, exc: Exception) -> JSONResponse:
    """Input nested so deeply that parsing or encoding it ran out of stack (the JSON depth
    limit catches request bodies before this; this is the net under everything else)."""
    return JSONResponse(
        error_body(
            "InvalidRequestError",
            "input nested too deeply to process",
            [{"field": "body", "reason": "nested too deeply"}],
        ),
        status_code=422,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("InternalError", "internal error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CasegraphError, _casegraph_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(BodyReadTimeout, _body_timeout)
    app.add_exception_handler(RecursionError, _too_deep)
    for driver_error in NEO4J_UNAVAILABLE:
        app.add_exception_handler(driver_error, _neo4j_unavailable)
    app.add_exception_handler(OverflowError, _unsendable_value)
    app.add_exception_handler(UnicodeEncodeError, _unsendable_value)
    app.add_exception_handler(Exception, _unexpected)
