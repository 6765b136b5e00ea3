"""The Cypher surface under victim protection (issue 10, point 7), over the API on the real
Neo4j: the procedure allow-list, the blind index kept out of reach, and what each role sees
of protected people in saved-query answers (through ``POST /queries/{name}/run``, which
passes the caller's disclosure)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.queries.readonly import ALLOWED_PROCEDURES
from tests.queries_support import NETWORK, Content, all_content

COUNTS = "MATCH (n) RETURN count(n) AS nodes"
ALL = all_content()
# The minors of the seed and the network fixture, by their ids in the files.
MINORS = {
    e: d
    for e, d in ALL.entities.items()
    if d["label"] == "Person" and (d.get("properties") or {}).get("is_minor") is True
}


@pytest.fixture
def network(seeded: GraphDB) -> GraphDB:
    """The seed and the network fixture (minors, adult victims, their exploiters)."""
    ingest_file(seeded, NETWORK)
    return seeded


@pytest.fixture
def stored(network: GraphDB) -> Content:
    return ALL.as_stored(network)


@pytest.fixture
def analyst(network: GraphDB, client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for("analyst")


@pytest.fixture
def admin(network: GraphDB, client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for("admin")


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


def cypher(client: TestClient, query: str, **params: Any) -> Any:
    return client.post("/cypher", json={"query": query, "params": params})


def saved(client: TestClient, name: str, **params: Any) -> Any:
    return client.post(f"/queries/{name}/run", json={"params": params})


# -- the procedure allow-list --------------------------------------------------------------

REFUSED_PROCEDURES = [
    ("CALL db.stats.retrieve('QUERIES')", "db.stats.retrieve"),
    ("CALL db.stats.retrieve('QUERIES') YIELD data RETURN data", "db.stats.retrieve"),
    ("CALL db.stats.retrieveAllAnonymized('x')", "db.stats.retrieveAllAnonymized"),
    ("CALL db.stats.collect('QUERIES')", "db.stats.collect"),
    ("CALL db.stats.status()", "db.stats.status"),
    (
        "RETURN COUNT { CALL db.stats.retrieve('QUERIES') YIELD data RETURN data } AS n",
        "db.stats.retrieve",
    ),
    ("MATCH (n) WHERE EXISTS { CALL db.stats.status() YIELD status } RETURN n", "db.stats.status"),
    ("CALL dbms.components()", "dbms.components"),
    ("CALL dbms.components() YIELD versions RETURN versions", "dbms.components"),
    ("CALL dbms.listConnections()", "dbms.listConnections"),
    ("CALL dbms.info()", "dbms.info"),
    ("CALL dbms.queryJmx('*:*')", "dbms.queryJmx"),
    ("CALL tx.getMetaData()", "tx.getMetaData"),
    ("CALL db.resampleOutdatedIndexes()", "db.resampleOutdatedIndexes"),
    ("CALL db.awaitIndexes(1)", "db.awaitIndexes"),
]


@pytest.mark.parametrize(("query", "procedure"), REFUSED_PROCEDURES)
def test_procedures_off_the_allow_list_are_refused_by_name(
    analyst: TestClient, network: GraphDB, query: str, procedure: str
) -> None:
    before = network.read(COUNTS)
    resp = cypher(analyst, query)
    assert resp.status_code == 403, resp.text
    err = resp.json()["error"]
    assert err["type"] == "QueryRefusedError"
    assert f"calls procedure {procedure}," in err["message"]
    assert "nothing was run" in err["message"]
    assert network.read(COUNTS) == before


def test_show_commands_that_reveal_other_sessions_are_refused(analyst: TestClient) -> None:
    for query in ("SHOW TRANSACTIONS", "SHOW SETTINGS", "SHOW PROCEDURES", "SHOW FUNCTIONS"):
        resp = cypher(analyst, query)
        assert resp.status_code == 403, (query, resp.text)
        assert "the plan uses Show" in resp.json()["error"]["message"]


def test_allowed_procedures_answer(analyst: TestClient) -> None:
    assert {"db.labels", "db.relationshipTypes", "db.propertyKeys"} <= ALLOWED_PROCEDURES
    assert not any(p.startswith(("db.stats.", "dbms.", "tx.")) for p in ALLOWED_PROCEDURES)
    resp = cypher(analyst, "CALL db.labels() YIELD label RETURN label ORDER BY label")
    assert resp.status_code == 200, resp.text
    assert {"Entity", "Person", "Case"} <= {r["label"] for r in resp.json()["rows"]}
    resp = cypher(analyst, "CALL db.relationshipTypes()")
    assert resp.status_code == 200 and {"VICTIM_IN", "EXPLOITED"} <= {
        r["relationshipType"] for r in resp.json()["rows"]
    }
    resp = cypher(analyst, "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey")
    assert resp.status_code == 200 and "name" in {r["propertyKey"] for r in resp.json()["rows"]}
    for query in (
        "CALL db.schema.nodeTypeProperties()",
        "CALL db.schema.relTypeProperties()",
        "CALL db.schema.visualization()",
    ):
        resp = cypher(analyst, query)
        assert resp.status_code == 200, (query, resp.text)
        assert resp.json()["row_count"] >= 1


def test_full_text_search_of_names_is_allowed(analyst: TestClient) -> None:
    resp = cypher(
        analyst,
        "CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node RETURN node.id AS id",
        q="Taev",
    )
    assert resp.status_code == 200, resp.text
    assert "per-duman-taev" in {r["id"] for r in resp.json()["rows"]}
    resp = cypher(
        analyst,
        "CALL db.index.fulltext.queryNodes($index, 'Taev') YIELD node RETURN node.id AS id",
        index="entity_names",
    )
    assert resp.status_code == 200, resp.text


BLIND = [
    ("CALL db.index.fulltext.queryNodes('entity_blind', 'b0') YIELD node RETURN node", {}),
    ("CALL db.index.fulltext.queryNodes(\"ENTITY_BLIND\", 'b0') YIELD node RETURN node", {}),
    (r"CALL db.index.fulltext.queryNodes('entity\u005Fblind', 'b0') YIELD node RETURN node", {}),
    (
        "CALL db.index.fulltext.queryNodes($i, 'b0') YIELD node RETURN count(node) AS n",
        {"i": "entity_blind"},
    ),
    (
        "CALL db.index.fulltext.queryNodes($i[0], 'b0') YIELD node RETURN count(node) AS n",
        {"i": ["entity_blind"]},
    ),
    ("CALL db.index.fulltext.queryNodes('entity_' + 'blind', 'b0') YIELD node RETURN node", {}),
    (
        "WITH reverse('dnilb_ytitne') AS i "
        "CALL db.index.fulltext.queryNodes(i, 'b0') YIELD node RETURN node",
        {},
    ),
    (
        "MATCH (p:Person) WITH DISTINCT 'entity_' + 'blind' AS i "
        "CALL db.index.fulltext.queryNodes(i, 'b0') YIELD node RETURN node",
        {},
    ),
]


@pytest.mark.parametrize(("query", "params"), BLIND)
def test_the_blind_index_cannot_be_queried(
    analyst: TestClient, admin: TestClient, query: str, params: dict[str, Any]
) -> None:
    for client in (analyst, admin):
        resp = cypher(client, query, **params)
        assert resp.status_code == 403, resp.text
        message = resp.json()["error"]["message"]
        assert "entity_blind" in message or "index name computed" in message


# -- what each role sees of protected people in saved queries -------------------------------


def test_minors_and_exploiters_shows_minors_only_to_roles_that_may_see_them(
    network: GraphDB,
    stored: Content,
    analyst: TestClient,
    admin: TestClient,
    client_for: Callable[[str], TestClient],
) -> None:
    assert {"per-girl-16-almaty", "fx-per-v3"} <= set(MINORS)
    pids = {stored.sid(e): e for e in MINORS}
    assert all(p != e for p, e in pids.items()), "every minor is stored protected"

    for role in ("viewer", "ingester"):  # no query right at all
        resp = saved(client_for(role), "minors-and-exploiters")
        assert resp.status_code == 403
        assert not any(d["name"] in resp.text for d in MINORS.values())

    resp = saved(analyst, "minors-and-exploiters")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert {r["minor_id"] for r in body["rows"]} == set(pids)
    for d in MINORS.values():  # neither names, nor aliases, nor free text
        for text in [
            d["name"],
            *d.get("aliases", []),
            (d.get("properties") or {}).get("description"),
        ]:
            assert not text or text not in resp.text
    for row in body["rows"]:
        minor = row["minor"]
        assert minor["name"] == stored.name(minor["id"])  # her pseudonym, nothing else
        assert minor["properties"] == {} and minor["aliases"] == []
        assert minor["protected"] is True and minor["redacted"] is True
        assert "original_id" not in minor
    for d in _dicts(body):
        assert "age" not in d and "is_minor" not in d and "birth_year" not in d
        assert not any(k.startswith("_") for k in d if k != "_rel"), d
    assert "sealed" not in resp.text and "blind_text" not in resp.text

    resp = saved(admin, "minors-and-exploiters")
    assert resp.status_code == 200, resp.text
    rows = resp.json()["rows"]
    assert {r["minor_id"] for r in rows} == set(pids)
    for row in rows:
        minor, real = row["minor"], pids[row["minor_id"]]
        assert minor["name"] == MINORS[real]["name"] and minor["original_id"] == real
        assert minor["properties"]["age"] == MINORS[real]["properties"]["age"]
        assert minor["properties"]["is_minor"] is True and minor["protected"] == "minors"
        assert "_sealed" not in minor and "_level" not in minor


def test_victims_by_destination_decrypts_per_level(
    stored: Content, analyst: TestClient, admin: TestClient
) -> None:
    """An analyst sees adult victims (level ``all``) but not the minor taken to the same
    place; an admin sees all three."""
    adults = {"fx-per-v1", "fx-per-v2"}
    minor = "fx-per-v3"
    by_role = {}
    for role, client in (("analyst", analyst), ("admin", admin)):
        resp = saved(client, "victims-by-destination", country="UAE")
        assert resp.status_code == 200, resp.text
        by_role[role] = (resp.text, {r["victim_id"]: r["victim"] for r in resp.json()["rows"]})
    text, victims = by_role["analyst"]
    assert set(victims) == {stored.sid(v) for v in [*adults, minor]}
    for v in adults:
        seen = victims[stored.sid(v)]
        assert seen["name"] == ALL.name(v) and seen["protected"] == "all"
        assert seen["properties"]["age"] == ALL.prop(v, "age")
    hidden = victims[stored.sid(minor)]
    assert hidden["name"] == stored.name(stored.sid(minor)) and hidden["properties"] == {}
    assert ALL.name(minor) not in text and '"age":15' not in text.replace(" ", "")
    text, victims = by_role["admin"]
    for v in [*adults, minor]:
        assert victims[stored.sid(v)]["name"] == ALL.name(v)
    assert victims[stored.sid(minor)]["properties"]["age"] == 15


def test_victim_lists_show_names_to_roles_that_may_see_them(
    stored: Content, analyst: TestClient, admin: TestClient
) -> None:
    kyrgyz = "fx-loc-kyrgyzstan"
    adults = {"fx-per-v1", "fx-per-v2"}
    for client, shown in ((analyst, adults), (admin, adults | {"fx-per-v3"})):
        body = saved(client, "victim-origins").json()
        row = next(r for r in body["rows"] if r["origin_id"] == kyrgyz)
        names = {v["id"]: v["name"] for v in row["victims"]}
        assert len(names) == row["victim_count"] == 3
        for real in ("fx-per-v1", "fx-per-v2", "fx-per-v3"):
            pid = stored.sid(real)
            expected = ALL.name(real) if real in shown else stored.name(pid)
            assert names[pid] == expected
        if client is analyst:
            assert ALL.name("fx-per-v3") not in json.dumps(body, ensure_ascii=False)


def test_adhoc_cypher_on_minors_shows_no_identity_to_an_analyst(
    analyst: TestClient, stored: Content
) -> None:
    resp = cypher(
        analyst,
        "MATCH (p:Person) WHERE p.protection = 'minors' "
        "RETURN p, p.name AS name, p.age AS age, p.is_minor AS is_minor, "
        "properties(p) AS props, p {.*} AS proj, keys(p) AS keys "
        "ORDER BY p.id",
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert {r["p"]["id"] for r in body["rows"]} == {stored.sid(e) for e in MINORS}
    for row in body["rows"]:
        assert row["age"] is None and row["is_minor"] is None
        assert row["name"] == stored.name(row["p"]["id"])
    for d in MINORS.values():
        assert d["name"] not in resp.text
