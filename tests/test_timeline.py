"""``GET /entities/{id}/timeline`` on the seed, against the facts read straight from Neo4j."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from tests.builders import entity, rel, source, write_jsonl

CASE = "case-questra-pyramid"

# the reference, written independently of casegraph/graph/timeline.py
FACTS = """
MATCH (n:Entity {id: $id})--(m:Entity) WHERE NOT m:Source
WITH n, collect(DISTINCT m.id) + [n.id] AS ids
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN ids AND b.id IN ids AND type(r) <> 'MENTIONED_IN'
  AND coalesce(r.date, r.start_date, r.end_date) IS NOT NULL
RETURN type(r) AS type, a.id AS a, b.id AS b, coalesce(r.date, r.start_date, r.end_date) AS at
"""
DATED_NODES = """
MATCH (n:Entity {id: $id})--(m:Entity) WHERE NOT m:Source
WITH n, collect(DISTINCT m) + [n] AS ns
UNWIND ns AS x
WITH DISTINCT x
UNWIND ['start_date', 'end_date', 'published', 'date'] AS prop
WITH x, prop, x[prop] AS at WHERE at IS NOT NULL
RETURN x.id AS id, prop, at
"""


def test_the_timeline_holds_every_dated_fact_in_order(
    seeded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    answer = client_for("viewer").get(f"/entities/{CASE}/timeline")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rels = sorted(
        (e["type"], e["from"], e["to"], e["date"])
        for e in body["events"]
        if e["kind"] == "relationship"
    )
    expected = sorted(
        (r["type"], r["a"], r["b"], r["at"]) for r in seeded.read(FACTS, {"id": CASE})
    )
    assert rels == expected
    dated = sorted(
        (e["entity"], next(iter(e["properties"])), e["date"])
        for e in body["events"]
        if e["kind"] == "entity"
    )
    assert dated == sorted(
        (r["id"], r["prop"], r["at"]) for r in seeded.read(DATED_NODES, {"id": CASE})
    )
    assert len(dated) >= 2  # the case's start and end
    dates = [e["date"] for e in body["events"]]
    assert dates == sorted(dates)
    assert body["truncated"] is False
    ids = {n["id"] for n in body["nodes"]}
    assert CASE in ids and all(e.get("from", CASE) in ids for e in body["events"])


def test_payments_and_periods_are_events(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "pay.jsonl",
        [
            source(),
            entity("p-1", name="Marat Issayev"),
            entity("o-1", "Organization", name="Steppe Capital"),
            entity("o-2", "Organization", name="Altyn Trade"),
            rel("PAID", "p-1", "o-1", {"amount": 5.0, "currency": "USD", "date": "2018-03"}),
            rel("PAID", "o-1", "o-2", {"amount": 4.0, "currency": "USD", "date": "2018-01-15"}),
            rel("EMPLOYED_BY", "p-1", "o-2", {"start_date": "2015", "end_date": "2019-06"}),
            rel("MEMBER_OF", "p-1", "o-1"),  # undated: not an event
        ],
    )
    ingest_file(db, path)
    events = client_for("viewer").get("/entities/p-1/timeline").json()["events"]
    got = [(e["date"], e.get("end"), e["type"], e["from"], e["to"]) for e in events]
    assert got == [
        ("2015", "2019-06", "EMPLOYED_BY", "p-1", "o-2"),
        ("2018-01-15", None, "PAID", "o-1", "o-2"),
        ("2018-03", None, "PAID", "p-1", "o-1"),
    ]


def test_the_timeline_is_bounded_and_unknown_ids_are_404(
    seeded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("viewer")
    full = client.get(f"/entities/{CASE}/timeline").json()["events"]
    assert len(full) >= 2
    cut = client.get(f"/entities/{CASE}/timeline", params={"limit": len(full) - 1}).json()
    assert cut["events"] == full[:-1] and cut["truncated"] is True
    assert client.get("/entities/no-such-id/timeline").status_code == 404
    assert client.get(f"/entities/{CASE}/timeline", params={"limit": 0}).status_code == 422


def test_a_victims_timeline_does_not_name_her_to_a_viewer(
    seeded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    # every protected person of the seed, through her pseudonymous id: the admin's answer
    # discloses her name, the viewer's holds it nowhere
    rows = seeded.read("MATCH (v:Person) WHERE v.protection = 'all' RETURN v.id AS id")
    assert rows
    viewer, admin = client_for("viewer"), client_for("admin")
    for row in rows:
        disclosed = admin.get(f"/entities/{row['id']}/timeline").json()["nodes"][0]
        assert disclosed["name"] != row["id"] and disclosed.get("original_id")
        seen = viewer.get(f"/entities/{row['id']}/timeline")
        assert seen.status_code == 200
        assert disclosed["name"] not in seen.text
        assert disclosed["original_id"] not in seen.text
        # by her real id: the admin reaches her, the viewer meets an unknown id
        assert admin.get(f"/entities/{disclosed['original_id']}/timeline").status_code == 200
        assert viewer.get(f"/entities/{disclosed['original_id']}/timeline").status_code == 404
