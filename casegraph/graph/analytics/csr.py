"""The projection as compressed sparse rows (CSR), and the measures computed on it.

NetworkX holds a 1M-node graph in several GB of dicts and needs seconds to build it; the
same projection as four numpy arrays takes about 70 MB and is built from Neo4j's answer
without a Python object per edge:

* ``ids``: entity ids (UTF-8 bytes, fixed width), row ``i`` is node ``ids[i]``;
* ``indptr`` (int64), ``indices`` (int32): the out-neighbours of node ``i`` are
  ``indices[indptr[i]:indptr[i + 1]]``; an undirected projection holds both directions
  and a self-loop once (as ``networkx.to_scipy_sparse_array`` does);
* ``weights`` (float64, weighted projections only): parallel relationships add up, and
  so do the two directions of an undirected pair (as :func:`.projection.project` does).

The projection holds ids only: names and kinds are read for the few nodes an answer
shows, and the answer passes the caller's disclosure like every other.

The measures give NetworkX's numbers: :func:`pagerank` is the power iteration of
``networkx.pagerank`` (its ``_pagerank_scipy``) step for step, :func:`degree` is
``networkx.degree_centrality``; the tests compare both with NetworkX on several graphs.

>>> import networkx as nx
>>> g = CSRGraph.from_networkx(nx.path_graph(["a", "b", "c"]))
>>> len(g), g.edges()
(3, 2)
>>> [round(float(x), 4) for x in pagerank(g)]
[0.2568, 0.4865, 0.2568]
>>> [float(x) for x in degree(g)]
[0.5, 1.0, 0.5]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from neo4j import ManagedTransaction

from casegraph.errors import InvalidRequestError
from casegraph.graph.analytics.projection import (
    CSR_CHUNK,
    ProjectionOptions,
    check_case,
    csr_rels_query,
    params,
    queries,
)
from casegraph.graph.db import GraphDB

NODE_ROW = "[id(n), n.id]"
"""What the CSR projection reads of a node: Neo4j's internal id and the entity id."""

ARRAYS = ("ids", "indptr", "indices", "weights")
PARTS = 4
"""Shares of the start nodes the relationships are read in (two at a time)."""


@dataclass(frozen=True)
class CSRGraph:
    """A projection as CSR arrays (see the module docstring). The arrays may be read-only
    memory maps of a shared file (:mod:`.store`): never write into them."""

    ids: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray | None
    directed: bool

    def __len__(self) -> int:
        return len(self.ids)

    def edges(self) -> int:
        """How many edges NetworkX would count (an undirected pair once)."""
        if self.directed:
            return len(self.indices)
        loops = self.self_loops()
        return (len(self.indices) - loops) // 2 + loops

    def rows(self) -> np.ndarray:
        """The row (source node) of every stored entry."""
        return np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.indptr))

    def self_loops(self) -> int:
        return int(np.count_nonzero(self.rows() == self.indices))

    def entity_id(self, i: int) -> str:
        return bytes(self.ids[i]).decode()

    def matrix(self) -> sp.csr_array:
        """The adjacency matrix, ``A[i, j]`` = weight of the edge i → j (1 unweighted)."""
        data = np.ones(len(self.indices)) if self.weights is None else np.asarray(self.weights)
        n = len(self)
        return sp.csr_array((data, self.indices, self.indptr), shape=(n, n))

    def nbytes(self) -> int:
        return sum(
            a.nbytes for a in (self.ids, self.indptr, self.indices, self.weights) if a is not None
        )

    @classmethod
    def from_edges(
        cls,
        ids: np.ndarray,
        src: np.ndarray,
        dst: np.ndarray,
        weights: np.ndarray | None,
        *,
        directed: bool,
    ) -> CSRGraph:
        """Build from node indexes ``src[k] → dst[k]`` (parallel edges allowed)."""
        n = len(ids)
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        if not directed:
            mirror = src != dst  # a self-loop is stored once
            src, dst = np.concatenate([src, dst[mirror]]), np.concatenate([dst, src[mirror]])
            if weights is not None:
                weights = np.concatenate([weights, weights[mirror]])
        data = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
        A = sp.coo_array((data, (src, dst)), shape=(n, n)).tocsr()  # sums duplicates
        A.sort_indices()
        return cls(
            ids=ids,
            indptr=A.indptr.astype(np.int64),
            indices=A.indices.astype(np.int32),
            weights=None if weights is None else A.data.astype(np.float64),
            directed=directed,
        )

    @classmethod
    def from_networkx(cls, G: nx.Graph, weight: str | None = None) -> CSRGraph:
        """The CSR of a NetworkX graph, nodes in ``list(G)`` order (for tests and benches)."""
        nodes = list(G)
        index = {v: i for i, v in enumerate(nodes)}
        edges = list(G.edges(data=weight, default=1.0)) if weight else list(G.edges())
        src = np.array([index[e[0]] for e in edges], dtype=np.int64)
        dst = np.array([index[e[1]] for e in edges], dtype=np.int64)
        w = np.array([float(e[2]) for e in edges]) if weight else None
        ids = np.array([str(v).encode() for v in nodes], dtype=np.bytes_)
        return cls.from_edges(ids, src, dst, w, directed=G.is_directed())

    def save(self, folder: Path) -> None:
        """Write the arrays as ``.npy`` files into ``folder`` (which must exist)."""
        for name in ARRAYS:
            array = getattr(self, name)
            if array is not None:
                np.save(folder / f"{name}.npy", array, allow_pickle=False)
        (folder / ("directed" if self.directed else "undirected")).touch()

    @classmethod
    def load(cls, folder: Path, *, mmap: bool = True) -> CSRGraph:
        """Read what :meth:`save` wrote; memory-mapped read-only by default (the pages are
        shared by every process that maps the same files)."""
        mode: Any = "r" if mmap else None

        def read(name: str) -> np.ndarray | None:
            path = folder / f"{name}.npy"
            return np.load(path, mmap_mode=mode, allow_pickle=False) if path.exists() else None

        ids, indptr, indices = read("ids"), read("indptr"), read("indices")
        assert ids is not None and indptr is not None and indices is not None
        return cls(ids, indptr, indices, read("weights"), (folder / "directed").exists())


