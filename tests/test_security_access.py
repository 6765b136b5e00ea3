"""Access control, victim protection, audit and body limits, on the real Neo4j.

The probe calls every GET endpoint the app has (path parameters filled with the ids of the
seed's victims and of other entities) with a viewer key and checks that no victim's real
name or alias appears anywhere in any answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from casegraph.api.auth import ROLE_RIGHTS, allows, required_right
from casegraph.cli import app as cli_app
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings, get_settings
from tests.builders import entity, jsonl, source

GIRL = "per-girl-16-almaty"
MAN = "per-man-40-farm"
GROUP = "per-group-forced-labor-victims-abroad"
VICTIMS = (GIRL, MAN, GROUP)
OTHERS = ("per-farm-owner", "per-woman-1-almaty", "case-almaty-sexual-exploitation")

ClientFor = Callable[[str], TestClient]


def victim_strings(db: GraphDB, ids: tuple[str, ...] = VICTIMS) -> dict[str, list[str]]:
    """Each victim's real name, aliases and free-text description, as recorded (read from
    her sealed record with the key: the graph holds none of them in clear)."""
    key = db.protection_key
    rows = db.read(
        "MATCH (p:Person) WHERE p.id IN $pids RETURN p.id AS id, p.sealed AS sealed",
        {"pids": [key.pseudo_id(i) for i in ids]},
    )
    out = {}
    for r in rows:
        rec = key.unseal(r["sealed"], r["id"])
        desc = rec["properties"].get("description")
        out[rec["id"]] = [rec["name"], *rec["aliases"], *([desc] if desc else [])]
    assert set(out) == set(ids)
    return out


def pid(db: GraphDB, real_id: str) -> str:
    return db.protection_key.pseudo_id(real_id)


def leaks(text: str, strings: dict[str, list[str]]) -> list[str]:
    low = text.lower()
    return [s for values in strings.values() for s in values if s.lower() in low]


# -- authentication and rights ------------------------------------------------------------


def test_no_key_or_unknown_key_is_401(seeded: GraphDB, client_for: ClientFor) -> None:
    anon = client_for("none")
    r = anon.get("/entities", params={"q": "Taev"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"]["type"] == "Unauthorized"
    r = anon.get("/entities", headers={"Authorization": "Bearer cg_deadbeef_not-a-real-key"})
    assert r.status_code == 401
    r = anon.get("/entities", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401
    # open routes stay open
    assert anon.get("/health").status_code == 200
    assert anon.get("/openapi.json").status_code == 200
    assert anon.get("/docs").status_code == 200


def test_viewer_key_on_cypher_is_403(seeded: GraphDB, client_for: ClientFor) -> None:
    viewer = client_for("viewer")
    r = viewer.post("/cypher", json={"query": "MATCH (n) RETURN count(n) AS c"})
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"role": "viewer", "required": "query"}
    assert viewer.get("/entities", params={"q": "Taev"}).status_code == 200


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (method, path template, operation) the app documents in its OpenAPI."""
    doc = client.app.openapi()  # type: ignore[attr-defined]
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_route_is_in_the_rights_table(seeded: GraphDB, client_for: ClientFor) -> None:
    """Each operation of the app: a viewer gets past auth iff the table gives it ``read``
    (or leaves it open); what the table does not name needs ``admin``."""
    viewer = client_for("viewer")
    checked = 0
    for method, template, _ in operations(viewer):
        right = required_right(method, template)
        path = template.replace("{", "x-").replace("}", "")
        r = viewer.request(method, path)
        if right is None or allows("viewer", right):
            assert r.status_code not in (401, 403), (method, template, r.status_code)
        else:
            assert r.status_code == 403, (method, template, r.status_code)
            checked += 1
    assert checked >= 3  # /audit, /apikeys (GET, POST, DELETE) at least


