"""Cluster-ready driver use, against the local Neo4j through a routing ``neo4j://`` URI:
reads run as read transactions (so a cluster may send them to any member), writes go to
the leader, and a search right after an ingest sees it (one bookmark manager per process),
through the library and through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j.exceptions import ClientError

from casegraph.api.app import create_app
from casegraph.graph.db import GraphDB
from casegraph.graph.keys import list_keys
from casegraph.graph.repository import search
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.builders import entity, source, write_jsonl
from tests.conftest import bearer


@pytest.fixture
def routed(db: GraphDB, neo4j_uri: str, protection_key_text: str) -> Iterator[GraphDB]:
    uri = neo4j_uri.replace("bolt://", "neo4j://", 1)
    assert uri.startswith("neo4j://")
    with GraphDB(uri, protection_key=db.protection_key) as routed_db:
        yield routed_db


def test_reads_are_read_transactions_on_a_routing_uri(routed: GraphDB) -> None:
    routed.driver.verify_connectivity()
    assert routed.read("RETURN 1 AS one") == [{"one": 1}]
    # a read transaction may not write: the routing driver sent it as a read
    with pytest.raises(ClientError):
        routed.read("CREATE (:CasegraphProbe) RETURN 1 AS x")
    assert routed.write("MERGE (m:CasegraphProbe {k: 1}) RETURN m.k AS k") == [{"k": 1}]
    routed.write("MATCH (m:CasegraphProbe) DELETE m")


def test_a_search_right_after_an_ingest_sees_it(routed: GraphDB, tmp_path: Path) -> None:
    for i in range(5):
        path = write_jsonl(
            tmp_path / f"p{i}.jsonl", [source(), entity(f"p-route-{i}", name=f"Yerlan Routed{i}")]
        )
        ingest_file(routed, path)
        found = [hit["id"] for hit in search(routed, f"Routed{i}")]
        assert found == [f"p-route-{i}"]


def test_the_api_runs_on_a_routing_uri(
    db: GraphDB, routed: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    app = create_app(db=routed, settings=settings.model_copy(update={"neo4j_uri": routed.uri}))
    with TestClient(app, headers=bearer(db, "admin")) as client:
        path = write_jsonl(
            tmp_path / "a.jsonl", [source(), entity("p-api-route", name="Dana Routed")]
        )
        with path.open("rb") as f:
            assert client.post("/ingest", files={"file": ("a.jsonl", f)}).status_code == 200
        hits = client.get("/entities", params={"q": "Dana Routed"}).json()["results"]
        assert [h["id"] for h in hits] == ["p-api-route"]
        assert client.get("/health").status_code == 200
    assert any(k["name"] == "test-admin" for k in list_keys(routed))
