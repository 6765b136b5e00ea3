"""casegraph CSV and FollowTheMoney ingest, and format detection, on the real Neo4j."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.errors import ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.ingest.detect import detect_format
from casegraph.ingest.pipeline import ingest_file
from tests.builders import write_lines
from tests.ingest_support import FIXTURES, entity, graph_counts, kinds, rels, types

CSV_DIR = FIXTURES / "csv"
FTM = FIXTURES / "ftm.jsonl"


def _graph_snapshot(db: GraphDB) -> tuple[dict[str, int], dict[str, int], list[dict[str, object]]]:
    return kinds(db), types(db), rels(db, "PAID")


def test_format_is_guessed_from_content() -> None:
    assert detect_format(FIXTURES / "good.jsonl") == "casegraph"
    assert detect_format(CSV_DIR) == "csv"
    assert detect_format(CSV_DIR / "relationships.csv") == "csv"
    assert detect_format(FTM) == "ftm"


def test_csv_folder_loads_the_same_graph_as_json_lines(db: GraphDB) -> None:
    ingest_file(db, FIXTURES / "good.jsonl")
    from_jsonl = _graph_snapshot(db)
    p1_jsonl = entity(db, "p-1")
    source_jsonl = entity(db, "src-a")
    db.write("MATCH (n) DETACH DELETE n")
    report = ingest_file(db, CSV_DIR)
    assert report.format == "csv"
    assert _graph_snapshot(db) == from_jsonl
    assert entity(db, "p-1") == p1_jsonl
    assert entity(db, "src-a") == source_jsonl
    # loading the JSON Lines twin on top changes nothing
    again = ingest_file(db, FIXTURES / "good.jsonl")
    assert again.counts.total_created == 0 and again.counts.total_updated == 0


def test_csv_error_names_file_row_and_field(db: GraphDB, tmp_path: Path) -> None:
    for f in CSV_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    rel = tmp_path / "relationships.csv"
    lines = rel.read_text(encoding="utf-8").splitlines()
    lines[2] = "PAID,p-1,o-1,src-a,lots,USD,2017-05-02"
    write_lines(rel, lines)
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, tmp_path)
    assert [(e.line, e.field) for e in info.value.errors] == [
        (3, "relationships.csv:properties.amount")
    ]
    assert graph_counts(db) == before


def test_ftm_entities_load_into_matching_kinds_and_types(db: GraphDB) -> None:
    report = ingest_file(db, FTM)
    assert report.format == "ftm"
    assert kinds(db) == {"Source": 1, "Person": 2, "Organization": 2, "Location": 1}
    assert types(db) == {
        "OWNS": 1,
        "CONTROLS": 1,
        "PAID": 1,
        "LINKED_TO": 1,
        "LOCATED_IN": 1,
    }
    assert entity(db, "ftm-c1")["org_type"] == "company"
    assert entity(db, "ftm-c1")["incorporation_date"] == "2016-02-01"
    assert entity(db, "ftm-p1")["aliases"] == ["Думан Таев"]
    assert entity(db, "ftm-p1")["birth_date"] == "1975-04-02"
    (paid,) = rels(db, "PAID")
    assert (paid["from"], paid["to"]) == ("ftm-c1", "ftm-c2")
    assert (paid["amount"], paid["currency"], paid["date"]) == (250000.75, "USD", "2017-08-15")
    (owns,) = rels(db, "OWNS")
    assert (owns["from"], owns["to"], owns["share"], owns["start_date"]) == (
        "ftm-p1",
        "ftm-c1",
        51.0,
        "2016-03-01",
    )
    (controls,) = rels(db, "CONTROLS")
    assert (controls["from"], controls["role"], controls["start_date"]) == (
        "ftm-p2",
        "director",
        "2016",
    )
    assert entity(db, "ftm:ftm.jsonl")["title"] == "ftm.jsonl"
    assert paid["sources"] == ["ftm:ftm.jsonl"]
    again = ingest_file(db, FTM)
    assert again.counts.total_created == 0 and again.counts.total_updated == 0


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"id": "x1", "schema": "Nonsense", "properties": {}}', "schema"),
        (
            '{"id": "pay2", "schema": "Payment", "properties": {"payer": ["ftm-c1"], '
            '"beneficiary": ["ftm-c2"], "amount": ["many"], "date": ["2017-01-01"]}}',
            "properties.amount",
        ),
        (
            '{"id": "pay3", "schema": "Payment", "properties": {"payer": ["ftm-c1"], '
            '"beneficiary": ["ftm-c2"], "amount": ["5"], "date": ["2017-31-01"]}}',
            "properties.date",
        ),
    ],
)
def test_bad_ftm_is_refused_with_its_line(
    db: GraphDB, tmp_path: Path, line: str, field: str
) -> None:
    lines = FTM.read_text(encoding="utf-8").splitlines()
    path = write_lines(tmp_path / "bad-ftm.jsonl", [*lines, line])
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, path)
    assert (len(lines) + 1, field) in {(e.line, e.field) for e in info.value.errors}
    assert graph_counts(db) == before