def test_roles_get_their_rights(seeded: GraphDB, client_for: ClientFor) -> None:
    assert set(ROLE_RIGHTS) == {"viewer", "analyst", "ingester", "admin"}
    viewer, analyst, ingester, admin = (
        client_for(r) for r in ("viewer", "analyst", "ingester", "admin")
    )
    assert viewer.get("/audit").status_code == 403
    assert analyst.get("/audit").status_code == 403
    assert admin.get("/audit").status_code == 200
    assert analyst.post("/ingest").status_code == 403
    assert viewer.post("/ingest").status_code == 403
    assert ingester.post("/ingest").status_code not in (401, 403)
    assert ingester.post("/cypher", json={}).status_code == 403
    assert analyst.post("/cypher", json={}).status_code not in (401, 403)
    assert viewer.get("/apikeys").status_code == 403
    assert admin.get("/apikeys").status_code == 200


def test_key_management_over_http_and_revocation(seeded: GraphDB, client_for: ClientFor) -> None:
    admin = client_for("admin")
    r = admin.post("/apikeys", json={"role": "viewer", "name": "probe"})
    assert r.status_code == 201
    new = r.json()
    assert new["key"].startswith("cg_") and new["role"] == "viewer"
    stored = seeded.read("MATCH (k:ApiKey {key_id: $id}) RETURN k", {"id": new["key_id"]})
    assert new["key"] not in json.dumps(stored, default=str)  # only the hash is kept
    h = {"Authorization": f"Bearer {new['key']}"}
    assert admin.get("/entities", headers=h).status_code == 200
    listed = admin.get("/apikeys").json()["keys"]
    assert new["key_id"] in {k["key_id"] for k in listed}
    assert all("hash" not in k for k in listed)
    assert admin.delete(f"/apikeys/{new['key_id']}").status_code == 200
    assert admin.get("/entities", headers=h).status_code == 401
    assert admin.post("/apikeys", json={"role": "root"}).status_code == 422


