"""Test fixtures of the API and the browser, on top of the test Neo4j.

The Neo4j fixtures themselves (``neo4j_server``, ``neo4j_uri``, ``protection_key_text``,
``settings``, ``session_db``, ``db``, ``seeded``) live in ``tests/neo4j_support.py``, which
the repository's root ``conftest.py`` registers, so that the doctests of ``casegraph/`` use
the same server. One real Neo4j per session: if it cannot start, every test that needs it
fails with the reason; nothing is skipped and nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings
from tests.browser_support import browser  # noqa: F401  (one Chromium for the session)
from tests.neo4j_support import free_port  # noqa: F401  (imported from here by some tests)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def bearer(db: GraphDB, role: str) -> dict[str, str]:
    """Headers carrying a new API key of ``role`` (stored in ``db``)."""
    return {"Authorization": f"Bearer {create_key(db, role, name=f'test-{role}').key}"}


@pytest.fixture
def app_client(db: GraphDB, settings: Settings) -> Iterator[TestClient]:
    """A client of the API over the (empty) test Neo4j, carrying an admin key."""
    app = create_app(db=db, settings=settings)
    with TestClient(app, headers=bearer(db, "admin")) as client:
        yield client


@pytest.fixture
def seeded_client(seeded: GraphDB, settings: Settings) -> Iterator[TestClient]:
    """A client of the API over the seed dataset, carrying an admin key."""
    app = create_app(db=seeded, settings=settings)
    with TestClient(app, headers=bearer(seeded, "admin")) as client:
        yield client


@pytest.fixture
def client_for(db: GraphDB, settings: Settings) -> Iterator[Callable[[str], TestClient]]:
    """Make API clients for a role: ``client_for("viewer")`` carries a new viewer key;
    ``client_for("none")`` carries no key. Use with ``seeded`` for the seed dataset."""
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        headers = {} if role == "none" else bearer(db, role)
        client = TestClient(create_app(db=db, settings=settings), headers=headers)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
