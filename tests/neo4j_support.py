"""The test Neo4j: one real server per test session, on a free port and a fresh directory,
and the database handles built on it.

The repository's root ``conftest.py`` registers this module as a plugin, so that these
fixtures serve the tests under ``tests/`` and the doctests of ``casegraph/`` alike (one
server for both). If Neo4j cannot start, every test that needs it fails with the reason:
nothing is skipped and nothing is mocked.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph import local_neo4j
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema, reset_database
from casegraph.ingest.seed import load_seed
from casegraph.settings import Settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[dict[str, object]]:
    """A real Neo4j, started once for the session (or the one named by
    CASEGRAPH_TEST_NEO4J_URI, for running the suite against a server you already have).
    Every test that depends on it is marked ``integration`` (see the root conftest.py)."""
    external = os.environ.get("CASEGRAPH_TEST_NEO4J_URI")
    if external and int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        pytest.fail(
            "CASEGRAPH_TEST_NEO4J_URI names one server, which every test empties: run the "
            "suite in one process (make test TEST_WORKERS=0, or pytest without -n)",
            pytrace=False,
        )
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
    # The CSR projections of the command line and the doctests (the API's come from
    # analytics_cache_dir below): in this session's folder, not the working directory.
    os.environ["CASEGRAPH_ANALYTICS_CACHE_DIR"] = str(tmp / "analytics")
    return Settings(
        neo4j_uri=neo4j_uri,
        audit_path=tmp / "audit.log",
        neo4j_data=tmp / "neo4j-unused",
        protection_key=protection_key_text,
        analytics_cache_dir=tmp / "analytics",
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
