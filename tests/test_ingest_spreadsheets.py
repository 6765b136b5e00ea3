"""CSV as spreadsheets save it (Windows-1251 / KOI8-R, ``;`` with ``|`` lists, Excel dates),
loaded on the real Neo4j: the same graph as the UTF-8 twin, and clear errors otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casegraph.cli import app
from casegraph.errors import InvalidRequestError, ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.ingest.detect import csv_options
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import get_settings
from tests.ingest_support import FIXTURES, entity, graph_counts, kinds, rels, types

CSV_DIR = FIXTURES / "csv"

# The fixture's entities and relationships as a Russian-locale Excel writes them: Cyrillic
# names, ';' between cells, '|' inside list cells, dd.mm.yyyy and serial-number dates.
ENTITIES = [
    "id;label;name;aliases;sources;position;birth_year;org_type;location_type;start_date",
    "p-1;Person;Думан Таев;Duman Taev|Д. Таев;src-a;начальник управления;1975;;;",
    "p-2;Person;Анна Рыль;;src-a;;;;;",
    "o-1;Organization;Квестра Ворлд;Questra World;src-a;;;scheme;;",
    "l-1;Location;Алматы;;src-a;;;;city;",
    "c-1;Case;Дело Квестры;;src-a;;;;;01.03.2017",
]
RELATIONSHIPS = [
    "type;from;to;sources;amount;currency;date",
    "LEADS;p-2;o-1;src-a;;;",
    "PAID;p-1;o-1;src-a;1500.5;USD;02.05.2017",
    "PAID;p-1;o-1;src-a;200;USD;42887",  # Excel's serial number of 2017-06-01
    "LOCATED_IN;o-1;l-1;src-a;;;",
    "SUSPECT_IN;p-2;c-1;src-a;;;",
]
SOURCES = ["id;title;url;published;language", "src-a;Судебная запись А;https://example.org/a;;ru"]


def _spreadsheet(folder: Path, encoding: str) -> Path:
    folder.mkdir()
    for name, lines in (
        ("entities.csv", ENTITIES),
        ("relationships.csv", RELATIONSHIPS),
        ("sources.csv", SOURCES),
    ):
        (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return folder


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "utf-8-sig"])
def test_cyrillic_spreadsheet_loads_as_written(db: GraphDB, tmp_path: Path, encoding: str) -> None:
    report = ingest_file(db, _spreadsheet(tmp_path / "sheet", encoding))
    assert report.rejected == []
    taev = entity(db, "p-1")
    assert taev["name"] == "Думан Таев"
    assert taev["aliases"] == ["Duman Taev", "Д. Таев"]
    assert taev["position"] == "начальник управления"
    assert entity(db, "o-1")["name"] == "Квестра Ворлд"
    assert entity(db, "c-1")["start_date"] == "2017-03-01"
    assert entity(db, "src-a")["title"] == "Судебная запись А"
    assert sorted((r["amount"], r["date"]) for r in rels(db, "PAID")) == [
        (200.0, "2017-06-01"),
        (1500.5, "2017-05-02"),
    ]
    # the same kinds and relationships as the UTF-8, comma-separated fixture
    got = (kinds(db), types(db))
    db.write("MATCH (n) DETACH DELETE n")
    ingest_file(db, CSV_DIR)
    assert got == (kinds(db), types(db))


@pytest.fixture
def cli(db: GraphDB, neo4j_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CASEGRAPH_NEO4J_URI", neo4j_uri)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_windows_1251_through_the_command_line(cli: CliRunner, db: GraphDB, tmp_path: Path) -> None:
    folder = _spreadsheet(tmp_path / "sheet", "cp1251")
    result = cli.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert entity(db, "p-2")["name"] == "Анна Рыль"


def test_a_wrong_encoding_given_is_refused_with_its_line(db: GraphDB, tmp_path: Path) -> None:
    folder = _spreadsheet(tmp_path / "sheet", "cp1251")
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, folder, csv_options=csv_options("utf-8", None))
    first = info.value.errors[0]
    assert (first.line, first.field) == (2, "entities.csv:")
    assert "not utf-8 text" in first.reason
    assert graph_counts(db) == before


def test_the_encoding_and_delimiter_given_override_detection(db: GraphDB, tmp_path: Path) -> None:
    folder = _spreadsheet(tmp_path / "sheet", "cp1251")
    # read as KOI8-R, the same bytes are other letters: the user's choice is honoured
    ingest_file(db, folder, csv_options=csv_options("koi8_r", ";"))
    assert entity(db, "p-2")["name"] == "Анна Рыль".encode("cp1251").decode("koi8_r")
    # a wrong delimiter makes the header unreadable, and the error says what was expected
    db.write("MATCH (n:Entity) DETACH DELETE n")
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, folder, csv_options=csv_options(None, ","))
    assert "header names no known CSV layout" in info.value.errors[0].reason
    assert graph_counts(db) == before


def test_unknown_encoding_or_delimiter_is_a_clear_error() -> None:
    with pytest.raises(InvalidRequestError, match="unknown encoding 'latin-99'"):
        csv_options("latin-99", None)
    with pytest.raises(InvalidRequestError, match="delimiter must be one of"):
        csv_options(None, "|")


def test_a_bad_spreadsheet_date_names_line_and_field(db: GraphDB, tmp_path: Path) -> None:
    folder = _spreadsheet(tmp_path / "sheet", "cp1251")
    rel = folder / "relationships.csv"
    lines = rel.read_bytes().decode("cp1251").splitlines()
    lines[2] = "PAID;p-1;o-1;src-a;1500.5;USD;31.02.2017"
    rel.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    before = graph_counts(db)
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, folder)
    assert [(e.line, e.field) for e in info.value.errors] == [
        (3, "relationships.csv:properties.date")
    ]
    assert graph_counts(db) == before
