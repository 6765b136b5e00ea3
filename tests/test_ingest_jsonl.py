"""casegraph JSON Lines ingest against the real Neo4j: round trip, refusals naming the line
with the graph untouched, idempotency, merged sources, skip-invalid, ingest runs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from casegraph.errors import ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.graph.runs import list_runs
from casegraph.ingest.pipeline import ingest_file
from tests.builders import write_lines
from tests.ingest_support import FIXTURES, entity, graph_counts, kinds, rels, types

GOOD = FIXTURES / "good.jsonl"
GOOD_LINES = GOOD.read_text(encoding="utf-8").splitlines()


def test_round_trip_keeps_kinds_types_properties_and_sources(db: GraphDB) -> None:
    report = ingest_file(db, GOOD)
    assert kinds(db) == {"Source": 1, "Person": 2, "Organization": 1, "Location": 1, "Case": 1}
    assert types(db) == {"LEADS": 1, "PAID": 2, "LOCATED_IN": 1, "SUSPECT_IN": 1}
    assert report.counts.total_created == 11
    p1 = entity(db, "p-1")
    assert p1["name"] == "Duman Taev"
    assert p1["aliases"] == ["Думан Таев"]
    assert p1["birth_year"] == 1975
    assert p1["sources"] == ["src-a"]
    paid = rels(db, "PAID")
    assert sorted((p["date"], p["amount"], p["currency"]) for p in paid) == [
        ("2017-05-02", 1500.5, "USD"),
        ("2017-06-01", 200.0, "USD"),
    ]
    assert entity(db, "c-1")["start_date"] == "2017-03"


def _with_line(tmp_path: Path, number: int, text: str | None) -> Path:
    lines = list(GOOD_LINES)
    if text is None:
        del lines[number - 1]
    else:
        lines[number - 1] = text
    return write_lines(tmp_path / "bad.jsonl", lines)


BAD_CASES = {
    "broken JSON": (8, '{"kind": "relationship", "type": "PAID", "from": "p-1",', ""),
    "unknown record kind": (3, '{"kind": "thing", "id": "p-2"}', "kind"),
    "unknown label": (3, '{"kind": "entity", "id": "p-2", "label": "Alien", "name": "X"}', "label"),
    "unknown relationship type": (
        7,
        '{"kind": "relationship", "type": "KNOWS", "from": "p-2", "to": "o-1"}',
        "type",
    ),
    "wrong endpoint kind": (
        7,
        '{"kind": "relationship", "type": "TRAFFICKED_TO", "from": "p-2", "to": "o-1"}',
        "to",
    ),
    "dangling endpoint": (
        7,
        '{"kind": "relationship", "type": "LEADS", "from": "p-404", "to": "o-1"}',
        "from",
    ),
    "bad date": (
        8,
        '{"kind": "relationship", "type": "PAID", "from": "p-1", "to": "o-1", '
        '"properties": {"amount": 5, "currency": "USD", "date": "2017-13-45"}}',
        "properties.date",
    ),
    "non-numeric amount": (
        8,
        '{"kind": "relationship", "type": "PAID", "from": "p-1", "to": "o-1", '
        '"properties": {"amount": "a lot", "currency": "USD", "date": "2017-05-02"}}',
        "properties.amount",
    ),
    "unknown source": (
        4,
        '{"kind": "entity", "id": "o-1", "label": "Organization", "name": "Q", '
        '"sources": ["src-zzz"]}',
        "sources",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_line_is_refused_with_its_line_and_nothing_written(
    db: GraphDB, tmp_path: Path, case: str
) -> None:
    ingest_file(db, FIXTURES / "csv")  # something already in the graph
    before = graph_counts(db)
    number, text, field = BAD_CASES[case]
    bad = _with_line(tmp_path, number, text)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, bad)
    places = {(e.line, e.field) for e in info.value.errors}
    assert (number, field) in places, info.value.errors
    assert f"line {number}" in str(info.value)
    assert graph_counts(db) == before


def test_wrong_encoding_names_the_line(db: GraphDB, tmp_path: Path) -> None:
    lines = [line.encode("utf-8") for line in GOOD_LINES]
    lines[1] = lines[1].decode("utf-8").encode("cp1251")  # "Думан Таев" in Windows-1251
    bad = tmp_path / "cp1251.jsonl"
    bad.write_bytes(b"\n".join(lines) + b"\n")
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, bad)
    assert info.value.errors[0].line == 2
    assert "UTF-8" in info.value.errors[0].reason
    assert graph_counts(db) == before


def test_empty_file_is_refused(db: GraphDB, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, empty)
    assert info.value.errors[0].line == 1
    assert "no records" in info.value.errors[0].reason
    assert graph_counts(db) == before


def test_id_already_in_the_graph_under_another_kind_is_refused(db: GraphDB, tmp_path: Path) -> None:
    ingest_file(db, GOOD)
    before = graph_counts(db)
    bad = write_lines(
        tmp_path / "kind.jsonl",
        ['{"kind": "entity", "id": "o-1", "label": "Person", "name": "Questra World"}'],
    )
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, bad)
    assert (1, "id") in {(e.line, e.field) for e in info.value.errors}
    assert "Organization" in info.value.errors[0].reason
    assert graph_counts(db) == before


def test_double_load_changes_nothing(db: GraphDB) -> None:
    first = ingest_file(db, GOOD)
    after_first = graph_counts(db)
    props = entity(db, "p-1")
    second = ingest_file(db, GOOD)
    assert second.counts.total_created == 0
    assert second.counts.total_updated == 0
    assert sum(second.counts.unchanged.values()) == first.counts.total_created
    # one more IngestRun node, nothing else
    assert graph_counts(db) == (after_first[0] + 1, after_first[1])
    assert entity(db, "p-1") == props


def test_overlapping_files_merge_sources(db: GraphDB, tmp_path: Path) -> None:
    ingest_file(db, GOOD)
    other = write_lines(
        tmp_path / "b.jsonl",
        [
            '{"kind": "source", "id": "src-b", "title": "News B"}',
            '{"kind": "entity", "id": "p-1", "label": "Person", "name": "Duman Taev", '
            '"aliases": ["D. Taev"], "sources": ["src-b"]}',
            '{"kind": "relationship", "type": "PAID", "from": "p-1", "to": "o-1", '
            '"properties": {"amount": 1500.5, "currency": "USD", "date": "2017-05-02"}, '
            '"sources": ["src-b"]}',
        ],
    )
    report = ingest_file(db, other)
    assert report.counts.created["Source"] == 1
    assert report.counts.updated["Person"] == 1
    assert report.counts.updated["PAID"] == 1
    assert types(db)["PAID"] == 2  # the same payment, not a third one
    p1 = entity(db, "p-1")
    assert p1["sources"] == ["src-a", "src-b"]
    assert p1["aliases"] == ["Думан Таев", "D. Taev"]
    paid = {p["date"]: p["sources"] for p in rels(db, "PAID")}
    assert paid == {"2017-05-02": ["src-a", "src-b"], "2017-06-01": ["src-a"]}


def test_relationship_before_its_entities_loads(db: GraphDB, tmp_path: Path) -> None:
    lines = [GOOD_LINES[0], *GOOD_LINES[6:], *GOOD_LINES[1:6]]  # relationships first
    path = write_lines(tmp_path / "reordered.jsonl", lines)
    ingest_file(db, path)
    assert types(db) == {"LEADS": 1, "PAID": 2, "LOCATED_IN": 1, "SUSPECT_IN": 1}


def test_repeated_relationship_in_one_file_is_one_fact(db: GraphDB, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "twice.jsonl", [*GOOD_LINES, GOOD_LINES[6], GOOD_LINES[1]])
    report = ingest_file(db, path)
    assert types(db)["LEADS"] == 1
    assert kinds(db)["Person"] == 2
    assert report.counts.created["LEADS"] == 1
    assert report.counts.unchanged["LEADS"] == 1


def test_skip_invalid_loads_the_rest_and_writes_rejects(db: GraphDB, tmp_path: Path) -> None:
    lines = list(GOOD_LINES)
    lines[2] = '{"kind": "entity", "id": "p-2", "label": "Alien", "name": "Anna Ryl"}'
    path = write_lines(tmp_path / "partly.jsonl", lines)
    rejects = tmp_path / "rejects.jsonl"
    report = ingest_file(db, path, skip_invalid=True, rejects=rejects)
    # p-2 refused, so are the two relationships that name it
    assert kinds(db)["Person"] == 1
    assert types(db) == {"PAID": 2, "LOCATED_IN": 1}
    rejected = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejected] == [3, 7, 11]
    assert rejected[0]["errors"][0]["field"] == "label"
    assert rejected[0]["record"]["id"] == "p-2"
    assert {e.line for e in report.rejected} == {3, 7, 11}


def test_each_load_is_recorded_as_an_ingest_run(db: GraphDB) -> None:
    report = ingest_file(db, GOOD, user="alice")
    runs = list_runs(db)
    assert len(runs) == 1
    run = runs[0]
    assert run["run_id"] == report.run_id
    assert run["file_name"] == "good.jsonl"
    assert run["sha256"] == hashlib.sha256(GOOD.read_bytes()).hexdigest()
    assert run["user"] == "alice"
    assert run["counts"]["PAID"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert run["started_at"] <= run["finished_at"]
    assert db.read("MATCH (r:IngestRun:Entity) RETURN count(r) AS c")[0]["c"] == 0
