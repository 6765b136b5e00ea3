"""Two ``casegraph serve`` replicas over one Neo4j, with the shared audit sink.

What must agree across replicas, each through a real HTTP server in its own process: a key
made through one works on the other; a revocation made through one holds on the other
within ``CASEGRAPH_KEY_CACHE_SECONDS``; the audit records of both are readable from either
(and hold no protected name, in the answer or in the store); pseudonyms agree; a replica
with another protection key refuses to start. And the shared sink does not lose records
when Neo4j does not take them.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from casegraph.api.audit import AuditLog, SharedAuditSink
from casegraph.api.auth import create_key
from casegraph.graph.audit import check_protection_key
from casegraph.graph.db import GraphDB
from casegraph.graph.protection import ProtectionKey
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.protection_support import (
    AIGERIM,
    CLI,
    Finder,
    Server,
    case_file,
    key_env,
    write_jsonl,
)

KEY_TTL = 2.0


@pytest.fixture
def replicas(db: GraphDB, settings: Settings, tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            env = {
                **os.environ,
                **key_env(settings),
                "CASEGRAPH_AUDIT_PATH": str(tmp_path / f"audit-{name}.log"),
                "CASEGRAPH_AUDIT_SINK": "both",
                "CASEGRAPH_AUDIT_INSTANCE": f"replica-{name}",
                "CASEGRAPH_KEY_CACHE_SECONDS": str(KEY_TTL),
            }
            started.append(Server(env, tmp_path / f"serve-{name}.log"))
        for server in started:
            server.wait()
        yield started
    finally:
        for server in started:
            server.stop()


def _call(server: Server, key: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(
        method, server.url + path, headers={"Authorization": f"Bearer {key}"}, timeout=30, **kw
    )


def _audit(server: Server, admin: str, **params: Any) -> list[dict[str, Any]]:
    r = _call(server, admin, "GET", "/audit", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "neo4j"
    records: list[dict[str, Any]] = body["records"]
    return records


def _marked(records: list[dict[str, Any]], marker: str) -> set[str]:
    """The instances whose records hold a request with ``marker`` in its query."""
    return {r["instance"] for r in records if marker in json.dumps(r.get("query"))}


def test_two_replicas_share_keys_revocations_audit_and_pseudonyms(
    db: GraphDB, replicas: list[Server], tmp_path: Path
) -> None:
    a, b = replicas
    ingest_file(db, write_jsonl(tmp_path / "case.jsonl", case_file(AIGERIM)))
    admin = create_key(db, "admin", "replicas").key

    # a key made through one replica works on the other
    made = _call(a, admin, "POST", "/apikeys", json={"role": "viewer", "name": "r"})
    assert made.status_code == 201, made.text
    viewer, viewer_id = made.json()["key"], made.json()["key_id"]
    analyst = _call(b, admin, "POST", "/apikeys", json={"role": "analyst"}).json()["key"]
    for server in (a, b):
        assert _call(server, viewer, "GET", "/entities", params={"q": "x"}).status_code == 200
        assert _call(server, analyst, "GET", "/entities", params={"q": "x"}).status_code == 200

    # pseudonyms agree: the same hidden id on both, the one this process computes
    pid = db.protection_key.pseudo_id(AIGERIM.id)
    for server in (a, b):
        r = _call(server, viewer, "GET", "/entities", params={"label": "Person", "limit": 500})
        hidden = {e["id"] for e in r.json()["results"] if e.get("redacted")}
        assert hidden == {pid}, server.url
        page = _call(server, admin, "GET", f"/entities/{pid}").json()
        assert page["name"] == AIGERIM.name, server.url

    # audits from both are readable from either, with no protected name in them
    assert _call(a, viewer, "GET", "/entities", params={"q": "marker-from-a"}).status_code == 200
    assert _call(b, viewer, "GET", "/entities", params={"q": "marker-from-b"}).status_code == 200
    assert _call(b, viewer, "GET", "/entities", params={"q": AIGERIM.name}).status_code == 200
    find = Finder(AIGERIM.needles())
    deadline = time.monotonic() + 10
    for server in (a, b):
        while True:
            records = _audit(server, admin)
            seen = (_marked(records, "marker-from-a"), _marked(records, "marker-from-b"))
            # the search for her name was sent after the markers: wait for its record too
            named = any(
                str(r["query"].get("q", "")).startswith("hmac:")
                for r in records
                if r["instance"] == "replica-b" and r.get("role") == "viewer"
            )
            if (seen == ({"replica-a"}, {"replica-b"}) and named) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert seen == ({"replica-a"}, {"replica-b"}), server.url
        assert find(json.dumps(records, ensure_ascii=False)) == set(), server.url
        hashed = [r for r in records if r["instance"] == "replica-b" and r.get("role") == "viewer"]
        assert any(str(r["query"].get("q", "")).startswith("hmac:") for r in hashed)
    # in the store they are sealed: no marker, no name, no path in clear
    stored = json.dumps(
        db.read("MATCH (r:AuditRecord) RETURN properties(r) AS p"), ensure_ascii=False
    )
    assert "marker-from-a" not in stored and "/entities" not in stored
    assert find(stored) == set()
    # Cypher through the API may not name them, whatever the role
    for key in (analyst, admin):
        r = _call(a, key, "POST", "/cypher", json={"query": "MATCH (r:AuditRecord) RETURN r"})
        assert r.status_code == 403, r.text
    # the local file of each still has its own records only
    assert _call(a, admin, "GET", "/audit", params={"source": "file"}).json()["source"] == ("file")

    # a revocation through one holds on the other within the key cache time
    assert _call(b, viewer, "GET", "/entities", params={"q": "y"}).status_code == 200  # cached
    revoked = _call(a, admin, "DELETE", f"/apikeys/{viewer_id}")
    assert revoked.status_code == 200, revoked.text
    t0 = time.monotonic()
    assert _call(a, viewer, "GET", "/entities", params={"q": "y"}).status_code == 401  # at once
    while _call(b, viewer, "GET", "/entities", params={"q": "y"}).status_code != 401:
        assert time.monotonic() - t0 < KEY_TTL + 1.0, "revocation not seen in time"
        time.sleep(0.1)
    assert time.monotonic() - t0 <= KEY_TTL + 1.0


def test_a_replica_with_another_protection_key_refuses_to_start(
    db: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    check_protection_key(db, db.protection_key)  # what the first server records
    other = ProtectionKey.from_text("A" * 43 + "=")
    with pytest.raises(Exception, match="not the one the graph was written with"):
        check_protection_key(db, other)
    env = {
        **os.environ,
        **key_env(settings),
        "CASEGRAPH_PROTECTION_KEY": "A" * 43 + "=",
        "CASEGRAPH_AUDIT_PATH": str(tmp_path / "audit.log"),
    }
    done = subprocess.run(
        [*CLI, "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2  # a configuration error
    assert "protection key" in done.stderr and "refusing to start" in done.stderr


def test_the_shared_sink_falls_back_to_the_file_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    down = GraphDB(
        "bolt://127.0.0.1:1",
        connection_timeout=0.3,
        max_transaction_retry_time=0.3,
        protection_key=ProtectionKey(bytes(32)),
    )
    logs = {"main": AuditLog(tmp_path / "audit.log")}
    sink = SharedAuditSink(down, logs.__getitem__, instance="x")
    sink.BACKOFF = (0.0, 0.0, 0.0)
    caplog.set_level(logging.ERROR, logger="casegraph.audit")
    try:
        sink.record({"path": "/entities", "status": 200}, "main")
        sink.sync(30)
        logs["main"].sync()
        kept = logs["main"].tail(5)
        assert [(r["path"], r["shared_sink_failed"]) for r in kept] == [("/entities", True)]
        assert sink.diverted == 1 and sink.written == 0
        assert any("not written to the shared sink" in m for m in caplog.messages)
    finally:
        sink.close()
        logs["main"].close()
        down.close()
