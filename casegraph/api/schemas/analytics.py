"""``/analytics``: rankings, communities, brokers, key players, routes, pyramids."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from casegraph.api.schemas.common import Disclosed, EntityRef, Number, Schema


class RankedOut(EntityRef):
    """An entity with its score and rank (1: highest)."""

    score: Number
    rank: int


class JobOut(Schema):
    """A measure still computing in the background (answer 202; ask the same URL again)."""

    status: str = Field(description="running, or done (the next request answers 200)")
    job: str = Field(description="the job's id in this API worker")
    progress: float = Field(description="0 to 1")
    elapsed: float = Field(description="seconds since the job started")


class CentralityOut(Schema):
    """``GET /analytics/centrality``."""

    measure: str
    nodes_considered: int
    results: list[RankedOut]
    k: int | None = Field(None, description="betweenness sample size (sampled runs only)")
    seed: int | None = Field(None, description="the sample's seed (sampled runs only)")
    backend: str = Field(
        "local", description="where it ran: local (NetworkX/igraph) or gds (Graph Data Science)"
    )


class CommunityOut(Schema):
    id: int
    size: int
    members: list[EntityRef]


class CommunitiesOut(Schema):
    """``GET /analytics/communities``: Louvain communities, largest first."""

    modularity: Number
    nodes_considered: int
    count: int
    seed: int
    communities: list[CommunityOut]
    backend: str = Field(
        "local", description="where it ran: local (NetworkX/igraph) or gds (Graph Data Science)"
    )


class BrokerOut(EntityRef):
    betweenness: Number
    community: int
    communities: list[int] = Field(description="the communities its ties reach")
    outside_ties: int
    rank: int


class BrokersOut(Schema):
    """``GET /analytics/brokers``."""

    nodes_considered: int
    modularity: Number
    brokers: list[BrokerOut]


class KeyPlayerOut(EntityRef):
    rank: int
    fragmentation_after: Number


class KeyPlayersOut(Schema):
    """``GET /analytics/key-players``: Borgatti's F before and after each removal."""

    k: int
    nodes_considered: int
    fragmentation_measure: str
    fragmentation_before: Number
    fragmentation_after: Number
    candidates_per_step: int
    players: list[KeyPlayerOut]


class PlaceOut(Schema):
    id: str
    name: str | None = None


class RouteOut(Schema):
    origin: PlaceOut | None
    transit: list[PlaceOut]
    destination: PlaceOut
    victims: int


class PlaceCountOut(PlaceOut):
    victims: int


class RoutesOut(Schema):
    """``GET /analytics/routes``: origin → transit → destination, with victim counts."""

    victims: int
    routes: list[RouteOut]
    destinations: list[PlaceCountOut]
    origins: list[PlaceCountOut]


class ShortestPathOut(Schema):
    """``GET /analytics/shortest-path``: one shortest path on the projection."""

    source: str
    target: str
    length: int | None = Field(description="hops; null when no path joins them")
    path: list[EntityRef] = Field(description="source first, target last; empty when none")
    backend: str = Field(
        "local", description="where it ran: local (NetworkX) or gds (Graph Data Science)"
    )


class NamedOut(Disclosed):
    """An entity by id and (shown) name."""

    id: str
    name: str | None = None


class BranchingOut(Schema):
    recruiters: int
    mean: Number
    max: int


class RecruiterOut(NamedOut):
    downline: int
    direct: int


class SignalOut(Schema):
    signal: str = Field(description="e.g. payouts_exceed_outside_income")
    description: str
    evidence: Any


class MemberOut(EntityRef):
    """A member of the drawn recruitment tree."""

    parent: str | None = Field(
        description="its recruiter in the tree; null: it hangs from the organization"
    )
    investor: bool
    invested: Number
    paid_out: Number
    currency: str | None = None


class PyramidOut(Schema):
    """``GET /analytics/pyramid/{id}``: investors, recruitment, money in and out, signals."""

    organization: NamedOut
    controllers: list[NamedOut]
    investors: int
    max_depth: int
    branching: BranchingOut
    total_invested: Number
    total_paid_out: Number
    outside_income: Number
    currencies: list[str]
    paid_investors: int
    unpaid_share: Number
    top_recruiters: list[RecruiterOut]
    signals: list[SignalOut]
    members: list[MemberOut] = Field(
        default_factory=list, description="the recruitment tree: every member and its parent"
    )
