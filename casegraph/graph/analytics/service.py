"""The answers the API and the CLI give: projection + measure + names, cached.

Every function takes the database and plain parameters, checks them (raising
:class:`~casegraph.errors.InvalidRequestError` with the parameter and the reason), and
returns JSON-ready dicts. Projections and full results are cached per graph version
(:mod:`.cache`), so a second identical question costs one version read.

Examples
--------
On the seed dataset:

>>> top = centrality(db, "betweenness", top=3)
>>> top["measure"], top["nodes_considered"]
('betweenness', 21)
>>> [(r["rank"], r["id"], r["label"]) for r in top["results"]]
[(1, 'per-group-questra-suspects', 'Person'), (2, 'org-mvd-kazakhstan', 'Organization'),
 (3, 'org-criminal-police-department', 'Organization')]
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx

from casegraph.errors import InvalidRequestError
from casegraph.graph.analytics import brokers as brokers_mod
from casegraph.graph.analytics import centrality as centrality_mod
from casegraph.graph.analytics import communities as communities_mod
from casegraph.graph.analytics import csr as csr_mod
from casegraph.graph.analytics import keyplayers as keyplayers_mod
from casegraph.graph.analytics.backend import AnalyticsBackend, Nodes, Unsupported, get_backend
from casegraph.graph.analytics.cache import CACHE, AnalyticsCache
from casegraph.graph.analytics.jobs import report
from casegraph.graph.analytics.local import LOCAL, check_k, csr_projection, projection
from casegraph.graph.analytics.projection import ProjectionOptions
from casegraph.graph.analytics.pyramid import analyze_pyramid
from casegraph.graph.analytics.routes import trafficking_routes
from casegraph.graph.analytics.writeback import write_scores
from casegraph.graph.db import GraphDB

MAX_TOP = 1000
MAX_KEY_PLAYERS = 20
SCORE_DIGITS = 12


__all__ = [
    "brokers",
    "centrality",
    "communities",
    "key_players",
    "partition",
    "projection",
    "pyramid",
    "routes",
    "scores",
]


def _check_top(top: int) -> int:
    if not 1 <= top <= MAX_TOP:
        raise InvalidRequestError(f"top must be between 1 and {MAX_TOP}, got {top}")
    return top


def _entity(nodes: Nodes | nx.Graph, node: Hashable) -> dict[str, Any]:
    data = nodes.nodes[node] if isinstance(nodes, nx.Graph) else nodes[node]
    return {"id": node, "name": data.get("name"), "label": data.get("label")}


def scores(
    db: GraphDB,
    measure: str,
    opts: ProjectionOptions | None = None,
    *,
    k: int | None = None,
    seed: int = 0,
    cache: AnalyticsCache = CACHE,
) -> tuple[nx.Graph, dict[Hashable, float]]:
    """The local projection and every node's score for ``measure`` (cached)."""
    centrality_mod.check_measure(measure)
    opts = opts or ProjectionOptions()
    G = projection(db, opts, cache)
    _, values, _, _ = _scored(db, measure, opts, k=k, seed=seed, cache=cache, backend=LOCAL)
    return G, values


def _scored(
    db: GraphDB,
    measure: str,
    opts: ProjectionOptions | None,
    *,
    k: int | None,
    seed: int,
    cache: AnalyticsCache,
    backend: AnalyticsBackend,
) -> tuple[Nodes, dict[Hashable, float], list[tuple[Hashable, float]], str]:
    """Scores and the nodes sorted by score (ties by id), both cached: a cached answer
    then costs no sort. Also the name of the backend that computed them: ``backend``, or
    ``local`` where ``backend`` cannot answer as it does."""
    centrality_mod.check_measure(measure)
    opts = opts or ProjectionOptions()
    key = ("scores", backend.name, measure, opts.cache_key(), k, seed)

    def compute() -> tuple[Nodes, dict[Hashable, float], list[tuple[Hashable, float]], str]:
        try:
            nodes, values = backend.scores(db, measure, opts, k=k, seed=seed, cache=cache)
            ran = backend.name
        except Unsupported:
            nodes, values = LOCAL.scores(db, measure, opts, k=k, seed=seed, cache=cache)
            ran = LOCAL.name
        return nodes, values, sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0]))), ran

    return cache.get_or_compute(db, key, compute)


