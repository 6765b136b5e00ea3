"""What Neo4j itself holds of protected people: read directly, as anyone with database
access (a backup, Neo4j Browser, a stolen disk) would, never through the API.

- After an ingest that protects people by every rule (own properties, victim role, each
  marking relationship), no name, alias, nickname, birth date or phone number of theirs is
  anywhere in the graph, the clear full-text index finds none of them, and no form of the
  protection key is stored.
- ``casegraph db migrate`` protects the people an older graph holds in clear, and running it
  again changes nothing.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from casegraph.graph.db import GraphDB
from casegraph.graph.model import PROTECTED_NODE_FIELDS
from casegraph.graph.names import name_key, search_keys
from casegraph.graph.protected_writes import migrate
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.protection_support import (
    AIGERIM,
    CASE_ID,
    CITY_ID,
    CLI,
    MADINA,
    SUSPECT,
    ZHANAR,
    Finder,
    Victim,
    case_file,
    entity,
    graph_text,
    key_env,
    key_material,
    rel,
    stored_strings,
    write_jsonl,
)

# Marked by being exploited (EXPLOITED points at her), and by being taken abroad
# (TRAFFICKED_TO starts at her), and by her own role.
GULNAR = Victim(
    "kz-adult-gulnar",
    "Гульнар Ахметжанова",
    ("Gulnar Akhmetzhanova",),
    {"nickname": "Гуля", "birth_date": "1990-07-21"},
)
ASEL = Victim(
    "kz-adult-asel",
    "Asel Nurtazina",
    ("Асель Нуртазина",),
    {"nickname": "Aska", "phone": "+7 777 210 44 13"},
)
YERLAN = Victim(
    "kz-adult-yerlan",
    "Ерлан Жумабеков",
    ("Yerlan Zhumabekov",),
    {"role": "victim of forced labour", "nickname": "Ерик"},
)
ALL_VICTIMS = (AIGERIM, MADINA, ZHANAR, GULNAR, ASEL, YERLAN)


def _finder(*victims: Victim) -> Finder:
    return Finder(set().union(*(v.needles() for v in victims)))


def _load_everything(db: GraphDB, tmp_path: Path) -> None:
    records = case_file(AIGERIM, MADINA, ZHANAR)
    records += [
        GULNAR.record(),
        ASEL.record(),
        YERLAN.record(),
        entity("kz-loc-bahrain", "Location", "Bahrain", props={"iso_code": "BH"}),
        rel("EXPLOITED", SUSPECT["id"], GULNAR.id, {"form": "sexual"}),
        rel("TRAFFICKED_TO", ASEL.id, "kz-loc-bahrain", {"purpose": "domestic work"}),
        rel("LOCATED_IN", AIGERIM.id, CITY_ID),
    ]
    ingest_file(db, write_jsonl(tmp_path / "victims.jsonl", records), batch_size=2)


def test_neo4j_read_directly_holds_no_protected_identity(db: GraphDB, tmp_path: Path) -> None:
    _load_everything(db, tmp_path)
    key = db.protection_key

    # every node and relationship, every property: none of their names in any script
    text = graph_text(db)
    assert _finder(*ALL_VICTIMS)(text) == set()
    # the clear people are there, so the search would have found names had they been stored
    assert "Ruslan Tokhtarov" in text and "Almaty sexual exploitation case" in text

    people = {
        r["id"]: r["p"] for r in db.read("MATCH (p:Person) RETURN p.id AS id, properties(p) AS p")
    }
    assert set(people) == {SUSPECT["id"], *(key.pseudo_id(v.id) for v in ALL_VICTIMS)}
    levels = {v.id: people[key.pseudo_id(v.id)]["protection"] for v in ALL_VICTIMS}
    assert levels == {
        AIGERIM.id: "minors",
        MADINA.id: "minors",
        ZHANAR.id: "all",
        GULNAR.id: "all",
        ASEL.id: "all",
        YERLAN.id: "all",
    }
    for v in ALL_VICTIMS:
        stored = people[key.pseudo_id(v.id)]
        # only structure and ciphertext: no age, no is_minor, no nickname, no role
        assert set(stored) <= PROTECTED_NODE_FIELDS, sorted(set(stored) - PROTECTED_NODE_FIELDS)
        assert stored["name"] == "Victim " + key.pseudo_id(v.id).removeprefix("victim-")
        assert stored["aliases"] == []
        # what the ciphertext holds is what the file said (the test is not vacuous)
        sealed = key.unseal(stored["sealed"], stored["id"])
        assert sealed["id"] == v.id and sealed["name"] == v.name
        assert set(v.aliases) <= set(sealed["aliases"])
        assert {k: sealed["properties"][k] for k in v.props} == dict(v.props)

    # the clear full-text index and the name-key lookups find no one by a real name
    for v in ALL_VICTIMS:
        for word in name_key(" ".join(v.names)).split():
            hits = db.read(
                "CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node "
                "RETURN node.id AS id",
                {"q": word},
            )
            assert hits == [], (word, hits)
        for k in search_keys(v.name, list(v.aliases)):
            assert db.read("MATCH (n:Entity {name_key: $k}) RETURN n.id AS id", {"k": k}) == []


def test_no_key_material_in_the_graph(db: GraphDB, settings: Settings, tmp_path: Path) -> None:
    _load_everything(db, tmp_path)
    secrets = key_material(settings)  # the key as stored and every key derived from it
    strings = list(stored_strings(db))
    assert strings, "the graph holds data"
    for s in strings:
        for secret in secrets:
            assert secret not in s, "key material stored in the graph"
    # no in-graph pseudonym secret (the old design kept one in a CasegraphMeta node)
    meta = db.read("MATCH (m:CasegraphMeta) RETURN m.key AS key, keys(m) AS keys")
    assert all(m["key"] != "pseudonym" for m in meta), meta
    assert not any("secret" in k or "pseudonym" in k for m in meta for k in m["keys"]), meta


# -- migration of an older graph ---------------------------------------------------------------

OLD_PERSON = """
CREATE (p:Entity:Person)
SET p = $props, p.name_key = $key, p.search_keys = $keys,
    p.search_text = reduce(t = '', k IN $keys | t + ' ' + k)
