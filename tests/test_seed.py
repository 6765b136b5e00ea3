"""The seed dataset in a real Neo4j: what the article says, every fact with its source,
and loading it twice changes nothing."""

from __future__ import annotations

import json

from casegraph.graph.db import GraphDB
from casegraph.ingest.seed import load_seed, seed_path

SRC = "src-kz-trafficking-article"


def _expected_counts() -> tuple[dict[str, int], int]:
    kinds: dict[str, int] = {}
    rels = 0
    for line in seed_path().read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["kind"] == "entity":
            kinds[rec["label"]] = kinds.get(rec["label"], 0) + 1
        elif rec["kind"] == "source":
            kinds["Source"] = kinds.get("Source", 0) + 1
        else:
            rels += 1
    return kinds, rels


def _counts(db: GraphDB) -> tuple[dict[str, int], int]:
    kinds = {
        r["kind"]: r["c"]
        for r in db.read(
            "MATCH (n:Entity) RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, count(*) AS c"
        )
    }
    rels = db.read("MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS c")[0]["c"]
    return kinds, rels


def test_seed_counts_by_kind_match_the_file(seeded: GraphDB) -> None:
    kinds, rels = _counts(seeded)
    assert (kinds, rels) == _expected_counts()
    assert kinds["Person"] >= 9 and kinds["Organization"] >= 10
    assert kinds["Location"] >= 7 and kinds["Case"] >= 4


def test_every_node_and_relationship_has_sources(seeded: GraphDB) -> None:
    bad_nodes = seeded.read(
        "MATCH (n:Entity) WHERE size(coalesce(n.sources, [])) = 0 RETURN n.id AS id"
    )
    bad_rels = seeded.read(
        "MATCH ()-[r]->() WHERE size(coalesce(r.sources, [])) = 0 RETURN type(r) AS t"
    )
    assert bad_nodes == [] and bad_rels == []


def test_seed_states_the_article(seeded: GraphDB) -> None:
    names = {r["name"] for r in seeded.read("MATCH (n:Entity) RETURN n.name AS name")}
    for name in [
        "Duman Taev",
        "Anna Ryl",
        "Alzhanova",
        "Nurdilda Oraz",
        "Questra World",
        "Questra Holding",
        "Atlantic Global Asset Management",
        "Five Winds Asset Management",
        "Korgau Astana",
        "Almaty",
        "Bahrain",
        "Turkey",
        "South Korea",
        "Uzbekistan",
        "Kazakhstan",
        "Astana",
    ]:
        assert any(name.lower() in n.lower() for n in names), name
    # the girl is stored protected: her age is in her sealed record, her level says minor
    girl = seeded.read(
        "MATCH (p:Person {protection: 'minors'})<-[e:EXPLOITED]-(w:Person) "
        "RETURN p.id AS id, p.sealed AS sealed, e.form AS form, count(w) AS women"
    )
    assert [(g["form"], g["women"]) for g in girl] == [("sexual", 2)]
    sealed = seeded.protection_key.unseal(girl[0]["sealed"], girl[0]["id"])
    assert sealed["id"] == "per-girl-16-almaty" and sealed["properties"]["age"] == 16
    destinations = seeded.read(
        "MATCH (:Person)-[:TRAFFICKED_TO]->(l:Location) RETURN collect(l.name) AS d"
    )[0]["d"]
    assert {"Bahrain", "Turkey", "South Korea"} <= set(destinations)


def test_conflicting_heads_of_korgau_astana_are_both_kept(seeded: GraphDB) -> None:
    rows = seeded.read(
        "MATCH (p:Person)-[r:LEADS]->(o:Organization) WHERE o.name CONTAINS 'Korgau' "
        "RETURN p.name AS head, r.sources AS sources ORDER BY head"
    )
    assert [r["head"] for r in rows] == ["Alzhanova", "Anna Ryl"]
    assert all(SRC in r["sources"] for r in rows)


def test_article_figures_are_kept(seeded: GraphDB) -> None:
    props = seeded.read("MATCH (n:Entity) RETURN properties(n) AS p")
    values = [v for row in props for v in row["p"].values()]
    for figure in (1000, 22, 50, 26, 1_000_000_000):
        assert figure in values, figure


def test_russian_names_have_cyrillic_aliases(seeded: GraphDB) -> None:
    row = seeded.read("MATCH (n:Entity {name: 'Duman Taev'}) RETURN n.aliases AS a")[0]
    assert "Думан Таев" in row["a"]


def test_seed_twice_changes_nothing(seeded: GraphDB) -> None:
    before = _counts(seeded)
    props_before = seeded.read("MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p ORDER BY id")
    report = load_seed(seeded)
    assert report.counts.total_created == 0 and report.counts.total_updated == 0
    assert _counts(seeded) == before
    assert (
        seeded.read("MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p ORDER BY id")
        == props_before
    )