ENTITIES = """
UNWIND $ids AS eid
MATCH (n:Entity {id: eid})
RETURN n.id AS id, n.name AS name, [l IN labels(n) WHERE l <> 'Entity'][0] AS label
"""


def _csr_ranked(
    db: GraphDB, measure: str, opts: ProjectionOptions, cache: AnalyticsCache
) -> tuple[int, list[dict[str, Any]]]:
    """The number of projected nodes and the best :data:`MAX_TOP` of them by ``measure``,
    computed on the CSR projection (:mod:`.csr`, same numbers as NetworkX), with their
    names and kinds read from Neo4j for these nodes only. Cached; the scores are also kept
    beside the shared projection, so another worker answers without computing them."""
    key = ("csr-ranked", measure, opts.cache_key())

    def compute() -> tuple[int, list[dict[str, Any]]]:
        folder, graph = csr_projection(db, opts, cache)
        values = cache.store.scores(folder, measure)
        if values is None:
            values = csr_mod.MEASURES[measure](graph)
            cache.store.save_scores(folder, measure, values)
        report(0.95)
        best = csr_mod.top(graph, values, MAX_TOP)
        found = {r["id"]: r for r in db.read(ENTITIES, {"ids": [eid for eid, _ in best]})}
        rows = [
            {
                "id": eid,
                "name": found.get(eid, {}).get("name"),
                "label": found.get(eid, {}).get("label"),
                "score": round(score, SCORE_DIGITS),
            }
            for eid, score in best
        ]
        return len(graph), rows

    return cache.get_or_compute(db, key, compute)


def uses_csr(measure: str, backend: str | None, *, write: bool = False) -> bool:
    """Whether :func:`centrality` computes ``measure`` on the CSR projection: PageRank and
    degree on the local backend (writing every score back goes through NetworkX)."""
    return measure in csr_mod.MEASURES and get_backend(backend) is LOCAL and not write


def ready(
    db: GraphDB,
    measure: str,
    opts: ProjectionOptions,
    *,
    k: int | None = None,
    seed: int = 0,
    cache: AnalyticsCache = CACHE,
    backend: str | None = None,
) -> bool:
    """Whether :func:`centrality` would answer at once: its result is cached in this
    process, or (CSR measures) its scores are in the shared store."""
    centrality_mod.check_measure(measure)
    chosen = get_backend(backend)
    if uses_csr(measure, backend) and k is None:
        if cache.contains(db, ("csr-ranked", measure, opts.cache_key())):
            return True
        folder = cache.store.folder(db, cache.stamp(db), opts)
        return (folder / f"{measure}.npy").exists()
    return cache.contains(db, ("scores", chosen.name, measure, opts.cache_key(), k, seed))


def ranked(nodes: Nodes, order: list[tuple[Hashable, float]], top: int) -> list[dict[str, Any]]:
    """The first ``top`` of ``order`` (nodes by score), with their rank (1 = highest)."""
    return [
        dict(_entity(nodes, node), score=round(float(score), SCORE_DIGITS), rank=i)
        for i, (node, score) in enumerate(order[:top], start=1)
    ]


def centrality(
    db: GraphDB,
    measure: str,
    *,
    top: int = 10,
    opts: ProjectionOptions | None = None,
    k: int | None = None,
    seed: int = 0,
    write: bool = False,
    cache: AnalyticsCache = CACHE,
    backend: str | None = None,
) -> dict[str, Any]:
    """``{"measure", "nodes_considered", "results": [{"id","name","label","score","rank"}],
    "backend"}``.

    With ``write``, every node's score is also stored as ``centrality_<measure>``.
    ``backend``: ``local`` or ``gds`` (default ``CASEGRAPH_ANALYTICS``).
    """
    _check_top(top)
    opts = opts or ProjectionOptions()
    if uses_csr(measure, backend, write=write) and k is None:
        n, best = _csr_ranked(db, measure, opts, cache)
        return {
            "measure": measure,
            "nodes_considered": n,
            "results": [dict(row, rank=i) for i, row in enumerate(best[:top], start=1)],
            "backend": LOCAL.name,
        }
    nodes, values, order, ran = _scored(
        db, measure, opts, k=k, seed=seed, cache=cache, backend=get_backend(backend)
    )
    out: dict[str, Any] = {
        "measure": measure,
        "nodes_considered": len(nodes),
        "results": ranked(nodes, order, top),
        "backend": ran,
    }
    if k is not None:
        out["k"] = k
        out["seed"] = seed
    if write:
        out["written"] = write_scores(db, measure, values)
    return out


