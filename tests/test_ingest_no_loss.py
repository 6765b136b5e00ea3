"""Nothing is lost silently: with ``--skip-invalid`` what a rejected record takes with it is
rejected and listed too, a write that matches nothing is an error (never "unchanged"), and
the report's counts equal what the graph gained. On the real Neo4j."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from casegraph.errors import ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.graph.records import RelationshipRecord
from casegraph.graph.writer import GraphWriter
from casegraph.ingest.pipeline import IngestReport, ingest_file
from tests.builders import entity, rel, source, write_jsonl
from tests.ingest_support import kinds, types


def _gained(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)
    }


def _created(report: IngestReport) -> dict[str, int]:
    return {k: v for k, v in report.counts.created.items() if v}


def _where(report: IngestReport) -> list[tuple[int, str]]:
    return [(e.line, e.field) for e in report.rejected]


def test_relationships_of_an_entity_rejected_late_are_rejected(db: GraphDB, tmp_path: Path) -> None:
    # o-1 is valid on its own but cites a source that is nowhere: it is refused after the
    # whole file is read, and its three relationships must go with it
    path = write_jsonl(
        tmp_path / "late.jsonl",
        [
            source(),  # 1
            entity("p-1"),  # 2
            entity("o-1", "Organization", sources=["src-nowhere"]),  # 3
            rel("PAID", "p-1", "o-1", {"amount": 10, "date": "2017-01-01"}),  # 4
            rel("PAID", "p-1", "o-1", {"amount": 20, "date": "2017-02-01"}),  # 5
            rel("LEADS", "p-1", "o-1"),  # 6
            entity("o-2", "Organization"),  # 7
            rel("PAID", "p-1", "o-2", {"amount": 30, "date": "2017-03-01"}),  # 8
        ],
    )
    rejects = tmp_path / "rejects.jsonl"
    k0, t0 = kinds(db), types(db)
    report = ingest_file(db, path, skip_invalid=True, rejects=rejects)
    assert _where(report) == [(3, "sources"), (4, "to"), (5, "to"), (6, "to")]
    assert all("'o-1' was rejected" in e.reason for e in report.rejected[1:])
    # the graph holds the one good payment, and the report says exactly that
    assert _gained(t0, types(db)) == {"PAID": 1}
    assert _gained(k0, kinds(db)) == {"Person": 1, "Organization": 1, "Source": 1}
    assert _created(report) == {"Person": 1, "Organization": 1, "Source": 1, "PAID": 1}
    assert sum(report.counts.unchanged.values()) == 0
    listed = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert sorted(x["line"] for x in listed) == [3, 4, 5, 6]


def test_an_id_the_graph_holds_as_another_kind_takes_its_links_along(
    db: GraphDB, tmp_path: Path
) -> None:
    ingest_file(db, write_jsonl(tmp_path / "a.jsonl", [source(), entity("x-1")]))
    path = write_jsonl(
        tmp_path / "b.jsonl",
        [
            source(),
            entity("p-2"),
            entity("x-1", "Organization"),  # 3: x-1 is a Person in the graph
            rel("EMPLOYED_BY", "p-2", "x-1"),  # 4: would link to the Person
        ],
    )
    t0 = types(db)
    report = ingest_file(db, path, skip_invalid=True)
    assert _where(report) == [(3, "id"), (4, "to")]
    assert _gained(t0, types(db)) == {}
    assert "EMPLOYED_BY" not in report.counts.as_dict()


def test_without_skip_invalid_the_reference_says_which_line_was_rejected(
    db: GraphDB, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [source(), entity("p-1"), entity("o-1", "Company"), rel("LEADS", "p-1", "o-1")],
    )
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, path)
    reasons = {(e.line, e.field): e.reason for e in info.value.errors}
    assert reasons[(4, "to")] == "the entity 'o-1' was rejected (line 3)"


def test_a_write_that_matches_nothing_is_an_error_not_unchanged(db: GraphDB) -> None:
    # what a concurrent delete, or any bug upstream, would leave: ends missing at write time
    writer = GraphWriter(db)
    writer.add(RelationshipRecord("PAID", "ghost-a", "ghost-b", {"amount": 1.0}, (), 7))
    writer.add(
        RelationshipRecord("PAID", "ghost-a", "ghost-c", {"amount": 2.0}, (), 8), where="r.csv:"
    )
    writer.flush()
    assert [(e.line, e.field) for e in writer.counts.missed] == [
        (7, "from"),
        (7, "to"),
        (8, "r.csv:from"),
        (8, "r.csv:to"),
    ]
    assert "ghost-b" in writer.counts.missed[1].reason
    assert "PAID" not in writer.counts.as_dict()  # not "2 unchanged"


def test_counts_equal_what_the_graph_gained_on_a_mixed_file(db: GraphDB, tmp_path: Path) -> None:
    # loaded twice: the second load gains nothing and says so
    records = [source(), *(entity(f"p-{i}") for i in range(30))]
    records += [entity(f"o-{i}", "Organization") for i in range(5)]
    records += [
        rel("PAID", f"p-{i}", f"o-{i % 5}", {"amount": i, "date": "2018-01-01"}) for i in range(30)
    ]
    records += [rel("MEMBER_OF", f"p-{i}", f"o-{i % 5}") for i in range(0, 30, 3)]
    path = write_jsonl(tmp_path / "mixed.jsonl", records)
    for _ in range(2):
        k0, t0 = kinds(db), types(db)
        report = ingest_file(db, path)
        assert _created(report) == {**_gained(k0, kinds(db)), **_gained(t0, types(db))}
        total = Counter({k: v for k, v in report.counts.unchanged.items()})
        total.update(report.counts.created)
        total.update(report.counts.updated)
        assert sum(total.values()) == len(records)
