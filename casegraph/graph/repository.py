"""Read queries over entities: search, one entity, its neighborhood.

Every function returns plain dicts. Graph-shaped answers use one shape (DESIGN.md)::

    {"nodes": [{"id", "label", "name", ...}], "edges": [{"type", "from", "to", ...}]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from neo4j import ManagedTransaction
from neo4j.graph import Node, Relationship

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import ENTITY_LABEL, RELATIONSHIPS, check_kind, check_rel_type
from casegraph.graph.names import name_key
from casegraph.graph.schema import FULLTEXT_INDEX

INTERNAL_PROPS = frozenset(
    {
        "name_key",
        "search_text",
        "search_keys",
        "key",
        "sealed",
        "sealed_text",
        "blind_text",
        "protection",
    }
)
#: Keys of an answer's node and edge dicts that only the disclosure step reads
#: (:mod:`casegraph.graph.disclosure`), which removes them before anything leaves.
HIDDEN = {"sealed": "_sealed", "protection": "_level", "sealed_text": "_sealed_text"}
MAX_DEPTH = 3
MAX_NEIGHBORHOOD = 2000
MAX_SEARCH = 500

# Search is bounded inside Cypher (issue 13): no query sorts all of its matches. The
# full-text queries ask Lucene for its own top $window hits (the ``limit`` option: Lucene
# keeps a bounded priority queue of the best hits); the prefix query reads the
# ``name_key`` range index in its order (no Sort in the plan: ``NodeIndexSeekByRange``
# provides ``name_key`` ascending) and stops after $window rows. :func:`search_checked`
# then orders those few rows as the unbounded queries did (best score, then name) and
# keeps ``limit``: wherever the matches fit the window (the seed, a rare name) the answer
# and its order are the ones the unbounded queries gave; past it, the first ``limit`` by
# name among the window's rows.
SEARCH_FULLTEXT = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $lucene, {{limit: $inner}})
YIELD node, score
WHERE $label IS NULL OR $label IN labels(node)
WITH node, score
LIMIT $window
RETURN collect([node.id, node.name, score]) AS fulltext
"""

SEARCH_BLIND = """
CALL db.index.fulltext.queryNodes('entity_blind', $blind, {limit: $inner}) YIELD node, score
WHERE node.protection IN $levels AND ($label IS NULL OR $label IN labels(node))
WITH node, score
LIMIT $window
RETURN collect([node.id, node.name, score]) AS blind
"""

BLIND_HIT = """
CALL db.index.fulltext.queryNodes('entity_blind', $blind, {limit: 1}) YIELD node
RETURN count(node) > 0 AS hit
"""

SEARCH_KEY_PREFIX = """
MATCH (node:Entity)
WHERE node.name_key STARTS WITH $key AND ($label IS NULL OR $label IN labels(node))
WITH node
ORDER BY node.name_key
LIMIT $window
RETURN collect([node.id, node.name, 100.0]) AS prefix
"""


SEARCH_PARTS = {
    "hit": BLIND_HIT,
    "blind": SEARCH_BLIND,
    "prefix": SEARCH_KEY_PREFIX,
    "fulltext": SEARCH_FULLTEXT,
}


def search_statement(parts: Iterable[str]) -> str:
    """One statement that runs the search queries ``parts`` (of ``hit``: does the query
    name a protected person, :data:`BLIND_HIT`; ``blind``: :data:`SEARCH_BLIND`; ``prefix``:
    :data:`SEARCH_KEY_PREFIX`; ``fulltext``: :data:`SEARCH_FULLTEXT`), each in its own
    ``CALL`` subquery, and returns one row with a column per part: one round trip.

    >>> print(search_statement(["hit"]))
    CALL () {
    CALL db.index.fulltext.queryNodes('entity_blind', $blind, {limit: 1}) YIELD node
    RETURN count(node) > 0 AS hit
    }
    RETURN hit
    """
    chosen = list(parts)
    calls = [f"CALL () {{{SEARCH_PARTS[p]}}}" for p in chosen]
    return "\n".join([*calls, "RETURN " + ", ".join(chosen)])


