"""One map from exceptions to HTTP responses, and the one way to build an error answer.

Every error answer is JSON, ``{"error": {"type", "message", "details"}}``
(:class:`~casegraph.api.schemas.ErrorOut`), made by :func:`error_response`: the exception
handlers installed by :func:`install_error_handlers` and the middlewares (auth, body
limits, body timeout, JSON depth) all use it, a middleware by sending it as an ASGI app
(``await error_response(...)(scope, receive, send)``). :data:`UNAVAILABLE` is the one set
of exceptions that mean "Neo4j cannot be reached": each of them is a 503 with
``Retry-After``. :func:`error_responses` documents error answers in the OpenAPI
description.

Examples
--------
>>> error_body("NotFoundError", "no entity with id 'x'")
{'error': {'type': 'NotFoundError', 'message': "no entity with id 'x'", 'details': None}}
>>> r = error_response(413, "PayloadTooLarge", "too big", {"limit_bytes": 10})
>>> r.status_code, r.body
(413, b'{"error":{"type":"PayloadTooLarge","message":"too big","details":{"limit_bytes":10}}}')
>>> sorted(error_responses(404, 503))
[404, 503]
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from neo4j import exceptions as neo4j_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

from casegraph.api.schemas import ErrorOut
from casegraph.errors import CasegraphError, DatabaseUnavailableError

log = logging.getLogger("casegraph.api")

RETRY_AFTER_SECONDS = 5

#: Driver errors that mean Neo4j is down or unreachable (after the driver's own retries).
NEO4J_UNAVAILABLE: tuple[type[Exception], ...] = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    neo4j_errors.DatabaseUnavailable,
    neo4j_errors.TransientError,
    ConnectionError,
)
#: Everything that means "Neo4j cannot be reached": casegraph's own error (raised by
#: :class:`~casegraph.graph.db.GraphDB`) and the driver errors raised outside its helpers.
UNAVAILABLE: tuple[type[Exception], ...] = (DatabaseUnavailableError, *NEO4J_UNAVAILABLE)


def error_body(kind: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON of an error answer."""
    return {"error": {"type": kind, "message": message, "details": details}}


def error_response(
    status: int,
    kind: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The one error answer (an exception handler returns it; a middleware sends it)."""
    return JSONResponse(error_body(kind, message, details), status_code=status, headers=headers)


def unavailable_response(exc: BaseException) -> JSONResponse:
    """503 with ``Retry-After`` for one of :data:`UNAVAILABLE`."""
    if isinstance(exc, CasegraphError):
        message, details = exc.message, exc.details
    else:
        message, details = f"Neo4j is unavailable: {exc}", None
    return error_response(
        503,
        "DatabaseUnavailableError",
        message,
        details,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class HTTPProblem(StarletteHTTPException):
    """An HTTP error raised inside the ASGI stack (a body over its limit, a stalled body),
    carrying the type and details of its answer."""

    def __init__(
        self,
        status: int,
        kind: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, message, headers=headers)
        self.kind = kind
        self.message = message
        self.details = details

    def response(self) -> JSONResponse:
        return error_response(
            self.status_code, self.kind, self.message, self.details, dict(self.headers or {})
        )


# -- the exception map --------------------------------------------------------------------


async def _casegraph_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CasegraphError)
    if isinstance(exc, DatabaseUnavailableError):
        return unavailable_response(exc)
    return error_response(exc.status_code, type(exc).__name__, exc.message, exc.details)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "reason": e.get("msg", "")}
        for e in exc.errors()
    ]
    first = details[0] if details else {"field": "", "reason": "invalid request"}
    return error_response(
        422, "InvalidRequestError", f"{first['field']}: {first['reason']}", details
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, HTTPProblem):
        return exc.response()
    assert isinstance(exc, StarletteHTTPException)
    return error_response(
        exc.status_code, "HTTPError", str(exc.detail), headers=dict(exc.headers or {})
    )


async def _neo4j_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A driver error that means "Neo4j cannot be reached", raised outside the
    :class:`~casegraph.graph.db.GraphDB` helpers: the same 503 as
    :class:`DatabaseUnavailableError`."""
    return unavailable_response(exc)


async def _unsendable_value(request: Request, exc: Exception) -> JSONResponse:
    """A request value Neo4j cannot carry (an integer beyond 64 bits, a string with lone
    UTF-16 surrogates from a JSON ``\\udXXX`` escape): the driver refuses to encode it."""
    return error_response(
        422,
        "InvalidRequestError",
        "a parameter value cannot be sent to Neo4j (integers must fit in 64 bits, "
        f"strings must be valid Unicode): {exc}",
    )


async def _too_deep(request: Request, exc: Exception) -> JSONResponse:
    """Input nested so deeply that parsing or encoding it ran out of stack (the JSON depth
    limit catches request bodies before this; this is the net under everything else)."""
    return error_response(
        422,
        "InvalidRequestError",
        "input nested too deeply to process",
        [{"field": "body", "reason": "nested too deeply"}],
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "InternalError", "internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CasegraphError, _casegraph_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RecursionError, _too_deep)
    for driver_error in NEO4J_UNAVAILABLE:
        app.add_exception_handler(driver_error, _neo4j_unavailable)
    app.add_exception_handler(OverflowError, _unsendable_value)
    app.add_exception_handler(UnicodeEncodeError, _unsendable_value)
    app.add_exception_handler(Exception, _unexpected)


# -- the OpenAPI description of error answers -----------------------------------------------

ERROR_DESCRIPTIONS: dict[int, str] = {
    401: "no API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`)",
    403: "the caller's role lacks the route's right (or the query would write)",
    404: "an unknown id or name",
    408: "the request body stalled, or the query ran past its timeout",
    413: "the request body is over its size limit",
    422: "a parameter or body that is invalid: the parameter and the reason in `details`",
    500: "an unexpected error (logged; never a caller's mistake)",
    503: "Neo4j is unreachable (`Retry-After`); service resumes by itself",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error answers ``codes`` (all :class:`ErrorOut`)."""
    return {code: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[code]} for code in codes}
