"""``casegraph ingest`` / ``casegraph dedupe`` and ``POST /ingest`` over the real Neo4j."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from casegraph.cli import app
from casegraph.graph.db import GraphDB
from casegraph.graph.runs import list_runs
from casegraph.settings import get_settings
from tests.builders import entity, write_jsonl, write_lines
from tests.ingest_support import FIXTURES, graph_counts, kinds, types

GOOD_LINES = (FIXTURES / "good.jsonl").read_text(encoding="utf-8").splitlines()
DANGLING_7 = '{"kind": "relationship", "type": "LEADS", "from": "p-2", "to": "o-404"}'


@pytest.fixture
def cli(db: GraphDB, neo4j_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CASEGRAPH_NEO4J_URI", neo4j_uri)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_refuses_a_dangling_relationship_on_line_7(
    cli: CliRunner, db: GraphDB, tmp_path: Path
) -> None:
    cli.invoke(app, ["seed"])
    before = graph_counts(db)
    lines = list(GOOD_LINES)
    lines[6] = DANGLING_7
    bad = write_lines(tmp_path / "dangling.jsonl", lines)
    result = cli.invoke(app, ["ingest", str(bad)])
    assert result.exit_code != 0
    assert "o-404" in result.output
    row = next(line for line in result.output.splitlines() if "o-404" in line)
    assert row.split()[1] == "7"  # the table's line column
    assert graph_counts(db) == before


def test_cli_loads_twice_without_changes(cli: CliRunner, db: GraphDB) -> None:
    good = FIXTURES / "good.jsonl"
    first = cli.invoke(app, ["ingest", str(good), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["created"] == 11
    counts = (kinds(db), types(db))
    second = cli.invoke(app, ["ingest", str(good), "--format", "casegraph", "--json"])
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert (report["created"], report["updated"]) == (0, 0)
    assert (kinds(db), types(db)) == counts
    assert len(list_runs(db)) == 2


def test_cli_skip_invalid_writes_rejects(cli: CliRunner, db: GraphDB, tmp_path: Path) -> None:
    lines = list(GOOD_LINES)
    lines[6] = DANGLING_7
    bad = write_lines(tmp_path / "dangling.jsonl", lines)
    rejects = tmp_path / "rejects.jsonl"
    result = cli.invoke(
        app, ["ingest", str(bad), "--skip-invalid", "--rejects", str(rejects), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(rejects.read_text(encoding="utf-8").splitlines()[0])["line"] == 7
    assert "LEADS" not in types(db)


def test_cli_dedupe_lists_flagged_pairs(cli: CliRunner, db: GraphDB, tmp_path: Path) -> None:
    people = write_jsonl(
        tmp_path / "p.jsonl",
        [
            entity("x-1", "Person", "Duman Taev", sources=None),
            entity("y-2", "Person", "Думан Таев", sources=None),
        ],
    )
    assert cli.invoke(app, ["ingest", str(people)]).exit_code == 0
    result = cli.invoke(app, ["dedupe", "--json"])
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.stdout)["pairs"]
    assert [(p["a"], p["b"], p["score"]) for p in pairs] == [("x-1", "y-2", 100.0)]


def test_post_ingest_loads_a_file(app_client: TestClient, db: GraphDB) -> None:
    body = (FIXTURES / "good.jsonl").read_bytes()
    r = app_client.post("/ingest", files={"file": ("good.jsonl", body)})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 11
    assert types(db) == {"LEADS": 1, "PAID": 2, "LOCATED_IN": 1, "SUSPECT_IN": 1}
    run = list_runs(db)[0]
    assert run["file_name"] == "good.jsonl"
    assert "admin" in run["user"]


def test_post_ingest_takes_the_csv_files(app_client: TestClient, db: GraphDB) -> None:
    files = [
        ("file", (f.name, f.read_bytes(), "text/csv")) for f in sorted((FIXTURES / "csv").iterdir())
    ]
    r = app_client.post("/ingest", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "csv"
    assert types(db)["PAID"] == 2


def test_post_ingest_refuses_a_bad_file_with_422_listing_errors(
    app_client: TestClient, db: GraphDB
) -> None:
    lines = list(GOOD_LINES)
    lines[6] = DANGLING_7
    lines[7] = lines[7].replace('"amount": 1500.5', '"amount": "lots"')
    before = graph_counts(db)
    r = app_client.post("/ingest", files={"file": ("bad.jsonl", "\n".join(lines).encode())})
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert [(d["line"], d["field"]) for d in details] == [(7, "to"), (8, "properties.amount")]
    assert graph_counts(db) == before


def test_post_ingest_refuses_an_unknown_format(app_client: TestClient) -> None:
    r = app_client.post("/ingest", files={"file": ("a.jsonl", b"{}")}, data={"format": "xml"})
    assert r.status_code == 422
    assert "format" in r.json()["error"]["message"]


def test_cli_takes_the_csv_files_of_one_dataset(cli: CliRunner, db: GraphDB) -> None:
    csv_dir = FIXTURES / "csv"
    files = [str(csv_dir / n) for n in ("sources.csv", "entities.csv", "relationships.csv")]
    result = cli.invoke(app, ["ingest", *files, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == "csv"
    assert types(db) == {"LEADS": 1, "PAID": 2, "LOCATED_IN": 1, "SUSPECT_IN": 1}