Progress = Callable[[float], None]


def _nothing(fraction: float) -> None:
    return None


def fetch(
    db: GraphDB, opts: ProjectionOptions, progress: Progress = _nothing, *, parts: int = PARTS
) -> CSRGraph:
    """Read the projection described by ``opts`` out of Neo4j as CSR arrays.

    The same nodes and relationships as :func:`.projection.project` (same filters; the end
    node's kind checked here rather than by the server), keyed by Neo4j's internal ids. The
    relationships come as flat lists of integers, :data:`~.projection.CSR_CHUNK` to a record,
    which the driver's Rust extension decodes and numpy takes whole: no Python object per
    relationship survives. They are read in ``parts`` shares of the start nodes, two at a
    time: the server collects one share while this process decodes another (each query
    alone spends its first half in the server, its second in the client).

    ``progress`` is told the fraction done (0.1 after the nodes, then up to 0.8).
    """
    nodes_q, _ = queries(opts, node_row=NODE_ROW)
    rels_q = csr_rels_query(opts)
    values = params(opts)
    internal: list[int] = []
    ids: list[str] = []

    def read_nodes(tx: ManagedTransaction) -> None:
        check_case(tx, opts)
        for (chunk,) in tx.run(nodes_q, values):
            for nid, eid in chunk:
                internal.append(nid)
                ids.append(eid)

    db.execute_read(read_nodes)
    progress(0.1)
    shares: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []

    def read_share(part: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        def work(tx: ManagedTransaction) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
            assert rels_q is not None
            share = {**values, "chunk": CSR_CHUNK, "parts": parts, "part": part}
            out = []
            for s, d, w in tx.run(rels_q, share):
                if opts.weight and len(w) != len(s):  # collect() drops the nulls of toFloat
                    raise InvalidRequestError(f"weight: {opts.weight!r} is not always a number")
                out.append(
                    (
                        np.array(s, dtype=np.int64),
                        np.array(d, dtype=np.int64),
                        np.array(w, dtype=np.float64) if opts.weight else None,
                    )
                )
            return out

        return db.execute_read(work)

    if rels_q is not None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done, share in enumerate(pool.map(read_share, range(parts)), start=1):
                shares.extend(share)
                progress(0.1 + 0.7 * done / parts)
    n = len(internal)
    keys = np.asarray(internal, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_internal = keys[order]

    def index_of(found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row of each internal id, and whether it is a projected node at all."""
        if n == 0:
            return np.zeros(len(found), dtype=np.int64), np.zeros(len(found), dtype=bool)
        pos = np.minimum(np.searchsorted(sorted_internal, found), n - 1)
        return order[pos], sorted_internal[pos] == found

    empty = np.zeros(0, dtype=np.int64)
    src, known_src = index_of(np.concatenate([s for s, _, _ in shares] or [empty]))
    dst, known_dst = index_of(np.concatenate([d for _, d, _ in shares] or [empty]))
    w = np.concatenate([w for _, _, w in shares if w is not None] or [empty.astype(float)])
    known = known_src & known_dst
    if not known.all():  # relationships to nodes of other kinds (not filtered by the server)
        src, dst, w = src[known], dst[known], (w[known] if opts.weight else w)
    id_array = np.array([e.encode() for e in ids], dtype=np.bytes_) if n else np.zeros(0, "S1")
    progress(0.85)
    return CSRGraph.from_edges(
        id_array, src, dst, w if opts.weight else None, directed=opts.directed
    )


# --- measures -----------------------------------------------------------------------------


def pagerank(
    g: CSRGraph,
    *,
    alpha: float = 0.85,
    personalization: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 1.0e-6,
    nstart: np.ndarray | None = None,
    dangling: np.ndarray | None = None,
) -> np.ndarray:
    """``networkx.pagerank`` on ``g``, one score per row, by the same power iteration.

    NetworkX (``_pagerank_scipy``) row-normalizes the adjacency matrix ``A`` into ``Q @ A``
    and iterates ``x = alpha * (x @ QA + sum(x[dangling]) * d) + (1 - alpha) * p`` until
    the l1 change is below ``N * tol``. Here ``x @ QA`` is computed as ``A.T @ (x * q)``
    (``q`` the inverse out-weights): the same sums, without building ``QA``. Optional
    vectors (``personalization``, ``nstart``, ``dangling``) are in row order, as NetworkX's
    dicts are in node order. Raises :exc:`networkx.PowerIterationFailedConvergence` as
    NetworkX does.
    """
    N = len(g)
    if N == 0:
        return np.zeros(0)
    A = g.matrix()
    S = np.asarray(A.sum(axis=1)).ravel()
    nonzero = S != 0
    S[nonzero] = 1.0 / S[nonzero]
    AT = A.T.tocsr() if g.directed else A  # x @ A == A.T @ x; undirected: A is symmetric
    x = np.repeat(1.0 / N, N) if nstart is None else np.asarray(nstart, dtype=float).copy()
    x /= x.sum()
    if personalization is None:
        p = np.repeat(1.0 / N, N)
    else:
        p = np.asarray(personalization, dtype=float).copy()
        if p.sum() == 0:
            raise ZeroDivisionError
        p /= p.sum()
    if dangling is None:
        dangling_weights = p
    else:
        dangling_weights = np.asarray(dangling, dtype=float).copy()
        dangling_weights /= dangling_weights.sum()
    is_dangling = np.where(S == 0)[0]
    for _ in range(max_iter):
        xlast = x
        dangling_sum = x[is_dangling].sum()  # NetworkX: sum(); the same to ~1e-17
        x = alpha * (AT @ (x * S) + dangling_sum * dangling_weights) + (1 - alpha) * p
        err = np.absolute(x - xlast).sum()
        if err < N * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def degree(g: CSRGraph) -> np.ndarray:
    """``networkx.degree_centrality``: degree / (n - 1), a self-loop counting 2 (as in
    NetworkX), in + out on a directed projection; 1 for every node of a graph of one."""
    n = len(g)
    if n <= 1:
        return np.ones(n)
    out = np.diff(g.indptr).astype(np.float64)
    if g.directed:
        deg = out + np.bincount(g.indices, minlength=n)
    else:
        rows = g.rows()
        deg = out + np.bincount(rows[rows == g.indices], minlength=n)
    return deg * (1.0 / (n - 1))


MEASURES: dict[str, Callable[[CSRGraph], np.ndarray]] = {
    "pagerank": pagerank,
    "degree": degree,
}
"""The measures computed on the CSR projection (the others run on NetworkX)."""


def top(g: CSRGraph, values: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The ``k`` best ``(entity id, score)``, highest score first, ties by id: the order
    of the NetworkX path (``sorted(values.items(), key=(-score, str(id)))``), without
    sorting every node: only those scoring at least the k-th best are sorted."""
    n = len(values)
    k = min(k, n)
    if k == 0:
        return []
    kth = np.partition(values, n - k)[n - k]
    chosen = np.flatnonzero(values >= kth)
    ranked = sorted(
        ((float(values[i]), g.entity_id(int(i))) for i in chosen), key=lambda t: (-t[0], t[1])
    )
    return [(eid, score) for score, eid in ranked[:k]]


def as_dict(g: CSRGraph, values: np.ndarray) -> dict[Hashable, float]:
    """``{entity id: score}`` for every node (as the NetworkX path returns)."""
    return {g.entity_id(i): float(v) for i, v in enumerate(values)}


__all__ = ["MEASURES", "CSRGraph", "degree", "fetch", "pagerank", "top"]
