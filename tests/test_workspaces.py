"""Workspaces and notes on the real Neo4j: CRUD, rights, audit lines, victim protection as
a viewer would probe it, and notes that never change a fact."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casegraph.api.app import create_app
from casegraph.api.audit import tail
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.protection_support import (
    AIGERIM,
    CASE_ID,
    CITY_ID,
    SUSPECT,
    Finder,
    answer_text,
    case_file,
    graph_text,
    write_jsonl,
)

NAMES = Finder(AIGERIM.needles())
LEADS = "per-duman-taev|LEADS|org-criminal-police-department"


@pytest.fixture
def audited(db: GraphDB, settings: Settings, tmp_path: Path) -> Callable[[str], TestClient]:
    """Clients of one app with an audit log of this test's own: ``make(role)``."""
    own = settings.model_copy(update={"audit_path": tmp_path / "audit.log"})
    app = create_app(db=db, settings=own)
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        key = create_key(db, role, name=f"ws-{role}-{len(clients)}")
        client = TestClient(app, headers={"Authorization": f"Bearer {key.key}"})
        client.__enter__()
        client.key_id = key.key_id  # type: ignore[attr-defined]
        clients.append(client)
        return client

    make.app = app  # type: ignore[attr-defined]
    make.log = own.audit_path  # type: ignore[attr-defined]
    yield make  # type: ignore[misc]
    for c in clients:
        c.__exit__(None, None, None)


def _view(*ids: str) -> dict[str, Any]:
    return {
        "nodes": [{"id": i, "x": 10.0 * n, "y": -5.5 * n} for n, i in enumerate(ids)],
        "zoom": 1.1,
        "pan": {"x": 3, "y": 4},
        "filters": {"hops": 1, "kind": "Person"},
        "period": {"from": "2019-01-01", "to": "2020-12-31"},
    }


def _records(log: Path) -> list[dict[str, Any]]:
    return tail(log, 1000)


