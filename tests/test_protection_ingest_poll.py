"""A viewer watching while victims are loaded: not one name, alias, nickname or birth date.

- 30,000 victims are ingested in many small batches; half are minors by their own
  properties, half are marked only by a ``VICTIM_IN`` relationship near the end of the file.
  Meanwhile a viewer polls search (by a victim's surname, in both scripts, and empty), the
  person listing, entity pages by real id (always 404) and by pseudonym, and the case's
  neighborhood. Every answer is searched for every victim's name words.
- ``casegraph ingest`` is killed with SIGKILL after some batches committed (among them
  people whose marking relationship was never written); the viewer polls throughout and
  after, and Neo4j read directly holds nothing of them in clear.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import IngestReport, ingest_file
from casegraph.settings import Settings
from tests.protection_support import (
    CLI,
    Finder,
    Victim,
    answer_text,
    graph_text,
    key_env,
    mass_file,
)

VICTIMS = 30_000
MIN_ANSWERS = 40  # a poll that saw fewer answers proves nothing


@dataclass
class Poller:
    """A viewer's requests, each answer searched for the victims' names."""

    client: TestClient
    victims: list[Victim]
    case_id: str
    find: Finder = field(init=False)
    answers: int = 0
    leaks: list[tuple[str, set[str] | str]] = field(default_factory=list)
    pseudonyms_seen: set[str] = field(default_factory=set)
    rng: random.Random = field(default_factory=lambda: random.Random(10))

    def __post_init__(self) -> None:
        self.find = Finder(set().union(*(v.needles() for v in self.victims)))

    def _get(self, url: str, **params: Any) -> Any:
        r = self.client.get(url, params=params)
        self.answers += 1
        if r.status_code >= 500:
            self.leaks.append((url, f"status {r.status_code}: {r.text[:200]}"))
        hits = self.find(answer_text(r))
        if hits:
            self.leaks.append((url, hits))
        return r

    def round(self) -> None:
        v = self.rng.choice(self.victims)
        self._get("/entities", q=v.name.split()[1])  # Latin surname
        self._get("/entities", q=v.aliases[0].split()[1])  # Cyrillic surname
        self._get("/entities", q=str(v.props["nickname"]))
        self._get("/entities", q="")
        listing = self._get("/entities", label="Person", limit=500)
        real = self._get(f"/entities/{v.id}")
        if real.status_code != 404:
            self.leaks.append((f"/entities/{v.id}", f"status {real.status_code}"))
        hidden = [e["id"] for e in listing.json().get("results", []) if e.get("redacted")]
        self.pseudonyms_seen.update(hidden)
        for pid in self.rng.sample(hidden, min(2, len(hidden))):
            self._get(f"/entities/{pid}")
            self._get(f"/entities/{pid}/neighborhood")
        self._get(f"/entities/{self.case_id}/neighborhood", limit=300)


def test_viewer_polling_during_a_30000_victim_ingest_sees_no_name(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    path, victims = mass_file(tmp_path / "mass.jsonl", VICTIMS)
    poller = Poller(client_for("viewer"), victims, "gen-case")
    commits = [0]
    result: dict[str, Any] = {}

    def progress(phase: str, n: int) -> None:
        if phase == "loading":
            commits[0] += 1

    def load() -> None:
        try:
            result["report"] = ingest_file(db, path, batch_size=5000, progress=progress)
        except BaseException as exc:  # handed to the test's thread
            result["error"] = exc

    loader = threading.Thread(target=load, name="ingest-30k")
    started = time.monotonic()
    loader.start()
    commit_points = set()
    while loader.is_alive():
        poller.round()
        commit_points.add(commits[0])
    loader.join()
    during = poller.answers
    poller.round()  # and once the ingest is over
    seconds = time.monotonic() - started
    print(
        f"\n30,000-victim ingest: {during} viewer answers polled during the ingest "
        f"(+{poller.answers - during} after), at {len(commit_points)} distinct commit points "
        f"of {commits[0]} batches, {len(poller.pseudonyms_seen)} pseudonyms seen, "
        f"{seconds:.1f} s; names seen: {len(poller.leaks)}"
    )
    assert "error" not in result, result.get("error")
    report: IngestReport = result["report"]
    assert report.counts.as_dict()["Person (protected)"] == {"written": VICTIMS}
    assert poller.leaks == []
    # the poll ran while the data changed, and saw the victims (as pseudonyms)
    assert during >= MIN_ANSWERS, during
    assert len(commit_points) >= 5, commit_points
    assert commits[0] >= 30
    assert len(poller.pseudonyms_seen) >= 100
    protected = db.read("MATCH (p:Person) WHERE p.protection IS NOT NULL RETURN count(p) AS n")
    assert protected == [{"n": VICTIMS}]


def test_sigkill_halfway_leaves_no_name_in_clear(
    db: GraphDB, settings: Settings, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    n = 6_000  # the command line writes protected people 2,000 to a transaction
    path, victims = mass_file(tmp_path / "kill.jsonl", n, prefix="kil", case_id="kil-case")
    poller = Poller(client_for("viewer"), victims, "kil-case")
    env = {**os.environ, **key_env(settings)}
    log = (tmp_path / "ingest.log").open("wb")
    proc = subprocess.Popen(
        [*CLI, "ingest", str(path)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    count = "MATCH (p:Person) WHERE p.id STARTS WITH 'victim-' RETURN count(p) AS n"
    deadline = time.monotonic() + 240
    stored = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            stored = db.read(count)[0]["n"]
            if stored >= 4_000:  # two batches in: the last ones are marked only later
                break
            poller.round()
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    assert running and stored >= 4_000, f"the kill should land mid-file ({stored} stored)"
    during = poller.answers
    for _ in range(3):
        poller.round()
    print(
        f"\nSIGKILL after {stored} of {n} victims stored: {during} viewer answers polled "
        f"during the ingest (+{poller.answers - during} after the kill); "
        f"names seen: {len(poller.leaks)}"
    )
    assert poller.leaks == []
    assert during >= 5

    key = db.protection_key
    rows = db.read(
        "MATCH (p:Person) WHERE p.id IN $ids RETURN count(p) AS n",
        {"ids": [key.pseudo_id(v.id) for v in victims[n // 2 :]]},
    )
    marked_later = rows[0]["n"]
    victim_in = db.read("MATCH ()-[r:VICTIM_IN]->() RETURN count(r) AS n")[0]["n"]
    # people whose VICTIM_IN was still to come are stored, and protected
    assert marked_later > 0 and victim_in < n // 2, (marked_later, victim_in)
    assert Finder(set().union(*(v.needles() for v in victims)))(graph_text(db)) == set()
    clear = db.read("MATCH (p:Person) WHERE p.id STARTS WITH 'kil-0' RETURN count(p) AS n")
    assert clear == [{"n": 0}], "no victim is stored under her real id"
