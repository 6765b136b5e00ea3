"""Key players: the ``k`` entities whose removal most fragments the network.

Fragmentation is Borgatti's F measure (2006, "Identifying sets of key players in a social
network"): the share of pairs of nodes that cannot reach each other,

    F = 1 - Σ_components s_c (s_c - 1) / (n (n - 1)),

computed on the (weakly connected, if directed) components of the graph. After removing a
set, F is measured on the remaining ``n - k`` nodes. The set is found as Borgatti suggests:
a greedy start (at each step the node whose removal raises F most; ties: higher degree,
then smaller id), then swaps of one member for one non-member while a swap raises F.
This is a heuristic: good, not guaranteed optimal.

On graphs of more than :data:`EXHAUSTIVE_LIMIT` nodes each step only tries the
:data:`CANDIDATES` nodes of highest degree (each try costs one pass over the graph); the
answer says how many candidates each step tried.

Examples
--------
>>> import networkx as nx
>>> G = nx.Graph([("a", "hub"), ("b", "hub"), ("c", "hub"), ("c", "d")])
>>> kp = key_players(G, 1)
>>> kp.players, round(kp.before, 3), round(kp.after, 3)
(['hub'], 0.0, 0.833)
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import networkx as nx

EXHAUSTIVE_LIMIT = 500
CANDIDATES = 100


def fragmentation(G: nx.Graph) -> float:
    """Borgatti's F: the share of ordered pairs of distinct nodes that are disconnected.

    >>> fragmentation(nx.Graph([(1, 2), (3, 4)]))
    0.6666666666666667
    """
    n = len(G)
    if n < 2:
        return 0.0
    comps = nx.weakly_connected_components(G) if G.is_directed() else nx.connected_components(G)
    connected = sum(len(c) * (len(c) - 1) for c in comps)
    return 1.0 - connected / (n * (n - 1))


@dataclass
class KeyPlayers:
    players: list[Hashable]
    before: float
    after: float
    steps: list[float] = field(default_factory=list)  # F after each removal
    candidates: int = 0


def key_players(G: nx.Graph, k: int) -> KeyPlayers:
    """The greedy key-player set of size ``k`` (``1 <= k < len(G)``)."""
    H = G.to_undirected() if G.is_directed() else G.copy()
    before = fragmentation(H)
    players: list[Hashable] = []
    steps: list[float] = []
    tried = 0
    for _ in range(k):
        nodes = list(H)
        if len(nodes) > EXHAUSTIVE_LIMIT:
            nodes = sorted(nodes, key=lambda v: (-H.degree(v), str(v)))[:CANDIDATES]
        tried = max(tried, len(nodes))
        best: tuple[float, int, str] | None = None
        best_node: Hashable | None = None
        for v in nodes:
            nbrs = list(H[v])
            H.remove_node(v)
            f = fragmentation(H)
            H.add_node(v)
            H.add_edges_from((v, u) for u in nbrs)
            key = (-f, -len(nbrs), str(v))
            if best is None or key < best:
                best, best_node = key, v
        if best is None:
            break
        H.remove_node(best_node)
        players.append(best_node)
        steps.append(-best[0])
    players = _swap(G if not G.is_directed() else G.to_undirected(), players)
    U = G.to_undirected() if G.is_directed() else G
    steps = [
        fragmentation(nx.restricted_view(U, players[: i + 1], [])) for i in range(len(players))
    ]
    return KeyPlayers(players, before, steps[-1] if steps else before, steps, tried)


def _swap(G: nx.Graph, players: list[Hashable], max_rounds: int = 10) -> list[Hashable]:
    """Swap one player for one outsider while that raises F (Borgatti's greedy swap)."""
    if not players:
        return players
    current = list(players)
    best = fragmentation(nx.restricted_view(G, current, []))
    outsiders = [v for v in G if v not in set(current)]
    if len(outsiders) > EXHAUSTIVE_LIMIT:
        outsiders = sorted(outsiders, key=lambda v: (-G.degree(v), str(v)))[:CANDIDATES]
    for _ in range(max_rounds):
        improved = False
        for i in range(len(current)):
            for v in outsiders:
                if v in current:
                    continue
                trial = [*current[:i], v, *current[i + 1 :]]
                f = fragmentation(nx.restricted_view(G, trial, []))
                if f > best + 1e-12:
                    best, current, improved = f, trial, True
        if not improved:
            break
    return current
