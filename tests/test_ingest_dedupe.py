"""Possible duplicates are flagged with POSSIBLY_SAME_AS, never merged."""

from __future__ import annotations

from pathlib import Path

from casegraph.graph.db import GraphDB
from casegraph.ingest.dedupe import find_pairs, flag_duplicates
from casegraph.ingest.pipeline import ingest_file
from tests.builders import entity, write_jsonl
from tests.ingest_support import graph_counts, rels


def _people(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "people.jsonl",
        [
            entity("a-1", "Person", "Duman Taev", sources=None),
            entity("b-7", "Person", "Думан Таев", sources=None),
            entity("c-3", "Person", "Duman Tayev", sources=None),
            entity("d-4", "Person", "Anna Ryl", sources=None),
            entity("o-1", "Organization", "Duman Taev", sources=None),
        ],
    )


def test_cyrillic_and_latin_spellings_under_two_ids_are_flagged(
    db: GraphDB, tmp_path: Path
) -> None:
    ingest_file(db, _people(tmp_path))
    entities_before = db.read("MATCH (n:Entity) RETURN count(n) AS c")[0]["c"]
    pairs, counts = flag_duplicates(db)
    found = {(p.a, p.b): p for p in pairs}
    assert found[("a-1", "b-7")].score == 100.0
    assert found[("a-1", "b-7")].method == "name_key"
    assert found[("a-1", "c-3")].score >= 90  # one letter apart
    assert found[("a-1", "c-3")].method.startswith("fuzzy")
    assert all("d-4" not in pair for pair in found)  # a different person
    assert all("o-1" not in pair for pair in found)  # an organization is not a person
    stored = {(r["from"], r["to"]): r for r in rels(db, "POSSIBLY_SAME_AS")}
    assert set(stored) == set(found)
    assert stored[("a-1", "b-7")]["score"] == 100.0
    # flagged, not merged; a second run changes nothing
    assert db.read("MATCH (n:Entity) RETURN count(n) AS c")[0]["c"] == entities_before
    before = graph_counts(db)
    _, again = flag_duplicates(db)
    assert again.total_created == 0 and again.total_updated == 0
    assert graph_counts(db) == before
    assert counts.total_created == len(pairs)


def test_threshold_and_blocking() -> None:
    entities = [
        ("p1", "Person", ["aigerim nurlanova"]),
        ("p2", "Person", ["aigerim nurlanov"]),
        ("p3", "Person", ["zhanna bekova"]),
        ("p4", "Person", ["nurlanova aigerim"]),  # words swapped: token_sort_ratio = 100
    ]
    pairs = {(p.a, p.b): p.score for p in find_pairs(entities, threshold=90)}
    assert set(pairs) == {("p1", "p2"), ("p1", "p4"), ("p2", "p4")}
    strict = {(p.a, p.b) for p in find_pairs(entities, threshold=99)}
    assert strict == {("p1", "p4")}
    only = {(p.a, p.b) for p in find_pairs(entities, threshold=90, only={"p2"})}
    assert only == {("p1", "p2"), ("p2", "p4")}