def partition(
    db: GraphDB,
    opts: ProjectionOptions | None = None,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    cache: AnalyticsCache = CACHE,
) -> tuple[nx.Graph, communities_mod.Partition]:
    """The local projection and its Louvain partition (cached)."""
    opts = opts or ProjectionOptions()
    G = projection(db, opts, cache)
    _, part, _ = _partitioned(
        db, opts, seed=seed, resolution=resolution, cache=cache, backend=LOCAL
    )
    return G, part


def _louvain_key(
    backend: AnalyticsBackend, opts: ProjectionOptions, seed: int, resolution: float
) -> tuple[Any, ...]:
    """The cache key of a Louvain partition: what :func:`_partitioned` stores under and
    :func:`communities_ready` looks for."""
    return ("louvain", backend.name, opts.cache_key(), seed, resolution)


def _partitioned(
    db: GraphDB,
    opts: ProjectionOptions,
    *,
    seed: int,
    resolution: float,
    cache: AnalyticsCache,
    backend: AnalyticsBackend,
) -> tuple[Nodes, communities_mod.Partition, str]:
    if not 0 < resolution <= 100:
        raise InvalidRequestError("resolution must be greater than 0 and at most 100")
    key = _louvain_key(backend, opts, seed, resolution)

    def compute() -> tuple[Nodes, communities_mod.Partition, str]:
        try:
            nodes, part = backend.louvain(db, opts, seed=seed, resolution=resolution, cache=cache)
            return nodes, part, backend.name
        except Unsupported:
            nodes, part = LOCAL.louvain(db, opts, seed=seed, resolution=resolution, cache=cache)
            return nodes, part, LOCAL.name

    return cache.get_or_compute(db, key, compute)


def communities_ready(
    db: GraphDB,
    opts: ProjectionOptions,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    cache: AnalyticsCache = CACHE,
    backend: str | None = None,
) -> bool:
    """Whether :func:`communities` would answer from this process's cache."""
    return cache.contains(db, _louvain_key(get_backend(backend), opts, seed, resolution))


def communities(
    db: GraphDB,
    opts: ProjectionOptions | None = None,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    top: int = 100,
    cache: AnalyticsCache = CACHE,
    backend: str | None = None,
) -> dict[str, Any]:
    """``{"modularity", "communities": [{"id", "size", "members"}], "backend"}`` (largest
    first). ``backend``: ``local`` or ``gds`` (default ``CASEGRAPH_ANALYTICS``)."""
    _check_top(top)
    nodes, part, ran = _partitioned(
        db,
        opts or ProjectionOptions(),
        seed=seed,
        resolution=resolution,
        cache=cache,
        backend=get_backend(backend),
    )
    return {
        "modularity": part.modularity,
        "nodes_considered": len(nodes),
        "count": len(part.communities),
        "seed": seed,
        "communities": [
            {"id": i, "size": len(members), "members": [_entity(nodes, m) for m in members]}
            for i, members in enumerate(part.communities[:top])
        ],
        "backend": ran,
    }


def shortest_path(
    db: GraphDB,
    source: str,
    target: str,
    opts: ProjectionOptions | None = None,
    *,
    cache: AnalyticsCache = CACHE,
    backend: str | None = None,
) -> dict[str, Any]:
    """One shortest path on the projection: ``{"source", "target", "length", "path":
    [{"id","name","label"}], "backend"}`` (``length`` null and ``path`` empty when none)."""
    opts = opts or ProjectionOptions()
    chosen = get_backend(backend)
    key = ("shortest_path", chosen.name, opts.cache_key(), source, target)

    def compute() -> list[Hashable] | None:
        return chosen.shortest_path(db, opts, source, target, cache=cache)

    path = cache.get_or_compute(db, key, compute)
    names = {} if not path else _names(db, opts, path, cache, chosen)
    return {
        "source": source,
        "target": target,
        "length": None if path is None else len(path) - 1,
        "path": [dict(names.get(v, {"id": v, "name": None, "label": None})) for v in path or []],
        "backend": chosen.name,
    }


