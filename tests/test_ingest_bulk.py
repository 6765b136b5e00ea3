"""``casegraph ingest --bulk``: a new database through Neo4j's import tool, the same graph
as the online ingest.

- The seed dataset, and a file with victims (minors, a victim role, each marking
  relationship), repeated records, awkward text and a generated network, give the same
  graph loaded online into the test Neo4j and bulk-built into a database of their own:
  every label, property and relationship (sealed values compared opened, since each seal
  has its own nonce), the ``IngestRun`` but its times and id.
- In the bulk-built store no victim's name is found, through Cypher or in its files.
- A bad file is refused whole, every error listed, nothing made; a folder that holds a
  database is refused without ``--replace``, and so is one whose Neo4j runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from casegraph import local_neo4j
from casegraph.cli import app
from casegraph.errors import ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.graph.protected_writes import REL_AAD, SEALED_TEXT
from casegraph.graph.protection import ProtectionKey
from casegraph.ingest.bulk import bulk_ingest
from casegraph.ingest.pipeline import ingest_file
from casegraph.ingest.seed import seed_path
from tests.protection_support import (
    AIGERIM,
    CASE_ID,
    CITY_ID,
    MADINA,
    SUSPECT,
    ZHANAR,
    Finder,
    Victim,
    entity,
    graph_text,
    rel,
    source,
    write_jsonl,
)

ROOT = Path(__file__).resolve().parent.parent
# Each test builds or starts a database of its own beside the session's: minutes on a
# loaded machine.
pytestmark = pytest.mark.timeout(1200)
# Marked only by a relationship (EXPLOITED points at him), and by his own role.
MARAT = Victim("kz-adult-marat", "Marat Zhaksybekov", ("Марат Жаксыбеков",), {"age": 40})
DANA = Victim("kz-adult-dana", "Dana Sultanbekova", (), {"role": "victim of forced labor"})
VICTIMS = (AIGERIM, ZHANAR, MADINA, MARAT, DANA)
FARM = "kz-farm-owner"
ORG = "kz-org-questra"


def victims_file(path: Path) -> Path:
    """Victims and everything linked to them, repeats, awkward text, then a generated
    network (bench/synthetic.py) appended."""
    records: list[dict[str, Any]] = [
        source(),
        source("src-2", 'A "quoted", title; with commas'),
        entity(
            CASE_ID,
            "Case",
            "Almaty sexual exploitation case",
            props={
                "description": "Айгерим Сапарова and Zhanar Kemelbekova were held.\n"
                'Second line, with "quotes", commas; and Сапаровой inflected.',
                "status": "open",
            },
        ),
        entity(CITY_ID, "Location", "Almaty", aliases=["Алматы"], props={"iso_code": "KZ"}),
        SUSPECT,
        entity(FARM, "Person", "Serik Farm Owner", props={"position": "owner", "age": 55}),
        entity(ORG, "Organization", 'Questra; "World"', aliases=["Квестра"], sources=[]),
        entity("kz-odd", "Organization", "!!!", props={"tags": ["a", "b"], "scores": [1, 2]}),
        entity("kz-odd-2", "Location", "Bahrain", props={"ratio": 0.5, "active": True}),
        *(v.record() for v in VICTIMS),
        # repeats: a victim given twice, a clear person given twice
        entity(AIGERIM.id, "Person", AIGERIM.name, aliases=["Айка"], props={"city": "Almaty"}),
        entity("kz-repeat", "Person", "Repeat Person", aliases=["R1"]),
        entity(
            "kz-repeat",
            "Person",
            "Repeat Person",
            aliases=["R2"],
            props={"gender": "male"},
            sources=["src-2"],
        ),
        rel("SUSPECT_IN", SUSPECT["id"], CASE_ID),
        rel("SUSPECT_IN", FARM, CASE_ID),
        rel("VICTIM_IN", ZHANAR.id, CASE_ID),
        rel("VICTIM_IN", AIGERIM.id, CASE_ID),
        rel("VICTIM_IN", MADINA.id, CASE_ID),
        rel("EXPLOITED", FARM, MARAT.id, {"form": "labor", "duration": "Marat for two years"}),
        rel("EXPLOITED", SUSPECT["id"], AIGERIM.id, {"form": "sexual"}),
        rel("TRAFFICKED_TO", AIGERIM.id, CITY_ID, {"purpose": "Aika was taken"}),
        rel("ASSOCIATE_OF", FARM, DANA.id, {"relationship": "Dana's employer"}),
        rel("ASSOCIATE_OF", FARM, "kz-repeat", sources=[]),
        rel("PAID", FARM, ORG, {"amount": 1000, "currency": "KZT", "date": "2017-01-02"}),
        rel("PAID", FARM, ORG, {"amount": 2500.5, "currency": "KZT", "date": "2017-02-02"}),
        # the same payment again, from another source: merged
        rel(
            "PAID",
            FARM,
            ORG,
            {"amount": 1000, "currency": "KZT", "date": "2017-01-02", "purpose": "fees"},
            sources=["src-2"],
        ),
        rel("MEMBER_OF", "kz-repeat", ORG),
        rel("MEMBER_OF", "kz-repeat", ORG, sources=["src-2"]),
    ]
    write_jsonl(path, records)
    generated = path.with_name("generated.jsonl")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synthetic.py"), str(generated),
         "--entities", "400", "--rels-per-entity", "4", "--seed", "3"],
        check=True, capture_output=True,
    )  # fmt: skip
    with path.open("a", encoding="utf-8") as out:
        out.write(generated.read_text(encoding="utf-8"))
    return path


# -- a canonical dump of a whole graph ----------------------------------------------------

# what legitimately differs between two loads of the same file
VOLATILE = {"IngestRun": {"run_id", "started_at", "finished_at"}, "CasegraphMeta": {"version",
            "changed_at"}}  # fmt: skip


def _open(props: dict[str, Any], key: ProtectionKey, aad: str) -> dict[str, Any]:
    out = dict(props)
    if "sealed" in out:
        out["sealed"] = key.unseal(out["sealed"], aad)
    if SEALED_TEXT in out:
        out[SEALED_TEXT] = key.unseal(out[SEALED_TEXT], aad)
    if "counts" in out and isinstance(out["counts"], str):
        out["counts"] = json.loads(out["counts"])
    return out


def dump(db: GraphDB, key: ProtectionKey) -> list[str]:
    """Every node and relationship as sorted JSON lines (labels, every property)."""
    lines = []
    for row in db.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS p"):
        labels = sorted(row["labels"])
        props = _open(row["p"], key, str(row["p"].get("id")))
        for label in labels:
            for name in VOLATILE.get(label, ()):
                props.pop(name, None)
        lines.append(json.dumps(["node", labels, props], sort_keys=True, ensure_ascii=False))
    for row in db.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p"
    ):
        props = _open(row["p"], key, REL_AAD)
        lines.append(
            json.dumps(["rel", row["a"], row["t"], row["b"], props], sort_keys=True,
                       ensure_ascii=False)
        )  # fmt: skip
    return sorted(lines)


@pytest.fixture(scope="module")
def key(protection_key_text: str) -> ProtectionKey:
    return ProtectionKey.from_text(protection_key_text)


def bulk_graph(data_dir: Path, key: ProtectionKey, uri: str = "") -> Iterator[GraphDB]:
    """The bulk-built database of ``data_dir``, started for the test (unless it runs at
    ``uri``), stopped after."""
    uri = uri or local_neo4j.start(local_neo4j.free_port(), data_dir)
    try:
        with GraphDB(uri, protection_key=key) as db:
            db.wait_until_ready(60)
            yield db
    finally:
        local_neo4j.stop(data_dir)


def assert_same(online: list[str], bulk: list[str]) -> None:
    only_online = sorted(set(online) - set(bulk))
    only_bulk = sorted(set(bulk) - set(online))
    assert (only_online, only_bulk) == ([], []), "the graphs differ"
    assert online == bulk


# -- the tests ------------------------------------------------------------------------------


def test_seed_bulk_equals_online(db: GraphDB, key: ProtectionKey, tmp_path: Path) -> None:
    ingest_file(db, seed_path())
    online = dump(db, key)
    port = local_neo4j.free_port()
    report = bulk_ingest(seed_path(), tmp_path / "neo4j", key, serve_port=port)
    assert report.records == sum(1 for line in seed_path().open() if line.strip())
    for bulk_db in bulk_graph(tmp_path / "neo4j", key, report.uri):
        assert_same(online, dump(bulk_db, key))
        indexes = {r["name"] for r in bulk_db.read("SHOW INDEXES YIELD name RETURN name")}
        assert {"entity_id", "entity_names", "entity_blind", "entity_name_key"} <= indexes
        hits = bulk_db.read(
            "CALL db.index.fulltext.queryNodes('entity_names', 'questra') YIELD node "
            "RETURN count(node) AS n"
        )
        assert hits[0]["n"] > 0


@pytest.fixture(scope="module")
def victims_build(
    key: ProtectionKey, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The victims file and the database bulk-built from it (built once for the module)."""
    tmp = tmp_path_factory.mktemp("bulk-victims")
    path = victims_file(tmp / "victims.jsonl")
    bulk_ingest(path, tmp / "neo4j", key)
    return path, tmp / "neo4j"


