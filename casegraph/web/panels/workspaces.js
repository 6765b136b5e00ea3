/* Workspaces: save the view under a name (entities, positions, zoom and pan, the filters
 * and the selected period), list, open, rename and delete them, open one by its link
 * (`#workspace=<id>`), and export one as PNG or as a printable report
 * (`/workspaces` routes). The server keeps entity ids only: opening a workspace shows each
 * protected person as the reader's role may see her. */

import { requestHeaders } from "../api.js";
import { $, download, el, fill } from "../dom.js";
import * as period from "../period.js";

/** The filters a view is saved with: the page's controls by id. */
export const FILTERS = { hops: "hops", sizeBy: "size-by", kind: "search-kind" };
export const HASH_KEY = "workspace";

/** The workspace id in a location hash ("#workspace=ws-1"), or null (pure). */
export function workspaceIdFromHash(hash) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const id = params.get(HASH_KEY);
  return id ? id : null;
}

/** A period as stored: {from, to} with at least one date, or null (pure). */
export function normalizePeriod(p) {
  if (!p || typeof p !== "object") return null;
  const from = p.from || null;
  const to = p.to || null;
  return from || to ? { from, to } : null;
}

/** The view of a Cytoscape instance as a workspace stores it (pure over `cy`'s API). */
export function captureView(cy, filters, selectedPeriod) {
  const nodes = cy
    .nodes()
    .not(".group")
    .map((n) => ({ id: n.id(), x: n.position("x"), y: n.position("y") }));
  return {
    nodes,
    zoom: cy.zoom(),
    pan: { ...cy.pan() },
    filters: { ...filters },
    period: normalizePeriod(selectedPeriod),
  };
}

/** A file name from a workspace name (pure). */
export function fileName(name, ext) {
  const base = String(name || "workspace").replace(/[^\p{L}\p{N}._-]+/gu, "-").replace(/^-+|-+$/g, "");
  return `${base || "workspace"}.${ext}`;
}

