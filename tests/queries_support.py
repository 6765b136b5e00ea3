"""Helpers for the saved-query tests: the fixtures' content read straight from their JSON
Lines files (the reference the query answers are checked against), the same content as the
graph stores it (protected people under pseudonyms, :meth:`Content.as_stored`), and
NetworkX graphs built from it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from casegraph.graph.db import GraphDB
from casegraph.graph.protection import pseudonym_of
from casegraph.ingest.seed import seed_path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "queries"
NETWORK = FIXTURES / "network.jsonl"
MONEY = frozenset({"PAID", "INVESTED_IN"})


@dataclass
class Content:
    """Sources, entities and relationships of one or more JSON Lines files."""

    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    rels: list[dict[str, Any]] = field(default_factory=list)
    #: id in the files -> pseudonymous id, for the people the graph stores protected
    protected: dict[str, str] = field(default_factory=dict)

    def sid(self, eid: str) -> str:
        """The id under which the graph stores the entity with id ``eid`` in the files."""
        return self.protected.get(eid, eid)

    def as_stored(self, db: GraphDB) -> Content:
        """This content as ``db`` stores it: every person it protects under her pseudonymous
        id and pseudonym, with no aliases and no properties (they are sealed), and the
        relationships pointing at those ids."""
        key = db.protection_key
        people = {e: key.pseudo_id(e) for e, d in self.entities.items() if d["label"] == "Person"}
        rows = db.read(
            "MATCH (p:Person) WHERE p.id IN $ids AND p.protection IS NOT NULL RETURN p.id AS id",
            {"ids": sorted(people.values())},
        )
        stored = {r["id"] for r in rows}
        out = Content(protected={e: pid for e, pid in people.items() if pid in stored})
        for e, d in self.entities.items():
            pid = out.protected.get(e)
            if pid is None:
                out.entities[e] = d
            else:
                out.entities[pid] = {
                    **d,
                    "id": pid,
                    "name": pseudonym_of(pid),
                    "aliases": [],
                    "properties": {},
                }
        out.rels = [{**r, "from": out.sid(r["from"]), "to": out.sid(r["to"])} for r in self.rels]
        return out

    def name(self, eid: str) -> str:
        return str(self.entities[eid]["name"])

    def prop(self, eid: str, key: str) -> Any:
        return (self.entities[eid].get("properties") or {}).get(key)

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        return [r for r in self.rels if r["type"] in types]

    def label(self, eid: str) -> str:
        return str(self.entities[eid]["label"])

    def victims(self) -> set[str]:
        """People who are victims in a case, were trafficked, or were exploited."""
        out = {r["from"] for r in self.of_type("VICTIM_IN", "TRAFFICKED_TO")}
        out |= {r["to"] for r in self.of_type("EXPLOITED")}
        return out

    def undirected(self) -> nx.MultiGraph:
        """Entities and their relationships, without links to source documents."""
        g = nx.MultiGraph()
        g.add_nodes_from(e for e, d in self.entities.items() if d["label"] != "Source")
        for r in self.rels:
            if r["type"] != "MENTIONED_IN":
                g.add_edge(r["from"], r["to"], type=r["type"])
        return g

    def money(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        for r in self.of_type(*MONEY):
            g.add_edge(r["from"], r["to"], **r["properties"], type=r["type"])
        return g


def read(paths: Iterable[Path]) -> Content:
    c = Content()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec["kind"] == "source":
                c.entities[rec["id"]] = {
                    "label": "Source",
                    "name": rec["title"],
                    "properties": {k: v for k, v in rec.items() if k not in {"kind", "id"}},
                    "sources": [rec["id"]],
                }
            elif rec["kind"] == "entity":
                c.entities[rec["id"]] = rec
            else:
                rec.setdefault("properties", {})
                c.rels.append(rec)
    return c


def seed_content() -> Content:
    return read([seed_path()])


def all_content() -> Content:
    """The seed and the network fixture together (as the tests load them)."""
    return read([seed_path(), NETWORK])