def test_victims_bulk_equals_online(
    db: GraphDB, key: ProtectionKey, victims_build: tuple[Path, Path]
) -> None:
    path, data_dir = victims_build
    report = ingest_file(db, path)
    assert report.counts.protected >= len(VICTIMS)
    online = dump(db, key)
    for bulk_db in bulk_graph(data_dir, key):
        assert_same(online, dump(bulk_db, key))


def test_victims_protected_in_bulk_store(
    key: ProtectionKey, victims_build: tuple[Path, Path]
) -> None:
    path, data_dir = victims_build
    names = {n for v in VICTIMS for n in v.names}
    # the generated network names people in clear with common first names (Marat, Dana …)
    generated = (path.parent / "generated.jsonl").read_text(encoding="utf-8")
    needles = {w for v in VICTIMS for w in v.needles() if not Finder({w})(generated)}
    assert len(needles) > 20
    finder = Finder(needles)
    for bulk_db in bulk_graph(data_dir, key):
        assert finder(graph_text(bulk_db)) == set()
        people = bulk_db.read(
            "MATCH (p:Person) WHERE p.protection IS NOT NULL RETURN p.id AS id, p.sealed AS s"
        )
        opened = {key.unseal(r["s"], r["id"])["name"] for r in people}
        assert {v.name for v in VICTIMS} <= opened  # sealed, and the key opens them
    # no file the import or the server left holds a name in clear (the CSV files are gone)
    assert not (data_dir / "bulk-import").exists()
    for file in data_dir.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            for name in names:
                assert name.encode() not in data, f"{name!r} in {file}"


