"""An audit no one can flush, on the real Neo4j: anonymous floods cannot evict or drown the
records of authenticated requests, records carry what was asked (Cypher, saved query,
upload), protected search terms stay hashed, and ``X-Forwarded-For`` is believed only
from trusted proxies."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from casegraph.api.app import create_app
from casegraph.api.audit import AuditLog, anonymous_path
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings
from tests.conftest import bearer
from tests.serving_support import ServedApp


@pytest.fixture
def audit_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The session's settings with an audit log of this test's own."""
    return settings.model_copy(update={"audit_path": tmp_path / "audit" / "audit.log"})


def records(path: Path) -> list[dict[str, Any]]:
    """Every record of the log at ``path`` and its rotated files, oldest first."""
    files = sorted(
        path.parent.glob(path.name + "*"),
        key=lambda p: -int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0,
    )
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]


def make_client(app: FastAPI, db: GraphDB | None, role: str, **kwargs: Any) -> TestClient:
    headers = bearer(db, role) if db is not None and role != "none" else {}
    return TestClient(app, headers=headers, **kwargs)


# -- floods -------------------------------------------------------------------------------


def test_anonymous_flood_cannot_evict_an_authenticated_record(
    db: GraphDB, audit_settings: Settings
) -> None:
    """The attack of the issue: 1,800 unauthenticated requests with 60 KB query strings
    (over HTTP, on one connection) after an authenticated one."""
    app = create_app(db=db, settings=audit_settings)
    main = audit_settings.audit_path
    long_query = "q=" + "x" * 60_000
    with ServedApp(app, audit_settings) as served, served.connect() as conn:
        assert conn.get("/entities?q=before-the-flood", bearer(db, "viewer")) == 200
        started = time.monotonic()
        for i in range(1_800):
            spoof = {"X-Forwarded-For": f"10.9.{i % 250}.{i // 250}"}
            assert conn.get(f"/entities?{long_query}&n={i}", spoof) == 401
        elapsed = time.monotonic() - started
    app.state.context.audit.sync()

    kept = records(main)
    assert [x["query"] for x in kept] == [{"q": "before-the-flood"}]
    assert kept[0]["role"] == "viewer" and kept[0]["status"] == 200
    assert sorted(p.name for p in main.parent.iterdir()) == ["audit-anonymous.log", "audit.log"]

    anon_path = anonymous_path(main)
    flood = records(anon_path)
    lines = [x for x in flood if x.get("path") == "/entities"]
    summaries = [x for x in flood if x.get("event") == "anonymous-requests-suppressed"]
    # one client (X-Forwarded-For from an untrusted peer is ignored): its burst, then what
    # its rate allowed during the flood; the rest is counted, not written
    burst, rate = audit_settings.audit_anonymous_burst, audit_settings.audit_anonymous_rate
    assert burst <= len(lines) <= burst + elapsed * rate + 1
    assert sum(s["suppressed"] for s in summaries) == 1_800 - len(lines)
    assert {s["client"] for s in summaries} == {"127.0.0.1"}
    assert anon_path.stat().st_size < 3_000 * (len(lines) + len(summaries))  # 108 MB asked
    first = lines[0]
    raw = f"{long_query}&n=0"
    assert first["query_truncated"] == {
        "length": len(raw),
        "sha256": hashlib.sha256(raw.encode()).hexdigest(),
    }
    assert len(json.dumps(first)) < 3_000 and first["key_id"] is None


def test_an_anonymous_flood_from_many_addresses_stays_bounded(
    db: GraphDB, audit_settings: Settings
) -> None:
    """Many clients (behind a trusted proxy) each get their burst, but the anonymous log
    rotates within its own small bound and the main log is never touched."""
    small = audit_settings.model_copy(
        update={
            "trusted_proxies": "127.0.0.1",
            "audit_anonymous_max_bytes": 50_000,
            "audit_anonymous_keep": 1,
        }
    )
    app = create_app(db=db, settings=small)
    with ServedApp(app, small) as served, served.connect() as conn:
        assert conn.get("/health?marker=kept", bearer(db, "admin")) == 200
        for i in range(600):
            xff = {"X-Forwarded-For": f"198.51.{i // 200}.{i % 200}"}
            assert conn.get(f"/entities?q={'y' * 5_000}", xff) == 401
    app.state.context.audit.sync()
    anon = anonymous_path(small.audit_path)
    files = list(anon.parent.glob(anon.name + "*"))
    assert len(files) == 2  # the current file and one rotated: 1.4 MB of records asked for
    assert all(f.stat().st_size <= 50_000 + 3_000 for f in files)
    assert len({x["client"] for x in records(anon)}) > 10
    assert [x["query"] for x in records(small.audit_path)] == [{"marker": "kept"}]


