"""The lean request path (issue 13), on the real Neo4j.

- ``/health`` answers from the state a background watch reads at least once a second: a
  hundred requests make no Bolt call of their own, and when Neo4j goes away (a TCP relay
  in front of it is closed) health says so within about a second, and recovers as fast.
- The answer cache of hot reads serves repeated reads without Neo4j, never serves an
  answer disclosed for one role to another, sees a write made here at once, and keeps the
  audit's redaction of a search for a protected person's name.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casegraph.api.app import create_app
from casegraph.api.context import context_of
from casegraph.graph.db import GraphDB
from casegraph.graph.stamp import STALE_AFTER, GraphState
from casegraph.settings import Settings
from tests.conftest import bearer
from tests.protection_support import CLI, key_env


class Relay:
    """A TCP relay from a local port to Neo4j's Bolt port; :meth:`cut` closes the port and
    every connection through it (Neo4j "goes away"), :meth:`resume` opens it again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._conns: list[socket.socket] = []
        self._server: socket.socket | None = None
        self.resume()

    def resume(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self._server is not None:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self._server.close()
            self._server = None
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self._conns.clear()


@pytest.fixture
def relayed(settings: Settings, protection_key_text: str) -> Iterator[tuple[Relay, Settings]]:
    host, port = settings.neo4j_uri.removeprefix("bolt://").split(":")
    relay = Relay((host, int(port)))
    yield relay, settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{relay.port}"})
    relay.cut()


def wait_for(client: TestClient, status: int, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if client.get("/health").status_code == status:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"/health did not answer {status} within {within} s")


def test_health_answers_from_state_without_a_bolt_call_per_request(
    relayed: tuple[Relay, Settings],
) -> None:
    relay, settings = relayed
    db = GraphDB.from_settings(settings)
    sessions = 0
    real_session = db.session

    def counting_session(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal sessions
        sessions += 1
        return real_session(*args, **kwargs)

    db.session = counting_session  # type: ignore[method-assign]
    app = create_app(db=db, settings=settings)
    try:
        with TestClient(app) as client:
            wait_for(client, 200, within=10.0)
            watch = context_of(app).watch
            assert watch.interval <= 1.0
            before, started = sessions, time.monotonic()
            for _ in range(100):
                resp = client.get("/health")
                assert resp.status_code == 200
                assert resp.json()["neo4j"]["checked_ms_ago"] <= 2000
            polls = sessions - before
            # the watch's own polls only (one per interval), never one per request
            assert polls <= (time.monotonic() - started) / watch.interval + 2 < 100
            relay.cut()  # Neo4j goes away
            assert wait_for(client, 503, within=3.0) <= 1.5
            assert "unavailable" in client.get("/health").json()["error"]["message"]
            relay.resume()
            assert wait_for(client, 200, within=8.0) <= 7.0
    finally:
        db.close()


def test_the_answer_cache_never_crosses_roles(seeded: GraphDB, settings: Settings) -> None:
    admin, viewer = bearer(seeded, "admin"), bearer(seeded, "viewer")
    app = create_app(db=seeded, settings=settings)
    girl = "Unnamed 16-year-old girl"
    urls = [
        "/entities/case-almaty-sexual-exploitation/neighborhood?depth=1",
        "/entities?q=girl&limit=50",
        "/entities?q=" + girl,
        "/analytics/centrality?measure=degree&top=50",
    ]
    with TestClient(app) as client:
        answers = context_of(app).answers
        wait_for(client, 200, within=5.0)  # the watch has a stamp
        for url in urls:
            first_admin = client.get(url, headers=admin)
            assert first_admin.status_code == 200
            assert girl in first_admin.text, url
            hits = answers.hits
            for _ in range(2):
                seen_by_viewer = client.get(url, headers=viewer)
                assert seen_by_viewer.status_code == 200
                shown = {k: v for k, v in seen_by_viewer.json().items() if k != "query"}
                assert girl not in json.dumps(shown, ensure_ascii=False), url
            assert answers.hits == hits + 1  # the viewer's second read, from her own entry
            again = client.get(url, headers=admin)
            assert again.content == first_admin.content
            assert answers.hits == hits + 2
        # an anonymous caller is refused before the cache is asked
        assert client.get(urls[0]).status_code == 401


def test_a_write_by_another_process_is_seen_at_once(
    seeded: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    """The cache reads the graph stamp on each request: a write made elsewhere (here, the
    CLI's ``db reset`` and ``seed`` in a subprocess, which restart the write counter from
    1) is never hidden by an answer kept before it."""
    admin = bearer(seeded, "admin")
    app = create_app(db=seeded, settings=settings)
    with TestClient(app, headers=admin) as client:
        wait_for(client, 200, within=5.0)
        url = "/entities/org-questra-world"
        assert client.get(url).json()["name"] == "Questra World"
        assert client.get(url).json()["name"] == "Questra World"
        seeded.write(
            "MATCH (n:Entity {id: $id}) SET n.name = 'Questra World (renamed)'",
            {"id": "org-questra-world"},
        )
        seeded.bump_graph_version()  # as every write path does
        assert client.get(url).json()["name"] == "Questra World (renamed)"
        env = {**os.environ, **key_env(settings)}
        for command in (["db", "reset", "--yes"], ["seed"]):
            done = subprocess.run([*CLI, *command], env=env, capture_output=True, timeout=300)
            assert done.returncode == 0, done.stderr
        admin = bearer(seeded, "admin")  # the reset deleted the keys too
        assert client.get(url, headers=admin).json()["name"] == "Questra World"


def test_a_cached_ranking_follows_the_graph(seeded: GraphDB, settings: Settings) -> None:
    """A ranking is kept like a neighborhood: served again while the graph is unchanged,
    and computed again after a write."""
    app = create_app(db=seeded, settings=settings)
    url = "/analytics/centrality?measure=degree&top=50"

    def degree_of(client: TestClient, entity: str) -> float:
        ranking = client.get(url).json()["results"]
        return next(r["score"] for r in ranking if r["id"] == entity)

    with TestClient(app, headers=bearer(seeded, "admin")) as client:
        wait_for(client, 200, within=5.0)
        answers = context_of(app).answers
        before = degree_of(client, "org-questra-world")
        hits = answers.hits
        assert degree_of(client, "org-questra-world") == before
        assert answers.hits == hits + 1
        seeded.write(
            "MATCH (o:Entity {id: 'org-questra-world'}) "
            "CREATE (:Entity:Person {id: 'person-new-recruit', name: 'New Recruit'})"
            "-[:AFFILIATED_WITH]->(o)"
        )
        seeded.bump_graph_version()  # as every write path does
        assert degree_of(client, "org-questra-world") > before


def test_a_cached_search_for_a_protected_name_is_audited_as_a_hash(
    seeded: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    own = settings.model_copy(update={"audit_path": tmp_path / "audit.log"})
    admin = bearer(seeded, "admin")
    app = create_app(db=seeded, settings=own)
    girl = "Unnamed 16-year-old girl"
    with TestClient(app, headers=admin) as client:
        wait_for(client, 200, within=5.0)
        hits = context_of(app).answers.hits
        for _ in range(3):
            assert girl in client.get("/entities", params={"q": girl}).text
        assert context_of(app).answers.hits == hits + 2
        # refused for an unknown kind: still kept as a hash
        assert client.get("/entities", params={"q": girl, "label": "Bogus"}).status_code == 422
        context_of(app).audit.sync()
    records = [json.loads(line) for line in own.audit_path.read_text().splitlines()]
    searches = [r for r in records if r.get("path") == "/entities"]
    assert len(searches) == 4
    assert girl not in own.audit_path.read_text()
    assert "16-year-old" not in own.audit_path.read_text()


def test_a_delayed_poll_is_not_neo4j_down(db: GraphDB, settings: Settings) -> None:
    """Under heavy load the watch's thread may get no turn for a second or two: health
    keeps answering from the last good state (with its age) until STALE_AFTER; a state
    older than that, or a failed poll, is a 503."""
    app = create_app(db=db, settings=settings)
    with TestClient(app) as client:
        watch = context_of(app).watch
        watch.stop()  # no poll from here on: the test sets the state itself
        now = time.monotonic()
        watch._state = GraphState(up=True, checked_at=now - 4.0, version="x", edition="y")
        late = client.get("/health")
        assert late.status_code == 200, late.text
        assert late.json()["neo4j"]["checked_ms_ago"] >= 4000
        watch._state = GraphState(up=True, checked_at=now - STALE_AFTER - 1, version="x")
        assert client.get("/health").status_code == 503
        watch._state = GraphState(up=False, checked_at=time.monotonic(), error="refused")
        down = client.get("/health")
        assert down.status_code == 503 and "refused" in down.json()["error"]["message"]
