"""``casegraph extract`` against the real Neo4j: linking to the seed, and protected victims
who are never matched by their real names for a role that may not see them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casegraph.cli import app
from casegraph.extract.documents import document_from_text
from casegraph.extract.linking import Linker
from casegraph.extract.pipeline import extract
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import get_settings
from tests.builders import entity, rel, source, write_jsonl
from tests.test_extract import seed_article

ARTICLE = seed_article()
SEED_LINKS = {
    "Duman Taev": "per-duman-taev",
    "Anna Ryl": "per-anna-ryl",
    "Alzhanova": "per-alzhanova",
    "Nurdilda Oraz": "per-nurdilda-oraz",
    "Questra World": "org-questra-world",
    "Questra Holding": "org-questra-holding",
    "Atlantic Global Asset Management": "org-atlantic-global-asset-management",
    "Five Winds Asset Management": "org-five-winds-asset-management",
    "Korgau Astana": "org-korgau-astana",
    "Criminal Police Department": "org-criminal-police-department",
    "Ministry of Internal Affairs": "org-mvd-kazakhstan",
    "Investigative Department of the MVD": "org-mvd-investigative-department",
    "Kazakhstan": "loc-kazakhstan",
    "Almaty": "loc-almaty",
    "Bahrain": "loc-bahrain",
    "Turkey": "loc-turkey",
    "South Korea": "loc-south-korea",
    "Uzbekistan": "loc-uzbekistan",
}


@pytest.fixture
def cli(db: GraphDB, neo4j_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CASEGRAPH_NEO4J_URI", neo4j_uri)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_links_the_seed_article_to_the_seed(cli: CliRunner, tmp_path: Path) -> None:
    assert cli.invoke(app, ["seed"]).exit_code == 0
    article = tmp_path / "article.txt"
    if ARTICLE.exists():
        article.write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        pytest.skip("the seed article is not beside the project")
    result = cli.invoke(app, ["extract", str(article), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    linked = {e["name"]: (e["match"] or {}).get("id") for e in out["entities"]}
    for name, eid in SEED_LINKS.items():
        assert linked.get(name) == eid, (name, linked.get(name))
    assert out["source"]["sha256"] and out["source"]["language"] == "en"
    # a name the seed does not hold is proposed as new
    assert linked.get("Eurasia") is None


def test_cli_links_russian_names_across_scripts(cli: CliRunner, tmp_path: Path) -> None:
    assert cli.invoke(app, ["seed"]).exit_code == 0
    doc = tmp_path / "ru.txt"
    doc.write_text(
        "Начальник Департамента криминальной полиции Думан Таев сообщил, что казахстанцев "
        "вывозили в Бахрейн и Южную Корею.",
        encoding="utf-8",
    )
    result = cli.invoke(app, ["extract", str(doc), "--json", "--lang", "ru"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    by_name = {e["name"]: e for e in out["entities"]}
    assert by_name["Думан Таев"]["match"]["id"] == "per-duman-taev"
    assert by_name["Думан Таев"]["match"]["name"] == "Duman Taev"
    assert by_name["Bahrain"]["match"]["id"] == "loc-bahrain"
    assert by_name["South Korea"]["match"]["id"] == "loc-south-korea"


def test_cli_without_a_database_still_extracts(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Anna Ryl, head of the Korgau Astana foundation.", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(doc), "--json", "--no-link"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [e["match"] for e in out["entities"]] == [None, None]


def test_a_protected_victim_is_matched_only_for_a_role_that_may_see_her(
    db: GraphDB, tmp_path: Path
) -> None:
    data = write_jsonl(
        tmp_path / "victim.jsonl",
        [
            source(),
            entity("per-aigerim", name="Aigerim Nurlanovna", aliases=["Айгерим Нурлановна"]),
            entity("case-x", "Case", name="Almaty labor case"),
            rel("VICTIM_IN", "per-aigerim", "case-x"),
        ],
    )
    ingest_file(db, data)
    text = "Aigerim Nurlanovna was taken to Turkey in 2019."
    doc = document_from_text(text)

    viewer = extract(doc, language="en", linker=Linker(db, None))
    person = next(e for e in viewer["entities"] if e["label"] == "Person")
    assert person["name"] == "Aigerim Nurlanovna"  # the document's own words
    assert person["match"] is None  # never linked to her pseudonym
    dumped = json.dumps(viewer, ensure_ascii=False)
    assert "victim-" not in dumped.lower() and "per-aigerim" not in dumped

    admin = extract(doc, language="en", linker=Linker(db, "admin"))
    match = next(e for e in admin["entities"] if e["label"] == "Person")["match"]
    assert match is not None and match["name"] == "Aigerim Nurlanovna"
