"""Backups: ``casegraph neo4j dump`` → ``casegraph neo4j load`` into a fresh folder → start →
the same graph.

The source is a stopped store of the seed made by Neo4j's import tool (the bulk path,
without its finishing start, so this test starts one Neo4j only: the restored one). The
restored database must hold what the session's Neo4j holds after an online load of the
same seed: the same counts per kind and per relationship type, the same entities (ids,
names, protection), and the protected ones sealed under the same key. Both commands refuse
while the folder's Neo4j runs, and a load does not replace a database without --replace.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casegraph import local_neo4j
from casegraph.errors import LocalNeo4jError
from casegraph.graph.db import GraphDB
from casegraph.graph.protection import ProtectionKey
from casegraph.ingest.bulk import bulk_ingest
from casegraph.ingest.seed import seed_path
from casegraph.settings import Settings
from tests.ingest_support import kinds, types
from tests.protection_support import CLI, key_env

pytestmark = pytest.mark.timeout(1500)  # the import tool, two neo4j-admin runs, one start

ENTITIES = (
    "MATCH (n:Entity) RETURN n.id AS id, n.name AS name, n.protection AS protection, "
    "n.sealed IS NOT NULL AS sealed ORDER BY id"
)


def summary(db: GraphDB) -> dict[str, Any]:
    return {"kinds": kinds(db), "types": types(db), "entities": db.read(ENTITIES)}


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    source, restored = tmp_path / "source", tmp_path / "restored"
    yield source, restored
    local_neo4j.stop(restored)


def test_dump_then_load_into_a_fresh_folder_gives_the_same_graph(
    seeded: GraphDB, settings: Settings, protection_key_text: str, folders: tuple[Path, Path]
) -> None:
    source, restored = folders
    key = ProtectionKey.from_text(protection_key_text)
    bulk_ingest(seed_path(), source, key, finish=False)
    expected = summary(seeded)
    assert expected["entities"] and any(e["sealed"] for e in expected["entities"])

    env = {**os.environ, **key_env(settings)}
    dump_file = source.parent / "backup" / "casegraph.dump"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, "neo4j", *args], env=env, capture_output=True, text=True, timeout=600
        )

    done = cli("dump", "--data", str(source), "--to", str(dump_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(dump_file.resolve()) and dump_file.stat().st_size > 0
    with pytest.raises(LocalNeo4jError, match="--replace"):  # no silent overwrite
        local_neo4j.dump(source, dump_file)

    done = cli("load", "--data", str(restored), "--from", str(dump_file))
    assert done.returncode == 0, done.stderr
    with pytest.raises(LocalNeo4jError, match="already holds a database"):
        local_neo4j.load(restored, dump_file)

    uri = local_neo4j.start(
        local_neo4j.free_port(), restored, heap="256m", pagecache="64m", timeout=600
    )
    with GraphDB(uri, protection_key=key) as back:
        assert summary(back) == expected
        sealed = back.read("MATCH (n:Entity) WHERE n.sealed IS NOT NULL RETURN n.id AS id, "
                           "n.sealed AS s LIMIT 1")  # fmt: skip
        assert key.unseal(sealed[0]["s"], sealed[0]["id"])["id"]  # the same key opens it
    # a running Neo4j is neither dumped nor overwritten
    with pytest.raises(LocalNeo4jError, match="is running"):
        local_neo4j.dump(restored, source.parent / "other.dump")
    with pytest.raises(LocalNeo4jError, match="is running"):
        local_neo4j.load(restored, dump_file, replace=True)
