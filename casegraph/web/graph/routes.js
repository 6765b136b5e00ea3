/* The map of routes, as data (pure): what `GET /map/routes` answers turned into what the
 * map draws (lines with widths and labels, arrowheads) and lists (routes, places not
 * placed). Drawing with Leaflet is panels/map.js's job. */

import { plural } from "../format.js";

export const MIN_WIDTH = 2;
export const MAX_WIDTH = 10;

/** A route line's width for `victims` when the busiest route has `most` (square root, so
 * that one large route does not make the others hairlines). */
export function routeWidth(victims, most) {
  if (!most || most <= 0) return MIN_WIDTH;
  const t = Math.sqrt(Math.max(0, victims) / most);
  return Math.round((MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * t) * 10) / 10;
}

/** The label of a route: its victim count. */
export function routeLabel(route) {
  return plural(route.victims, "victim");
}

/** The map's plan of a `/map/routes` answer: places by id, the lines (routes with both ends
 * placed: {from, to, route, width, label}), the list rows of every route (with the places'
 * names; "unknown origin" for null) and the places not placed. */
export function routePlan(answer) {
  const places = new Map(answer.places.map((p) => [p.id, p]));
  const names = new Map([...answer.places, ...answer.not_placed].map((p) => [p.id, p.name || p.id]));
  const most = Math.max(0, ...answer.routes.map((r) => r.victims));
  const lines = [];
  const rows = [];
  for (const route of answer.routes) {
    const from = route.origin ? places.get(route.origin) : undefined;
    const to = places.get(route.destination);
    if (from && to) {
      lines.push({ from, to, route, width: routeWidth(route.victims, most), label: routeLabel(route) });
    }
    rows.push({
      route,
      origin: route.origin ? names.get(route.origin) || route.origin : "unknown origin",
      destination: names.get(route.destination) || route.destination,
      drawn: Boolean(from && to),
      named: (route.named || []).map((v) => v.name || v.id),
    });
  }
  return { places, lines, rows, notPlaced: answer.not_placed };
}

/** The three corners of an arrowhead pointing at `to` from `from` (points {x, y} in
 * pixels), its tip `gap` pixels short of `to` (the place's marker), `size` long. Null when
 * the two points are too close to show a direction. */
export function arrowHead(from, to, { size = 12, gap = 7 } = {}) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy);
  if (length < size + gap) return null;
  const ux = dx / length;
  const uy = dy / length;
  const tip = { x: to.x - ux * gap, y: to.y - uy * gap };
  const base = { x: tip.x - ux * size, y: tip.y - uy * size };
  const half = size / 2;
  return [tip, { x: base.x - uy * half, y: base.y + ux * half }, { x: base.x + uy * half, y: base.y - ux * half }];
}
