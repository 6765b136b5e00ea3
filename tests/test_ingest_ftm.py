"""FollowTheMoney through the library, on the real Neo4j: a public FtM file (German party
donations, see tests/fixtures/ftm/README.md), dangling references noted, schemata casegraph
does not load named, and ``export --format ftm`` loading back into the same graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casegraph.errors import ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import reset_database
from casegraph.ingest.pipeline import ingest_file
from tests.builders import write_lines
from tests.ingest_support import entity, graph_counts, kinds, rels, types

DONATIONS = Path(__file__).resolve().parent / "fixtures" / "ftm" / "donations.ijson"
LINES = DONATIONS.read_text(encoding="utf-8").splitlines()
HEAD = 60  # the first 60 lines: addresses of some companies and payers fall outside


def test_the_public_donations_file_loads_whole(db: GraphDB) -> None:
    report = ingest_file(db, DONATIONS)
    assert report.format == "ftm"
    assert report.rejected == [] and report.warnings == []
    # per schema: 22 Person, 17 Organization + 56 Company, 89 Address, 290 Payment
    assert kinds(db) == {"Person": 22, "Organization": 73, "Location": 89, "Source": 1}
    paid = rels(db, "PAID")
    assert types(db) == {"PAID": len(paid), "LOCATED_IN": 103}
    # two payments of the same amount, date and payer to the same party are one fact
    assert len({p["ftm_id"] for p in paid}) == len(paid) <= 290
    address = entity(db, "97149caa3aef14e2be5ae6b3974c6882e7536d88")
    assert address["name"] == "76135 Karlsruhe"  # the library's caption: no name, no full
    assert address["street"] == "Schillerstraße 19" and address["country"] == "de"
    (first,) = [p for p in paid if p["ftm_id"] == "2216b422a31242fe204654ce194864661f515921"]
    assert (first["amount"], first["currency"], first["date"]) == (100000.0, "EUR", "2011-12-29")
    assert entity(db, "66ce9f62af8c7d329506da41cb7c36ba058b3d28")["org_type"] == "company"
    again = ingest_file(db, DONATIONS)
    assert again.counts.total_created == 0 and again.counts.total_updated == 0


def _dangling_ids(lines: list[str]) -> dict[str, list[str]]:
    """entity id -> addressEntity ids that ``lines`` do not hold."""
    held = {json.loads(x)["id"] for x in lines}
    out: dict[str, list[str]] = {}
    for x in lines:
        e = json.loads(x)
        missing = [a for a in e["properties"].get("addressEntity", []) if a not in held]
        if missing:
            out[e["id"]] = missing
    return out


def test_an_excerpt_notes_its_dangling_references_and_keeps_every_entity(
    db: GraphDB, tmp_path: Path
) -> None:
    head = LINES[:HEAD]
    path = write_lines(tmp_path / "donations-head.ijson", head)
    expected = _dangling_ids(head)
    assert sum(map(len, expected.values())) == 5
    report = ingest_file(db, path)
    assert report.rejected == []
    noted = sorted((w.field, w.line) for w in report.warnings)
    assert noted == sorted(
        ("addressEntity", i + 1)
        for i, x in enumerate(head)
        for a in expected.get(json.loads(x)["id"], [])
    )
    for w in report.warnings:
        assert "kept as a property" in w.reason
    for rid, missing in expected.items():  # kept, with the reference as a property
        assert entity(db, rid)["ftm_addressEntity_ref"] == missing
    schemas = [json.loads(x)["schema"] for x in head]
    counts = kinds(db)
    assert counts["Location"] == schemas.count("Address")
    assert counts["Person"] + counts["Organization"] == sum(
        schemas.count(s) for s in ("Person", "Organization", "Company")
    )
    located = rels(db, "LOCATED_IN")
    assert all(r["to"] not in {a for m in expected.values() for a in m} for r in located)
    # the address arrives later: the same reference now makes the relationship
    ingest_file(db, DONATIONS)
    rid, missing = next(iter(expected.items()))
    assert {r["to"] for r in rels(db, "LOCATED_IN") if r["from"] == rid} >= set(missing)


def test_a_payment_whose_payer_is_missing_is_a_rejected_relationship(
    db: GraphDB, tmp_path: Path
) -> None:
    payment = json.loads(LINES[-1])
    assert payment["schema"] == "Payment"
    payer = payment["properties"]["payer"][0]
    head = [x for x in LINES[:HEAD] if json.loads(x)["id"] != payer]
    path = write_lines(tmp_path / "donations-cut.ijson", [*head, LINES[-1]])
    line = len(head) + 1
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, path)
    assert graph_counts(db) == before
    (err,) = [e for e in info.value.errors if e.line == line]
    assert err.field == "payer" and payer in err.reason
    report = ingest_file(db, path, skip_invalid=True)
    assert [(e.line, e.field) for e in report.rejected] == [(line, "payer")]
    assert payment["id"] not in {p["ftm_id"] for p in rels(db, "PAID")}
    assert report.counts.as_dict()["PAID"]["created"] == len(rels(db, "PAID"))


def test_every_schema_is_mapped_or_named(db: GraphDB, tmp_path: Path) -> None:
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Aigul S."], "notes": ["n0"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Questra Holding"]}},
        {"id": "doc1", "schema": "Document", "properties": {"title": ["Court record"]}},
        {"id": "case1", "schema": "CourtCase", "properties": {"name": ["Case 1"]}},
        {"id": "n1", "schema": "Note", "properties": {"entity": ["c1"], "description": ["n1"]}},
        {"id": "n2", "schema": "Note", "properties": {"entity": ["zz"], "description": ["x"]}},
        {
            "id": "m1",
            "schema": "Mention",
            "properties": {"name": ["Questra"], "document": ["doc1"], "resolved": ["c1"]},
        },
        {"id": "m2", "schema": "Mention", "properties": {"name": ["Nobody"], "document": ["doc1"]}},
        {"id": "v1", "schema": "Vessel", "properties": {"name": ["Aurora"]}},
        {
            "id": "ccp1",
            "schema": "CourtCaseParty",
            "properties": {"party": ["p1"], "case": ["case1"], "role": ["victim"]},
        },
        {
            "id": "d1",
            "schema": "Debt",
            "properties": {
                "debtor": ["c1"],
                "creditor": ["p1"],
                "amount": ["10"],
                "currency": ["USD"],
            },
        },
        {
            "id": "s1",
            "schema": "Succession",
            "properties": {"predecessor": ["c1"], "successor": ["c1"]},
        },
        {
            "id": "doc2",
            "schema": "Documentation",
            "properties": {"document": ["doc1"], "entity": ["p1"]},
        },
    ]
    path = write_lines(tmp_path / "mixed.ftm.json", [json.dumps(x) for x in lines])
    report = ingest_file(db, path)
    warned = {(w.line, w.field) for w in report.warnings}
    assert warned == {(6, "entity"), (8, "resolved"), (9, "schema")}
    assert any("'Vessel'" in w.reason and "'v1'" in w.reason for w in report.warnings)
    assert entity(db, "c1")["note"] == "n1"  # (p1's own notes are sealed: she is protected)
    assert kinds(db) == {"Person": 1, "Organization": 1, "Source": 2, "Case": 1}
    t = types(db)
    assert t["VICTIM_IN"] == 1 and t["OWES"] == 1 and t["SUCCEEDED_BY"] == 1
    assert t["MENTIONED_IN"] == 2
    # the victim end of a court case is protected like any other victim
    assert db.read("MATCH (p:Person) RETURN p.protection AS l")[0]["l"] == "all"


def _entities(db: GraphDB) -> list[dict[str, Any]]:
    rows = db.read(
        "MATCH (n:Entity) RETURN n.id AS id, labels(n) AS l, n.name AS name, "
        "n.aliases AS a, n.protection AS prot, properties(n) AS p ORDER BY id"
    )
    skip = {
        "sources",
        "search_text",
        "search_keys",
        "name_key",
        "sealed",
        "blind_text",
        "sealed_text",
    }
    return [
        {
            **{k: v for k, v in r.items() if k != "p"},
            "p": {k: v for k, v in r["p"].items() if k not in skip and not k.startswith("ftm_")},
        }
        for r in rows
        if not r["id"].startswith("ftm:")
    ]


def _relationships(db: GraphDB) -> list[tuple[str, str, str, str]]:
    rows = db.read(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE NOT b.id STARTS WITH 'ftm:' "
        "RETURN a.id AS a, type(r) AS t, b.id AS b, r.key AS k ORDER BY a, t, b, k"
    )
    return [(r["a"], r["t"], r["b"], r["k"] or "") for r in rows]


def test_the_seed_exported_as_ftm_loads_back_into_the_same_graph(
    seeded: GraphDB, seeded_client: TestClient, tmp_path: Path
) -> None:
    before_entities, before_rels = _entities(seeded), _relationships(seeded)
    body = seeded_client.get("/export", params={"format": "ftm", "with_sources": True}).text
    path = tmp_path / "seed.ftm.jsonl"
    path.write_text(body, encoding="utf-8")
    reset_database(seeded)
    report = ingest_file(seeded, path)
    assert report.warnings == [] and report.rejected == []
    assert _relationships(seeded) == before_rels
    assert _entities(seeded) == before_entities
