"""``/map``: places with coordinates and the routes between them, with victim counts."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from casegraph.api.schemas.common import Disclosed, Schema


class MapPlaceOut(Schema):
    """A place on a route, where the map draws it."""

    id: str
    label: str = Field("Location", description="always Location")
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(
        default_factory=dict, description="location_type, iso_code, country, lat/lon if given"
    )
    lat: float = Field(description="latitude, WGS 84 degrees")
    lon: float = Field(description="longitude, WGS 84 degrees")
    placed_by: str = Field(
        description="data (lat/lon in the data), country (its centroid), capital, or city "
        "(GeoNames)"
    )


class UnplacedOut(Schema):
    """A place on a route that no coordinates are known for (listed, not drawn)."""

    id: str
    label: str = Field("Location", description="always Location")
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)


class VictimRefOut(Disclosed):
    """A victim the caller may see (after the disclosure step)."""

    id: str
    name: str | None = None


class MapRouteOut(Schema):
    """Victims taken from ``origin`` (null: not known) to ``destination``."""

    origin: str | None = Field(description="the place id of ORIGINATES_FROM, or null")
    destination: str = Field(description="the place id of TRAFFICKED_TO")
    victims: int = Field(description="distinct victims on this route")
    named: list[VictimRefOut] | None = Field(
        None,
        description="only for roles that may see victims: those of them the caller may see "
        "(at most 20); absent for the others, who get counts only",
    )
    more_named: bool | None = Field(None, description="`named` was cut at 20")


class MapOut(Schema):
    """``GET /map/routes``."""

    scope: str | None = Field(description="the entity the map is limited to, or null")
    victims: int = Field(description="distinct victims on the routes (whole, before the limit)")
    places: list[MapPlaceOut]
    not_placed: list[UnplacedOut] = Field(
        description="places on the routes that the gazetteer cannot place (never dropped)"
    )
    routes: list[MapRouteOut]
    truncated: bool = Field(description="more routes than `limit`: the busiest are kept")