"""


def _old_person(db: GraphDB, v: Victim | dict[str, Any]) -> None:
    if isinstance(v, Victim):
        eid, name, aliases, props = v.id, v.name, list(v.aliases), dict(v.props)
    else:
        eid, name, aliases, props = v["id"], v["name"], v["aliases"], v["properties"]
    db.write(
        OLD_PERSON,
        {
            "props": {**props, "id": eid, "name": name, "aliases": aliases, "sources": ["s-old"]},
            "key": name_key(name),
            "keys": search_keys(name, aliases),
        },
    )


def _snapshot(db: GraphDB) -> tuple[list[Any], list[Any]]:
    nodes = db.read("MATCH (n) WHERE NOT n:CasegraphMeta RETURN properties(n) AS p ORDER BY n.id")
    rels = db.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
        "ORDER BY a, t, b"
    )
    return [r["p"] for r in nodes], rels


def test_db_migrate_protects_people_stored_in_clear_and_is_idempotent(
    db: GraphDB, settings: Settings
) -> None:
    key = db.protection_key
    # a graph as the old design stored it: everyone in clear, the pseudonym secret inside
    for person in (AIGERIM, ZHANAR, GULNAR, SUSPECT):
        _old_person(db, person)
    description = "Жанар Кемелбекова дала показания; Zhanka опознала Ruslan Tokhtarov."
    db.write(
        "CREATE (:Entity:Case {id: $id, name: 'Shymkent labour case', "
        "description: $d, sources: ['s-old']})",
        {"id": CASE_ID, "d": description},
    )
    db.write(
        "MATCH (z:Person {id: $z}), (c:Case {id: $c}), (s:Person {id: $s}), (g:Person {id: $g}) "
        "CREATE (z)-[:VICTIM_IN {sources: ['s-old'], key: ''}]->(c), "
        "(s)-[:SUSPECT_IN {sources: ['s-old'], key: ''}]->(c), "
        "(s)-[:EXPLOITED {sources: ['s-old'], key: 'labor', form: 'labor'}]->(g)",
        {"z": ZHANAR.id, "c": CASE_ID, "s": SUSPECT["id"], "g": GULNAR.id},
    )
    db.write("CREATE (:CasegraphMeta {key: 'pseudonym', secret: 'old-in-graph-secret'})")
    find = _finder(AIGERIM, ZHANAR, GULNAR)
    assert find(graph_text(db)), "the old graph holds them in clear"

    env = {**os.environ, **key_env(settings)}
    first = subprocess.run(
        [*CLI, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == 0, first.stderr
    assert "3 person(s) newly protected" in first.stdout + first.stderr
    after_first = _snapshot(db)

    assert find(graph_text(db)) == set()
    assert "old-in-graph-secret" not in graph_text(db)
    levels = {
        r["id"]: r["level"]
        for r in db.read("MATCH (p:Person) RETURN p.id AS id, p.protection AS level")
    }
    assert levels == {
        key.pseudo_id(AIGERIM.id): "minors",
        key.pseudo_id(ZHANAR.id): "all",
        key.pseudo_id(GULNAR.id): "all",
        SUSPECT["id"]: None,
    }
    # her relationships stayed, now at her pseudonymous id; the case text is scrubbed
    rels = {(r["a"], r["t"], r["b"]) for r in after_first[1]}
    assert (key.pseudo_id(ZHANAR.id), "VICTIM_IN", CASE_ID) in rels
    assert (SUSPECT["id"], "EXPLOITED", key.pseudo_id(GULNAR.id)) in rels
    case = db.read("MATCH (c:Case {id: $id}) RETURN c.description AS d", {"id": CASE_ID})[0]
    assert (
        case["d"] == "[redacted] [redacted] дала показания; [redacted] опознала Ruslan Tokhtarov."
    )
    sealed = db.read(
        "MATCH (p:Person {id: $id}) RETURN p.sealed AS s", {"id": key.pseudo_id(AIGERIM.id)}
    )[0]["s"]
    payload = key.unseal(sealed, key.pseudo_id(AIGERIM.id))
    assert payload["name"] == AIGERIM.name and payload["properties"]["age"] == 16

    # again (in this process, as `db init` would run it): nothing to do, nothing changes
    assert migrate(db, key) == 0
    assert _snapshot(db) == after_first
