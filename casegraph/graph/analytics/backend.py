"""Where the measures run: the analytics backend interface and the choice between backends.

Two backends answer the same questions with the same numbers (within the tolerances that
``docs/analytics.md`` states):

* ``local`` (:mod:`.local`): the projection is pulled into this process as a NetworkX graph
  and measured there (NetworkX, igraph for unweighted betweenness). The reference.
* ``gds`` (:mod:`.gds`): the same projection is built inside Neo4j by Graph Data Science
  and measured there through the official ``graphdatascience`` client; only the scores (one
  number per node) and the node table come back.

``CASEGRAPH_ANALYTICS`` (:attr:`~casegraph.settings.Settings.analytics`) picks one. A request
the chosen backend cannot answer exactly as ``local`` does (:exc:`Unsupported`, e.g. Louvain
with a resolution other than 1, which GDS's Louvain lacks) is answered by ``local``, and the
answer's ``backend`` field says which one ran. Key players, brokers, routes and the pyramid
report always run locally (GDS has no such measures).

>>> get_backend("local").name
'local'
>>> get_backend("spark")
Traceback (most recent call last):
...
casegraph.errors.ConfigurationError: CASEGRAPH_ANALYTICS must be local or gds, not 'spark'
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from typing import Any, Protocol

from casegraph.errors import ConfigurationError
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.analytics.communities import Partition
from casegraph.graph.analytics.projection import ProjectionOptions
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings

#: Each projected node's attributes by entity id: ``{"name": ..., "label": ...}``.
Nodes = Mapping[Hashable, Mapping[str, Any]]
Scores = dict[Hashable, float]
BACKENDS = ("local", "gds")


class Unsupported(Exception):
    """This backend cannot give the local answer to this request; ask ``local``."""


class AnalyticsBackend(Protocol):
    """What a backend does: score every node of a projection, and partition it."""

    name: str

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
        """The projection's nodes and every node's score for ``measure``."""
        ...

    def louvain(
        self,
        db: GraphDB,
        opts: ProjectionOptions,
        *,
        seed: int,
        resolution: float,
        cache: AnalyticsCache,
    ) -> tuple[Nodes, Partition]:
        """The projection's nodes and its Louvain communities (largest first)."""
        ...

    def shortest_path(
        self,
        db: GraphDB,
        opts: ProjectionOptions,
        source: str,
        target: str,
        *,
        cache: AnalyticsCache,
    ) -> list[Hashable] | None:
        """One shortest path (entity ids, ``source`` first) on the projection, fewest hops
        (least total weight with ``opts.weight``), or ``None`` if there is none."""
        ...


def get_backend(name: str | None = None) -> AnalyticsBackend:
    """The backend called ``name`` (default: ``CASEGRAPH_ANALYTICS``, read from the
    environment each time, not through the process-wide cached settings: the command line
    reads those once, and must not find them cached by an earlier analytics call)."""
    name = (
        name or os.environ.get("CASEGRAPH_ANALYTICS") or Settings.model_fields["analytics"].default
    )
    if name == "local":
        from casegraph.graph.analytics.local import LOCAL

        return LOCAL
    if name == "gds":
        from casegraph.graph.analytics.gds import GDS

        return GDS
    raise ConfigurationError(f"CASEGRAPH_ANALYTICS must be local or gds, not {name!r}")