# In the order of the ``entity_name`` range index (ties by id: a partial sort of the few rows
# that share a name), so listing stops after $limit rows.
#: The entities a search chose, read whole (only these few).
#: One row: [labels, properties] of each, which the driver need not hydrate into nodes.
NODES_BY_ID = """
UNWIND $ids AS nid
MATCH (node:Entity {id: nid})
RETURN collect([labels(node), properties(node)]) AS nodes
"""

LIST_ENTITIES = """
MATCH (node:Entity)
WHERE node.name IS NOT NULL AND ($label IS NULL OR $label IN labels(node))
RETURN node, 0.0 AS score
ORDER BY node.name, node.id
LIMIT $limit
"""

#: The relationship types an answer may follow, from the closed vocabulary: spelled into
#: the Cypher text (checked names, never user input), so that Neo4j reads only the chains
#: of these types of a dense node and counts a node's relationships of one type and
#: direction from its relationship groups (``GetDegree``) instead of walking them.
REL_TYPES: tuple[str, ...] = tuple(check_rel_type(t) for t in RELATIONSHIPS)
DOCUMENT_LINK = "MENTIONED_IN"
NON_DOCUMENT_TYPES: tuple[str, ...] = tuple(t for t in REL_TYPES if t != DOCUMENT_LINK)


def type_pattern(with_sources: bool) -> str:
    """The relationship-type alternation of a pattern (``:A|B|...``).

    >>> "MENTIONED_IN" in type_pattern(False), "MENTIONED_IN" in type_pattern(True)
    (False, True)
    """
    return ":" + "|".join(REL_TYPES if with_sources else NON_DOCUMENT_TYPES)


def _degree_map(var: str, *, directed: bool) -> str:
    """A Cypher map of ``var``'s relationship counts per type (``T`` undirected, or
    ``T>``/``T<`` by direction), each a ``GetDegree`` in the plan."""
    if not directed:
        parts = [f"`{t}`: COUNT {{ ({var})-[:{t}]-() }}" for t in REL_TYPES]
    else:
        parts = []
        for t in REL_TYPES:
            parts.append(f"`{t}>`: COUNT {{ ({var})-[:{t}]->() }}")
            parts.append(f"`{t}<`: COUNT {{ ({var})<-[:{t}]-() }}")
    return "{" + ", ".join(parts) + "}"


GET_ENTITY = f"""
MATCH (n:Entity {{id: $id}})
OPTIONAL MATCH (s:Source) WHERE s.id IN coalesce(n.sources, [])
RETURN n, {_degree_map("n", directed=False)} AS by_type, collect(s) AS sources
"""

#: The centre and the first level of its neighborhood, in one statement: the centre with
#: its degree, and at most $fanout of its neighbors (the LIMIT inside the COLLECT subquery)
#: as [id, degree] pairs, in the order :data:`EXPAND` would give them.
CENTRE = """
MATCH (n:Entity {{id: $id}})
RETURN n, COUNT {{ (n)--() }} AS degree,
  COLLECT {{
    MATCH (n)-[{types}]-(m:Entity)
    WHERE $with_sources OR NOT m:Source
    WITH m LIMIT $fanout
    RETURN [m.id, COUNT {{ (m)--() }}]
  }} AS next
"""

#: One level of a neighborhood: at most $fanout relationships of each frontier node (the
#: LIMIT is inside the subquery, so a hub's other relationships are never read), with the
#: degree of each neighbor (``GetDegree``), which decides how its edges are looked up.
#: Only ids and counts: many rows are past the answer's limit or already in it, so the
#: entities kept are read whole afterwards (in :data:`KEPT`), once each.
EXPAND = """
UNWIND $ids AS nid
MATCH (n:Entity {{id: nid}})
CALL (n) {{
  MATCH (n)-[{types}]-(m:Entity)
  WHERE $with_sources OR NOT m:Source
  WITH m LIMIT $fanout
  RETURN collect([m.id, COUNT {{ (m)--() }}]) AS found
}}
RETURN collect([nid, found]) AS rows
"""

