"""The ``gds`` analytics backend: projections and measures inside Neo4j Graph Data Science.

Every request projects the same subgraph the local backend pulls out
(:mod:`.projection`): the same nodes (the projected kinds, optionally one case's), the same
relationship types and date window, parallel relationships collapsed into one (their
weights added), undirected unless ``directed``. The projection is a GDS Cypher projection
(``gds.graph.project`` as an aggregation), run through the official ``graphdatascience``
client; the algorithm runs in GDS, its scores are streamed back (node id and score, nothing
else), and the in-memory graph is dropped at once (results are cached per graph version by
the service, as the local ones are). The node table (internal id → entity id, name, label)
is read in one query.

GDS's numbers are turned into NetworkX's definitions:

=========== ======================================================================
measure     GDS call, and what is done to its scores
=========== ======================================================================
degree      ``gds.degree`` (``UNDIRECTED`` orientation on a directed projection:
            in + out), divided by n − 1
betweenness ``gds.betweenness`` (``samplingSize``/``samplingSeed`` when sampled), times
            NetworkX's normalization (undirected pairs counted both ways); a sample
            is GDS's own, so sampled scores are an estimate of the same quantity,
            not NetworkX's sample
closeness   ``gds.closeness`` with ``useWassermanFaust`` (undirected, unweighted only)
pagerank    ``gds.pageRank`` (damping 0.85), scaled to sum 1 — NetworkX spreads the
            rank of dangling nodes uniformly, which changes every score by the same
            factor, so the L1-scaled vectors are equal
eigenvector ``gds.eigenvector`` on A + I (a loop per node, as NetworkX iterates), scaled
            to unit L2 — off by default (:data:`EIGENVECTOR_IN_GDS`): answered locally
kcore       ``gds.kcore`` (undirected only)
=========== ======================================================================

Louvain is ``gds.louvain`` (mutate mode, which reports the modularity of the final
partition; resolution 1 only). Shortest paths are ``gds.shortestPath.dijkstra``.
What GDS cannot answer as NetworkX does raises :exc:`~.backend.Unsupported` and the
service asks the local backend.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from neo4j import ManagedTransaction

from casegraph.errors import DatabaseUnavailableError, InvalidRequestError, NotFoundError
from casegraph.graph.analytics.backend import Nodes, Scores, Unsupported
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.analytics.communities import Partition
from casegraph.graph.analytics.projection import CASE_EXISTS, ProjectionOptions
from casegraph.graph.db import GraphDB
from casegraph.graph.model import CASE, check_kind, check_rel_type

# The node table: GDS node ids of a Cypher projection are Neo4j's internal ids.
NODE_TABLE = """
MATCH (n:{labels})
WHERE $case_id IS NULL OR EXISTS {{ (n)--(:Case {{id: $case_id}}) }}
WITH collect([id(n), n.id, n.name, [l IN labels(n) WHERE l <> 'Entity'][0]]) AS rows
UNWIND range(0, size(rows) - 1, $chunk) AS i
RETURN rows[i..i + $chunk] AS chunk
"""

# The same subgraph as projection.NODES + projection.RELS. Every projected node is an `a`
# (with a null `b` if it has no matching relationship); undirected pairs are put in one
# order so that a->b and b->a collapse into one edge, as in a NetworkX Graph.
PROJECT = """
CALL () {{
  MATCH (a:{labels})
  WHERE $case_id IS NULL OR EXISTS {{ (a)--(:Case {{id: $case_id}}) }}
  OPTIONAL MATCH (a)-[r:{types}]->(b:{labels})
  WHERE ($case_id IS NULL OR EXISTS {{ (b)--(:Case {{id: $case_id}}) }})
    AND ($date_from IS NULL AND $date_to IS NULL
         OR (coalesce(r.date, r.start_date, r.end_date) IS NOT NULL
             AND ($date_to IS NULL OR coalesce(r.date, r.start_date, r.end_date) <= $date_to)
             AND ($date_from IS NULL
                  OR coalesce(r.date, r.end_date, r.start_date) >= $date_from)))
  WITH a, b, {weight} AS w,
       $directed OR b IS NULL OR elementId(a) <= elementId(b) AS forward
  WITH CASE WHEN forward THEN a ELSE b END AS x, CASE WHEN forward THEN b ELSE a END AS y, w
  RETURN x, y, sum(w) AS w
  UNION ALL
  MATCH (a:{labels})
  WHERE $self_loops AND ($case_id IS NULL OR EXISTS {{ (a)--(:Case {{id: $case_id}}) }})
  RETURN a AS x, a AS y, 1.0 AS w
}}
RETURN gds.graph.project($graph, x, y, {config}, {{undirectedRelationshipTypes: $undirected}})
"""

PROJECT_NODES = """
MATCH (a:{labels})
WHERE $case_id IS NULL OR EXISTS {{ (a)--(:Case {{id: $case_id}}) }}
RETURN gds.graph.project($graph, a, null)
"""

CHUNK = 10_000
PAGERANK_ITERATIONS = 100
PAGERANK_TOLERANCE = 1e-9
EIGENVECTOR_ITERATIONS = 1000
EIGENVECTOR_TOLERANCE = 1e-9
MEASURES = ("degree", "betweenness", "closeness", "pagerank", "eigenvector", "kcore")
#: Eigenvector centrality stays local: where the dominant eigenvalue is shared by several
#: components (the seed's projection: small stars and paths) GDS 2.26's power iteration
#: answers all zeros (1000 iterations) or another vector of the eigenspace (20 iterations;
#: weighted: max difference 0.30), while NetworkX's A + I iteration converges to one vector.
#: On the test graphs with one dominant component GDS agreed to 1e-5 (with the A + I loops
#: below). Set True to run it in GDS anyway (the all-zero answer still falls back).
EIGENVECTOR_IN_GDS = False

_clients: weakref.WeakKeyDictionary[GraphDB, Any] = weakref.WeakKeyDictionary()
_clients_lock = threading.Lock()


def client(db: GraphDB) -> Any:
    """The ``graphdatascience`` client on ``db``'s driver (one per database handle)."""
    with _clients_lock:
        found = _clients.get(db)
        if found is not None:
            return found
        from graphdatascience import GraphDataScience

        try:
            gds = GraphDataScience(db.driver, database=db.database, arrow=False)
            gds.set_show_progress(False)
        except Exception as exc:
            raise DatabaseUnavailableError(
                f"CASEGRAPH_ANALYTICS=gds, but Graph Data Science does not answer on "
                f"{db.uri}: {exc}"
            ) from exc
        _clients[db] = gds
        return gds


