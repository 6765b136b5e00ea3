"""Neo4j → NetworkX: the projection every measure runs on.

The default projection holds the Person and Organization entities and the relationships
among them, undirected, parallel edges collapsed into one. Links to documents
(``MENTIONED_IN``), entity-resolution guesses (``POSSIBLY_SAME_AS``) and links to places or
cases are left out because places and cases are not among the projected kinds.

Options (:class:`ProjectionOptions`): the kinds, the relationship types, directed or not, a
numeric weight property (parallel edges then add their weights; a relationship without the
property weighs 1), the entities of one case (those with any relationship to the case
node), and a date window (only relationships whose ``date``, or ``start_date``…``end_date``,
falls in or overlaps the window; undated relationships are left out when a window is
given).

Nodes and relationships are read in one read transaction. The server groups the
relationships per start node and hands them over in records of :data:`CHUNK` start nodes,
so that the driver decodes a few dozen large records instead of one per relationship
(per-record overhead dominated: 3–4x faster end to end); the client adds each chunk to the
graph as it arrives and never holds the whole result.

Examples
--------
>>> opts = ProjectionOptions()
>>> opts.kinds, opts.directed
(('Organization', 'Person'), False)
>>> ProjectionOptions(kinds=("Person",), rel_types=("FAMILY_OF",)).relationship_types()
('FAMILY_OF',)
>>> G = project(db, opts)  # the seed dataset's people and organizations
>>> G.nodes["per-duman-taev"]
{'name': 'Duman Taev', 'label': 'Person'}
>>> G.number_of_nodes(), G.number_of_edges()
(21, 14)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import networkx as nx
from neo4j import ManagedTransaction

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import (
    CASE,
    ORGANIZATION,
    PERSON,
    RELATIONSHIPS,
    SOURCE,
    check_kind,
    check_rel_type,
)

DEFAULT_KINDS: tuple[str, ...] = (ORGANIZATION, PERSON)
EXCLUDED_BY_DEFAULT = frozenset({"MENTIONED_IN", "POSSIBLY_SAME_AS"})
_WEIGHT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# Cypher, kept as data. ``{labels}`` / ``{types}`` are filled only with names accepted by
# check_kind / check_rel_type; every value travels as a parameter.
NODES = """
MATCH (n:{labels})
WHERE $case_id IS NULL OR EXISTS {{ (n)--(:Case {{id: $case_id}}) }}
WITH collect({row}) AS rows
UNWIND range(0, size(rows) - 1, $chunk) AS i
RETURN rows[i..i + $chunk] AS chunk
"""

RELS_MATCH = """
MATCH (a:{labels})-[r:{types}]->({target})
WHERE ({partition})
  AND ($case_id IS NULL OR (EXISTS {{ (a)--(:Case {{id: $case_id}}) }}
                            AND EXISTS {{ (b)--(:Case {{id: $case_id}}) }}))
  AND ($date_from IS NULL AND $date_to IS NULL
       OR (coalesce(r.date, r.start_date, r.end_date) IS NOT NULL
           AND ($date_to IS NULL OR coalesce(r.date, r.start_date, r.end_date) <= $date_to)
           AND ($date_from IS NULL
                OR coalesce(r.date, r.end_date, r.start_date) >= $date_from)))
"""
"""The projected relationships: ``{partition}`` is ``true``, or (CSR) one share of the start
nodes."""

RELS = (
    RELS_MATCH
    + """WITH a, collect({collected}) AS out
WITH collect([{start}, out]) AS rows
UNWIND range(0, size(rows) - 1, $chunk) AS i
RETURN rows[i..i + $chunk] AS chunk
"""
)

CSR_RELS = (
    RELS_MATCH
    + """WITH collect(id(a)) AS s, collect(id(b)) AS d, collect({weight}) AS w
