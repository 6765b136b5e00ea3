"""The ``local`` analytics backend: the projection as a NetworkX graph in this process.

The reference implementation: every number is NetworkX's (igraph computes unweighted
betweenness, rescaled to NetworkX's values). Projections and results are cached per graph
version (:mod:`.cache`).

>>> nodes, values = LOCAL.scores(db, "degree", ProjectionOptions(), k=None, seed=0, cache=CACHE)
>>> len(nodes), nodes["per-duman-taev"]["label"]
(21, 'Person')
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import networkx as nx

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.analytics import centrality as centrality_mod
from casegraph.graph.analytics import communities as communities_mod
from casegraph.graph.analytics import csr as csr_mod
from casegraph.graph.analytics.backend import Nodes, Scores
from casegraph.graph.analytics.cache import CACHE, AnalyticsCache, graph_stamp
from casegraph.graph.analytics.jobs import report
from casegraph.graph.analytics.projection import ProjectionOptions, project
from casegraph.graph.db import GraphDB


def projection(
    db: GraphDB, opts: ProjectionOptions | None = None, cache: AnalyticsCache = CACHE
) -> nx.Graph:
    """The (cached) projection for ``opts``. Do not modify the graph returned."""
    opts = opts or ProjectionOptions()
    return cache.get_or_compute(db, ("projection", opts.cache_key()), lambda: project(db, opts))


def csr_projection(
    db: GraphDB, opts: ProjectionOptions, cache: AnalyticsCache = CACHE
) -> tuple[Path, csr_mod.CSRGraph]:
    """The CSR projection for ``opts`` (:mod:`.csr`), mapped from the shared store
    (:mod:`.store`), built there first if no process has yet; and its store folder (where
    scores are kept beside it)."""
    stamp = graph_stamp(db)
    folder = cache.store.folder(db, stamp, opts)

    def build() -> csr_mod.CSRGraph:
        return csr_mod.fetch(db, opts, progress=report)

    graph = cache.get_or_compute(
        db,
        ("csr", opts.cache_key()),
        lambda: cache.store.get_or_build(
            db, stamp, opts, build, unchanged=lambda: graph_stamp(db) == stamp
        ),
    )
    return folder, graph


def check_k(k: int | None, n: int) -> None:
    if k is not None and not 2 <= k <= max(n, 2):
        raise InvalidRequestError(f"k must be between 2 and the number of nodes ({n})")


def _weight(opts: ProjectionOptions) -> str | None:
    """The edge attribute that holds a weighted projection's summed weights (the projection
    stores them as ``weight``, whatever the relationship property is called)."""
    return "weight" if opts.weight else None


class LocalBackend:
    """NetworkX (and igraph) on a projection pulled into this process."""

    name = "local"

    def graph(self, db: GraphDB, opts: ProjectionOptions, cache: AnalyticsCache) -> nx.Graph:
        return projection(db, opts, cache)

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
        G = projection(db, opts, cache)
        check_k(k, len(G))
        return G.nodes, centrality_mod.compute(G, measure, weight=_weight(opts), k=k, seed=seed)

    def louvain(
        self,
        db: GraphDB,
        opts: ProjectionOptions,
        *,
        seed: int,
        resolution: float,
        cache: AnalyticsCache,
    ) -> tuple[Nodes, communities_mod.Partition]:
        G = projection(db, opts, cache)
        part = communities_mod.louvain(G, weight=_weight(opts), resolution=resolution, seed=seed)
        return G.nodes, part

    def shortest_path(
        self,
        db: GraphDB,
        opts: ProjectionOptions,
        source: str,
        target: str,
        *,
        cache: AnalyticsCache,
    ) -> list[Hashable] | None:
        G = projection(db, opts, cache)
        for end in (source, target):
            if end not in G:
                raise NotFoundError(f"no projected entity with id {end!r}")
        try:
            path: list[Hashable] = nx.shortest_path(G, source, target, weight=_weight(opts))
        except nx.NetworkXNoPath:
            return None
        return path


LOCAL = LocalBackend()
