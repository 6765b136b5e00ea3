"""Resilience: hostile input, Cypher-breaking strings, a killed ingest, Neo4j going away.

All on the real Neo4j. The fault test starts a SECOND Neo4j of its own, stops it and starts
it again on the same port and data directory (the session server is left alone).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from casegraph import local_neo4j
from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.errors import CasegraphError, ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.builders import entity, rel, source, write_jsonl
from tests.conftest import free_port

ClientFor = Callable[[str], TestClient]

NASTY = (
    "'",
    '"',
    "`",
    "\\",
    "//",
    "}",
    "{",
    "x` DETACH DELETE n //",
    "Person`) DETACH DELETE (n) //",
    "') MATCH (n) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n //',
    "} RETURN 1 //",
    "$param",
    "a\nb",
    "\u0000",
)

COUNT_ALL = "MATCH (n:Entity) RETURN count(n) AS n"
COUNT_RELS = "MATCH ()-[r]->() RETURN count(r) AS n"


def counts(db: GraphDB) -> tuple[int, int]:
    return db.read(COUNT_ALL)[0]["n"], db.read(COUNT_RELS)[0]["n"]


# -- hostile ingest input --------------------------------------------------------------------

_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(NASTY),
)
_json = st.recursive(
    _scalar,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_record = st.fixed_dictionaries(
    {"kind": st.sampled_from(["source", "entity", "relationship", "Entity", "", "x"])},
    optional={
        "id": st.one_of(st.sampled_from(["p-1", "p-2", "s-1", *NASTY]), _json),
        "label": st.one_of(st.sampled_from(["Person", "Location", "Organization", *NASTY]), _json),
        "type": st.one_of(st.sampled_from(["LEADS", "MEMBER_OF", "PAID", *NASTY]), _json),
        "name": st.one_of(st.text(max_size=30), st.sampled_from(NASTY), _json),
        "from": st.one_of(st.sampled_from(["p-1", "p-2", *NASTY]), _json),
        "to": st.one_of(st.sampled_from(["p-1", "p-2", *NASTY]), _json),
        "aliases": _json,
        "properties": _json,
        "sources": st.one_of(st.just(["s-1"]), _json),
        "title": st.text(max_size=10),
    },
)
_line = st.one_of(
    _record.map(lambda r: json.dumps(r, allow_nan=True)),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=st.lists(_line, min_size=0, max_size=8))
def test_hostile_jsonl_is_refused_whole_or_loaded(
    db: GraphDB, tmp_path: Path, lines: list[str]
) -> None:
    """Random and hostile lines: a :class:`ValidationFailed` that changes nothing, or a
    clean load; never another exception, never a partial write."""
    path = tmp_path / "hostile.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", errors="surrogatepass"))
    before = counts(db)
    try:
        ingest_file(db, path)
    except ValidationFailed as exc:
        assert exc.errors and all(e.reason for e in exc.errors)
        assert counts(db) == before
    except CasegraphError as exc:  # pragma: no cover - reported with its reason
        pytest.fail(f"{type(exc).__name__} instead of ValidationFailed: {exc.message}")


def test_cypher_breaking_strings_are_refused_or_plain_values(
    db: GraphDB, tmp_path: Path, client_for: ClientFor
) -> None:
    """Every nasty string in every id, name, property, label and type position of the
    ingester: labels/types are refused by the vocabulary, the rest stored verbatim."""
    src = source("s-1", "t")
    ok_lines = [src]
    for i, s in enumerate(NASTY):
        ok_lines.append(
            entity(
                f"p-{i}-{s}", "Person", f"name {s}", aliases=[s], props={"note": s}, sources=["s-1"]
            )
        )
    for i, s in enumerate(NASTY[1:], start=1):
        ok_lines.append(
            rel("ASSOCIATE_OF", f"p-0-{NASTY[0]}", f"p-{i}-{s}", {"relationship": s}, ["s-1"])
        )
    path = write_jsonl(tmp_path / "plain.jsonl", ok_lines)
    ingest_file(db, path)
    for i, s in enumerate(NASTY):
        row = db.read(
            "MATCH (p:Person {id: $id}) RETURN p.name AS name, p.note AS note, "
            "p.aliases AS aliases",
            {"id": f"p-{i}-{s}"},
        )
        assert row == [{"name": f"name {s}", "note": s, "aliases": [s]}], s
    assert (
        db.read("MATCH (:Person)-[r:ASSOCIATE_OF]->(:Person) RETURN count(r) AS n")[0]["n"]
        == len(NASTY) - 1
    )
    before = counts(db)
    for s in NASTY:
        for bad in (
            entity("x", s, "n", sources=["s-1"]),
            entity("x", f"Person{s}", "n", sources=["s-1"]),
            rel(s, "p-0-'", 'p-1-"', sources=["s-1"]),
            rel(f"LEADS{s}", "p-0-'", 'p-1-"', sources=["s-1"]),
        ):
            write_jsonl(path, [src, bad])
            with pytest.raises(ValidationFailed):
                ingest_file(db, path)
    assert counts(db) == before

    # the HTTP parameters: 4xx or plain values, never a 5xx, nothing changed
    analyst = client_for("analyst")
    for s in NASTY:
        for method, url, params in (
            ("GET", "/entities", {"q": s}),
            ("GET", "/entities", {"label": s}),
            ("GET", f"/entities/{quote(s, safe='')}", {}),
            ("GET", f"/entities/{quote(s, safe='')}/neighborhood", {}),
            ("GET", "/paths", {"source": s, "target": "p-0-'"}),
            ("GET", "/analytics/centrality", {"measure": s}),
        ):
            r = analyst.request(method, url, params=params)
            assert r.status_code < 500, (url, params, r.status_code, r.text[:200])
    found = analyst.get(f"/entities/{quote('p-3-' + NASTY[3], safe='')}")
    assert found.status_code == 200 and found.json()["aliases"] == [NASTY[3]]
    assert counts(db) == before


# -- a killed ingest -------------------------------------------------------------------------


def _big_file(path: Path, n_people: int = 6_000) -> None:
    people = [
        entity(f"k-{i}", "Person", f"Person {i}", sources=["s-kill"]) for i in range(n_people)
    ]
    chain = [
        rel("ASSOCIATE_OF", f"k-{i - 1}", f"k-{i}", sources=["s-kill"]) for i in range(1, n_people)
    ]
    write_jsonl(path, [source("s-kill", "kill test"), *people, *chain])


def test_ingest_killed_mid_file_then_rerun_equals_one_clean_load(
    db: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "big.jsonl"
    _big_file(path)
    env = {**os.environ, "CASEGRAPH_NEO4J_URI": settings.neo4j_uri, "CASEGRAPH_BATCH_SIZE": "100"}
    cmd = [sys.executable, "-m", "casegraph.cli", "ingest", str(path), "--json"]

    # the reference: one clean load
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    clean = counts(db)
    db.write("MATCH (n) DETACH DELETE n")

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    landed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        landed = db.read("MATCH (n:Person) WHERE n.id STARTS WITH 'k-' RETURN count(n) AS n")[0][
            "n"
        ]
        if landed > 0:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    partial = counts(db)
    assert landed > 0 and partial != clean, "the kill should land mid-file"

    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    assert counts(db) == clean


# -- Neo4j going away ------------------------------------------------------------------------


def test_neo4j_down_gives_503_and_service_resumes(settings: Settings) -> None:
    data = Path(tempfile.mkdtemp(prefix="casegraph-fault-neo4j-"))
    port = free_port()
    uri = local_neo4j.start(port, data, heap="256m", pagecache="64m")
    db = GraphDB(uri, connection_timeout=1.0, max_transaction_retry_time=1.0)
    try:
        db.wait_until_ready(60)
        init_schema(db)
        key = create_key(db, "viewer", "fault").key
        app = create_app(db=db, settings=settings)
        with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
            assert client.get("/entities").status_code == 200
            local_neo4j.stop(data)
            for url in ("/entities", "/entities/x/neighborhood", "/health"):
                r = client.get(url)
                assert r.status_code == 503, (url, r.status_code, r.text[:200])
                assert int(r.headers["retry-after"]) > 0
                assert r.json()["error"]["type"] == "DatabaseUnavailableError"
            local_neo4j.start(port, data, heap="256m", pagecache="64m")
            deadline = time.monotonic() + 60
            status = 0
            while time.monotonic() < deadline:
                status = client.get("/entities").status_code
                if status == 200:
                    break
                time.sleep(0.5)
            assert status == 200
            health = client.get("/health")
            assert health.status_code == 200 and health.json()["neo4j"]["status"] == "up"
    finally:
        db.close()
        local_neo4j.stop(data)
        shutil.rmtree(data, ignore_errors=True)


def test_values_neo4j_cannot_carry_are_422(seeded: GraphDB, client_for: ClientFor) -> None:
    """Found by schemathesis: a 70-bit integer or a lone UTF-16 surrogate in a JSON body
    is a bad request (422), not a server error."""
    analyst = client_for("analyst")
    for raw in (
        '{"query": "RETURN $x AS x", "params": {"x": 1180591620717411303424}}',
        '{"query": "RETURN $x AS x", "params": {"x": "\\udb54"}}',
        '{"query": "RETURN 1 AS \\udb54", "params": {}}',
    ):
        r = analyst.post("/cypher", content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 422, (raw, r.status_code, r.text[:200])
        assert r.json()["error"]["type"] == "InvalidRequestError"
    ok = analyst.post("/cypher", json={"query": "RETURN $x AS x", "params": {"x": 2**62}})
    assert ok.status_code == 200
