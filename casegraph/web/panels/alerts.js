/* Alerts: the badge in the header with the number of new (unacknowledged) alerts, and the
 * panel that lists them (`GET /alerts`): each alert's watch, its row, when it was first seen
 * and the ingest run that raised it, with "Open in graph" (its row's entities, expanded and
 * selected) and "Acknowledge" (`POST /alerts/{id}/ack`, for the roles that may: those that
 * may run saved queries, found out by `GET /queries`).
 *
 * The count is polled every `POLL_MS`, on sign-in, when the tab comes back to the front and
 * when the page says an ingest ended (a `casegraph:ingested` event on `document`). Rows are
 * stored and answered as the graph holds them, through the caller's disclosure: a protected
 * person is only ever her pseudonym here.
 */

import { $, el, fill } from "../dom.js";
import { cellText, plural } from "../format.js";

export const POLL_MS = 30_000;
export const INGESTED_EVENT = "casegraph:ingested";
export const LIST_LIMIT = 100;

/** The ids of the entities an alert's row names: `id` and `*_id` values, and the ids of
 * the entities (maps with an id and a label) it holds, each once, in order (pure). */
export function alertEntityIds(row) {
  const out = [];
  const add = (id) => typeof id === "string" && id && !out.includes(id) && out.push(id);
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      if (typeof v.id === "string" && v.label) add(v.id);
      for (const [k, x] of Object.entries(v)) {
        if (k === "id" || k.endsWith("_id")) add(x);
        else if (x && typeof x === "object") walk(x);
      }
    }
  };
  walk(row);
  return out;
}

/** A row as one line: "key: value" for each shown column (ids and keys starting with "_"
 * left out; entities by name) (pure). */
export function alertSummary(row) {
  return Object.entries(row || {})
    .filter(([k, v]) => !k.startsWith("_") && k !== "id" && !k.endsWith("_id") && v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${cellText(v)}`)
    .join(" · ");
}

/** The badge's text: "" for none, "99+" past 99 (pure). */
export function badgeText(count) {
  if (!count) return "";
  return count > 99 ? "99+" : String(count);
}

/** `ctx`: {api, view, status, expand}. */
export function createAlerts({ api, view, status, expand }) {
  const panel = $("alerts-panel");
  const button = $("alerts-btn");
  let mayAck = false;
  let timer = null;

  function showCount(count) {
    const text = badgeText(count);
    $("alerts-badge").textContent = text;
    $("alerts-badge").hidden = !text;
    button.setAttribute("aria-label", count ? `Alerts: ${plural(count, "new alert")}` : "Alerts: none new");
  }

  /** Ask the server for the new alerts; redraw the badge (and the list when open). */
  async function refresh() {
    try {
      const data = await api.get(`/alerts?limit=${LIST_LIMIT}`);
      button.hidden = false;
      showCount(data.new);
      if (panel.open) render(data);
      return data;
    } catch (err) {
      if (err.status === 401 || err.status === 403) {
        button.hidden = true;
        fill($("alerts-list"));
      }
      return null;
    }
  }

  function render(data) {
    $("alerts-summary").textContent = data.alerts.length
      ? `${plural(data.new, "new alert")}${data.new > data.alerts.length ? `, the ${data.alerts.length} newest shown` : ""}.`
      : "No new alerts.";
    fill($("alerts-list"), data.alerts.map(alertItem));
  }

  function alertItem(a) {
    const ids = alertEntityIds(a.row);
    return el(
      "li",
      { class: "alert", "data-id": a.id },
      el("div", { class: "alert-head" }, el("strong", {}, a.watch), el("time", { datetime: a.first_seen }, a.first_seen.replace("T", " ").slice(0, 19))),
      el("p", { class: "alert-row" }, alertSummary(a.row)),
      el("p", { class: "hint" }, a.run_id ? `ingest run ${a.run_id}` : "no ingest run recorded"),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", class: "alert-open", disabled: !ids.length, onclick: () => openInGraph(a) }, "Open in graph"),
        mayAck ? el("button", { type: "button", class: "alert-ack", onclick: () => ack(a) }, "Acknowledge") : null
      )
    );
  }

  /** The row's entities in the graph: each expanded (one hop), then all selected. */
  async function openInGraph(a) {
    const ids = alertEntityIds(a.row);
    for (const id of ids) await expand(id, { depth: 1 });
    const eles = view.cy.collection(ids.map((id) => view.cy.getElementById(id)).filter((e) => e.nonempty()));
    if (eles.empty()) return;
    view.cy.$(":selected").unselect();
    eles.select();
    view.fit(eles.closedNeighborhood(), 60);
    status.say(`Alert of ${a.watch}: ${plural(eles.length, "entity", "entities")} selected in the graph.`, "ok");
  }

  async function ack(a) {
    try {
      await api.post(`/alerts/${encodeURIComponent(a.id)}/ack`);
      status.say(`Alert of ${a.watch} acknowledged.`, "ok");
    } catch (err) {
      if (err.status === 403) mayAck = false;
      status.fail(err);
    }
    await refresh();
  }

  /** Start (again) after a sign-in: may this key acknowledge? then count and poll. */
  async function start() {
    try {
      await api.get("/queries");
      mayAck = true;
    } catch {
      mayAck = false;
    }
    clearInterval(timer);
    timer = setInterval(refresh, POLL_MS);
    return refresh();
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    button.hidden = true;
    showCount(0);
    fill($("alerts-list"));
  }

  button.addEventListener("click", () => {
    panel.open = true;
    panel.scrollIntoView({ block: "start" });
    refresh();
  });
  panel.addEventListener("toggle", () => panel.open && refresh());
  document.addEventListener(INGESTED_EVENT, () => timer && refresh());
  document.addEventListener("visibilitychange", () => timer && !document.hidden && refresh());

  return { start, stop, refresh };
}
