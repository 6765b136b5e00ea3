"""How every router of the API is made: :func:`api_router`.

One call gives a router its right (:func:`~casegraph.api.rights.require`, or
:data:`~casegraph.api.rights.OPEN`), its documented error answers
(:func:`~casegraph.api.errors.error_responses`), the response class that applies the
caller's disclosure (:class:`~casegraph.api.disclosure.DisclosingJSONResponse`) and
:class:`ContractRoute`, which answers exactly the keys a handler returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from casegraph.api.disclosure import DisclosingJSONResponse
from casegraph.api.errors import error_responses
from casegraph.api.rights import OPEN, Right, require


class ContractRoute(APIRoute):
    """A route whose answer is validated by its ``response_model`` and serialized with
    ``response_model_exclude_unset``: an optional field the handler left out stays out
    (so typing the routes changed no answer's keys)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().__init__(path, endpoint, **kwargs)


def hot_answer(content: dict[str, Any]) -> DisclosingJSONResponse:
    """The answer of a hot read (search, entity page, neighborhood), rendered here, in the
    handler's worker thread, after the caller's disclosure, without FastAPI's response-model
    pass: the route still declares its model (``/openapi.json``), but validating the
    handler's dict with pydantic and dumping it again cost about a sixth of the API's CPU
    per request under load (``bench/load.py --profile``), for an answer whose shape comes
    from one repository function. ``tests/test_api_contract.py`` validates these answers
    against their models instead."""
    return DisclosingJSONResponse(content)


def api_router(
    right: Right | None,
    *,
    prefix: str = "",
    tags: list[str] | None = None,
    errors: tuple[int, ...] = (503,),
) -> APIRouter:
    """A router whose routes need ``right`` (``None``: open to everyone), documenting the
    error answers ``errors`` for each of its routes (plus 401, 403 and 422 unless open:
    the 422 documented is casegraph's error answer, not FastAPI's default shape)."""
    codes = errors if right is None else (401, 403, 422, *errors)
    return APIRouter(
        prefix=prefix,
        tags=list(tags or []),
        dependencies=[OPEN if right is None else require(right)],
        responses=error_responses(*sorted(set(codes))),
        route_class=ContractRoute,
        default_response_class=DisclosingJSONResponse,
    )
