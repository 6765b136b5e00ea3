"""``GET /health``: whether the API and Neo4j answer (open to everyone).

The answer comes from the state that the app's :class:`~casegraph.graph.stamp.GraphWatch`
reads in the background at least once a second: a request never makes a Bolt call.
"""

from __future__ import annotations

from typing import Any

import anyio

from casegraph import __version__
from casegraph.api.deps import ContextDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.health import HealthOut
from casegraph.errors import DatabaseUnavailableError
from casegraph.graph.stamp import GraphWatch

router = api_router(None, tags=["health"], errors=(503,))


@router.get("/health", summary="Health of the API and of Neo4j", response_model=HealthOut)
async def health(context: ContextDep) -> dict[str, Any]:
    """200 with Neo4j's version when Neo4j answered the last poll; 503 with a JSON error
    when it did not (a refused connection at once, a hung server at the poll's 5-second
    timeout), or when no poll ended in the last 10 seconds (the watch stopped)."""
    watch = context.watch
    state = watch.fresh_state(wait=0)
    if state is None and watch.state is None:
        # the app just started: the first poll is under way (it waits for nothing else)
        await _first_poll(watch)
        state = watch.fresh_state(wait=0)
    if state is None:
        raise DatabaseUnavailableError(f"Neo4j at {context.db.uri}: no recent state")
    if not state.up:
        raise DatabaseUnavailableError(state.error or f"Neo4j at {context.db.uri} is unavailable")
    return {
        "status": "ok",
        "casegraph": __version__,
        "neo4j": {
            "status": "up",
            "version": state.version,
            "edition": state.edition,
            "checked_ms_ago": round(state.age() * 1000, 1),
        },
    }


async def _first_poll(watch: GraphWatch, timeout: float = 5.0) -> None:
    """Wait (off the event loop) for the first poll of a watch just started."""
    await anyio.to_thread.run_sync(watch.fresh_state, timeout)
