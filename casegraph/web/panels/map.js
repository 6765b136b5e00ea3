/* The map of routes: `GET /map/routes` drawn with Leaflet over Natural Earth's country
 * outlines (world-atlas TopoJSON, converted by topojson-client), above the graph.
 *
 * Everything is vendored and served by casegraph (`/web/vendor/`): no tile layer, no CDN.
 * The libraries are loaded on first use, as classic scripts (Leaflet's `L`, `topojson`).
 * Places are circle markers labelled with their names; routes are lines from origin to
 * destination with an arrowhead, as wide as their victim count and labelled with it.
 * Clicking a place opens it in the graph (details, neighborhood, selected). Victims are
 * listed only when the server names them (roles that may see them); others see counts. */

import { $, el, fill } from "../dom.js";
import { plural } from "../format.js";
import { displayOf } from "../model.js";
import { arrowHead, routePlan } from "../graph/routes.js";

const VENDOR = "/web/vendor/";
export const OUTLINES = VENDOR + "countries-50m.json";
const ROUTE_COLOR = "#dc2626";

const loading = new Map();

/** Load a classic script or a style sheet from this server, once. */
function load(url) {
  if (!loading.has(url)) {
    loading.set(
      url,
      new Promise((resolve, reject) => {
        const css = url.endsWith(".css");
        const node = css ? el("link", { rel: "stylesheet", href: url }) : el("script", { src: url });
        node.addEventListener("load", resolve);
        node.addEventListener("error", () => reject(new Error(`${url} did not load: run \`make web-assets\`.`)));
        document.head.append(node);
      })
    );
  }
  return loading.get(url);
}

