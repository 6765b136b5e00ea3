"""The saved-query and ad-hoc Cypher API: listing, running, parameter errors, refusals of
anything that writes or escapes the graph, the timeout, the row limit, graph answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casegraph.api.app import create_app
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.queries_support import NETWORK, seed_content

COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""
INDEXES = "SHOW INDEXES YIELD name RETURN count(name) AS indexes"


def counts(db: GraphDB) -> dict[str, Any]:
    return {**db.read(COUNTS)[0], **db.read(INDEXES)[0]}


@pytest.fixture
def make_client(db: GraphDB, settings: Settings) -> Iterator[Any]:
    """API clients over ``db`` with adjusted settings (auth off: these tests are about
    the query rules, not about keys)."""
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        app = create_app(
            db=db, settings=settings.model_copy(update=dict(auth_disabled=True, **changes))
        )
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def test_list_queries_gives_names_descriptions_and_parameters(seeded_client: TestClient) -> None:
    body = seeded_client.get("/queries").json()
    assert body["count"] >= 15
    assert body["problems"] == []
    by_name = {q["name"]: q for q in body["queries"]}
    vbd = by_name["victims-by-destination"]
    assert vbd["description"]
    assert [(p["name"], p["type"], p["required"]) for p in vbd["params"]] == [
        ("country", "string", True),
        ("limit", "int", False),
    ]


def test_show_query_includes_its_cypher(seeded_client: TestClient) -> None:
    body = seeded_client.get("/queries/victims-by-destination").json()
    assert "TRAFFICKED_TO" in body["cypher"] and "$country" in body["cypher"]
    resp = seeded_client.get("/queries/no-such-query")
    assert resp.status_code == 404
    assert "victims-by-destination" in resp.json()["error"]["message"]


def test_run_victims_by_destination_bahrain_on_the_seed(
    seeded_client: TestClient, seeded: GraphDB
) -> None:
    c = seed_content().as_stored(seeded)
    bahrain = {e for e, d in c.entities.items() if d["name"] == "Bahrain"}
    expected = sorted(r["from"] for r in c.of_type("TRAFFICKED_TO") if r["to"] in bahrain)
    resp = seeded_client.post(
        "/queries/victims-by-destination/run", json={"params": {"country": "Bahrain"}}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["columns"][:2] == ["victim_id", "victim"]
    assert sorted(r["victim_id"] for r in body["rows"]) == expected
    assert body["truncated"] is False
    assert body["params"] == {"country": "Bahrain", "limit": 100}


def test_missing_and_bad_parameters_give_one_422_listing_what_the_query_takes(
    seeded_client: TestClient,
) -> None:
    for params in ({}, {"country": "BH", "limit": "many"}, {"country": "BH", "colour": "red"}):
        resp = seeded_client.post("/queries/victims-by-destination/run", json={"params": params})
        assert resp.status_code == 422, resp.text
        err = resp.json()["error"]
        assert err["type"] == "QueryParameterError"
        assert "This query takes: country: string, limit: int = 100" in err["message"]
        assert [p["name"] for p in err["details"]["parameters"]] == ["country", "limit"]
    resp = seeded_client.post("/queries/victims-by-destination/run", json={"params": []})
    assert resp.status_code == 422


def test_graph_answers_use_the_design_shape(app_client: TestClient, db: GraphDB) -> None:
    ingest_file(db, NETWORK)
    body = app_client.post(
        "/queries/money-flow-paths/run",
        json={"params": {"from_id": "fx-per-inv-1", "to_id": "fx-org-shell-nomad"}},
    ).json()
    graph = body["graph"]
    ids = {n["id"] for n in graph["nodes"]}
    assert {"fx-per-inv-1", "fx-org-goldstar", "fx-per-boss", "fx-org-shell-nomad"} <= ids
    for n in graph["nodes"]:
        assert {"id", "label", "name"} <= set(n)
    for e in graph["edges"]:
        assert {"type", "from", "to"} <= set(e) and e["from"] in ids and e["to"] in ids
    # relationships alone bring their end nodes into the graph
    body = app_client.post(
        "/cypher", json={"query": "MATCH ()-[r:CONTROLS]->() RETURN r ORDER BY r.role"}
    ).json()
    assert {n["id"] for n in body["graph"]["nodes"]} == {
        "fx-per-volkov",
        "fx-org-shell-steppe",
        "fx-org-shell-altyn",
    }
    assert all(row["r"]["type"] == "CONTROLS" for row in body["rows"])
    # plain values have no graph
    body = app_client.post("/cypher", json={"query": "RETURN 1 AS one"}).json()
    assert body == {"columns": ["one"], "rows": [{"one": 1}], "truncated": False, "row_count": 1}
    # maps, lists and temporal values come back as JSON
    body = app_client.post(
        "/cypher",
        json={"query": "RETURN {_rel: 1, d: date('2016-05-01'), l: [1, 'a']} AS m"},
    ).json()
    assert body["rows"] == [{"m": {"_rel": 1, "d": "2016-05-01", "l": [1, "a"]}}]


def test_adhoc_cypher_reads_with_parameters(seeded_client: TestClient) -> None:
    resp = seeded_client.post(
        "/cypher",
        json={
            "query": "MATCH (l:Location {iso_code: $iso}) RETURN l.name AS name",
            "params": {"iso": "BH"},
        },
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["rows"] == [{"name": "Bahrain"}]


REFUSED = [
    "MATCH (n) DETACH DELETE n",
    "CREATE (n:Entity {id: 'x'}) RETURN n",
    "MERGE (n:Entity {id: 'per-duman-taev'}) SET n.name = 'changed'",
    "MATCH (n:Person) SET n.name = 'x'",
    "MATCH (n) FOREACH (x IN [1] | SET n.flag = 1)",
    "CREATE INDEX sneaky FOR (n:Person) ON (n.age)",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL () { MATCH (n) RETURN n } IN TRANSACTIONS RETURN 1",
    "UNWIND [1] AS x CALL (x) { CREATE (:Junk) } IN TRANSACTIONS",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW TRANSACTIONS",
    "CALL dbms.listConfig()",
    "CALL db.createLabel('Junk')",
    "CALL db.clearQueryCaches()",
    "CALL tx.setMetaData({a: 1})",
]


@pytest.mark.parametrize("query", REFUSED)
def test_adhoc_writes_and_escapes_are_refused_and_nothing_changes(
    seeded_client: TestClient, seeded: GraphDB, query: str
) -> None:
    before = counts(seeded)
    resp = seeded_client.post("/cypher", json={"query": query})
    assert resp.status_code == 403, resp.text
    err = resp.json()["error"]
    assert err["type"] == "QueryRefusedError"
    assert "refused" in err["message"]
    assert counts(seeded) == before
    assert seeded.read("MATCH (n {id: 'per-duman-taev'}) RETURN n.name AS n") == [
        {"n": "Duman Taev"}
    ]


def test_cypher_that_does_not_compile_is_a_422(seeded_client: TestClient) -> None:
    resp = seeded_client.post("/cypher", json={"query": "MATCH (n RETURN n"})
    assert resp.status_code == 422
    assert resp.json()["error"]["type"] == "CypherError"
    assert seeded_client.post("/cypher", json={"query": ""}).status_code == 422


def test_a_slow_query_is_cut_off_by_the_timeout(make_client: Any, db: GraphDB) -> None:
    client = make_client(query_timeout=1.0)
    start = time.monotonic()
    resp = client.post(
        "/cypher",
        json={"query": "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 123 RETURN count(*)"},
    )
    elapsed = time.monotonic() - start
    assert resp.status_code == 408, resp.text
    err = resp.json()["error"]
    assert err["type"] == "QueryTimeoutError" and err["details"]["timeout_seconds"] == 1.0
    assert elapsed < 15


def test_rows_beyond_the_limit_are_cut_and_reported(make_client: Any, db: GraphDB) -> None:
    ingest_file(db, NETWORK)
    client = make_client(query_row_limit=3)
    body = client.post("/cypher", json={"query": "UNWIND range(1, 10) AS x RETURN x"}).json()
    assert body["rows"] == [{"x": 1}, {"x": 2}, {"x": 3}] and body["truncated"] is True
    body = client.post("/cypher", json={"query": "UNWIND range(1, 3) AS x RETURN x"}).json()
    assert body["truncated"] is False and body["row_count"] == 3
    body = client.post(
        "/queries/pyramid-top-investors/run", json={"params": {"org_id": "fx-org-goldstar"}}
    ).json()
    assert body["row_count"] == 3 and body["truncated"] is True


def test_query_path_files_are_served_and_writing_ones_refused(
    make_client: Any, db: GraphDB, tmp_path: Path
) -> None:
    db.write("CREATE (:Entity:Person {id: 'p1', name: 'Ann'})")
    (tmp_path / "mine.cypher").write_text(
        "// name: my-people\n// description: mine\nMATCH (p:Person) RETURN p.name AS name\n"
    )
    wipe = tmp_path / "wipe.cypher"
    wipe.write_text("// name: wipe\n// description: sneaky\nMATCH (n) DETACH DELETE n\n")
    client = make_client(query_path=str(tmp_path))
    body = client.get("/queries").json()
    names = {q["name"] for q in body["queries"]}
    assert "my-people" in names and "wipe" not in names
    assert [p["path"] for p in body["problems"]] == [str(wipe)]
    assert "writes" in body["problems"][0]["reason"]
    assert client.post("/queries/wipe/run", json={}).status_code == 404
    assert client.post("/queries/my-people/run", json={}).json()["rows"] == [{"name": "Ann"}]
    assert counts(db)["nodes"] >= 1