#: What a neighborhood keeps, read in one statement once its entities are chosen (each
#: part one row of lists):
#:
#: - the entities themselves (only these: the expansion returned ids and degrees);
#: - the relationships among them, read from the sparse side: every relationship of each
#:   sparse entity whose other end is in the answer ...
#: - ... and between two dense entities (few), checked pair by pair (``Expand(Into)``), so
#:   that a dense entity's own relationships are never read;
#: - the relationship counts per type and direction (``GetDegree``) of the expanded
#:   entities that the cap or the limit cut, for the "+N more" summaries.
KEPT = f"""
CALL () {{
  UNWIND $ids AS nid
  MATCH (node:Entity {{id: nid}})
  RETURN collect([labels(node), properties(node)]) AS nodes
}}
CALL () {{
  UNWIND $sparse AS aid
  MATCH (a:Entity {{id: aid}})-[r<types>]-(b:Entity)
  WHERE b.id IN $all
  RETURN collect([elementId(r), type(r), properties(r), startNode(r).id, endNode(r).id])
    AS sparse_edges
}}
CALL () {{
  UNWIND $dense AS aid
  MATCH (a:Entity {{id: aid}})
  UNWIND $dense AS bid
  MATCH (b:Entity {{id: bid}})
  MATCH (a)-[r<types>]->(b)
  RETURN collect([elementId(r), type(r), properties(r), a.id, b.id]) AS dense_edges
}}
CALL () {{
  UNWIND $partial AS nid
  MATCH (n:Entity {{id: nid}})
  RETURN collect([nid, {_degree_map("n", directed=True)}]) AS counts
}}
RETURN nodes, sparse_edges, dense_edges, counts
"""

#: An entity with more relationships than this is dense: the edges among an answer's
#: entities are looked up from its sparse neighbors' side, never by reading its own.
DENSE_DEGREE = 200
DEFAULT_FANOUT = 50


def kind_of(node: Node) -> str:
    """The kind label of an entity node (its label other than ``Entity``)."""
    return kind_label(node.labels)


def kind_label(labels: Iterable[str]) -> str:
    """The kind among an entity's labels (the one other than ``Entity``)."""
    for label in labels:
        if label != ENTITY_LABEL:
            return label
    return ENTITY_LABEL


def node_dict(node: Node) -> dict[str, Any]:
    """An entity node as the API shows it."""
    return entity_dict(kind_of(node), dict(node))


def entity_dict(kind: str, properties: dict[str, Any]) -> dict[str, Any]:
    """An entity as the API shows it, from its kind label and its stored properties (what
    a statement returns as ``properties(node)``, which the driver need not hydrate into a
    ``Node``).

    >>> e = entity_dict("Person", {"id": "p1", "name": "Aliya", "age": 17, "name_key": "aliya"})
    >>> e["label"], e["name"], e["properties"]
    ('Person', 'Aliya', {'age': 17})
    """
    props = {k: v for k, v in properties.items() if k not in INTERNAL_PROPS}
    out: dict[str, Any] = {
        "id": props.pop("id", None),
        "label": kind,
        "name": props.pop("name", None),
    }
    out["aliases"] = props.pop("aliases", []) or []
    out["sources"] = props.pop("sources", []) or []
    out["properties"] = {k: _jsonable(v) for k, v in sorted(props.items())}
    _hide(properties, out)
    return out


def _hide(properties: Mapping[str, Any], out: dict[str, Any]) -> None:
    for prop, hidden in HIDDEN.items():
        value = properties.get(prop)
        if value is not None:
            out[hidden] = value


def edge_dict(
    rel: Relationship, from_id: str | None = None, to_id: str | None = None
) -> dict[str, Any]:
    """A relationship as the API shows it."""
    start = from_id if from_id is not None else (rel.start_node["id"] if rel.start_node else None)
    end = to_id if to_id is not None else (rel.end_node["id"] if rel.end_node else None)
    return relationship_dict(rel.type, dict(rel), start, end)


