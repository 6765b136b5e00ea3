"""Free text linked to a protected person: scrubbed of every part of her names.

A case description, a relationship's notes and a linked suspect's description name a
minor by first name only, by an inflected surname (Russian "Сапаровой", Kazakh
"Сапарованың", Latin "Saparovoy"), by an alias in another script and by her nickname.
Viewers, analysts and Neo4j itself see none of it; admins get the original text back.
The text is never stored in clear, not even between the batch that writes the case and the
later batch that writes the relationship linking her to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.graph.schema import reset_database
from casegraph.ingest.pipeline import ingest_file
from tests.protection_support import (
    AIGERIM,
    SUSPECT,
    ZHANAR,
    Finder,
    answer_text,
    entity,
    graph_text,
    rel,
    source,
    write_jsonl,
)

CASE = "kz-case-0417"
CASE_NAME = "Дело Сапаровой"
DESCRIPTION = (
    "Айгерим рассказала следователю, что Сапаровой угрожали. Подруги звали её Аика; "
    "в протоколе — Aigerim Saparova. Сапарованың телефонын Руслан Тохтаров алып қойған."
)
SCRUBBED = (
    "[redacted] рассказала следователю, что [redacted] угрожали. Подруги звали её [redacted]; "
    "в протоколе — [redacted] [redacted]. [redacted] телефонын Руслан Тохтаров алып қойған."
)
NOTES = "Aigerim identified the flat; Saparovoy's phone was taken by Tokhtarov."
SUSPECT_TEXT = "Удерживал Айгерим и её подругу Аику в квартире."
NAMES = Finder(AIGERIM.needles())


def _records() -> list[dict[str, Any]]:
    """The case and the suspect come first, in clear, the minor later, and what links her
    to them last."""
    return [
        source(),
        entity(CASE, "Case", CASE_NAME, props={"description": DESCRIPTION}),
        {**SUSPECT, "properties": {"description": SUSPECT_TEXT}},
        entity("kz-case-other", "Case", "Unrelated case", props={"description": "Тохтаров"}),
        AIGERIM.record(),
        rel("SUSPECT_IN", SUSPECT["id"], CASE),
        rel("VICTIM_IN", AIGERIM.id, CASE, {"notes": NOTES}),
        rel("EXPLOITED", SUSPECT["id"], AIGERIM.id, {"form": "sexual"}),
    ]


def test_linked_text_is_scrubbed_for_viewers_and_in_neo4j_and_restored_for_admins(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    ingest_file(db, write_jsonl(tmp_path / "case.jsonl", _records()))

    assert NAMES(graph_text(db)) == set()
    stored = db.read("MATCH (c:Case {id: $id}) RETURN properties(c) AS p", {"id": CASE})[0]["p"]
    assert stored["description"] == SCRUBBED
    assert stored["name"] == "Дело [redacted]"
    suspect_text = db.read(
        "MATCH (p:Person {id: $id}) RETURN p.description AS d", {"id": SUSPECT["id"]}
    )
    assert suspect_text == [{"d": "Удерживал [redacted] и её подругу [redacted] в квартире."}]

    for role in ("viewer", "analyst"):
        client = client_for(role)
        case = client.get(f"/entities/{CASE}").json()
        assert case["properties"]["description"] == SCRUBBED, role
        assert case["name"] == "Дело [redacted]"
        hood = client.get(f"/entities/{CASE}/neighborhood", params={"depth": 2})
        suspect = client.get(f"/entities/{SUSPECT['id']}")
        for r in (hood, suspect, client.get("/entities", params={"q": "Дело"})):
            assert r.status_code == 200
            assert NAMES(answer_text(r)) == set(), (role, r.text[:600])
        # words that are not hers stay: the scrubber does not blank the text
        assert "Руслан Тохтаров" in case["properties"]["description"]
        assert suspect.json()["name"] == "Ruslan Tokhtarov"
        notes = [e["properties"].get("notes") for e in hood.json()["edges"]]
        assert "[redacted] identified the flat; [redacted]'s phone was taken by Tokhtarov." in notes

    admin = client_for("admin")
    case = admin.get(f"/entities/{CASE}").json()
    assert case["properties"]["description"] == DESCRIPTION
    assert case["name"] == CASE_NAME
    assert admin.get(f"/entities/{SUSPECT['id']}").json()["properties"]["description"] == (
        SUSPECT_TEXT
    )
    hood = admin.get(f"/entities/{CASE}/neighborhood").json()
    assert NOTES in [e["properties"].get("notes") for e in hood["edges"]]
    # unlinked text is left alone
    other = admin.get("/entities/kz-case-other").json()
    assert other["properties"]["description"] == "Тохтаров"

    # the case loaded again, alone, with its text in clear: scrubbed again as it is written
    changed = DESCRIPTION + " Аика опознала квартиру."
    ingest_file(
        db,
        write_jsonl(
            tmp_path / "again.jsonl",
            [source(), entity(CASE, "Case", CASE_NAME, props={"description": changed})],
        ),
    )
    assert NAMES(graph_text(db)) == set()
    assert admin.get(f"/entities/{CASE}").json()["properties"]["description"] == changed
    viewer_case = client_for("viewer").get(f"/entities/{CASE}").json()
    assert viewer_case["properties"]["description"] == SCRUBBED + " [redacted] опознала квартиру."


def test_linked_text_is_never_in_clear_between_batches(db: GraphDB, tmp_path: Path) -> None:
    """Batches of one record: after every commit, no property anywhere names her, although
    the case and the suspect are written before the relationships that link her to them."""
    seen: list[set[str]] = []

    def after_batch(phase: str, n: int) -> None:
        if phase == "loading":
            seen.append(NAMES(graph_text(db)))

    ingest_file(
        db, write_jsonl(tmp_path / "case.jsonl", _records()), batch_size=1, progress=after_batch
    )
    assert len(seen) >= len(_records()) - 2, "a check after every batch"
    assert [s for s in seen if s] == []
    stored = db.read("MATCH (c:Case {id: $id}) RETURN c.description AS d", {"id": CASE})
    assert stored == [{"d": SCRUBBED}]


def test_new_text_linked_to_a_person_the_load_protects_later_is_scrubbed(
    db: GraphDB, tmp_path: Path
) -> None:
    """A new case names Aigerim (protected as written) and Zhanar, whom the graph holds in
    clear until the load's last relationship marks her a victim. The case is written
    scrubbed of Aigerim at once, and of Zhanar in the transaction that protects her; the
    same whatever the batch size (one record per batch, or all in one)."""
    text = "Айгерим и Zhanar Kemelbekova (Жанар) дали показания; Тохтаров задержан."
    for batch_size in (1, 10_000):
        reset_database(db)
        ingest_file(db, write_jsonl(tmp_path / "first.jsonl", [source(), ZHANAR.record()]))
        assert db.read("MATCH (p:Person {id: $id}) RETURN p.name AS n", {"id": ZHANAR.id}) == [
            {"n": ZHANAR.name}
        ], "stored in clear: nothing marks her yet"
        records = [
            source(),
            AIGERIM.record(),
            entity("kz-case-two", "Case", "Case two", props={"description": text}),
            rel("VICTIM_IN", AIGERIM.id, "kz-case-two"),
            rel("VICTIM_IN", ZHANAR.id, "kz-case-two"),
        ]
        ingest_file(db, write_jsonl(tmp_path / "two.jsonl", records), batch_size=batch_size)
        assert Finder(AIGERIM.needles() | ZHANAR.needles())(graph_text(db)) == set(), batch_size
        stored = db.read("MATCH (c:Case {id: 'kz-case-two'}) RETURN c.description AS d")
        expected = "[redacted] и [redacted] [redacted] ([redacted]) дали показания; " + text[-18:]
        assert stored == [{"d": expected}], batch_size