def test_refuses_bad_input_whole(key: ProtectionKey, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            source(),
            entity("p-1", "Person", "Anna"),
            entity("p-2", "Wizard", "Merlin"),
            rel("LEADS", "p-1", "nobody"),
            {"kind": "entity", "id": "p-3", "label": "Person"},
        ],
    )
    with pytest.raises(ValidationFailed) as caught:
        bulk_ingest(path, tmp_path / "neo4j", key)
    where = {(e.line, e.field) for e in caught.value.errors}
    assert where == {(3, "label"), (4, "to"), (5, "name")}
    assert not (tmp_path / "neo4j").exists()


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_refuses_a_folder_with_a_database_or_a_running_server(
    victims_build: tuple[Path, Path], protection_key_text: str
) -> None:
    _path, data_dir = victims_build
    runner = CliRunner()
    env = {"CASEGRAPH_PROTECTION_KEY": protection_key_text}
    before = _files(data_dir)
    args = ["ingest", "--bulk", str(seed_path()), "--data", str(data_dir)]
    done = runner.invoke(app, args, env=env)
    assert done.exit_code != 0
    said = " ".join(done.output.split())  # as the terminal shows it, unwrapped
    assert "already holds a database; give --replace" in said and "nothing was changed" in said
    assert _files(data_dir) == before

    local_neo4j.start(local_neo4j.free_port(), data_dir)
    try:
        done = runner.invoke(app, [*args, "--replace"], env=env)
        assert done.exit_code != 0
        said = " ".join(done.output.split())
        assert "is running" in said and "stop it first" in said
    finally:
        local_neo4j.stop(data_dir)
    assert os.path.isdir(data_dir / "data" / "databases" / "neo4j")


def test_replace_builds_anew_from_the_command_line(
    victims_build: tuple[Path, Path], key: ProtectionKey, protection_key_text: str
) -> None:
    """(Last: it replaces the module's database with the seed's.)"""
    _, data_dir = victims_build
    done = CliRunner().invoke(
        app,
        ["ingest", "--bulk", str(seed_path()), "--data", str(data_dir), "--replace"],
        env={"CASEGRAPH_PROTECTION_KEY": protection_key_text},
    )
    assert done.exit_code == 0, done.output
    assert "validating seed.jsonl" in done.output and "writing CSV" in done.output
    for bulk_db in bulk_graph(data_dir, key):
        kinds = bulk_db.read("MATCH (n:Entity) RETURN count(n) AS n, count(n.protection) AS p")
        runs = bulk_db.read("MATCH (r:IngestRun) RETURN r.file_name AS f")
        assert runs == [{"f": "seed.jsonl"}]
        assert kinds[0]["n"] < 100 and kinds[0]["p"] >= 1
        assert bulk_db.read("MATCH (p:Person {id: $id}) RETURN p", {"id": AIGERIM.id}) == []
