"""Communities: Louvain with a fixed seed, and the modularity of the partition.

The numbers are NetworkX's: ``louvain_communities(G, weight=weight, resolution=resolution,
seed=seed)`` and ``community.modularity`` of the same partition. Directed projections are
handled as NetworkX handles them (directed modularity).

Communities are numbered by size (largest first; ties by their smallest member id), so
the numbering is stable for a given graph and seed.

Examples
--------
>>> import networkx as nx
>>> G = nx.union(nx.complete_graph(["a", "b", "c"]), nx.complete_graph(["x", "y", "z"]))
>>> G.add_edge("c", "x")
>>> part = louvain(G, seed=1)
>>> [sorted(c) for c in part.communities]
[['a', 'b', 'c'], ['x', 'y', 'z']]
>>> round(part.modularity, 3)
0.357
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class Partition:
    """Communities (largest first) and the modularity of the partition."""

    communities: list[list[Hashable]]
    modularity: float

    def membership(self) -> dict[Hashable, int]:
        """Each node's community number (an index into :attr:`communities`)."""
        return {n: i for i, members in enumerate(self.communities) for n in members}


def louvain(
    G: nx.Graph, *, weight: str | None = None, resolution: float = 1.0, seed: int = 0
) -> Partition:
    """Louvain communities of ``G`` (seeded) and their modularity."""
    if len(G) == 0:
        return Partition([], 0.0)
    w = weight or "weight"  # NetworkX's default: edges without the attribute weigh 1
    parts = nx.community.louvain_communities(G, weight=w, resolution=resolution, seed=seed)
    q = nx.community.modularity(G, parts, weight=w, resolution=resolution) if G.size() else 0.0
    ordered = sorted((sorted(c, key=str) for c in parts), key=lambda c: (-len(c), str(c[0])))
    return Partition(ordered, float(q))