def _labels(opts: ProjectionOptions) -> str:
    return "|".join(check_kind(k) for k in opts.kinds)


def _params(opts: ProjectionOptions) -> dict[str, Any]:
    return {"case_id": opts.case_id, "date_from": opts.date_from, "date_to": opts.date_to}


def node_table(db: GraphDB, opts: ProjectionOptions) -> tuple[dict[int, str], Nodes]:
    """GDS node id → entity id, and entity id → ``{"name", "label"}``."""
    ids: dict[int, str] = {}
    nodes: dict[Hashable, dict[str, Any]] = {}
    query = NODE_TABLE.format(labels=_labels(opts))

    def work(tx: ManagedTransaction) -> None:
        if opts.case_id is not None and tx.run(CASE_EXISTS, id=opts.case_id).single() is None:
            raise NotFoundError(f"case: no {CASE} with id {opts.case_id!r}")
        for (chunk,) in tx.run(query, dict(_params(opts), chunk=CHUNK)):
            for internal, eid, name, label in chunk:
                ids[internal] = eid
                nodes[eid] = {"name": name, "label": label}

    db.execute_read(work)
    return ids, nodes


@contextmanager
def projected(db: GraphDB, opts: ProjectionOptions, *, self_loops: bool = False) -> Iterator[Any]:
    """The projection of ``opts`` as a GDS graph, dropped when the block ends. With
    ``self_loops``, every node also gets a loop: power iteration on A + I, as NetworkX's
    eigenvector centrality iterates (on A alone it oscillates on bipartite components)."""
    gds = client(db)
    name = f"casegraph-{uuid.uuid4().hex}"
    types = opts.relationship_types()
    params = dict(_params(opts), graph=name)
    if types:
        weight = f"toFloat(coalesce(r.`{opts.weight}`, 1.0))" if opts.weight else "1.0"
        config = "{relationshipProperties: {weight: w}}" if opts.weight else "{}"
        query = PROJECT.format(
            labels=_labels(opts),
            types="|".join(check_rel_type(t) for t in types),
            weight=f"CASE WHEN b IS NULL THEN null ELSE {weight} END",
            config=config,
        )
        params |= {
            "directed": opts.directed,
            "undirected": [] if opts.directed else ["*"],
            "self_loops": self_loops,
        }
    else:
        query = PROJECT_NODES.format(labels=_labels(opts))
    G, _ = gds.graph.project.cypher(query, **params)
    try:
        yield G
    finally:
        gds.graph.drop(name, fail_if_missing=False)


