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
from casegraph.graph.analytics import keyplayers as keyplayers_mod
from casegraph.graph.analytics.cache import CACHE, AnalyticsCache
from casegraph.graph.analytics.projection import ProjectionOptions, project
from casegraph.graph.analytics.pyramid import analyze_pyramid
from casegraph.graph.analytics.routes import trafficking_routes
from casegraph.graph.analytics.writeback import write_scores
from casegraph.graph.db import GraphDB

MAX_TOP = 1000
MAX_KEY_PLAYERS = 20
SCORE_DIGITS = 12


def projection(
    db: GraphDB, opts: ProjectionOptions | None = None, cache: AnalyticsCache = CACHE
) -> nx.Graph:
    """The (cached) projection for ``opts``. Do not modify the graph returned."""
    opts = opts or ProjectionOptions()
    return cache.get_or_compute(db, ("projection", opts.cache_key()), lambda: project(db, opts))


def _check_top(top: int) -> int:
    if not 1 <= top <= MAX_TOP:
        raise InvalidRequestError(f"top must be between 1 and {MAX_TOP}, got {top}")
    return top


def _entity(G: nx.Graph, node: Hashable) -> dict[str, Any]:
    data = G.nodes[node]
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
    """The projection and every node's score for ``measure`` (cached)."""
    G, values, _ = _scored(db, measure, opts, k=k, seed=seed, cache=cache)
    return G, values


def _scored(
    db: GraphDB,
    measure: str,
    opts: ProjectionOptions | None,
    *,
    k: int | None,
    seed: int,
    cache: AnalyticsCache,
) -> tuple[nx.Graph, dict[Hashable, float], list[tuple[Hashable, float]]]:
    """Scores and the nodes sorted by score (ties by id), both cached: a cached answer
    then costs no sort."""
    centrality_mod.check_measure(measure)
    opts = opts or ProjectionOptions()
    G = projection(db, opts, cache)
    if k is not None and not 2 <= k <= max(len(G), 2):
        raise InvalidRequestError(f"k must be between 2 and the number of nodes ({len(G)})")
    key = ("scores", measure, opts.cache_key(), k, seed)

    def compute() -> tuple[dict[Hashable, float], list[tuple[Hashable, float]]]:
        values = centrality_mod.compute(G, measure, weight=opts.weight, k=k, seed=seed)
        return values, sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))

    values, order = cache.get_or_compute(db, key, compute)
    return G, values, order


def ranked(G: nx.Graph, order: list[tuple[Hashable, float]], top: int) -> list[dict[str, Any]]:
    """The first ``top`` of ``order`` (nodes by score), with their rank (1 = highest)."""
    return [
        dict(_entity(G, node), score=round(float(score), SCORE_DIGITS), rank=i)
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
) -> dict[str, Any]:
    """``{"measure", "nodes_considered", "results": [{"id","name","label","score","rank"}]}``.

    With ``write``, every node's score is also stored as ``centrality_<measure>``.
    """
    _check_top(top)
    G, values, order = _scored(db, measure, opts, k=k, seed=seed, cache=cache)
    out: dict[str, Any] = {
        "measure": measure,
        "nodes_considered": len(G),
        "results": ranked(G, order, top),
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
    opts = opts or ProjectionOptions()
    if not 0 < resolution <= 100:
        raise InvalidRequestError("resolution must be greater than 0 and at most 100")
    G = projection(db, opts, cache)
    key = ("louvain", opts.cache_key(), seed, resolution)
    part = cache.get_or_compute(
        db,
        key,
        lambda: communities_mod.louvain(G, weight=opts.weight, resolution=resolution, seed=seed),
    )
    return G, part


def communities(
    db: GraphDB,
    opts: ProjectionOptions | None = None,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    top: int = 100,
    cache: AnalyticsCache = CACHE,
) -> dict[str, Any]:
    """``{"modularity", "communities": [{"id", "size", "members"}]}`` (largest first)."""
    _check_top(top)
    G, part = partition(db, opts, seed=seed, resolution=resolution, cache=cache)
    return {
        "modularity": part.modularity,
        "nodes_considered": len(G),
        "count": len(part.communities),
        "seed": seed,
        "communities": [
            {"id": i, "size": len(members), "members": [_entity(G, m) for m in members]}
            for i, members in enumerate(part.communities[:top])
        ],
    }


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
