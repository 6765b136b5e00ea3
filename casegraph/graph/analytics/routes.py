"""Trafficking routes: where victims come from, pass through and are taken to.

A route is (origin → transit places → destination) for one victim: the origin from
``ORIGINATES_FROM``, the transit places from ``TRANSITED`` (ordered by the
relationship's ``date``, then place id), the destination from ``TRAFFICKED_TO``. Only
people with at least one ``TRAFFICKED_TO`` count. A victim with several origins or
destinations contributes one route per (origin, destination) pair; an unknown origin is
``null``. Counts are of distinct victims: per route, per destination and per origin.

Victims are counted, never named: the answer carries no victim ids or names.

Examples
--------
On the seed dataset, one victim was trafficked from Kazakhstan to three countries:

>>> routes = trafficking_routes(db)
>>> routes["victims"], routes["origins"]
(1, [{'id': 'loc-kazakhstan', 'name': 'Kazakhstan', 'victims': 1}])
>>> routes["destinations"][0]
{'id': 'loc-bahrain', 'name': 'Bahrain', 'victims': 1}
>>> [(r["origin"]["id"], r["destination"]["id"], r["victims"]) for r in routes["routes"]]
[('loc-kazakhstan', 'loc-bahrain', 1), ('loc-kazakhstan', 'loc-south-korea', 1),
 ('loc-kazakhstan', 'loc-turkey', 1)]
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from casegraph.graph.db import GraphDB

VICTIM_ROUTES = """
MATCH (v:Person)
WHERE EXISTS { (v)-[:TRAFFICKED_TO]->(:Location) }
RETURN v.id AS victim,
  COLLECT { MATCH (v)-[:ORIGINATES_FROM]->(o:Location)
            RETURN DISTINCT o {.id, .name} AS o ORDER BY o.id } AS origins,
  COLLECT { MATCH (v)-[r:TRANSITED]->(x:Location)
            RETURN x {.id, .name} AS x ORDER BY r.date, x.id } AS transits,
  COLLECT { MATCH (v)-[:TRAFFICKED_TO]->(d:Location)
            RETURN DISTINCT d {.id, .name} AS d ORDER BY d.id } AS destinations
"""


def _route_order(r: dict[str, Any]) -> tuple[Any, ...]:
    origin = r["origin"]["id"] if r["origin"] else ""
    return (-r["victims"], origin, [t["id"] for t in r["transit"]], r["destination"]["id"])


def trafficking_routes(db: GraphDB) -> dict[str, Any]:
    """Routes with victim counts, and victim counts per destination and per origin.

    Returns ``{"victims", "routes": [{"origin", "transit", "destination", "victims"}],
    "destinations": [{"id", "name", "victims"}], "origins": [...]}``, each list sorted by
    count (descending), then id.
    """
    routes: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    places: dict[str, dict[str, Any]] = {}
    by_dest: dict[str, set[str]] = defaultdict(set)
    by_origin: dict[str, set[str]] = defaultdict(set)
    victims: set[str] = set()
    for row in db.read(VICTIM_ROUTES):
        victim = row["victim"]
        victims.add(victim)
        origins = row["origins"] or [None]
        transit: list[str] = []
        for x in row["transits"]:
            places[x["id"]] = x
            if x["id"] not in transit:
                transit.append(x["id"])
        for o in origins:
            if o is not None:
                places[o["id"]] = o
                by_origin[o["id"]].add(victim)
            for d in row["destinations"]:
                places[d["id"]] = d
                by_dest[d["id"]].add(victim)
                key = (o["id"] if o else None, tuple(transit), d["id"])
                routes[key].add(victim)

    def place(pid: str | None) -> dict[str, Any] | None:
        if pid is None:
            return None
        p = places[pid]
        return {"id": p["id"], "name": p.get("name")}

    def counts(table: dict[str, set[str]]) -> list[dict[str, Any]]:
        rows = [dict(place(pid) or {}, victims=len(vs)) for pid, vs in table.items()]
        return sorted(rows, key=lambda r: (-r["victims"], r["id"]))

    route_rows: list[dict[str, Any]] = [
        {
            "origin": place(o),
            "transit": [place(t) for t in ts],
            "destination": place(d),
            "victims": len(vs),
        }
        for (o, ts, d), vs in routes.items()
    ]
    route_rows.sort(key=_route_order)
    return {
        "victims": len(victims),
        "routes": route_rows,
        "destinations": counts(by_dest),
        "origins": counts(by_origin),
    }
