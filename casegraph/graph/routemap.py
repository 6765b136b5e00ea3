"""The map of routes: places and origin → destination routes with victim counts.

A route is the pair (``ORIGINATES_FROM`` place, ``TRAFFICKED_TO`` place) of the victims who
have both; a victim with no known origin counts on the route from ``None``. Victims are
counted (distinct) per route and in total, as :mod:`casegraph.graph.analytics.routes`
counts them, without the transit places (a map draws origin → destination). The answer is
bounded inside the Cypher: at most ``limit`` routes, the busiest first, and at most
``MAX_NAMED`` victims listed per route.

Victims are counted, never listed, unless the caller passes ``levels`` (the protection levels
she may see): then each route lists (as ``{id, name}``, for the disclosure step to show)
only the victims at those levels or unprotected; the others stay counted only. Places come as
their stored fields (``id``, ``name``, ``aliases`` and the properties a map needs); where
they are drawn is the gazetteer's business (:mod:`casegraph.extract.geo`).

>>> m = route_map(db)
>>> [(r["origin"], r["destination"], r["victims"]) for r in m["routes"]]
[('loc-kazakhstan', 'loc-bahrain', 1), ('loc-kazakhstan', 'loc-south-korea', 1),
 ('loc-kazakhstan', 'loc-turkey', 1)]
>>> m["victims"], sorted(m["places"])[:2], "named" in m["routes"][0]
(1, ['loc-bahrain', 'loc-kazakhstan'], False)
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import LOCATION

__all__ = ["MAX_NAMED", "MAX_ROUTES", "route_map"]

MAX_ROUTES = 2000
#: victims listed per route, for callers who may see them (the count is always whole)
MAX_NAMED = 20

SCOPE = """
MATCH (e:Entity {id: $scope}) RETURN e:Location AS place
"""

# The three shapes differ only in which victims and routes they keep: all, those of a place
# (as origin or destination), or those of the victims linked to an entity (or the victim
# herself).
_VICTIMS = {
    "all": "",
    "place": "WHERE d.id = $scope OR o.id = $scope",
    "linked": "WHERE v.id = $scope OR EXISTS { MATCH (v)--(:Entity {id: $scope}) }",
}

_PLACE = "{.id, .name, .aliases, .location_type, .iso_code, .country, .lat, .lon}"

_ROUTES = """
MATCH (v:Person)-[:TRAFFICKED_TO]->(d:Location)
OPTIONAL MATCH (v)-[:ORIGINATES_FROM]->(o:Location)
WITH v, d, o
{where}
WITH o, d, count(DISTINCT v) AS victims,
  collect(DISTINCT CASE WHEN $levels IS NOT NULL
    AND (v.protection IS NULL OR v.protection IN $levels) THEN v END) AS seen
ORDER BY victims DESC, coalesce(o.id, ''), d.id
LIMIT $limit
RETURN o {place} AS origin, d {place} AS destination, victims,
  [x IN seen[..$max_named] | x {.id, .name}] AS named, size(seen) > $max_named AS more
"""

_TOTAL = """
MATCH (v:Person)-[:TRAFFICKED_TO]->(d:Location)
OPTIONAL MATCH (v)-[:ORIGINATES_FROM]->(o:Location)
WITH v, d, o
{where}
RETURN count(DISTINCT v) AS victims
"""

ROUTES = {k: _ROUTES.replace("{where}", w).replace("{place}", _PLACE) for k, w in _VICTIMS.items()}
TOTAL = {k: _TOTAL.replace("{where}", w) for k, w in _VICTIMS.items()}


def _place(p: dict[str, Any]) -> dict[str, Any]:
    props = {k: p[k] for k in ("location_type", "iso_code", "country", "lat", "lon") if p.get(k)}
    if isinstance(p.get("lat"), int | float) and isinstance(p.get("lon"), int | float):
        props["lat"], props["lon"] = p["lat"], p["lon"]  # 0.0 is a latitude too
    return {
        "id": p["id"],
        "label": LOCATION,
        "name": p.get("name"),
        "aliases": list(p.get("aliases") or []),
        "properties": props,
    }


def route_map(
    db: GraphDB,
    *,
    entity: str | None = None,
    limit: int = 500,
    levels: frozenset[str] | None = None,
) -> dict[str, Any]:
    """``{"scope", "victims", "places": {id: place}, "routes": [{"origin", "destination",
    "victims", "named"?, "more_named"?}], "truncated"}``.

    ``entity``: only the routes through that place (a Location), or of the victims linked
    to that entity (anything else). ``levels``: the protection levels the caller may see;
    ``None`` lists no victim at all (counts only).
    """
    if not 1 <= limit <= MAX_ROUTES:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_ROUTES}")

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        shape = "all"
        if entity is not None:
            found = tx.run(SCOPE, scope=entity).single()
            if found is None:
                raise NotFoundError(f"no entity with id {entity!r}")
            shape = "place" if found["place"] else "linked"
        params = {
            "scope": entity,
            "limit": limit + 1,
            "levels": sorted(levels) if levels is not None else None,
            "max_named": MAX_NAMED,
        }
        rows = list(tx.run(ROUTES[shape], params))
        total = tx.run(TOTAL[shape], scope=entity).single()
        places: dict[str, dict[str, Any]] = {}
        routes: list[dict[str, Any]] = []
        for row in rows[:limit]:
            origin, dest = row["origin"], row["destination"]
            for p in (origin, dest):
                if p is not None:
                    places.setdefault(p["id"], _place(p))
            route: dict[str, Any] = {
                "origin": origin["id"] if origin else None,
                "destination": dest["id"],
                "victims": row["victims"],
            }
            if levels is not None:
                route["named"] = list(row["named"])
                route["more_named"] = bool(row["more"])
            routes.append(route)
        return {
            "scope": entity,
            "victims": total["victims"] if total else 0,
            "places": places,
            "routes": routes,
            "truncated": len(rows) > limit,
        }

    return db.execute_read(work)