/** `ctx`: {api, view, status, openEntity}. */
export function createMap({ api, view, status, openEntity }) {
  const area = $("map").closest(".graph-area");
  let map = null;
  let layers = null;
  let lines = [];

  async function ensureMap() {
    await Promise.all([VENDOR + "leaflet.css", "/web/map.css", VENDOR + "leaflet.js", VENDOR + "topojson-client.min.js"].map(load));
    const L = window.L;
    if (map) return L;
    map = L.map($("map"), { center: [35, 60], zoom: 2, minZoom: 1, maxZoom: 9, zoomSnap: 0.25 });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("Country outlines: Natural Earth (world-atlas)");
    const resp = await fetch(OUTLINES);
    if (!resp.ok) throw new Error(`${OUTLINES} is missing: run \`make web-assets\`.`);
    const topology = await resp.json();
    const countries = window.topojson.feature(topology, topology.objects.countries);
    L.geoJSON(countries, {
      interactive: false,
      style: { className: "map-country", color: "#a3adb8", weight: 0.6, fillColor: "#eef1f4", fillOpacity: 1 },
    }).addTo(map);
    layers = { routes: L.layerGroup().addTo(map), arrows: L.layerGroup().addTo(map), places: L.layerGroup().addTo(map) };
    map.on("zoomend", drawArrows);
    return L;
  }

  /** The arrowheads, in screen pixels: drawn again after every zoom. */
  function drawArrows() {
    const L = window.L;
    layers.arrows.clearLayers();
    for (const line of lines) {
      const from = map.latLngToLayerPoint([line.from.lat, line.from.lon]);
      const to = map.latLngToLayerPoint([line.to.lat, line.to.lon]);
      const head = arrowHead(from, to, { size: 9 + line.width, gap: 8 });
      if (!head) continue;
      const corners = head.map((p) => map.layerPointToLatLng(L.point(p.x, p.y)));
      L.polygon(corners, { className: "map-arrow", color: ROUTE_COLOR, weight: 1, fillOpacity: 0.9, interactive: false }).addTo(
        layers.arrows
      );
    }
  }

  function draw(plan) {
    const L = window.L;
    layers.routes.clearLayers();
    layers.places.clearLayers();
    lines = plan.lines;
    for (const line of lines) {
      L.polyline(
        [
          [line.from.lat, line.from.lon],
          [line.to.lat, line.to.lon],
        ],
        { className: "map-route", color: ROUTE_COLOR, weight: line.width, opacity: 0.75, interactive: false }
      )
        .bindTooltip(el("span", {}, line.label), { permanent: true, direction: "center", className: "map-count" })
        .addTo(layers.routes);
    }
    const color = displayOf(view.model, "Location").color;
    for (const place of plan.places.values()) {
      const marker = L.circleMarker([place.lat, place.lon], {
        className: "map-place",
        radius: 7,
        color: "#1d2330",
        weight: 1.5,
        fillColor: color,
        fillOpacity: 1,
      })
        // a DOM node, not a string: Leaflet puts strings in as HTML, and names are data
        .bindTooltip(el("span", {}, place.name || place.id), {
          permanent: true,
          direction: "right",
          offset: [8, 0],
          className: "map-label",
        })
        .on("click", () => pick(place, marker))
        .addTo(layers.places);
      const node = marker.getElement();
      node.dataset.id = place.id;
      node.setAttribute("aria-label", place.name || place.id);
    }
    const points = [...plan.places.values()].map((p) => [p.lat, p.lon]);
    if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.25), { maxZoom: 5 });
    else map.fitWorld();
    drawArrows();
  }

  /** A click on a place: open it in the graph, selected. */
  async function pick(place, marker) {
    document.querySelectorAll("#map .map-place.picked").forEach((n) => n.classList.remove("picked"));
    marker.getElement().classList.add("picked");
    await openEntity(place.id);
  }

  function list(plan) {
    fill(
      $("map-routes"),
      plan.rows.map((row) =>
        el(
          "li",
          { class: row.drawn ? undefined : "undrawn" },
          `${row.origin} → ${row.destination}: ${plural(row.route.victims, "victim")}`,
          row.named.length ? el("span", { class: "map-named" }, ` (${row.named.join(", ")})`) : null
        )
      )
    );
    const missing = plan.notPlaced.map((p) => p.name || p.id);
    $("map-unplaced").textContent = missing.length ? `Not placed (no coordinates): ${missing.join(", ")}.` : "";
  }

  function setOpen(open) {
    $("map").hidden = !open;
    area.classList.toggle("with-map", open);
    $("map-hide").hidden = !open;
    view.cy.resize();
    if (map) map.invalidateSize();
  }

  /** Show the map: every route, or (`map-scope` ticked) those of the selected entity. */
  async function show() {
    const selected = view.cy.$("node:selected");
    const scope = $("map-scope").checked && selected.nonempty() ? selected.first().id() : null;
    try {
      const data = await api.get("/map/routes" + (scope ? "?entity=" + encodeURIComponent(scope) : ""));
      setOpen(true);
      await ensureMap();
      map.invalidateSize();
      const plan = routePlan(data);
      draw(plan);
      list(plan);
      const unplaced = plan.notPlaced.length ? `, ${plan.notPlaced.length} not placed` : "";
      status.say(
        `Map: ${plural(data.routes.length, "route")}, ${plural(data.victims, "victim")}, ` +
          `${plural(plan.places.size, "place")}${unplaced}.` +
          (data.truncated ? " Only the busiest routes are shown." : ""),
        data.truncated ? "warn" : "ok"
      );
      document.body.dataset.map = "ready";
    } catch (err) {
      status.fail(err);
    }
  }

  /** Forget what the map showed (sign-out: the next key may see less). */
  function reset() {
    setOpen(false);
    lines = [];
    if (layers) Object.values(layers).forEach((group) => group.clearLayers());
    fill($("map-routes"));
    $("map-unplaced").textContent = "";
    delete document.body.dataset.map;
  }

  $("map-btn").addEventListener("click", show);
  $("map-hide").addEventListener("click", () => setOpen(false));
  return { show, reset, hide: () => setOpen(false) };
}