def test_cli_apikey_create_prints_the_key_alone(
    seeded: GraphDB, settings: Settings, client_for: ClientFor
) -> None:
    env = {**os.environ, "CASEGRAPH_NEO4J_URI": settings.neo4j_uri}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "casegraph.cli",
            "apikey",
            "create",
            "--role",
            "analyst",
            "--name",
            "cli",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    key = out.stdout.strip()
    assert key.startswith("cg_") and "\n" not in key
    anon = client_for("none")
    h = {"Authorization": f"Bearer {key}"}
    assert anon.get("/entities", headers=h).status_code == 200
    listed = subprocess.run(
        [sys.executable, "-m", "casegraph.cli", "apikey", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert key not in listed.stdout and '"cli"' in listed.stdout


# -- victim protection ---------------------------------------------------------------------


def test_viewer_search_for_a_victims_name_reveals_nothing(
    seeded: GraphDB, client_for: ClientFor
) -> None:
    strings = victim_strings(seeded)
    viewer, admin = client_for("viewer"), client_for("admin")
    for vid in VICTIMS:
        name = strings[vid][0]
        found = admin.get("/entities", params={"q": name}).json()["results"]
        # the admin finds her by real name (blind index): the search itself works
        assert any(x.get("original_id") == vid and x["name"] == name for x in found), found
        body = viewer.get("/entities", params={"q": name}).json()
        results = json.dumps(body["results"], ensure_ascii=False)
        assert not leaks(results, strings), (vid, results)
        assert all(not x.get("redacted") for x in body["results"])
        assert body["count"] == len(body["results"])
        assert vid not in results and pid(seeded, vid) not in results


def test_viewer_sees_her_neighborhood_under_a_pseudonym(
    seeded: GraphDB, client_for: ClientFor
) -> None:
    strings = victim_strings(seeded)
    viewer = client_for("viewer")
    # her real id is what an unknown id is to a viewer
    real = viewer.get(f"/entities/{GIRL}/neighborhood", params={"depth": 2})
    unknown = viewer.get("/entities/per-no-such-person/neighborhood", params={"depth": 2})
    assert real.status_code == unknown.status_code == 404
    assert real.json()["error"]["message"].replace(GIRL, "X") == unknown.json()["error"][
        "message"
    ].replace("per-no-such-person", "X")
    r = viewer.get(f"/entities/{pid(seeded, GIRL)}/neighborhood", params={"depth": 2})
    assert r.status_code == 200
    text = r.text
    assert not leaks(text, strings)
    assert GIRL not in text
    body = r.json()
    centre = next(n for n in body["nodes"] if n["depth"] == 0)
    assert centre["name"].startswith("Victim ") and centre["redacted"] is True
    assert centre["aliases"] == [] and centre["properties"] == {}
    # the pseudonym is stable and can be followed
    again = viewer.get(f"/entities/{centre['id']}").json()
    assert again["name"] == centre["name"] and again["id"] == centre["id"]
    assert "age" not in json.dumps(again["properties"])
    # the edges still tell the story: two women exploited her
    exploiters = {e["from"] for e in body["edges"] if e["type"] == "EXPLOITED"}
    assert exploiters == {"per-woman-1-almaty", "per-woman-2-almaty"}
    assert {e["to"] for e in body["edges"] if e["type"] == "EXPLOITED"} == {centre["id"]}


def test_admin_sees_real_names_and_analyst_sees_adults(
    seeded: GraphDB, client_for: ClientFor
) -> None:
    strings = victim_strings(seeded)
    admin, analyst = client_for("admin"), client_for("analyst")
    for vid in VICTIMS:  # an admin may name them by real or pseudonymous id
        for ident in (vid, pid(seeded, vid)):
            seen = admin.get(f"/entities/{ident}").json()
            assert seen["name"] == strings[vid][0] and seen["original_id"] == vid
    girl = analyst.get(f"/entities/{pid(seeded, GIRL)}").json()
    assert girl["name"].startswith("Victim ") and strings[GIRL][0] not in json.dumps(girl)
    assert girl["properties"] == {} and girl["redacted"] is True
    assert analyst.get(f"/entities/{GIRL}").status_code == 404
    assert analyst.get(f"/entities/{MAN}").json()["name"] == strings[MAN][0]
    assert analyst.get(f"/entities/{MAN}").json()["properties"]["age"] == 40


def _fill(template: str, op: dict[str, Any], entity_id: str) -> tuple[str, dict[str, Any]]:
    path = template
    params: dict[str, Any] = {}
    for p in op.get("parameters", []):
        name, schema = p["name"], p.get("schema", {})
        if p["in"] == "path":
            path = path.replace("{" + name + "}", entity_id)
        elif p["in"] != "query":
            continue
        elif name in ("source", "target", "id", "entity_id", "center", "root", "node"):
            params[name] = entity_id
        elif name == "depth":
            params[name] = 2
        elif p.get("required"):
            enum = schema.get("enum") or [
                e for s in schema.get("anyOf", []) for e in s.get("enum", [])
            ]
            params[name] = enum[0] if enum else entity_id
    return path, params


def test_probe_every_get_endpoint_as_viewer_leaks_no_victim_name(
    seeded: GraphDB, client_for: ClientFor
) -> None:
    strings = victim_strings(seeded)
    viewer = client_for("viewer")
    calls = 0
    seen_ok = set()
    pseudo = tuple(pid(seeded, v) for v in VICTIMS)
    for method, template, op in operations(viewer):
        if method != "GET":
            continue
        for eid in (*pseudo, *VICTIMS, *OTHERS):
            path, params = _fill(template, op, eid)
            if "source" in params and "target" in params:  # victim ↔ someone, both ways
                params["target"] = OTHERS[0] if eid in pseudo else pseudo[0]
            r = viewer.get(path, params=params)
            calls += 1
            assert r.status_code < 500, (path, params, r.status_code, r.text[:300])
            found = leaks(r.text, strings)
            assert not found, (path, params, found)
            if r.status_code == 200:
                seen_ok.add(template)
            if path == template and not set(params) & {"source", "target", "id"}:
                break  # no id to vary
    assert "/entities/{entity_id}/neighborhood" in seen_ok
    assert calls >= 10


# -- audit ---------------------------------------------------------------------------------


def test_every_request_is_audited(seeded: GraphDB, client_for: ClientFor) -> None:
    viewer, admin, anon = client_for("viewer"), client_for("admin"), client_for("none")
    marker = f"audit-probe-{os.getpid()}-{id(viewer)}"
    calls = [
        (anon, "GET", "/entities", 401),
        (viewer, "GET", "/entities", 200),
        (viewer, "POST", "/cypher", 403),
        (viewer, "GET", f"/entities/{pid(seeded, GIRL)}/neighborhood", 200),
        (admin, "GET", "/entities/no-such-entity", 404),
    ]
    for client, method, path, status in calls:
        r = client.request(method, path, params={"marker": marker})
        assert r.status_code == status, (path, r.status_code)
    # requests with a valid key go to the main log, those without to the anonymous one
    main = admin.get("/audit", params={"limit": 500}).json()["records"]
    anonymous = admin.get("/audit", params={"limit": 500, "stream": "anonymous"}).json()
    mine = [x for x in main if x.get("query", {}).get("marker") == marker]
    theirs = [x for x in anonymous["records"] if x.get("query", {}).get("marker") == marker]
    assert [(x["method"], x["path"], x["status"]) for x in mine] == [
        (m, p, s) for c, m, p, s in calls if c is not anon
    ]
    assert [(x["method"], x["path"], x["status"]) for x in theirs] == [("GET", "/entities", 401)]
    assert theirs[0]["key_id"] is None and mine[0]["role"] == "viewer"
    assert mine[3]["role"] == "admin" and all(x["bytes"] > 0 for x in mine + theirs)
    assert all({"time", "key_id", "role", "query", "bytes", "ms"} <= set(x) for x in mine + theirs)


def test_audit_tail_cli_and_rotation(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from casegraph.api.audit import AuditLog

    log = AuditLog(tmp_path / "a.log", max_bytes=2000, keep=2)
    for i in range(200):
        log.record({"i": i, "path": "/x" * 5})
    log.sync()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["a.log", "a.log.1", "a.log.2"]
    last = log.tail(5)
    assert [x["i"] for x in last] == [195, 196, 197, 198, 199]
    # the command in this process (a unit test: no Neo4j, no second interpreter to start)
    monkeypatch.setenv("CASEGRAPH_AUDIT_PATH", str(tmp_path / "a.log"))
    monkeypatch.setenv("CASEGRAPH_AUDIT_KEEP", "2")
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli_app, ["audit", "tail", "-n", "3"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert [json.loads(x)["i"] for x in out.stdout.splitlines()] == [197, 198, 199]


# -- body limits ---------------------------------------------------------------------------


def test_oversized_bodies_get_413(
    seeded: GraphDB, settings: Settings, client_for: ClientFor
) -> None:
    admin = client_for("admin")
    big = "x" * (settings.max_json_bytes + 10)
    r = admin.post(
        "/apikeys",
        content=json.dumps({"role": "viewer", "name": big}),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["details"]["limit_bytes"] == settings.max_json_bytes

    def chunks() -> Any:  # no Content-Length: counted as it streams
        for _ in range(20):
            yield b"y" * (settings.max_json_bytes // 10)

    r = admin.post("/apikeys", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert seeded.read("MATCH (k:ApiKey {role: 'viewer'}) RETURN k") == []


def test_an_ingest_records_who_loaded_which_file(db: GraphDB, client_for: ClientFor) -> None:
    ingester, admin = client_for("ingester"), client_for("admin")
    records = [source("s-up", "upload"), entity("p-up", name="Uploaded Person", sources=["s-up"])]
    data = jsonl(records).encode()
    r = ingester.post("/ingest", files={"file": ("people-upload.jsonl", data)})
    assert r.status_code == 200, r.text[:300]
    who = ingester.headers["authorization"].split("_")[1]  # cg_<key_id>_<secret>
    runs = db.read("MATCH (r:IngestRun) RETURN r.file_name AS f, r.user AS u")
    assert any(x["f"] == "people-upload.jsonl" and who in x["u"] for x in runs), runs
    audit = admin.get("/audit", params={"limit": 50}).json()["records"]
    assert any(
        x["path"] == "/ingest"
        and x["key_id"] == who
        and x["role"] == "ingester"
        and x["status"] == 200
        for x in audit
    )
