"""``casegraph query list|show|run|adhoc`` on the real Neo4j."""

from __future__ import annotations

import csv
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casegraph.cli import app
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings, get_settings
from tests.queries_support import seed_content


@pytest.fixture
def cli(neo4j_uri: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line on the test Neo4j, with the protection key the tests write with."""
    monkeypatch.setenv("CASEGRAPH_NEO4J_URI", neo4j_uri)
    monkeypatch.setenv("CASEGRAPH_PROTECTION_KEY_FILE", str(settings.protection_key_path()))
    monkeypatch.delenv("CASEGRAPH_QUERY_PATH", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _bahrain_victims(db: GraphDB) -> list[str]:
    """The (pseudonymous) ids of the seed's victims taken to Bahrain."""
    c = seed_content().as_stored(db)
    bahrain = {e for e, d in c.entities.items() if d["name"] == "Bahrain"}
    return sorted(r["from"] for r in c.of_type("TRAFFICKED_TO") if r["to"] in bahrain)


def test_list_json_gives_at_least_fifteen_queries_with_parameters(
    cli: CliRunner, db: GraphDB
) -> None:
    result = cli.invoke(app, ["query", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) >= 15
    for q in items:
        assert q["name"] and q["description"] and isinstance(q["params"], list)
    by_name = {q["name"]: q for q in items}
    assert [p["name"] for p in by_name["victims-by-destination"]["params"]] == ["country", "limit"]
    table = cli.invoke(app, ["query", "list"])
    assert table.exit_code == 0 and "victims-by-destination" in table.stdout


def test_run_victims_by_destination_bahrain(cli: CliRunner, seeded: GraphDB) -> None:
    expected = _bahrain_victims(seeded)
    assert expected
    result = cli.invoke(
        app,
        ["query", "run", "victims-by-destination", "--param", "country=Bahrain", "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert sorted(r["victim_id"] for r in body["rows"]) == expected
    # the command line sees as an admin: the victim group's name, decrypted
    names = {r["victim"]["name"] for r in body["rows"]}
    assert names == {"Kazakh victims of forced labor abroad (unnamed group)"}
    assert all("_sealed" not in r["victim"] for r in body["rows"])
    table = cli.invoke(app, ["query", "run", "victims-by-destination", "--param", "country=BH"])
    assert table.exit_code == 0
    assert "Bahrain" in table.stdout
    text = cli.invoke(
        app, ["query", "run", "victims-by-destination", "-p", "country=bahrain", "-f", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(text.stdout)))
    assert sorted(r["victim_id"] for r in rows) == expected


def test_bad_parameters_exit_non_zero_with_what_the_query_takes(
    cli: CliRunner, seeded: GraphDB
) -> None:
    result = cli.invoke(app, ["query", "run", "victims-by-destination", "--param", "limit=x"])
    assert result.exit_code == 1
    assert "country: required" in result.output
    assert "This query takes" in result.output
    result = cli.invoke(app, ["query", "run", "victims-by-destination", "--param", "country"])
    assert result.exit_code == 1 and "key=value" in result.output
    result = cli.invoke(app, ["query", "run", "no-such-query"])
    assert result.exit_code == 1 and "no saved query" in result.output


def test_show_prints_the_cypher(cli: CliRunner) -> None:
    result = cli.invoke(app, ["query", "show", "victims-by-destination"])
    assert result.exit_code == 0
    assert "TRAFFICKED_TO" in result.stdout and "country: string" in result.stdout


def test_adhoc_reads_and_refuses_writes(cli: CliRunner, seeded: GraphDB) -> None:
    before = seeded.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    result = cli.invoke(app, ["query", "adhoc", "MATCH (n) DETACH DELETE n"])
    assert result.exit_code == 1
    assert "refused" in result.output
    assert seeded.read("MATCH (n) RETURN count(n) AS c")[0]["c"] == before
    result = cli.invoke(
        app,
        [
            "query",
            "adhoc",
            "MATCH (l:Location {iso_code: $iso}) RETURN l.name AS name",
            "--param",
            "iso=BH",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"name": "Bahrain"}]


def test_query_path_folders_are_listed(
    cli: CliRunner, db: GraphDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.cypher").write_text(
        "// name: my-count\n// description: how many\nMATCH (n:Entity) RETURN count(n) AS n\n"
    )
    (tmp_path / "broken.cypher").write_text("// name: broken\nRETURN 1\n")
    monkeypatch.setenv("CASEGRAPH_QUERY_PATH", str(tmp_path))
    get_settings.cache_clear()
    result = cli.invoke(app, ["query", "list", "--format", "json"])
    assert result.exit_code == 0
    assert "my-count" in {q["name"] for q in json.loads(result.stdout)}
    warned = result.stderr.replace("\n", "")  # as the terminal shows it, unwrapped
    assert "broken.cypher" in warned and "description" in warned
    run = cli.invoke(app, ["query", "run", "my-count", "-f", "json"])
    assert json.loads(run.stdout)["rows"] == [{"n": 0}]


def test_list_works_without_neo4j_and_says_plans_were_not_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("CASEGRAPH_NEO4J_URI", f"bolt://127.0.0.1:{port}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["query", "list", "--format", "json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) >= 15
    assert "plans not checked" in result.stderr
