"""``GET /map/routes``: the map of trafficking routes.

Places come from the graph (:mod:`casegraph.graph.routemap`) and are placed at read time by
the gazetteer (:mod:`casegraph.extract.geo`): ``lat``/``lon`` given in the data, else a
country's centroid or a city from GeoNames. Reading time rather than ingest time, so that
every database (online or bulk ingest, loaded before this feature) gets coordinates
without a migration, and a better gazetteer improves old data at once. A place the
gazetteer does not know is listed in ``not_placed``, never dropped.

Victims are counted for everyone; a role that may see victims also gets, per route, the
victims she may see (``named``, shown by the disclosure step). Any other role gets counts
only: no names, no pseudonyms.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query

from casegraph.api.deps import DbDep, DisclosureDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.map import MapOut
from casegraph.extract.geo import locate_entity
from casegraph.graph import routemap

router = api_router("read", prefix="/map", tags=["map"], errors=(404, 503))


@router.get(
    "/routes",
    summary="Places with coordinates and origin → destination routes with victim counts",
    response_model=MapOut,
)
def map_routes(
    db: DbDep,
    disclosure: DisclosureDep,
    entity: str | None = Query(
        None,
        max_length=256,
        description="only the routes through this place, or of the victims linked to this "
        "entity (a case, a person, an organization)",
    ),
    limit: int = Query(500, ge=1, le=routemap.MAX_ROUTES, description="at most this many routes"),
) -> dict[str, Any]:
    scope = disclosure.resolve(entity) if entity else None
    found = routemap.route_map(db, entity=scope, limit=limit, levels=disclosure.levels or None)
    places: list[dict[str, Any]] = []
    not_placed: list[dict[str, Any]] = []
    for place in found["places"].values():
        at = locate_entity(place)
        if at is None:
            not_placed.append(place)
        else:
            places.append({**place, "lat": at.lat, "lon": at.lon, "placed_by": at.placed_by})
    return {
        "scope": found["scope"],
        "victims": found["victims"],
        "places": sorted(places, key=lambda p: p["id"]),
        "not_placed": sorted(not_placed, key=lambda p: p["id"]),
        "routes": found["routes"],
        "truncated": found["truncated"],
    }
