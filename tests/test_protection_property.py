"""A property of every ingest: after every committed batch, no person the file protects is
stored in clear anywhere in the graph.

Random small files: people (unique names in Cyrillic with a Latin alias, a nickname), cases
whose descriptions name the people linked to them, places, and relationships among them
(some of which mark a victim), with victim markers of every kind (own properties, a victim
role, ``VICTIM_IN``, ``EXPLOITED``, ``TRAFFICKED_TO``) in any order and batches of 1 to 50
rows. After each batch commits, every property of every node and relationship is read
directly from Neo4j and searched for the words of the protected people's names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from casegraph.graph.db import GraphDB
from casegraph.graph.names import name_key
from casegraph.graph.schema import reset_database
from casegraph.ingest.pipeline import ingest_file
from tests.protection_support import (
    FIRST_NAMES,
    Finder,
    Victim,
    entity,
    generated_victim,
    graph_text,
    rel,
    source,
    write_jsonl,
)

YEAR = dt.date.today().year
# own properties: None marks nothing; the others mark a minor or a victim (or say adult)
OWN = st.sampled_from(
    [
        None,
        None,
        {"age": 40},
        {"is_minor": True},
        {"age": 15},
        {"birth_year": YEAR - 10},
        {"role": "victim of forced labour"},
        {"role": "suspect"},
    ]
)
# (type, from kind, to kind, marks): which end it makes a victim, if any
REL_TYPES = [
    ("VICTIM_IN", "person", "case", "from"),
    ("EXPLOITED", "person", "person", "to"),
    ("TRAFFICKED_TO", "person", "place", "from"),
    ("SUSPECT_IN", "person", "case", None),
    ("WITNESS_IN", "person", "case", None),
    ("FAMILY_OF", "person", "person", None),
    ("ASSOCIATE_OF", "person", "person", None),
]


def _person(i: int, first: int, own: dict[str, Any] | None) -> Victim:
    base = generated_victim(1000 + i, minor=False, prefix="hp")
    lat, cyr = FIRST_NAMES[first]
    surname = base.aliases[0].split()[1]
    return Victim(
        f"hp-{i}",
        f"{cyr} {surname}",
        (f"{lat} {name_key(surname).capitalize()}",),
        {**base.props, **(own or {})},
    )


@st.composite
def files(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[Victim], int]:
    n = draw(st.integers(2, 7))
    firsts = draw(st.permutations(range(len(FIRST_NAMES))))[:n]
    people = [_person(i, firsts[i], draw(OWN)) for i in range(n)]
    n_cases = draw(st.integers(1, 3))
    ends = {
        "person": [p.id for p in people],
        "case": [f"hc-{k}" for k in range(n_cases)],
        "place": ["hl-0", "hl-1"],
    }
    rels: list[tuple[str, str, str]] = []
    for _ in range(draw(st.integers(1, 10))):
        rtype, fk, tk, _marks = draw(st.sampled_from(REL_TYPES))
        a = draw(st.sampled_from(ends[fk]))
        b = draw(st.sampled_from(ends[tk]))
        if a != b and (rtype, a, b) not in rels:
            rels.append((rtype, a, b))
    names = {p.id: p for p in people}

    def mention(pid: str) -> str:  # a name as a text would give it: first name, surname, …
        p = names[pid]
        way = draw(st.integers(0, 3))
        if way == 0:
            return p.name.split()[0]
        if way == 1:
            return p.aliases[0].split()[1] + "'s"
        if way == 2:
            return p.name.split()[1][:-1] + "ой"  # Russian genitive: Жан…ова -> Жан…овой
        return str(p.props["nickname"])

    records: list[dict[str, Any]] = [source()]
    for k, cid in enumerate(ends["case"]):
        linked = [a for _, a, b in rels if b == cid]  # only text linked to them names them
        text = "; ".join(f"видели {mention(pid)}" for pid in linked) or "no one named"
        title = f"Case {k} of {mention(linked[0])}" if linked else f"Case {k}"
        records.append(entity(cid, "Case", title, props={"description": text}))
    records += [entity("hl-0", "Location", "Bahrain"), entity("hl-1", "Location", "Turkey")]
    records += [p.record() for p in people]
    for rtype, a, b in rels:
        props: dict[str, Any] = {}
        if rtype == "EXPLOITED":
            props["form"] = "sexual"
        if a in names and draw(st.booleans()):
            props["notes"] = f"{mention(a)} said so"
        records.append(rel(rtype, a, b, props))
    order = draw(st.permutations(range(len(records))))
    shuffled = [records[i] for i in order]
    return shuffled, people, draw(st.integers(1, 50))


def _protected(records: list[dict[str, Any]], people: list[Victim]) -> set[str]:
    """The oracle: who the file protects, from the rules, computed apart from casegraph."""
    out = set()
    for p in people:
        props = p.props
        if props.get("is_minor") is True or props.get("age", 99) < 18:
            out.add(p.id)
        if YEAR - props.get("birth_year", 0) < 18:
            out.add(p.id)
        if str(props.get("role", "")).startswith("victim"):
            out.add(p.id)
    marks = {t: m for t, _, _, m in REL_TYPES}
    for r in records:
        if r["kind"] == "relationship" and marks.get(r["type"]):
            out.add(r["from"] if marks[r["type"]] == "from" else r["to"])
    return out


@hsettings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(case=files())
def test_no_protected_person_in_clear_after_any_batch(
    db: GraphDB, tmp_path: Path, case: tuple[list[dict[str, Any]], list[Victim], int]
) -> None:
    records, people, batch_size = case
    reset_database(db)
    protected = _protected(records, people)
    find = Finder(set().union(*(p.needles() for p in people if p.id in protected)))
    leaks: list[tuple[int, set[str]]] = []
    batches = [0]

    def after_batch(phase: str, n: int) -> None:
        if phase == "loading":
            batches[0] += 1
            found = find(graph_text(db))
            if found:
                leaks.append((batches[0], found))

    path = write_jsonl(tmp_path / "random.jsonl", records)
    ingest_file(db, path, batch_size=batch_size, progress=after_batch)
    assert batches[0] >= 1
    assert leaks == [], (batch_size, leaks, records)
    # the controls: protected people are stored protected, the others in clear
    stored = {
        r["id"]: r["level"]
        for r in db.read("MATCH (p:Person) RETURN p.id AS id, p.protection AS level")
    }
    key = db.protection_key
    for p in people:
        if p.id in protected:
            assert stored.get(key.pseudo_id(p.id)) in ("all", "minors"), p.id
        else:
            assert p.id in stored and stored[p.id] is None, p.id
            assert p.aliases[0].split()[1] in graph_text(db)
