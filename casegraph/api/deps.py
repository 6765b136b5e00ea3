"""FastAPI dependencies, as ``Annotated`` types: what a route may ask for.

All of them come from the app's one :class:`~casegraph.api.context.AppContext` or from the
request (the caller and what she may see). A handler names what it needs by type:

>>> from typing import Any
>>> def handler(db: DbDep, caller: CallerDep, disclosure: DisclosureDep) -> dict[str, Any]:
...     return {"caller": caller.key_id, "sees": sorted(disclosure.levels)}
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from casegraph.api.audit import AuditTrail
from casegraph.api.context import AppContext, context_of
from casegraph.api.disclosure import get_disclosure
from casegraph.api.keys import KeyStore
from casegraph.api.rights import Caller, caller_of
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure
from casegraph.queries.library import Library
from casegraph.settings import Settings


async def get_context(request: Request) -> AppContext:
    """The app's context (built by its lifespan)."""
    return context_of(request.app)


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_db(context: ContextDep) -> GraphDB:
    """The app's one :class:`GraphDB`."""
    return context.db


async def get_settings(context: ContextDep) -> Settings:
    return context.settings


async def get_caller(request: Request) -> Caller:
    """The caller of this request, as :class:`casegraph.api.auth.AuthMiddleware` found it
    from the API key (``anonymous``/``none`` on open routes; ``anonymous``/``admin`` when
    ``settings.auth_disabled``)."""
    return caller_of(request.scope)


def get_library(context: ContextDep) -> Library:
    """The saved-query library, loaded and plan-checked on first use (so it may read
    Neo4j: a sync dependency, run in the thread pool)."""
    return context.library.get()


async def get_keys(context: ContextDep) -> KeyStore:
    return context.keys


async def get_audit(context: ContextDep) -> AuditTrail:
    return context.audit


async def get_analytics_cache(context: ContextDep) -> AnalyticsCache:
    return context.analytics


DbDep = Annotated[GraphDB, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CallerDep = Annotated[Caller, Depends(get_caller)]
LibraryDep = Annotated[Library, Depends(get_library)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
AuditDep = Annotated[AuditTrail, Depends(get_audit)]
AnalyticsCacheDep = Annotated[AnalyticsCache, Depends(get_analytics_cache)]
DisclosureDep = Annotated[Disclosure, Depends(get_disclosure)]