UNWIND range(0, size(s) - 1, $chunk) AS i
RETURN s[i..i + $chunk] AS s, d[i..i + $chunk] AS d, w[i..i + $chunk] AS w
"""
)
"""The CSR projection's read: internal ids of start and end nodes (and weights, or nulls),
as flat lists of :data:`CSR_CHUNK` relationships per record; only the start nodes with
``id(a) % $parts = $part``, so that several shares are read at once."""

CSR_CHUNK = 100_000

CHUNK = 10_000
"""Rows per record: the server groups the result so the driver decodes few, large records."""

CASE_EXISTS = "MATCH (c:Case {id: $id}) RETURN c.id AS id"


@dataclass(frozen=True)
class ProjectionOptions:
    """What to project. Hashable: it is part of every cache key.

    >>> ProjectionOptions(kinds=("Person", "Person")).kinds
    ('Person',)
    """

    kinds: tuple[str, ...] = DEFAULT_KINDS
    rel_types: tuple[str, ...] | None = None
    directed: bool = False
    weight: str | None = None
    case_id: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        kinds = tuple(sorted({check_kind(k) for k in self.kinds}))
        if not kinds:
            raise InvalidRequestError("kind: give at least one entity kind")
        if SOURCE in kinds:
            raise InvalidRequestError("kind: Source documents are not projected")
        object.__setattr__(self, "kinds", kinds)
        if self.rel_types is not None:
            types = tuple(sorted({check_rel_type(t) for t in self.rel_types}))
            if not types:
                raise InvalidRequestError("rel: give at least one relationship type")
            object.__setattr__(self, "rel_types", types)
        if self.weight is not None and not _WEIGHT_NAME.match(self.weight):
            raise InvalidRequestError(f"weight: not a property name: {self.weight!r}")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _DATE.match(value):
                raise InvalidRequestError(f"{name}: not a date (YYYY[-MM[-DD]]): {value!r}")

    def relationship_types(self) -> tuple[str, ...]:
        """The types projected: the chosen ones, or every type that can join two of the
        projected kinds except :data:`EXCLUDED_BY_DEFAULT`."""
        if self.rel_types is not None:
            return self.rel_types
        kinds = set(self.kinds)
        return tuple(
            sorted(
                name
                for name, rt in RELATIONSHIPS.items()
                if name not in EXCLUDED_BY_DEFAULT and rt.sources & kinds and rt.targets & kinds
            )
        )

    def cache_key(self) -> tuple[Any, ...]:
        return (
            self.kinds,
            self.relationship_types(),
            self.directed,
            self.weight,
            self.case_id,
            self.date_from,
            self.date_to,
        )


NODE_ROW = "[n.id, n.name, [l IN labels(n) WHERE l <> 'Entity'][0]]"
"""What the NetworkX projection reads of a node: its id, name and kind."""


def queries(opts: ProjectionOptions, *, node_row: str = NODE_ROW) -> tuple[str, str | None]:
    """The nodes query and the relationships query (``None``: no type joins the kinds).
    ``node_row`` is what a node row holds (the CSR projection reads Neo4j's internal id, a
    compact integer never shown to anyone, and the entity id)."""
    labels = "|".join(check_kind(k) for k in opts.kinds)
    types = opts.relationship_types()
    nodes = NODES.format(labels=labels, row=node_row)
    if not types:
        return nodes, None
    collected = f"[b.id, toFloat(coalesce(r.`{opts.weight}`, 1.0))]" if opts.weight else "b.id"
    rels = RELS.format(
        labels=labels,
        types="|".join(check_rel_type(t) for t in types),
        collected=collected,
        start="a.id",
        target=f"b:{labels}",
        partition="true",
    )
    return nodes, rels


def csr_rels_query(opts: ProjectionOptions) -> str | None:
    """The relationships query of the CSR projection (:data:`CSR_RELS`), or ``None`` when no
    type joins the kinds. The end node's kind is not checked by the server (reading its
    labels doubled the query's time at 200k entities): the reader drops the relationships
    whose end is not among the nodes."""
    types = opts.relationship_types()
    if not types:
        return None
    return CSR_RELS.format(
        labels="|".join(check_kind(k) for k in opts.kinds),
        types="|".join(check_rel_type(t) for t in types),
        target="b",
        partition="id(a) % $parts = $part",
        weight=f"toFloat(coalesce(r.`{opts.weight}`, 1.0))" if opts.weight else "null",
    )


def params(opts: ProjectionOptions) -> dict[str, Any]:
    """The query parameters of ``opts``."""
    return {
        "chunk": CHUNK,
        "case_id": opts.case_id,
        "date_from": opts.date_from,
        "date_to": opts.date_to,
    }


def check_case(tx: ManagedTransaction, opts: ProjectionOptions) -> None:
    """Raise :exc:`NotFoundError` if ``opts`` names a case that does not exist."""
    if opts.case_id is not None and tx.run(CASE_EXISTS, id=opts.case_id).single() is None:
        raise NotFoundError(f"case: no {CASE} with id {opts.case_id!r}")


COUNT = "MATCH (n:{labels}) RETURN count(n) AS n"


def size(db: GraphDB, opts: ProjectionOptions) -> int:
    """How many entities of the projected kinds the graph holds (from Neo4j's count store:
    cheap). An upper bound of the projection's size when a case is given."""
    return sum(int(db.read(COUNT.format(labels=check_kind(k)))[0]["n"]) for k in opts.kinds)


def project(db: GraphDB, opts: ProjectionOptions | None = None) -> nx.Graph:
    """Pull the projection described by ``opts`` out of Neo4j as a NetworkX graph.

    Nodes are entity ids with ``name`` and ``label`` attributes; a weighted projection
    puts the summed weight on each edge as ``weight``. Self-loops are kept (NetworkX
    keeps them too); parallel edges collapse.
    """
    opts = opts or ProjectionOptions()
    nodes_q, rels_q = queries(opts)
    values = params(opts)
    G: nx.Graph = nx.DiGraph() if opts.directed else nx.Graph()

    def work(tx: ManagedTransaction) -> None:
        check_case(tx, opts)
        for (chunk,) in tx.run(nodes_q, values):
            G.add_nodes_from((nid, {"name": name, "label": label}) for nid, name, label in chunk)
        if rels_q is None:
            return
        result = tx.run(rels_q, values)
        if opts.weight is None:
            for (chunk,) in result:
                for a, out in chunk:
                    G.add_edges_from((a, b) for b in out)
            return
        adj = G.adj
        for (chunk,) in result:
            for a, out in chunk:
                for b, w in out:
                    if b in adj[a]:
                        adj[a][b]["weight"] += w
                    else:
                        G.add_edge(a, b, weight=w)

    db.execute_read(work)
    return G


def to_undirected(G: nx.Graph) -> nx.Graph:
    """An undirected view-free copy (weights of the two directions add up)."""
    if not G.is_directed():
        return G
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for a, b, d in G.edges(data=True):
        w = d.get("weight")
        if H.has_edge(a, b) and w is not None:
            H[a][b]["weight"] += w
        elif w is not None:
            H.add_edge(a, b, weight=w)
        else:
            H.add_edge(a, b)
    return H


__all__ = [
    "DEFAULT_KINDS",
    "EXCLUDED_BY_DEFAULT",
    "ProjectionOptions",
    "csr_rels_query",
    "project",
    "queries",
    "size",
    "to_undirected",
]
