"""FastAPI dependencies: the database provider and the caller."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from casegraph.graph.db import GraphDB


def get_db(request: Request) -> GraphDB:
    """The app's one :class:`GraphDB` (created by :func:`casegraph.api.app.create_app`)."""
    db: GraphDB = request.app.state.db
    return db


@dataclass(frozen=True)
class Caller:
    """Who is asking: the API key's id and its role."""

    key_id: str
    role: str


def get_caller(request: Request) -> Caller:
    """The caller of this request, as :class:`casegraph.api.auth.AuthMiddleware` found it
    from the API key (``anonymous``/``none`` on open routes; ``anonymous``/``admin`` when
    ``settings.auth_disabled``)."""
    caller: Caller | None = getattr(request.state, "caller", None)
    return caller or Caller(key_id="anonymous", role="none")