def _names(
    db: GraphDB,
    opts: ProjectionOptions,
    path: list[Hashable],
    cache: AnalyticsCache,
    backend: AnalyticsBackend,
) -> dict[Hashable, dict[str, Any]]:
    if backend is LOCAL:
        G = projection(db, opts, cache)
        return {v: _entity(G, v) for v in path}
    from casegraph.graph.analytics.gds import node_table

    _, nodes = node_table(db, opts)
    return {v: _entity(nodes, v) for v in path}


def brokers(
    db: GraphDB,
    opts: ProjectionOptions | None = None,
    *,
    top: int = 10,
    seed: int = 0,
    k: int | None = None,
    min_communities: int = 2,
    cache: AnalyticsCache = CACHE,
) -> dict[str, Any]:
    """Brokers: high betweenness and ties into ``min_communities`` or more communities."""
    _check_top(top)
    if min_communities < 2:
        raise InvalidRequestError("min_communities must be at least 2")
    check_k(k, len(projection(db, opts or ProjectionOptions(), cache)))
    G, between = scores(db, "betweenness", opts, k=k, seed=seed, cache=cache)
    _, part = partition(db, opts, seed=seed, cache=cache)
    found = brokers_mod.find_brokers(
        G, partition=part, scores=between, min_communities=min_communities
    )
    return {
        "nodes_considered": len(G),
        "modularity": part.modularity,
        "brokers": [
            dict(
                _entity(G, b.node),
                betweenness=round(b.betweenness, SCORE_DIGITS),
                community=b.community,
                communities=b.communities,
                outside_ties=b.outside_ties,
                rank=i,
            )
            for i, b in enumerate(found[:top], start=1)
        ],
    }


def key_players(
    db: GraphDB,
    k: int = 3,
    opts: ProjectionOptions | None = None,
    *,
    cache: AnalyticsCache = CACHE,
) -> dict[str, Any]:
    """The ``k`` entities whose removal most fragments the network (Borgatti's F)."""
    G = projection(db, opts or ProjectionOptions(), cache)
    limit = min(MAX_KEY_PLAYERS, max(len(G) - 1, 0))
    if not 1 <= k <= limit:
        raise InvalidRequestError(
            f"k must be between 1 and {limit} (at most {MAX_KEY_PLAYERS}, and fewer than "
            f"the {len(G)} nodes considered), got {k}"
        )
    key = ("keyplayers", (opts or ProjectionOptions()).cache_key(), k)
    kp = cache.get_or_compute(db, key, lambda: keyplayers_mod.key_players(G, k))
    return {
        "k": k,
        "nodes_considered": len(G),
        "fragmentation_measure": "Borgatti F: share of node pairs that cannot reach each other",
        "fragmentation_before": kp.before,
        "fragmentation_after": kp.after,
        "candidates_per_step": kp.candidates,
        "players": [
            dict(_entity(G, node), rank=i, fragmentation_after=f)
            for i, (node, f) in enumerate(zip(kp.players, kp.steps, strict=True), start=1)
        ],
    }


def routes(db: GraphDB, *, cache: AnalyticsCache = CACHE) -> dict[str, Any]:
    """Trafficking routes with victim counts (see :mod:`.routes`)."""
    return cache.get_or_compute(db, ("routes",), lambda: trafficking_routes(db))


def pyramid(db: GraphDB, org_id: str, *, cache: AnalyticsCache = CACHE) -> dict[str, Any]:
    """The pyramid report of one organization (see :mod:`.pyramid`)."""
    return cache.get_or_compute(db, ("pyramid", org_id), lambda: analyze_pyramid(db, org_id))
