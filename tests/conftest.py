"""Test fixtures: one real Neo4j per test session, on a free port and a fresh directory.

If Neo4j cannot start, every test that needs it fails with the reason: nothing is skipped
and nothing is mocked.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casegraph import local_neo4j
from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema, reset_database
from casegraph.ingest.seed import load_seed
from casegraph.settings import Settings
from tests.browser_support import browser  # noqa: F401  (one Chromium for the session)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[dict[str, object]]:
    """A real Neo4j, started once for the session (or the one named by
    CASEGRAPH_TEST_NEO4J_URI, for running the suite against a server you already have)."""
    external = os.environ.get("CASEGRAPH_TEST_NEO4J_URI")
    if external:
        yield {"uri": external, "data": None, "port": None}
        return
    data = Path(tempfile.mkdtemp(prefix="casegraph-test-neo4j-"))
    port = free_port()
    try:
        uri = local_neo4j.start(port, data)
    except Exception as exc:  # fail loudly, with the reason
        pytest.fail(f"could not start the test Neo4j: {exc}", pytrace=False)
    try:
        yield {"uri": uri, "data": data, "port": port}
    finally:
        local_neo4j.stop(data)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: dict[str, object]) -> str:
    return str(neo4j_server["uri"])


@pytest.fixture(scope="session")
def protection_key_text() -> str:
    """The session's protection key, also put in the environment, so that the command
    line and the servers the tests start (in this process or others) seal and read with
    the same key as the tests' own database handle."""
    text = base64.b64encode(secrets.token_bytes(32)).decode()
    os.environ["CASEGRAPH_PROTECTION_KEY"] = text
    return text


@pytest.fixture(scope="session")
def settings(
    neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory, protection_key_text: str
) -> Settings:
    tmp = tmp_path_factory.mktemp("casegraph")
    return Settings(
        neo4j_uri=neo4j_uri,
        audit_path=tmp / "audit.log",
        neo4j_data=tmp / "neo4j-unused",
        protection_key=protection_key_text,
    )


@pytest.fixture(scope="session")
def session_db(settings: Settings) -> Iterator[GraphDB]:
    db = GraphDB.from_settings(settings)
    db.wait_until_ready(60)
    init_schema(db)
    yield db
    db.close()


@pytest.fixture
def db(session_db: GraphDB) -> GraphDB:
    """The test Neo4j, emptied before the test (the schema stays)."""
    reset_database(session_db)
    session_db.bump_graph_version()
    return session_db


@pytest.fixture
def seeded(db: GraphDB) -> GraphDB:
    """The test Neo4j holding exactly the seed dataset."""
    load_seed(db)
    return db


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