def test_crud_rights_and_audit(seeded: GraphDB, audited: Callable[[str], TestClient]) -> None:
    admin, viewer, other = audited("admin"), audited("viewer"), audited("viewer")
    made = admin.post(
        "/workspaces",
        json={"name": "Questra", "view": _view("org-questra-world", "org-questra-holding", "nope")},
    )
    assert made.status_code == 201, made.text
    ws = made.json()
    wid = ws["id"]
    assert ws["owner"] == admin.key_id and ws["owner_name"].startswith("ws-admin")  # type: ignore[attr-defined]
    assert [n["id"] for n in ws["view"]["nodes"]] == ["org-questra-world", "org-questra-holding"]
    assert ws["missing"] == 1  # "nope" is no entity: dropped
    assert ws["view"]["period"] == {"from": "2019-01-01", "to": "2020-12-31"}
    assert {n["name"] for n in ws["graph"]["nodes"]} == {"Questra World", "Questra Holding"}

    # every reader lists and opens it
    listed = viewer.get("/workspaces").json()["workspaces"]
    assert [w["id"] for w in listed] == [wid]
    opened = viewer.get(f"/workspaces/{wid}").json()
    assert opened["view"] == ws["view"] and opened["name"] == "Questra"

    # only its owner (or an admin) changes or deletes it
    assert viewer.put(f"/workspaces/{wid}", json={"name": "mine"}).status_code == 403
    assert viewer.delete(f"/workspaces/{wid}").status_code == 403
    own = viewer.post("/workspaces", json={"name": "v", "view": _view("org-questra-world")})
    assert own.status_code == 201
    vid = own.json()["id"]
    renamed = viewer.put(f"/workspaces/{vid}", json={"name": "viewer's"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "viewer's"
    assert renamed.json()["view"]["nodes"] == [{"id": "org-questra-world", "x": 0.0, "y": -0.0}]
    saved = viewer.put(f"/workspaces/{vid}", json={"view": _view("per-duman-taev")})
    assert saved.json()["name"] == "viewer's"
    assert [n["id"] for n in saved.json()["view"]["nodes"]] == ["per-duman-taev"]
    assert other.put(f"/workspaces/{vid}", json={"name": "x"}).status_code == 403
    assert admin.put(f"/workspaces/{vid}", json={"name": "by admin"}).status_code == 200

    note = viewer.post(
        "/notes", json={"target_kind": "workspace", "target": wid, "text": "check the flows"}
    )
    assert note.status_code == 201
    assert admin.delete(f"/workspaces/{wid}").json() == {"id": wid, "notes_removed": 1}
    assert viewer.get(f"/workspaces/{wid}").status_code == 404
    assert viewer.delete(f"/workspaces/{vid}").status_code == 200

    unauth = TestClient(audited.app)  # type: ignore[attr-defined]
    assert unauth.get("/workspaces").status_code == 401
    assert unauth.post("/notes", json={}).status_code == 401

    audited.app.state.context.audit.sync()  # type: ignore[attr-defined]
    records = _records(audited.log)  # type: ignore[attr-defined]
    actions = [(r["method"], r.get("action"), r["status"]) for r in records if r.get("workspace")]
    assert ("POST", "create", 201) in actions and ("DELETE", "delete", 200) in actions
    assert ("PUT", "update", 200) in actions and ("GET", "open", 200) in actions
    assert sum(1 for r in records if r["method"] == "PUT" and r["status"] == 403) == 2
    [noted] = [r for r in records if r.get("note")]
    assert noted["note"] == note.json()["id"] and noted["target"] == wid
    assert noted["key_id"] == viewer.key_id  # type: ignore[attr-defined]
    assert "check the flows" not in json.dumps(records)  # the text is never in the audit


def _facts(client: TestClient, entity_id: str) -> tuple[Any, Any]:
    entity = client.get(f"/entities/{entity_id}").json()
    hood = client.get(f"/entities/{entity_id}/neighborhood", params={"depth": 2}).json()
    return entity, hood


def test_notes_never_change_facts(seeded: GraphDB, seeded_client: TestClient) -> None:
    before = [_facts(seeded_client, i) for i in ("per-duman-taev", "org-questra-world")]
    counts = seeded.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]
    rels = seeded.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    ws = seeded_client.post("/workspaces", json={"name": "w", "view": _view("per-duman-taev")})
    notes = [
        ("entity", "per-duman-taev", "Zebulonic notes: the head? Verify."),
        ("relationship", LEADS, "Zebulonic: appointed 2019?"),
        ("workspace", ws.json()["id"], "Zebulonic workspace note"),
        ("entity", "org-questra-world", "Zebulonic"),
    ]
    for kind, target, text in notes:
        r = seeded_client.post("/notes", json={"target_kind": kind, "target": target, "text": text})
        assert r.status_code == 201, r.text
        assert r.json()["text"] == text and r.json()["target"] == target
    got = seeded_client.get("/notes", params={"target": LEADS}).json()["notes"]
    assert [n["text"] for n in got] == ["Zebulonic: appointed 2019?"]
    assert got[0]["author_name"] == "test-admin" and got[0]["created"]

    assert [_facts(seeded_client, i) for i in ("per-duman-taev", "org-questra-world")] == before
    assert seeded.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"] == counts
    assert seeded.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == rels
    assert seeded.read("MATCH (n:Note)--() RETURN count(n) AS n")[0]["n"] == 0
    assert seeded.read("MATCH (n:Note:Entity) RETURN count(n) AS n")[0]["n"] == 0
    found = seeded_client.get("/entities", params={"q": "Zebulonic"}).json()
    assert found["results"] == []
    # unknown targets are refused, and nothing is written for them
    for kind, target in [("entity", "nope"), ("relationship", "a|LEADS|b"), ("workspace", "ws-x")]:
        r = seeded_client.post("/notes", json={"target_kind": kind, "target": target, "text": "x"})
        assert r.status_code == 404, r.text
    bad = seeded_client.post(
        "/notes", json={"target_kind": "relationship", "target": "a|NOPE|b", "text": "x"}
    )
    assert bad.status_code == 422
    assert seeded.read("MATCH (n:Note) RETURN count(n) AS n")[0]["n"] == len(notes)


def test_a_viewer_never_sees_a_protected_name(
    db: GraphDB, tmp_path: Path, audited: Callable[[str], TestClient]
) -> None:
    ingest_file(db, write_jsonl(tmp_path / "case.jsonl", case_file(AIGERIM)))
    admin, analyst, viewer = audited("admin"), audited("analyst"), audited("viewer")
    # the admin sees her and saves a view with her in it, by her real id
    real = admin.get(f"/entities/{AIGERIM.id}").json()
    pid = real["id"]
    assert real["name"] == AIGERIM.name and pid != AIGERIM.id
    made = admin.post(
        "/workspaces",
        json={
            "name": "Айгерим и Сапаровой",
            "view": {
                **_view(AIGERIM.id, CASE_ID, SUSPECT["id"]),
                "filters": {"q": "Saparova"},
            },
        },
    )
    assert made.status_code == 201, made.text
    wid = made.json()["id"]
    assert made.json()["name"] == "Айгерим и Сапаровой"  # restored for the admin
    assert made.json()["view"]["filters"] == {"q": "Saparova"}
    assert made.json()["view"]["nodes"][0]["id"] == pid  # stored pseudonymous

    # notes naming her: on the case (linked), on the city (not linked: the blind index),
    # inflected, in Latin and Cyrillic, by nickname
    texts = {
        ("entity", CASE_ID): "Айгерим told us; Сапаровой's phone was taken. Аика again.",
        ("entity", CITY_ID): "Saw Saparovoy near the station with Aigerim.",
        ("relationship", f"{SUSPECT['id']}|SUSPECT_IN|{CASE_ID}"): "He held Aigerim Saparova.",
        ("workspace", wid): "Айгерим Сапарқызы is the key witness",
    }
    for (kind, target), text in texts.items():
        r = viewer.post("/notes", json={"target_kind": kind, "target": target, "text": text})
        assert r.status_code == 201, r.text
        assert not NAMES(r.text), r.text
        assert "[redacted]" in r.json()["text"]
    # a real id from a viewer is an unknown id
    probe = viewer.post("/notes", json={"target_kind": "entity", "target": AIGERIM.id, "text": "x"})
    unknown = viewer.post("/notes", json={"target_kind": "entity", "target": "kz-no", "text": "x"})
    assert probe.status_code == unknown.status_code == 404

    for who in (viewer, analyst):  # she is a minor: the analyst may not see her either
        listed = who.get("/workspaces")
        opened = who.get(f"/workspaces/{wid}")
        report = who.get(f"/workspaces/{wid}/report")
        notes = [who.get("/notes", params={"target": t}) for (_, t) in texts]
        for resp in (listed, opened, report, *notes):
            assert resp.status_code == 200, resp.text
            assert not NAMES(answer_text(resp)), (resp.request.url, NAMES(answer_text(resp)))
        shown = {n["id"]: n for n in opened.json()["graph"]["nodes"]}
        assert shown[pid]["redacted"] is True and shown[pid]["name"].startswith("Victim ")
        assert shown[pid]["name"] in report.text
        assert "Almaty sexual exploitation case" in report.text
        assert sum(len(n.json()["notes"]) for n in notes) == len(texts)

    # the admin gets names and texts back
    opened = admin.get(f"/workspaces/{wid}").json()
    assert {n["name"] for n in opened["graph"]["nodes"]} >= {AIGERIM.name}
    got = admin.get("/notes", params={"target": CITY_ID}).json()["notes"]
    assert [n["text"] for n in got] == [texts[("entity", CITY_ID)]]
    report = admin.get(f"/workspaces/{wid}/report")
    assert AIGERIM.name in report.text and "Айгерим Сапарқызы is the key witness" in report.text
    by_real = admin.get("/notes", params={"target": AIGERIM.id})
    assert by_real.status_code == 200

    # and Neo4j holds none of it in clear
    assert not NAMES(graph_text(db))
