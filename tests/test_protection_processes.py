"""Several processes over one graph: two ``casegraph serve`` processes and the command line,
sharing the Neo4j and the protection key (nothing else).

``casegraph db reset --yes`` and a reload while both servers run: the new minor stays hidden
from a viewer on both, both give the same pseudonym for the same person (the one this
test's own process computes, the same as before the reset), and both decrypt her for an
admin.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.protection_support import (
    AIGERIM,
    CASE_ID,
    CLI,
    MADINA,
    Finder,
    Server,
    answer_text,
    case_file,
    key_env,
    write_jsonl,
)


@pytest.fixture
def servers(db: GraphDB, settings: Settings, tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            env = {
                **os.environ,
                **key_env(settings),
                "CASEGRAPH_AUDIT_PATH": str(tmp_path / f"audit-{name}.log"),
            }
            started.append(Server(env, tmp_path / f"serve-{name}.log"))
        for server in started:
            server.wait()
        yield started
    finally:
        for server in started:
            server.stop()


def _get(server: Server, key: str, path: str, **params: str | int) -> httpx.Response:
    return httpx.get(
        server.url + path, params=params, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


def _hidden_ids(server: Server, key: str) -> set[str]:
    r = _get(server, key, "/entities", label="Person", limit=500)
    assert r.status_code == 200, r.text
    return {e["id"] for e in r.json()["results"] if e.get("redacted")}


def test_reset_and_reload_with_two_servers_running(
    db: GraphDB, settings: Settings, servers: list[Server], tmp_path: Path
) -> None:
    key = db.protection_key
    aigerim, madina = key.pseudo_id(AIGERIM.id), key.pseudo_id(MADINA.id)
    ingest_file(db, write_jsonl(tmp_path / "first.jsonl", case_file(AIGERIM)))
    viewer = create_key(db, "viewer", "processes").key
    before = [_hidden_ids(s, viewer) for s in servers]
    assert before == [{aigerim}, {aigerim}]

    env = {**os.environ, **key_env(settings)}
    reset = subprocess.run(
        [*CLI, "db", "reset", "--yes"], env=env, capture_output=True, text=True, timeout=300
    )
    assert reset.returncode == 0, reset.stderr
    assert db.read("MATCH (n:Entity) RETURN count(n) AS n") == [{"n": 0}]
    second = write_jsonl(tmp_path / "second.jsonl", case_file(MADINA, AIGERIM))
    load = subprocess.run(
        [*CLI, "ingest", str(second)], env=env, capture_output=True, text=True, timeout=300
    )
    assert load.returncode == 0, load.stderr

    viewer = create_key(db, "viewer", "after-reset").key  # the reset deleted the keys too
    admin = create_key(db, "admin", "after-reset").key
    find = Finder(MADINA.needles() | AIGERIM.needles())
    for server in servers:
        # the same pseudonyms in both servers, in this process and before the reset
        assert _hidden_ids(server, viewer) == {aigerim, madina}, server.url
        answers = [
            _get(server, viewer, "/entities", label="Person", limit=500),
            _get(server, viewer, "/entities", q="Оразбаева"),
            _get(server, viewer, "/entities", q="Madina Orazbayeva"),
            _get(server, viewer, "/entities", q=""),
            _get(server, viewer, f"/entities/{madina}"),
            _get(server, viewer, f"/entities/{madina}/neighborhood"),
            _get(server, viewer, f"/entities/{CASE_ID}/neighborhood"),
            _get(server, viewer, f"/entities/{MADINA.id}"),
        ]
        for r in answers:
            assert r.status_code in (200, 404), (server.url, r.text[:300])
            text = answer_text(r).replace(MADINA.id, "")  # the id sent comes back in a 404
            assert find(text) == set(), (server.url, str(r.url), r.text[:500])
        assert answers[-1].status_code == 404  # her real id: as unknown
        assert answers[4].json()["redacted"] is True
        # both processes hold the key that opens her: an admin sees her on each
        page = _get(server, admin, f"/entities/{madina}").json()
        assert page["name"] == MADINA.name and page["original_id"] == MADINA.id