def test_long_paths_are_cut_with_length_and_hash(db: GraphDB, audit_settings: Settings) -> None:
    app = create_app(db=db, settings=audit_settings)
    path = "/" + "p" * 10_000
    with make_client(app, db, "admin") as admin:
        assert admin.get(path).status_code == 404
    app.state.context.audit.sync()
    (record,) = records(audit_settings.audit_path)
    assert record["path"] == path[:2048]
    assert record["path_truncated"] == {
        "length": len(path),
        "sha256": hashlib.sha256(path.encode()).hexdigest(),
    }


def test_rotation_keeps_every_record_within_keep(tmp_path: Path) -> None:
    """Two writers (as two worker processes) share one log with tiny files: every record is
    kept exactly once, and no file is rotated away before it is full."""
    path = tmp_path / "audit.log"
    one = AuditLog(path, max_bytes=4_000, keep=10_000)
    two = AuditLog(path, max_bytes=4_000, keep=10_000)

    def write(log: AuditLog, who: str) -> None:
        for i in range(1_500):
            log.record({"who": who, "i": i, "pad": "z" * 40})

    threads = [threading.Thread(target=write, args=(log, w)) for log, w in ((one, "a"), (two, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    one.sync(120)
    two.sync(120)
    got = records(path)
    assert sorted((x["who"], x["i"]) for x in got) == sorted(
        (w, i) for w in "ab" for i in range(1_500)
    )
    rotated = [p for p in tmp_path.iterdir() if p.name != "audit.log"]
    assert len(rotated) > 20
    assert all(p.stat().st_size >= 4_000 for p in rotated)


# -- what records carry -------------------------------------------------------------------


def test_records_carry_cypher_text_and_parameters(db: GraphDB, audit_settings: Settings) -> None:
    app = create_app(db=db, settings=audit_settings)
    query = "MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id LIMIT $n"
    params = {"name": "Questra World", "n": 3}
    with make_client(app, db, "analyst") as analyst:
        assert analyst.post("/cypher", json={"query": query, "params": params}).status_code == 200
        bad = analyst.post("/cypher", json={"query": "MATCH (n RETURN n", "params": {"k": 1}})
        assert bad.status_code == 422
    app.state.context.audit.sync()
    ran, refused = records(audit_settings.audit_path)
    assert (ran["path"], ran["cypher"], ran["params"], ran["role"]) == (
        "/cypher",
        query,
        params,
        "analyst",
    )
    assert (refused["status"], refused["cypher"], refused["params"]) == (
        422,
        "MATCH (n RETURN n",
        {"k": 1},
    )


def test_records_carry_the_saved_query_name_and_parameters(
    seeded: GraphDB, audit_settings: Settings
) -> None:
    app = create_app(db=seeded, settings=audit_settings)
    with make_client(app, seeded, "analyst") as analyst:
        r = analyst.post("/queries/case-bridges/run", json={"params": {"min_cases": 2}})
        assert r.status_code == 200, r.text[:300]
    app.state.context.audit.sync()
    (record,) = records(audit_settings.audit_path)
    assert record["saved_query"] == "case-bridges"
    assert record["params"] == {"min_cases": 2}
    assert record["path"] == "/queries/case-bridges/run" and record["status"] == 200


def test_records_carry_the_uploaded_files_name_size_and_sha256(
    db: GraphDB, audit_settings: Settings
) -> None:
    app = create_app(db=db, settings=audit_settings)
    good = (
        json.dumps({"kind": "source", "id": "s-a", "title": "audit upload"})
        + "\n"
        + json.dumps(
            {
                "kind": "entity",
                "id": "o-a",
                "label": "Organization",
                "name": "Audit Org",
                "sources": ["s-a"],
            }
        )
        + "\n"
    ).encode()
    bad = b'{"kind": "entity", "id": "x"}\n'
    with make_client(app, db, "ingester") as ingester:
        assert (
            ingester.post("/ingest", files={"file": ("audited upload.jsonl", good)}).status_code
            == 200
        )
        assert ingester.post("/ingest", files={"file": ("refused.jsonl", bad)}).status_code == 422
    app.state.context.audit.sync()
    loaded, refused = records(audit_settings.audit_path)
    assert loaded["files"] == [
        {
            "name": "audited upload.jsonl",
            "bytes": len(good),
            "sha256": hashlib.sha256(good).hexdigest(),
        }
    ]
    assert loaded["format"] == "auto" and loaded["role"] == "ingester"
    assert refused["status"] == 422
    assert refused["files"] == [
        {"name": "refused.jsonl", "bytes": len(bad), "sha256": hashlib.sha256(bad).hexdigest()}
    ]


def test_a_route_can_keep_a_search_term_as_a_keyed_hash(
    db: GraphDB, audit_settings: Settings
) -> None:
    """The hook a search for a protected name uses: ``request.state.audit_redact``."""
    app = create_app(db=db, settings=audit_settings)
    clear = "Aigerim Protected-Name"

    @app.get("/redact-probe")
    def probe(request: Request, q: str) -> dict[str, str]:
        request.state.audit_redact = {"q": "hmac:3f9a12"}
        request.state.audit_extra = {"params": {"q": q, "limit": 5}}
        return {"ok": "yes"}

    with make_client(app, db, "admin") as admin:
        assert admin.get("/redact-probe", params={"q": clear}).status_code == 200
        long = clear + " " + "w" * 5_000
        assert admin.get("/redact-probe", params={"q": long, "x": "1"}).status_code == 200
    app.state.context.audit.sync()
    short, cut = records(audit_settings.audit_path)
    assert short["query"] == {"q": "hmac:3f9a12"}
    assert short["params"] == {"q": "hmac:3f9a12", "limit": 5}
    assert cut["query"]["q"] == "hmac:3f9a12"
    assert "sha256" not in cut["query_truncated"]  # a hash of the clear text would leak it
    assert "Aigerim" not in audit_settings.audit_path.read_text("utf-8")


# -- client addresses ---------------------------------------------------------------------


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    db: GraphDB, audit_settings: Settings
) -> None:
    trusting = audit_settings.model_copy(update={"trusted_proxies": "10.0.0.0/8, 192.0.2.1"})
    app = create_app(db=db, settings=trusting)
    spoof = {"X-Forwarded-For": "203.0.113.7, 10.2.3.4"}
    with make_client(app, db, "viewer", client=("10.0.0.5", 1234)) as via_proxy:
        via_proxy.get("/health", params={"from": "proxy"}, headers=spoof)
    with make_client(app, db, "viewer", client=("198.51.100.9", 1234)) as direct:
        direct.get("/health", params={"from": "direct"}, headers=spoof)
    app.state.context.audit.sync()
    proxied, direct_record = records(trusting.audit_path)
    assert (proxied["client"], proxied["peer"]) == ("203.0.113.7", "10.0.0.5")
    assert direct_record["client"] == "198.51.100.9" and "peer" not in direct_record


def test_the_server_ignores_forwarded_for_unless_configured(
    db: GraphDB, audit_settings: Settings
) -> None:
    """``casegraph serve``'s uvicorn settings: uvicorn's own proxy handling (which trusts
    127.0.0.1 by default) is off, so only CASEGRAPH_TRUSTED_PROXIES counts."""
    headers = {**bearer(db, "viewer"), "X-Forwarded-For": "203.0.113.99"}
    with ServedApp(create_app(db=db, settings=audit_settings), audit_settings) as served:
        assert httpx.get(f"{served.url}/health", headers=headers).status_code == 200
    trusting = audit_settings.model_copy(
        update={
            "trusted_proxies": "127.0.0.1",
            "audit_path": audit_settings.audit_path.with_name("b.log"),
        }
    )
    with ServedApp(create_app(db=db, settings=trusting), trusting) as served:
        assert httpx.get(f"{served.url}/health", headers=headers).status_code == 200
    (plain,) = records(audit_settings.audit_path)
    (believed,) = records(trusting.audit_path)
    assert plain["client"] == "127.0.0.1" and "peer" not in plain
    assert (believed["client"], believed["peer"]) == ("203.0.113.99", "127.0.0.1")