def _by_entity(ids: dict[int, str], frame: Any, column: str) -> Scores:
    return {
        ids[int(n)]: float(v)
        for n, v in zip(frame["nodeId"], frame[column], strict=True)
        if int(n) in ids
    }


class GdsBackend:
    """Graph Data Science in the Neo4j that holds the graph."""

    name = "gds"

    def scores(
        self,
        db: GraphDB,
        measure: str,
        opts: ProjectionOptions,
        *,
        k: int | None,
        seed: int,
        cache: AnalyticsCache,
    ) -> tuple[Nodes, Scores]:
        if measure not in MEASURES:
            raise Unsupported(measure)
        if measure == "eigenvector" and not EIGENVECTOR_IN_GDS:
            raise Unsupported("eigenvector: see EIGENVECTOR_IN_GDS")
        if measure in ("closeness", "kcore") and opts.directed:
            raise Unsupported(f"{measure} on a directed projection")
        if measure == "closeness" and opts.weight:
            raise Unsupported("weighted closeness")
        ids, nodes = node_table(db, opts)
        n = len(nodes)
        if k is not None and not 2 <= k <= max(n, 2):
            raise InvalidRequestError(f"k must be between 2 and the number of nodes ({n})")
        if n == 0:
            return nodes, {}
        gds = client(db)
        weight = {"relationship_weight_property": "weight"} if opts.weight else {}
        with projected(db, opts, self_loops=measure == "eigenvector") as G:
            if measure == "degree":
                orientation = "UNDIRECTED" if opts.directed else "NATURAL"
                frame = gds.degree.stream(G, orientation=orientation)
                raw = _by_entity(ids, frame, "score")
                scale = 1.0 / (n - 1) if n > 1 else 1.0
                return nodes, {v: s * scale for v, s in raw.items()}
            if measure == "betweenness":
                extra: dict[str, Any] = {}
                if k is not None:
                    extra = {"sampling_size": k, "sampling_seed": seed}
                frame = gds.betweenness.stream(G, **weight, **extra)
                raw = _by_entity(ids, frame, "score")
                return nodes, _normalize_betweenness(raw, n, opts.directed, k)
            if measure == "closeness":
                frame = gds.closeness.stream(G, use_wasserman_faust=True)
                return nodes, _by_entity(ids, frame, "score")
            if measure == "pagerank":
                frame = gds.page_rank.stream(
                    G,
                    damping_factor=0.85,
                    max_iterations=PAGERANK_ITERATIONS,
                    tolerance=PAGERANK_TOLERANCE,
                    **weight,
                )
                return nodes, _scaled(_by_entity(ids, frame, "score"), 1)
            if measure == "eigenvector":
                frame = gds.eigenvector.stream(
                    G,
                    max_iterations=EIGENVECTOR_ITERATIONS,
                    tolerance=EIGENVECTOR_TOLERANCE,
                    **weight,
                )
                values = _by_entity(ids, frame, "score")
                if not any(values.values()):
                    # GDS 2.26 answers all zeros where the dominant eigenvalue is shared by
                    # several components (the seed's projection): not NetworkX's vector.
                    raise Unsupported("eigenvector: GDS's power iteration gave no vector")
                return nodes, _scaled(values, 2)
            frame = gds.kcore.stream(G)
            return nodes, _by_entity(ids, frame, "coreValue")

    def louvain(
        self,
        db: GraphDB,
        opts: ProjectionOptions,
        *,
        seed: int,
        resolution: float,
        cache: AnalyticsCache,
    ) -> tuple[Nodes, Partition]:
        if resolution != 1.0:
            raise Unsupported("GDS Louvain has no resolution parameter")
        if opts.directed:
            raise Unsupported("directed modularity")
        ids, nodes = node_table(db, opts)
        if not nodes:
            return nodes, Partition([], 0.0)
        gds = client(db)
        weight = {"relationship_weight_property": "weight"} if opts.weight else {}
        with projected(db, opts) as G:
            if G.relationship_count() == 0:
                return nodes, Partition([[v] for v in sorted(nodes, key=str)], 0.0)
            # one thread: GDS's Louvain is deterministic only then (with several, the order
            # in which nodes move varies from run to run, and so does the partition); the
            # same graph must give every replica, and every rerun, the same communities
            result = gds.louvain.mutate(G, mutate_property="community", concurrency=1, **weight)
            frame = gds.graph.node_properties.stream(G, "community")
        groups: dict[int, list[Hashable]] = {}
        column = "propertyValue" if "propertyValue" in frame.columns else "community"
        for n, c in zip(frame["nodeId"], frame[column], strict=True):
            if int(n) in ids:
                groups.setdefault(int(c), []).append(ids[int(n)])
        ordered = sorted(
            (sorted(c, key=str) for c in groups.values()), key=lambda c: (-len(c), str(c[0]))
        )
        return nodes, Partition(ordered, float(result.modularity))

    def shortest_path(
        self,
        db: GraphDB,
        opts: ProjectionOptions,
        source: str,
        target: str,
        *,
        cache: AnalyticsCache,
    ) -> list[Hashable] | None:
        ids, _ = node_table(db, opts)
        internal = {eid: i for i, eid in ids.items()}
        for end in (source, target):
            if end not in internal:
                raise NotFoundError(f"no projected entity with id {end!r}")
        if source == target:
            return [source]
        gds = client(db)
        weight = {"relationship_weight_property": "weight"} if opts.weight else {}
        with projected(db, opts) as G:
            frame = gds.shortest_path.dijkstra.stream(
                G, source_node=internal[source], target_nodes=internal[target], **weight
            )
        if len(frame) == 0:
            return None
        return [ids[int(i)] for i in frame["nodeIds"][0]]


def _normalize_betweenness(raw: Scores, n: int, directed: bool, k: int | None) -> Scores:
    """NetworkX's normalized betweenness from GDS's raw sums (``endpoints=False``).

    GDS counts every ordered (source, target) pair on directed graphs and every unordered
    pair once on undirected ones; NetworkX's normalization is over ordered pairs, with the
    sum from ``k`` sampled sources extrapolated to all ``n``."""
    if n < 3:
        return raw
    pairs = 1.0 if directed else 2.0
    sources = k if k is not None else n
    scale = pairs * n / (sources * (n - 1) * (n - 2))
    return {v: b * scale for v, b in raw.items()}


def _scaled(values: Scores, norm: int) -> Scores:
    total = sum(abs(v) ** norm for v in values.values()) ** (1 / norm)
    if total == 0:
        return values
    return {v: s / total for v, s in values.items()}


GDS = GdsBackend()