def relationship_dict(
    rtype: str, properties: dict[str, Any], from_id: str | None, to_id: str | None
) -> dict[str, Any]:
    """A relationship as the API shows it, from its type, its stored properties and the ids
    of its ends (what a statement returns as ``type(r), properties(r)``)."""
    props = {k: _jsonable(v) for k, v in properties.items() if k not in INTERNAL_PROPS}
    out = {
        "type": rtype,
        "from": from_id,
        "to": to_id,
        "sources": props.pop("sources", []) or [],
        "properties": props,
    }
    _hide(properties, out)
    return out


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    """A property value as JSON holds it: temporal values as ISO text, lists element-wise
    (the plain types, nearly every value, are returned at once).

    >>> from neo4j.time import Date
    >>> _jsonable("Astana"), _jsonable([Date(2024, 3, 1), 2])
    ('Astana', ['2024-03-01', 2])
    """
    t = type(value)
    if t in _PLAIN:
        return value
    if t is list:
        if all(type(v) in _PLAIN for v in value):
            return value
        return [_jsonable(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def _lucene(q: str) -> str:
    tokens = name_key(q).split()
    return " AND ".join(f"{t}*" if len(t) > 1 else t for t in tokens)


def blind_lucene(db: GraphDB, q: str) -> str:
    """The full-text query that finds protected people by the blind tokens of ``q``'s
    words (every word must match; words are whole, not prefixes)."""
    key = db.protection_key
    return " AND ".join(key.blind_token(w) for w in name_key(q).split())


def names_protected_person(db: GraphDB, q: str) -> bool:
    """Whether ``q`` is (every word of) a protected person's name."""
    blind = blind_lucene(db, q)
    if not blind:
        return False
    return bool(db.execute_read(lambda tx: _blind_hit(tx, blind)))


def _blind_hit(tx: ManagedTransaction, blind: str) -> bool:
    row = tx.run(BLIND_HIT, blind=blind).single()
    return bool(row and row["hit"])


#: Rows each search query reads at least (then ordered by name and cut to ``limit``).
SEARCH_WINDOW = 100
#: Full-text hits asked of Lucene per row wanted when a kind filter follows it (the filter
#: runs on Lucene's top hits, so it needs more of them than rows it returns).
LABEL_OVERFETCH = 20


def search(
    db: GraphDB,
    q: str = "",
    *,
    label: str | None = None,
    limit: int = 20,
    levels: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Find entities by name or alias, in Latin or Cyrillic script.

    Exact and prefix matches of the normalized name come first, then full-text matches
    over names and aliases (each word as a prefix). Protected people are stored under
    pseudonyms; with ``levels`` (the protection levels the caller may see) they are found
    by their real names too, through the blind index (whole words only).

    Bounded: each query stops at ``limit`` rows (see :data:`SEARCH_FULLTEXT`), all in one
    read transaction.
    """
    return search_checked(db, q, label=label, limit=limit, levels=levels)[0]


def search_checked(
    db: GraphDB,
    q: str = "",
    *,
    label: str | None = None,
    limit: int = 20,
    levels: frozenset[str] = frozenset(),
) -> tuple[list[dict[str, Any]], bool]:
    """:func:`search`, and whether ``q`` names a protected person (for the audit, which
    keeps such a query only as a keyed hash), in one read transaction."""
    if label is not None:
        check_kind(label)
    if not 1 <= limit <= MAX_SEARCH:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_SEARCH}")
    window = max(limit, SEARCH_WINDOW)
    inner = window if label is None else min(window * LABEL_OVERFETCH, MAX_SEARCH * 4)
    params: dict[str, Any] = {"label": label, "limit": limit, "window": window, "inner": inner}
    key = name_key(q)
    blind = blind_lucene(db, q) if key else ""
    # the parts that find rows, in the order of preference of their rows
    ranked = ["blind"] if levels and label in (None, "Person") else []
    ranked += ["prefix", "fulltext"]
    if key:
        params.update(key=key, lucene=_lucene(q), blind=blind, levels=sorted(levels))
    statement = search_statement(["hit", *ranked])

    def work(tx: ManagedTransaction) -> tuple[list[dict[str, Any]], bool]:
        if not key:
            if q.strip():
                return [], False
            rows = list(tx.run(LIST_ENTITIES, params))
            return [dict(node_dict(r["node"]), score=0.0) for r in rows], False
        row = tx.run(statement, params).single()
        assert row is not None  # aggregations: always one row
        chosen: dict[str, float] = {}
        for part in ranked:
            found = [
                (str(ident), str(name or ""), round(float(score), 4))
                for ident, name, score in row[part]
            ]
            # the few bounded rows, in the order the unbounded queries gave: best score
            # first, then by name
            found.sort(key=lambda x: (-x[2], x[1]))
            for ident, _, score in found:
                chosen.setdefault(ident, score)
        top = list(chosen.items())[:limit]
        read = tx.run(NODES_BY_ID, ids=[ident for ident, _ in top]).single(strict=True)
        nodes = {str(props["id"]): (kind_label(labels), props) for labels, props in read["nodes"]}
        return [
            dict(entity_dict(*nodes[ident]), score=score) for ident, score in top if ident in nodes
        ], bool(row["hit"])

    return db.execute_read(work)


def _run(db: GraphDB, query: str, params: dict[str, Any]) -> list[Any]:
    def work(tx: ManagedTransaction) -> list[Any]:
        return list(tx.run(query, params))

    return db.execute_read(work)


def get_entity(db: GraphDB, entity_id: str) -> dict[str, Any]:
    """One entity with its properties, its sources (resolved) and its degree (counted
    per type from the node's relationship groups, not by reading its relationships)."""
    rows = _run(db, GET_ENTITY, {"id": entity_id})
    if not rows:
        raise NotFoundError(f"no entity with id {entity_id!r}")
    row = rows[0]
    out = node_dict(row["n"])
    by_type = {t: int(c) for t, c in sorted(row["by_type"].items()) if c}
    out["degree"] = sum(by_type.values())
    out["relationship_counts"] = by_type
    out["source_documents"] = [
        {k: _jsonable(v) for k, v in dict(s).items() if k not in INTERNAL_PROPS}
        for s in row["sources"]
    ]
    return out


def neighborhood(
    db: GraphDB,
    entity_id: str,
    *,
    depth: int = 1,
    limit: int = 200,
    fanout: int = DEFAULT_FANOUT,
    with_sources: bool = False,
) -> dict[str, Any]:
    """The entities within ``depth`` hops of ``entity_id`` and the relationships among them.

    Breadth first: nearer entities are kept before farther ones, up to ``limit`` nodes
    (``truncated`` says whether the limit cut the answer). Each entity is expanded through
    at most ``fanout`` of its relationships (the cap is a ``LIMIT`` inside a ``CALL {}``
    subquery, so a hub costs what any entity costs); what the cap or the limit left out of
    an expanded entity is summarized in ``more``: one item per (entity, type, direction)
    with the count of relationships not in the answer (``"+312 more ASSOCIATE_OF"``).
    Links to source documents (``MENTIONED_IN``) are left out unless ``with_sources``:
    every entity of an article is one hop from it, which would make every neighborhood the
    whole article.
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidRequestError(f"depth must be between 1 and {MAX_DEPTH}")
    if not 1 <= limit <= MAX_NEIGHBORHOOD:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_NEIGHBORHOOD}")
    if not 1 <= fanout <= MAX_NEIGHBORHOOD:
        raise InvalidRequestError(f"fanout must be between 1 and {MAX_NEIGHBORHOOD}")
    types = type_pattern(with_sources)
    expand = EXPAND.format(types=types)
    centre_query = CENTRE.format(types=types)
    kept_query = KEPT.replace("<types>", types)

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        centre = tx.run(
            centre_query, id=entity_id, with_sources=with_sources, fanout=fanout
        ).single()
        if centre is None:
            raise NotFoundError(f"no entity with id {entity_id!r}")
        depths: dict[str, int] = {entity_id: 0}
        degree: dict[str, int] = {entity_id: int(centre["degree"])}
        frontier = [entity_id]
        partial: list[str] = []  # expanded entities that may have relationships left out
        truncated = False
        for level in range(1, depth + 1):
            if not frontier or truncated:
                break
            rows: dict[str, int] = dict.fromkeys(frontier, 0)
            nxt: list[str] = []
            if level == 1:  # read with the centre
                found_rows: Iterable[tuple[str, str, int]] = (
                    (entity_id, mid, deg) for mid, deg in centre["next"]
                )
                result = None
            else:
                result = tx.run(expand, ids=frontier, with_sources=with_sources, fanout=fanout)
                found_rows = (
                    (from_id, mid, deg)
                    for from_id, found in result.single(strict=True)["rows"]
                    for mid, deg in found
                )
            for from_id, mid, deg in found_rows:
                rows[from_id] += 1
                if mid in depths:
                    continue
                if len(depths) >= limit:
                    # the limit is reached: this entity and the rest of the frontier are
                    # summarized, not read further
                    truncated = True
                    rest = frontier[frontier.index(from_id) :]
                    partial.extend(rest)
                    for nid in rest:
                        rows.pop(nid, None)
                    break
                depths[mid] = level
                degree[mid] = int(deg)
                nxt.append(mid)
            if result is not None:
                result.consume()
            partial.extend(nid for nid, n in rows.items() if n >= fanout)
            frontier = nxt
        ids = list(depths)
        dense = [i for i in ids if degree.get(i, 0) > DENSE_DEGREE]
        kept = tx.run(
            kept_query,
            ids=[nid for nid in ids if nid != entity_id],
            all=ids,
            sparse=[i for i in ids if degree.get(i, 0) <= DENSE_DEGREE],
            dense=dense if len(dense) > 1 else [],  # one dense entity: no pair to check
            partial=list(dict.fromkeys(partial)),
        ).single()
        assert kept is not None  # aggregations: always one row
        found = {str(props["id"]): (kind_label(labels), props) for labels, props in kept["nodes"]}
        found[entity_id] = (kind_of(centre["n"]), dict(centre["n"]))
        nodes = {
            nid: dict(entity_dict(*found[nid]), depth=level)
            for nid, level in depths.items()
            if nid in found  # an entity deleted meanwhile (another transaction)
        }
        edges: dict[str, dict[str, Any]] = {}
        for element_id, rtype, props, from_id, to_id in [
            *kept["sparse_edges"],
            *kept["dense_edges"],
        ]:
            if from_id in nodes and to_id in nodes and element_id not in edges:
                edges[element_id] = relationship_dict(rtype, props, from_id, to_id)
        more = _more(kept["counts"], edges, with_sources)
        return {
            "center": entity_id,
            "depth": depth,
            "fanout": fanout,
            "nodes": list(nodes.values()),
            "edges": [e for _, e in sorted(edges.items())],
            "more": more,
            "truncated": truncated,
        }

    return db.execute_read(work)


def _more(
    counts: list[tuple[str, dict[str, int]]],
    edges: dict[str, dict[str, Any]],
    with_sources: bool,
) -> list[dict[str, Any]]:
    """The "+N more" summaries of the expanded entities that the fan-out cap or the limit
    cut: per (entity, type, direction), the relationships not among ``edges``. ``counts``
    holds each such entity's relationship counts (per type and direction, from :data:`KEPT`)."""
    shown: dict[tuple[str, str, str], int] = {}
    for e in edges.values():
        shown[(e["from"], e["type"], "out")] = shown.get((e["from"], e["type"], "out"), 0) + 1
        shown[(e["to"], e["type"], "in")] = shown.get((e["to"], e["type"], "in"), 0) + 1
    out: list[dict[str, Any]] = []
    for nid, by_key in counts:
        for key, total in sorted(by_key.items()):
            rtype, direction = key[:-1], "out" if key[-1] == ">" else "in"
            if not total or (rtype == DOCUMENT_LINK and not with_sources):
                continue
            hidden = int(total) - shown.get((nid, rtype, direction), 0)
            if hidden > 0:
                out.append(
                    {
                        "node": nid,
                        "type": rtype,
                        "direction": direction,
                        "count": hidden,
                        "total": int(total),
                    }
                )
    return out


NODES_BY_ELEMENT_ID = "MATCH (n) WHERE elementId(n) IN $ids RETURN n"


def nodes_by_element_id(tx: ManagedTransaction, ids: list[str]) -> list[Node]:
    """The nodes with these element ids (within one transaction: element ids are only
    stable inside it), e.g. the ends of relationships that a Cypher answer returned alone."""
    return [row["n"] for row in tx.run(NODES_BY_ELEMENT_ID, ids=ids)]