/** Builds the panel in the sidebar. `ctx`: {api, view, status, notes}. */
export function createWorkspaces({ api, view, status, notes }) {
  const { cy } = view;
  const name = el("input", { id: "ws-name", type: "text", maxlength: "200", required: true, placeholder: "e.g. Questra flows" });
  const current = el("p", { id: "ws-current", class: "hint" }, "No workspace open.");
  const button = (id, text, title) => el("button", { id, type: "button", title, disabled: true }, text);
  const saveBtn = button("ws-update", "Save view", "Save the view into the open workspace");
  const reportBtn = button("ws-report", "Report", "A printable report of the open workspace (Print to PDF)");
  const pngBtn = button("ws-png", "⤓ PNG", "The open workspace's view as PNG");
  const list = el("ul", { id: "ws-list", class: "results ws-list", "aria-label": "Workspaces" });
  const form = el(
    "form",
    { id: "ws-form", "aria-label": "Save the view as a new workspace" },
    el("label", { for: "ws-name" }, "Save the view as"),
    el("div", { class: "row" }, name, el("button", { id: "ws-save", type: "submit" }, "Save"))
  );
  const panel = el(
    "details",
    { id: "workspace-panel", open: true },
    el("summary", {}, el("h2", {}, "Workspaces")),
    form,
    current,
    el("div", { class: "row" }, saveBtn, reportBtn, pngBtn),
    list
  );
  const sidebar = document.querySelector("nav.sidebar");
  if (sidebar) sidebar.prepend(panel);

  let open = null; // the open workspace (as the server answered)

  function filters() {
    const out = {};
    for (const [key, id] of Object.entries(FILTERS)) if ($(id)) out[key] = $(id).value;
    return out;
  }

  function applyFilters(saved) {
    for (const [key, id] of Object.entries(FILTERS)) {
      const control = $(id);
      if (!control || saved[key] === undefined || control.value === String(saved[key])) continue;
      control.value = String(saved[key]);
      control.dispatchEvent(new Event("change"));
    }
  }

  const path = (id, suffix = "") => `/workspaces/${encodeURIComponent(id)}${suffix}`;

  function showOpen(ws) {
    open = ws;
    for (const b of [saveBtn, reportBtn, pngBtn]) b.disabled = !ws;
    if (!ws) {
      fill(current, "No workspace open.");
      return;
    }
    const when = String(ws.updated).replace("T", " ").slice(0, 16);
    fill(
      current,
      "Open: ",
      el("strong", {}, ws.name),
      ` (${ws.owner_name || ws.owner}, saved ${when}) · `,
      el("a", { href: `#${HASH_KEY}=${encodeURIComponent(ws.id)}`, id: "ws-link" }, "link")
    );
    notes.setTarget({ kind: "workspace", id: ws.id, label: ws.name });
  }

  function setHash(id) {
    const hash = id ? `#${HASH_KEY}=${encodeURIComponent(id)}` : "";
    if (window.location.hash !== hash) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search + hash);
    }
  }

  async function load() {
    try {
      const { workspaces } = await api.get("/workspaces");
      fill(
        list,
        workspaces.length
          ? workspaces.map((w) =>
              el(
                "li",
                { "data-id": w.id },
                el("button", { class: "ws-open", type: "button", onclick: () => openWorkspace(w.id) }, w.name),
                el(
                  "span",
                  { class: "ws-actions" },
                  el("button", { class: "ws-rename", type: "button", onclick: () => rename(w) }, "Rename"),
                  el("button", { class: "ws-delete", type: "button", onclick: () => remove(w) }, "Delete")
                )
              )
            )
          : el("li", { class: "hint" }, "No saved workspaces.")
      );
    } catch (err) {
      fill(list);
      if (err.status !== 401) status.fail(err);
    }
  }

  /** Open workspace `id`: its entities at their saved positions, zoom, pan, filters and
   * period. */
  async function openWorkspace(id) {
    try {
      const ws = await api.get(path(id));
      view.clear();
      view.mergeGraph(ws.graph);
      cy.batch(() => {
        for (const n of ws.view.nodes) {
          const node = cy.getElementById(n.id);
          if (node.nonempty()) node.position({ x: n.x, y: n.y });
        }
      });
      applyFilters(ws.view.filters || {});
      if (typeof period.setPeriod === "function") {
        // a period saved with one open end (an older view) cannot be set: show all dates
        try { period.setPeriod(ws.view.period || null); } catch { period.setPeriod(null); }
      }
      if (ws.view.zoom) cy.zoom(ws.view.zoom);
      if (ws.view.pan) cy.pan(ws.view.pan);
      showOpen(ws);
      setHash(ws.id);
      const missing = ws.missing ? ` (${ws.missing} no longer in the graph)` : "";
      status.say(`Opened workspace “${ws.name}”: ${ws.graph.nodes.length} entities${missing}.`, "ok");
      return ws;
    } catch (err) {
      status.fail(err);
      return null;
    }
  }

  const snapshot = () => captureView(cy, filters(), period.state ? period.state.period : null);

  async function saveNew(evt) {
    evt.preventDefault();
    if (cy.nodes().empty()) {
      status.say("Nothing to save: the graph is empty.", "warn");
      return;
    }
    try {
      const ws = await api.post("/workspaces", { name: name.value, view: snapshot() });
      name.value = "";
      showOpen(ws);
      setHash(ws.id);
      status.say(`Saved workspace “${ws.name}” (${ws.view.nodes.length} entities).`, "ok");
      await load();
    } catch (err) {
      status.fail(err);
    }
  }

  async function saveOpen() {
    if (!open) return;
    try {
      showOpen(await api.put(path(open.id), { view: snapshot() }));
      status.say(`Saved the view into “${open.name}”.`, "ok");
      await load();
    } catch (err) {
      status.fail(err);
    }
  }

  async function rename(w) {
    const next = window.prompt("New name of the workspace", w.name);
    if (!next || next === w.name) return;
    try {
      const ws = await api.put(path(w.id), { name: next });
      if (open && open.id === w.id) showOpen({ ...open, name: ws.name, updated: ws.updated });
      status.say(`Renamed the workspace to “${ws.name}”.`, "ok");
      await load();
    } catch (err) {
      status.fail(err);
    }
  }

  async function remove(w) {
    if (!window.confirm(`Delete the workspace “${w.name}” and its notes?`)) return;
    try {
      await api.del(path(w.id));
      if (open && open.id === w.id) {
        showOpen(null);
        setHash(null);
        notes.reset();
      }
      status.say(`Deleted the workspace “${w.name}”.`, "ok");
      await load();
    } catch (err) {
      status.fail(err);
    }
  }

  /** The report in a new tab (fetched with the key, shown from a blob: URL). */
  async function report() {
    if (!open) return;
    const tab = window.open("", "_blank");
    try {
      const resp = await window.fetch(path(open.id, "/report"), { headers: requestHeaders(api.key) });
      if (!resp.ok) throw new Error(`${resp.status} — the report could not be made.`);
      const url = URL.createObjectURL(new Blob([await resp.text()], { type: "text/html" }));
      if (tab) tab.location.href = url;
      else download(fileName(open.name, "html"), await (await window.fetch(url)).blob());
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      status.say(`Report of “${open.name}” opened: print it to keep a PDF.`, "ok");
    } catch (err) {
      if (tab) tab.close();
      status.fail(err);
    }
  }

  function png() {
    if (!open) return;
    download(fileName(open.name, "png"), cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }));
    status.say(`Exported “${open.name}” as PNG.`, "ok");
  }

  form.addEventListener("submit", saveNew);
  saveBtn.addEventListener("click", saveOpen);
  reportBtn.addEventListener("click", report);
  pngBtn.addEventListener("click", png);
  window.addEventListener("hashchange", () => {
    const id = workspaceIdFromHash(window.location.hash);
    if (id && (!open || open.id !== id)) openWorkspace(id);
  });

  /** Open the workspace the page's link names, if any. */
  async function openFromHash() {
    const id = workspaceIdFromHash(window.location.hash);
    return id ? openWorkspace(id) : null;
  }

  function reset() {
    showOpen(null);
    fill(list);
  }

  return { load, open: openWorkspace, openFromHash, reset, current: () => open };
}
