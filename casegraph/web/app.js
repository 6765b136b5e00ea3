/* casegraph graph explorer.
 *
 * A single page over the casegraph HTTP API: every call sends the API key the investigator
 * typed (kept in sessionStorage for this tab only). The graph is drawn with Cytoscape.js,
 * vendored from npm (web/package-lock.json) — nothing is loaded from a CDN.
 *
 * For tests, `window.cy` is the Cytoscape instance and `window.casegraph` the app state.
 */
"use strict";

(function () {
  const KEY_STORAGE = "casegraph.apiKey";
  const KIND_COLORS = {
    Person: "#3b82f6",
    Organization: "#f59e0b",
    Location: "#10b981",
    Case: "#8b5cf6",
    Source: "#6b7280",
  };
  // Relationship types where one target has one holder: two claims from different actors
  // into the same target contradict each other (e.g. two heads of one foundation).
  const SINGLE_HOLDER_TYPES = ["LEADS"];
  const CENTRALITY_MEASURES = ["degree", "betweenness", "pagerank", "closeness", "eigenvector"];
  // Computed by /analytics/centrality over the whole graph.
  const NEIGHBORHOOD_LIMIT = 200;
  const CENTRALITY_TOP = 1000; // the API's largest `top`

  const $ = (id) => document.getElementById(id);
  const state = {
    key: sessionStorage.getItem(KEY_STORAGE) || "",
    role: null,
    current: null, // id of the entity shown in the details panel
    pathSource: null,
    pathTarget: null,
    queries: [],
    mode: "explore", // explore | pyramid | query
    expanded: new Set(),
    sizeBy: "degree",
    centrality: {}, // measure -> {id: score}
  };
  window.casegraph = state;

  // ---------------------------------------------------------------- API ---------------
  class ApiError extends Error {
    constructor(status, type, message) {
      super(message);
      this.status = status;
      this.type = type;
    }
  }

  function friendlyMessage(status, serverMessage) {
    const detail = serverMessage ? ` (${serverMessage})` : "";
    switch (status) {
      case 401:
        return state.key
          ? "401 — this API key was not accepted. Check the key and sign in again" + detail + "."
          : "401 — sign in with an API key first" + detail + ".";
      case 403:
        return "403 — your key's role may not do this" + detail + ".";
      case 404:
        return "404 — not found" + detail + ".";
      case 503:
        // The server's detail (a driver error) means nothing to an investigator.
        if (serverMessage) console.warn("casegraph: 503:", serverMessage);
        return "503 — the graph database (Neo4j) is not answering. Try again in a few seconds.";
      default:
        if (status >= 500) return `${status} — the server failed` + detail + ".";
        return `${status} — ${serverMessage || "the request was refused"}.`;
    }
  }

  async function api(path, options = {}) {
    const headers = { Accept: "application/json" };
    if (state.key) headers.Authorization = "Bearer " + state.key;
    const init = { method: options.method || "GET", headers };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    let resp;
    try {
      resp = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, "NetworkError", "The casegraph server cannot be reached.");
    }
    let body = null;
    try {
      body = await resp.json();
    } catch (e) {
      body = null;
    }
    if (!resp.ok) {
      const err = (body && body.error) || {};
      const message = err.message || (body && body.detail) || resp.statusText;
      throw new ApiError(resp.status, err.type || "HTTPError", friendlyMessage(resp.status, message));
    }
    return body;
  }

  /** Whether an error says the endpoint itself does not exist (not yet deployed). */
  function isMissingRoute(err) {
    return err instanceof ApiError && (err.status === 404 || err.status === 405) &&
      err.type === "HTTPError";
  }

  // ------------------------------------------------------------- status ---------------
  function say(message, kind = "info") {
    const el = $("status");
    el.textContent = message;
    el.className = "status " + kind;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
  }
  function fail(err) {
    say(err && err.message ? err.message : String(err), "error");
  }

  // ------------------------------------------------------------- helpers --------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  /** Replace the children of `node` with `children`, leaving out the absent ones. */
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  }
  function fmtValue(v) {
    if (v === null || v === undefined) return "—";
    if (Array.isArray(v)) return v.map(fmtValue).join(", ");
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }
  function fmtMoney(amount, currency) {
    if (amount === null || amount === undefined || amount === "") return "—";
    const n = Number(amount);
    const s = Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: 2 }) : amount;
    return currency ? `${s} ${currency}` : String(s);
  }
  function compact(amount) {
    return Number(amount).toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 2 });
  }
  function edgeId(e) {
    const key = e.properties ? JSON.stringify(e.properties) : "";
    return `${e.from}|${e.type}|${e.to}|${key}`;
  }
  function download(filename, content, mime) {
    const blob = content instanceof Blob ? content : new Blob([content], { type: mime });
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  // --------------------------------------------------------------- graph --------------
  const cy = cytoscape({
    container: $("cy"),
    minZoom: 0.15,
    maxZoom: 3,
    style: [
      {
        selector: "node",
        style: {
          "background-color": (n) => KIND_COLORS[n.data("label")] || "#94a3b8",
          label: "data(display)",
          "font-size": 12,
          "text-wrap": "wrap",
          "text-max-width": 140,
          "text-valign": "bottom",
          "text-margin-y": 4,
          color: "#1d2330",
          "text-outline-color": "#ffffff",
          "text-outline-width": 2,
          width: "data(size)",
          height: "data(size)",
          "border-width": 1,
          "border-color": "#ffffff",
        },
      },
      { selector: "node[label = 'Organization']", style: { shape: "round-rectangle" } },
      { selector: "node[label = 'Location']", style: { shape: "diamond" } },
      { selector: "node[label = 'Case']", style: { shape: "hexagon" } },
      { selector: "node[label = 'Source']", style: { shape: "rectangle" } },
      { selector: "node.expanded", style: { "border-width": 3, "border-color": "#1d2330" } },
      { selector: "node.pseudonym", style: { "font-style": "italic" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f5b400" } },
      {
        selector: "edge",
        style: {
          width: 1.6,
          "line-color": "#9aa4b2",
          "target-arrow-color": "#9aa4b2",
          "target-arrow-shape": "triangle",
          "arrow-scale": 0.9,
          "curve-style": "bezier",
          label: "data(type)",
          "font-size": 9.5,
          color: "#4b5563",
          "text-rotation": "autorotate",
          "text-background-color": "#fbfcfd",
          "text-background-opacity": 0.85,
          "text-background-padding": 1,
        },
      },
      {
        selector: "edge.conflict",
        style: {
          "line-color": "#dc2626",
          "target-arrow-color": "#dc2626",
          "line-style": "dashed",
          width: 2.4,
          color: "#b91c1c",
          label: (e) => e.data("type") + " ⚠ conflicting",
        },
      },
      { selector: ".faded", style: { opacity: 0.18 } },
      {
        selector: "node.path",
        style: { "border-width": 4, "border-color": "#e11d48", opacity: 1 },
      },
      {
        selector: "edge.path",
        style: {
          "line-color": "#e11d48",
          "target-arrow-color": "#e11d48",
          width: 4,
          opacity: 1,
          "z-index": 10,
          color: "#9f1239",
          "font-weight": "bold",
        },
      },
      {
        selector: "node.pyramid",
        style: {
          "text-valign": "bottom",
          "text-max-width": 170,
          "font-size": 13,
          "border-width": 3,
          "border-color": "#dc2626",
        },
      },
      { selector: "node.pyramid.paid", style: { "border-color": "#16a34a" } },
      {
        selector: "node.pyramid-root",
        style: { "font-size": 15, "font-weight": "bold", "border-width": 0 },
      },
      {
        selector: "edge.tree",
        style: {
          "curve-style": "taxi",
          "taxi-direction": "downward",
          "taxi-turn": "50%",
          "line-color": "#64748b",
          "target-arrow-color": "#64748b",
          label: "",
          width: 1.8,
        },
      },
    ],
  });
  window.cy = cy;

  function nodeDisplay(n) {
    return n.name || n.id;
  }

  /** Add graph-shaped data ({nodes, edges}) to the view; returns the ids of new nodes. */
  function mergeGraph(graph, around) {
    const added = [];
    const center = around ? cy.getElementById(around) : null;
    const origin = center && center.nonempty() ? center.position() : { x: 0, y: 0 };
    const fresh = (graph.nodes || []).filter((n) => n && n.id && cy.getElementById(n.id).empty());
    cy.batch(() => {
      fresh.forEach((n, i) => {
        const angle = (2 * Math.PI * i) / Math.max(fresh.length, 1);
        const radius = 80 + 6 * fresh.length;
        const ele = cy.add({
          group: "nodes",
          data: {
            id: n.id,
            label: n.label,
            name: n.name,
            display: nodeDisplay(n),
            size: 30,
            raw: n,
          },
          position: { x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) },
        });
        if (n.redacted) ele.addClass("pseudonym");
        added.push(n.id);
      });
      for (const e of graph.edges || []) {
        if (!e || cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue;
        const id = edgeId(e);
        if (cy.getElementById(id).nonempty()) continue;
        cy.add({
          group: "edges",
          data: { id, source: e.from, target: e.to, type: e.type, raw: e },
        });
      }
    });
    markConflicts();
    return added;
  }

  /** Mark contradicting claims: edges flagged `conflicts_with`, or several actors holding a
   * single-holder role (LEADS) over the same target. */
  function markConflicts() {
    cy.edges().removeClass("conflict");
    const groups = new Map();
    cy.edges().forEach((e) => {
      const raw = e.data("raw") || {};
      if (raw.properties && raw.properties.conflicts_with) e.addClass("conflict");
      if (SINGLE_HOLDER_TYPES.includes(raw.type)) {
        const k = raw.type + "|" + raw.to;
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(e);
      }
    });
    for (const edges of groups.values()) {
      const holders = new Set(edges.map((e) => e.data("source")));
      if (holders.size > 1) edges.forEach((e) => e.addClass("conflict"));
    }
  }

  function applySizes() {
    const measure = state.sizeBy;
    const scores = {};
    if (measure === "degree" || !state.centrality[measure]) {
      cy.nodes().forEach((n) => (scores[n.id()] = n.degree(false)));
    } else {
      const table = state.centrality[measure];
      cy.nodes().forEach((n) => (scores[n.id()] = Number(table[n.id()] || 0)));
    }
    const values = Object.values(scores);
    const max = Math.max(0, ...values);
    const min = Math.min(...values, max);
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        if (n.hasClass("pyramid")) return;
        const s = scores[n.id()];
        const t = max > min ? (s - min) / (max - min) : 0.5;
        n.data("size", Math.round(22 + 46 * Math.sqrt(t)));
        n.data("score", s);
      });
    });
  }

  function runLayout(opts = {}) {
    if (cy.nodes().empty()) return;
    cy.stop(true); // a pan still running (keyboard selection) would undo the fit
    const layout = cy.layout({
      name: "cose",
      animate: false,
      randomize: !!opts.randomize,
      nodeRepulsion: () => 9000,
      idealEdgeLength: () => 90,
      edgeElasticity: () => 90,
      gravity: 0.6,
      numIter: 600,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
      fit: true,
    });
    layout.run();
    capZoom();
  }

  /** Fit the view, without blowing a small graph up to giant nodes. */
  function capZoom(max = 1.25) {
    if (cy.zoom() > max) {
      cy.zoom(max);
      cy.center();
    }
  }
  function fitView() {
    cy.fit(undefined, 30);
    capZoom();
  }

  function refreshGraphInfo() {
    applySizes();
    const n = cy.nodes().length;
    const m = cy.edges().length;
    const conflicts = cy.edges(".conflict").length;
    let text = n === 0 ? "Empty graph." : `${n} entities, ${m} relationships in view.`;
    if (conflicts) text += ` ${conflicts} conflicting claims marked.`;
    $("graph-summary").textContent = text;
    $("node-count").textContent = String(n);
    fill(
      $("ids-in-view"),
      cy.nodes().map((node) => el("option", { value: node.id() }, node.data("name") || ""))
    );
    const list = $("node-list");
    list.replaceChildren(
      ...cy
        .nodes()
        .sort((a, b) => String(a.data("display")).localeCompare(String(b.data("display"))))
        .map((node) =>
          el(
            "li",
            {},
            el(
              "button",
              {
                type: "button",
                "data-id": node.id(),
                "aria-label": `Expand ${node.data("display")} (${node.data("label")})`,
                onclick: () => expand(node.id()),
              },
              node.data("display"),
              " ",
              el("span", { class: "kind " + node.data("label"), text: node.data("label") })
            )
          )
        )
    );
  }

  function clearGraph() {
    cy.elements().remove();
    state.expanded.clear();
    state.mode = "explore";
    refreshGraphInfo();
  }

  // ------------------------------------------------------------ sign in --------------
  async function signIn(key) {
    state.key = key.trim();
    if (state.key) sessionStorage.setItem(KEY_STORAGE, state.key);
    else sessionStorage.removeItem(KEY_STORAGE);
    try {
      await api("/entities?limit=1");
      $("whoami").textContent = state.key ? "signed in" : "";
      $("signout-btn").hidden = !state.key;
      say(state.key ? "Signed in." : "Connected.", "ok");
      loadQueries();
      loadMeasures();
      return true;
    } catch (err) {
      if (err.status === 401) {
        sessionStorage.removeItem(KEY_STORAGE);
        state.key = "";
        $("whoami").textContent = "";
        $("signout-btn").hidden = true;
      }
      fail(err);
      return false;
    }
  }

  function signOut() {
    sessionStorage.removeItem(KEY_STORAGE);
    state.key = "";
    state.role = null;
    $("api-key").value = "";
    $("whoami").textContent = "";
    $("signout-btn").hidden = true;
    clearGraph();
    say("Signed out.", "info");
  }

  // ------------------------------------------------------------- search ---------------
  async function search(q, label) {
    const params = new URLSearchParams({ q, limit: "30" });
    if (label) params.set("label", label);
    const list = $("results");
    list.replaceChildren();
    try {
      const data = await api("/entities?" + params.toString());
      const results = data.results || [];
      if (!results.length) {
        say(`No entities match “${q}”.`, "warn");
        return;
      }
      say(`${results.length} result${results.length === 1 ? "" : "s"} for “${q}”.`, "info");
      for (const r of results) {
        list.append(
          el(
            "li",
            {},
            el(
              "button",
              {
                type: "button",
                "data-id": r.id,
                onclick: () => openEntity(r.id, { fresh: true }),
              },
              el("span", { class: r.redacted ? "pseudonym" : "", text: nodeDisplay(r) }),
              el("span", { class: "kind " + r.label, text: r.label })
            )
          )
        );
      }
      list.querySelector("button").focus();
    } catch (err) {
      fail(err);
    }
  }

  // ------------------------------------------------------------- entity ---------------
  /** Open an entity: show its details and its neighborhood (fresh: replace the graph). */
  async function openEntity(id, { fresh = false } = {}) {
    try {
      if (fresh || state.mode === "pyramid") clearGraph();
      const [entity] = await Promise.all([api("/entities/" + encodeURIComponent(id)), expand(id)]);
      showEntity(entity);
      cy.$(":selected").unselect();
      cy.getElementById(id).select();
    } catch (err) {
      fail(err);
    }
  }

  function hops() {
    return Number($("hops").value) || 1;
  }

  /** Merge the neighborhood of `id` into the view (idempotent). */
  async function expand(id) {
    try {
      // A pyramid is a tree of its own; anything else (a query's or a path's graph) grows.
      if (state.mode === "pyramid") clearGraph();
      state.mode = "explore";
      cy.elements().removeClass("faded");
      const data = await api(
        `/entities/${encodeURIComponent(id)}/neighborhood?depth=${hops()}&limit=${NEIGHBORHOOD_LIMIT}`
      );
      const before = cy.nodes().length;
      const added = mergeGraph(data, id);
      state.expanded.add(id);
      cy.getElementById(id).addClass("expanded");
      refreshGraphInfo();
      if (before === 0 || added.length) runLayout({ randomize: before === 0 });
      const name = cy.getElementById(id).data("display") || id;
      say(
        added.length
          ? `Expanded ${name}: ${added.length} new entit${added.length === 1 ? "y" : "ies"}.`
          : `${name} has no further neighbors to add.`,
        "info"
      );
      if (data.truncated) say(`Neighborhood of ${name} truncated at ${NEIGHBORHOOD_LIMIT}.`, "warn");
      return data;
    } catch (err) {
      fail(err);
      return null;
    }
  }

  function conflictsOf(entityId) {
    const out = [];
    cy.edges(".conflict").forEach((e) => {
      if (e.data("source") === entityId || e.data("target") === entityId) out.push(e);
    });
    return out;
  }

  function showEntity(entity) {
    state.current = entity.id;
    const box = $("details");
    const props = Object.entries(entity.properties || {});
    const conflicts = conflictsOf(entity.id);
    const docs = entity.source_documents || [];
    const counts = Object.entries(entity.relationship_counts || {});
    const isOrg = entity.label === "Organization";
    fill(box,
      el(
        "h3",
        { id: "entity-name", class: entity.redacted ? "pseudonym" : "" },
        nodeDisplay(entity),
        " ",
        el("span", { class: "kind " + entity.label, text: entity.label })
      ),
      entity.aliases && entity.aliases.length
        ? el("p", { class: "aliases", text: "also: " + entity.aliases.join(", ") })
        : null,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", onclick: () => expand(entity.id) }, "Expand"),
        el("button", { type: "button", onclick: () => setPathEnd("source", entity) }, "Path from"),
        el("button", { type: "button", onclick: () => setPathEnd("target", entity) }, "Path to"),
        isOrg
          ? el("button", { type: "button", onclick: () => showPyramid(entity.id) }, "Pyramid")
          : null
      ),
      conflicts.length
        ? el(
            "div",
            { class: "conflicts", role: "note" },
            el("h4", {}, "⚠ Conflicting claims"),
            el(
              "ul",
              {},
              conflicts.map((e) => {
                const raw = e.data("raw");
                const from = cy.getElementById(raw.from).data("display") || raw.from;
                const to = cy.getElementById(raw.to).data("display") || raw.to;
                const claim = raw.properties && raw.properties.claim;
                return el(
                  "li",
                  {},
                  `${from} ${raw.type} ${to}`,
                  claim ? ` — per ${claim}` : "",
                  raw.sources && raw.sources.length ? ` [${raw.sources.join(", ")}]` : ""
                );
              })
            )
          )
        : null,
      el(
        "dl",
        { class: "props" },
        el("dt", {}, "id"),
        el("dd", {}, entity.id),
        props.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, fmtValue(v))]),
        entity.degree !== undefined ? [el("dt", {}, "degree"), el("dd", {}, entity.degree)] : null
      ),
      counts.length
        ? el(
            "div",
            { class: "rels" },
            el("h4", {}, "Relationships"),
            el("ul", {}, counts.map(([t, c]) => el("li", {}, `${t}: ${c}`)))
          )
        : null,
      el(
        "div",
        { class: "sources" },
        el("h4", {}, "Sources"),
        docs.length
          ? el(
              "ul",
              {},
              docs.map((d) => el("li", {}, sourceLink(d)))
            )
          : el("p", { class: "hint" }, (entity.sources || []).join(", ") || "no source recorded")
      )
    );
    if (isOrg) {
      $("pyramid-org").textContent = nodeDisplay(entity);
      $("pyramid-org").dataset.id = entity.id;
      $("pyramid-btn").disabled = false;
    }
  }

  function showEdge(edge) {
    const raw = edge.data("raw") || {};
    const from = cy.getElementById(raw.from).data("display") || raw.from;
    const to = cy.getElementById(raw.to).data("display") || raw.to;
    fill($("details"),
      el("h3", {}, `${from} → ${raw.type} → ${to}`),
      edge.hasClass("conflict")
        ? el("p", { class: "badge-conflict" }, "⚠ This claim conflicts with another claim.")
        : null,
      el(
        "dl",
        { class: "props" },
        Object.entries(raw.properties || {}).flatMap(([k, v]) => [
          el("dt", {}, k),
          el("dd", {}, fmtValue(v)),
        ]),
        el("dt", {}, "sources"),
        el("dd", { id: "edge-sources" }, (raw.sources || []).join(", ") || "—")
      )
    );
    // Resolve the source ids into their documents (titles, links).
    const ids = raw.sources || [];
    Promise.all(ids.map((id) => api("/entities/" + encodeURIComponent(id)).catch(() => null)))
      .then((docs) => {
        const box = $("edge-sources");
        if (!box || !docs.some(Boolean)) return;
        fill(box, el("ul", {}, docs.map((d, i) => el("li", {}, d ? sourceLink({
          title: d.name || (d.properties || {}).title, url: (d.properties || {}).url,
          id: d.id, published: (d.properties || {}).published,
        }) : ids[i]))));
      });
  }

  /** A source document: a link when its URL is known, its title otherwise. */
  function sourceLink(d) {
    // Only web links: a "javascript:" URL in the data must not become a live link.
    const url = typeof d.url === "string" && /^https?:\/\//i.test(d.url) ? d.url : null;
    return [
      url
        ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, d.title || url)
        : el("span", {}, d.title || d.id, d.url ? ` (${d.url})` : " (no link known)"),
      d.published ? ` — ${d.published}` : "",
    ];
  }

  // --------------------------------------------------------------- paths --------------
  function setPathEnd(which, entity) {
    const key = which === "source" ? "pathSource" : "pathTarget";
    state[key] = entity.id;
    const dd = $(which === "source" ? "path-source" : "path-target");
    dd.textContent = nodeDisplay(entity);
    dd.dataset.id = entity.id;
    $("path-btn").disabled = !(state.pathSource && state.pathTarget);
    $("path-panel").open = true;
    say(`Path ${which === "source" ? "start" : "end"}: ${nodeDisplay(entity)}.`, "info");
  }

  /** The paths of a /paths answer as [{nodes: [ids], hops: [{from, to, type}] | null}]. */
  function pathList(data) {
    return (data.paths || []).map((p) => {
      const seq = Array.isArray(p) ? p : p.nodes || [];
      return {
        nodes: seq.map((x) => (typeof x === "string" ? x : x.id)),
        hops: Array.isArray(p) ? null : p.hops || null,
      };
    });
  }

  /** Highlight the paths (their nodes, and the relationships of their hops); fade the rest. */
  function highlightPaths(paths) {
    cy.elements().removeClass("path faded");
    const onPath = cy.collection();
    for (const { nodes, hops } of paths) {
      nodes.forEach((id) => onPath.merge(cy.getElementById(id)));
      for (let i = 1; i < nodes.length; i++) {
        const a = nodes[i - 1];
        const b = nodes[i];
        const type = hops && hops[i - 1] ? hops[i - 1].type : null;
        onPath.merge(
          cy.edges().filter(
            (e) =>
              (type === null || e.data("type") === type) &&
              ((e.data("source") === a && e.data("target") === b) ||
                (e.data("source") === b && e.data("target") === a))
          )
        );
      }
    }
    cy.elements().not(onPath).addClass("faded");
    onPath.addClass("path");
    return onPath;
  }

  /** All shortest paths over the elements in view (used when /paths is not deployed). */
  function localShortestPaths(source, target, maxDepth) {
    const dist = { [source]: 0 };
    const preds = { [source]: [] };
    let frontier = [source];
    for (let d = 1; d <= maxDepth && frontier.length && !(target in dist); d++) {
      const next = [];
      for (const id of frontier) {
        cy.getElementById(id)
          .neighborhood("node")
          .forEach((m) => {
            const mid = m.id();
            if (!(mid in dist)) {
              dist[mid] = d;
              preds[mid] = [id];
              next.push(mid);
            } else if (dist[mid] === d) preds[mid].push(id);
          });
      }
      frontier = next;
    }
    if (!(target in dist)) return [];
    const out = [];
    const walk = (id, tail) => {
      if (id === source) return out.push({ nodes: [source, ...tail], hops: null });
      for (const p of preds[id]) walk(p, [id, ...tail]);
    };
    walk(target, []);
    return out;
  }

  async function findPaths() {
    const { pathSource: s, pathTarget: t } = state;
    if (!s || !t) return;
    const depth = Number($("path-depth").value) || 6;
    try {
      let sequences;
      try {
        const params = new URLSearchParams({ source: s, target: t, max_depth: String(depth) });
        const data = await api("/paths?" + params.toString());
        if (state.mode === "pyramid") clearGraph();
        state.mode = "explore";
        mergeGraph(data);
        sequences = pathList(data);
      } catch (err) {
        if (!isMissingRoute(err)) throw err;
        sequences = localShortestPaths(s, t, depth);
        say("Server path search unavailable: paths computed over the entities in view.", "warn");
      }
      refreshGraphInfo();
      runLayout();
      if (!sequences.length) {
        cy.elements().removeClass("path faded");
        say(`No path within ${depth} hops between the two entities.`, "warn");
        return;
      }
      highlightPaths(sequences);
      const hops = sequences[0].nodes.length - 1;
      say(
        `${sequences.length} shortest path${sequences.length === 1 ? "" : "s"} of ${hops} hop${
          hops === 1 ? "" : "s"
        } highlighted.`,
        "ok"
      );
      cy.fit(cy.elements(".path"), 60);
      capZoom();
    } catch (err) {
      fail(err);
    }
  }

  // ------------------------------------------------------------ centrality ------------
  async function loadMeasures() {
    const select = $("size-by");
    const current = select.value;
    select.replaceChildren(
      el("optgroup", { label: "entities in view" },
        el("option", { value: "degree" }, "degree (view)")),
      el("optgroup", { label: "whole graph" },
        CENTRALITY_MEASURES.map((m) => el("option", { value: m }, m)))
    );
    select.value = current || "degree";
  }

  async function setSizeBy(measure) {
    state.sizeBy = measure;
    if (measure !== "degree" && !state.centrality[measure]) {
      try {
        const params = new URLSearchParams({ measure, top: String(CENTRALITY_TOP) });
        const data = await api("/analytics/centrality?" + params.toString());
        const rows = data.results || data.ranking || data.scores || data.nodes || data.top || [];
        const table = {};
        for (const r of rows) {
          const id = r.id || (r.node && r.node.id) || r.entity_id;
          const score = r.score ?? r.value ?? r[measure];
          if (id !== undefined) table[id] = Number(score) || 0;
        }
        state.centrality[measure] = table;
        say(`Nodes sized by ${measure} centrality (whole graph).`, "info");
      } catch (err) {
        state.sizeBy = "degree";
        $("size-by").value = "degree";
        if (isMissingRoute(err)) {
          say("Centrality is not available on this server: sized by degree in view.", "warn");
        } else fail(err);
      }
    }
    applySizes();
  }

  // --------------------------------------------------------------- queries ------------
  async function loadQueries() {
    const select = $("query-select");
    try {
      const data = await api("/queries");
      state.queries = Array.isArray(data) ? data : data.queries || [];
      select.replaceChildren(
        el("option", { value: "" }, state.queries.length ? "choose a query…" : "(no saved queries)"),
        ...state.queries.map((q) => el("option", { value: q.name }, q.title || q.name))
      );
    } catch (err) {
      state.queries = [];
      const text = isMissingRoute(err)
        ? "(saved queries unavailable)"
        : err.status === 403
          ? "(your key's role may not run queries)"
          : err.status === 401
            ? "(sign in to load)"
            : "(could not load)";
      select.replaceChildren(el("option", { value: "" }, text));
    }
    buildQueryForm("");
  }

  function paramList(q) {
    const ps = q.parameters || q.params || [];
    if (Array.isArray(ps)) return ps;
    return Object.entries(ps).map(([name, spec]) =>
      typeof spec === "object" ? { name, ...spec } : { name, type: spec }
    );
  }

  function buildQueryForm(name) {
    const box = $("query-params");
    const q = state.queries.find((x) => x.name === name);
    $("query-desc").textContent = q ? q.description || "" : "";
    $("query-run").disabled = !q;
    box.replaceChildren();
    if (!q) return;
    for (const p of paramList(q)) {
      const id = "qp-" + p.name;
      const type = String(p.type || "string").toLowerCase();
      let input;
      if (type.startsWith("bool")) {
        input = el("input", { id, name: p.name, type: "checkbox", "data-type": type });
        if (p.default === true) input.checked = true;
      } else {
        const numeric = ["int", "integer", "float", "number"].includes(type);
        input = el("input", {
          id,
          name: p.name,
          type: numeric ? "number" : "text",
          step: type === "float" || type === "number" ? "any" : undefined,
          "data-type": type,
          required: p.required ? true : undefined,
          placeholder: type.startsWith("list") ? "comma-separated" : undefined,
          list: /_id$/.test(p.name) ? "ids-in-view" : undefined,
        });
        if (p.default !== undefined && p.default !== null) {
          input.value = Array.isArray(p.default) ? p.default.join(", ") : String(p.default);
        }
      }
      const help = p.description ? ` — ${p.description}` : "";
      box.append(el("label", { for: id }, `${p.name} (${type})${help}`), input);
    }
  }

  function readQueryParams() {
    const params = {};
    $("query-params")
      .querySelectorAll("input")
      .forEach((input) => {
        const type = input.dataset.type;
        if (type.startsWith("bool")) params[input.name] = input.checked;
        else if (input.value === "") return;
        else if (type === "int" || type === "integer") params[input.name] = parseInt(input.value, 10);
        else if (type === "float" || type === "number") params[input.name] = Number(input.value);
        else if (type.startsWith("list")) {
          const items = input.value.split(",").map((s) => s.trim()).filter(Boolean);
          const numeric = /<(int|float)>/.test(type);
          params[input.name] = numeric ? items.map(Number) : items;
        }
        else params[input.name] = input.value;
      });
    return params;
  }

  async function runQuery(name) {
    try {
      const data = await api(`/queries/${encodeURIComponent(name)}/run`, {
        method: "POST",
        body: { params: readQueryParams() },
      });
      showTable(name, data);
      if (data.graph && data.graph.nodes && data.graph.nodes.length) {
        clearGraph();
        state.mode = "query";
        mergeGraph(data.graph);
        refreshGraphInfo();
        runLayout({ randomize: true });
      }
      const n = (data.rows || []).length;
      say(
        n ? `${name}: ${n} row${n === 1 ? "" : "s"}${data.truncated ? " (truncated)" : ""}.`
          : `${name}: no results.`,
        n ? "ok" : "warn"
      );
    } catch (err) {
      fail(err);
    }
  }

  /** A readable cell: entities by name, paths as "A → B → C", money hops as amounts. */
  function cellText(v) {
    if (v === null || v === undefined) return "—";
    if (Array.isArray(v)) return v.map(cellText).join("; ");
    if (typeof v !== "object") return String(v);
    if (Array.isArray(v.nodes)) return v.nodes.map(cellText).join(" → ");
    if (v.type && (v.from || v.to)) {
      const money = v.amount !== undefined ? " " + fmtMoney(v.amount, v.currency) : "";
      return `${v.from ?? ""} ${v.type}${money} → ${v.to ?? ""}`.trim();
    }
    if (v.name || v.id) return v.name || v.id;
    return Object.entries(v)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `${k}: ${cellText(x)}`)
      .join(", ");
  }

  function showTable(title, data) {
    const columns = data.columns || [];
    const rows = data.rows || [];
    const cells = (row) => (Array.isArray(row) ? row : columns.map((c) => row[c]));
    fill($("details"),
      el("h3", {}, `Query: ${title}`),
      rows.length
        ? el("div", { class: "table-scroll" }, el(
            "table",
            { class: "result", id: "query-table" },
            el("caption", { class: "hint" }, `${rows.length} rows${data.truncated ? " (truncated)" : ""}`),
            el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c)))),
            el(
              "tbody",
              {},
              rows.map((r) =>
                el(
                  "tr",
                  {},
                  cells(r).map((v) =>
                    el("td", { class: typeof v === "number" ? "num" : undefined }, cellText(v))
                  )
                )
              )
            )
          ))
        : el("p", { class: "hint" }, "No results.")
    );
  }

  // --------------------------------------------------------------- pyramid ------------
  /** The recruitment tree of an organization, from its neighborhood: its investors
   * (INVESTED_IN it), who recruited them (RECRUITED), what each put in, and what the scheme's
   * side (the organization and those who lead, control or own it) paid each of them. */
  function pyramidTree(orgId, graph) {
    const invested = {};
    const paid = {};
    const currency = {};
    const scheme = new Set([orgId]);
    for (const e of graph.edges) {
      if (["LEADS", "CONTROLS", "OWNS"].includes(e.type) && e.to === orgId) scheme.add(e.from);
    }
    for (const e of graph.edges) {
      const p = e.properties || {};
      if (e.type === "INVESTED_IN" && e.to === orgId) {
        invested[e.from] = (invested[e.from] || 0) + Number(p.amount || 0);
        if (p.currency) currency[e.from] = p.currency;
      }
    }
    for (const e of graph.edges) {
      const p = e.properties || {};
      if (e.type === "PAID" && scheme.has(e.from) && e.to in invested) {
        paid[e.to] = (paid[e.to] || 0) + Number(p.amount || 0);
      }
    }
    const present = new Set(graph.nodes.map((n) => n.id));
    const parent = {};
    for (const e of graph.edges) {
      if (e.type === "RECRUITED" && e.to in invested && present.has(e.from) && e.from !== e.to) {
        parent[e.to] = e.from;
      }
    }
    // Recruiters who did not invest themselves (a founder) hang from the organization too.
    const ids = new Set(Object.keys(invested));
    Object.values(parent).forEach((id) => ids.add(id));
    const members = [...ids].map((id) => ({
      id,
      parent: parent[id] && parent[id] !== id ? parent[id] : orgId,
      investor: id in invested,
      invested: invested[id] || 0,
      paid_out: paid[id] || 0,
      currency: currency[id],
    }));
    // Break any recruitment cycle: walk up; a member that meets itself hangs from the org.
    const byId = Object.fromEntries(members.map((m) => [m.id, m]));
    for (const m of members) {
      const seen = new Set([m.id]);
      let up = byId[m.parent];
      while (up) {
        if (seen.has(up.id)) {
          m.parent = orgId;
          break;
        }
        seen.add(up.id);
        up = byId[up.parent];
      }
    }
    return { root: orgId, members };
  }

  async function showPyramid(orgId) {
    try {
      const path = `/entities/${encodeURIComponent(orgId)}/neighborhood?depth=1&limit=2000`;
      const nb = await api(path);
      let report = null;
      try {
        report = await api(`/analytics/pyramid/${encodeURIComponent(orgId)}`);
      } catch (err) {
        if (!isMissingRoute(err)) throw err;
      }
      drawPyramid(orgId, nb, pyramidTree(orgId, nb), report);
    } catch (err) {
      fail(err);
    }
  }

  function drawPyramid(orgId, nb, tree, report) {
    clearGraph();
    state.mode = "pyramid";
    const names = {};
    for (const n of nb.nodes) names[n.id] = n;
    const org = names[orgId] || { id: orgId, name: orgId, label: "Organization" };
    const byId = Object.fromEntries(tree.members.map((m) => [m.id, m]));
    const depthOf = {};
    const depth = (id) => {
      if (id === orgId || !byId[id]) return 0;
      if (!(id in depthOf)) depthOf[id] = depth(byId[id].parent) + 1;
      return depthOf[id];
    };
    const recruits = {};
    tree.members.forEach((m) => (recruits[m.parent] = (recruits[m.parent] || 0) + 1));
    const currency = (tree.members.find((m) => m.currency) || {}).currency;
    let totalIn = 0;
    let totalOut = 0;
    cy.batch(() => {
      cy.add({
        group: "nodes",
        classes: "pyramid pyramid-root",
        data: { id: orgId, label: org.label, name: org.name, display: nodeDisplay(org), size: 58, raw: org },
      });
      for (const m of tree.members) {
        const n = names[m.id] || { id: m.id, name: m.id, label: "Person" };
        totalIn += m.invested;
        totalOut += m.paid_out;
        const money = m.investor
          ? `\nin ${fmtMoney(m.invested, m.currency)}` +
            (m.paid_out ? `\nout ${fmtMoney(m.paid_out, m.currency)}` : "\nnever paid")
          : "\n(recruiter)";
        cy.add({
          group: "nodes",
          classes: "pyramid" + (n.redacted ? " pseudonym" : "") + (m.paid_out ? " paid" : ""),
          data: {
            id: m.id,
            label: n.label,
            name: n.name,
            display: nodeDisplay(n) + money,
            size: 24 + Math.min(30, 7 * (recruits[m.id] || 0)),
            raw: n,
          },
        });
      }
      for (const m of tree.members) {
        const type = m.parent === orgId ? (m.investor ? "INVESTED_IN" : "LEADS") : "RECRUITED";
        cy.add({
          group: "edges",
          classes: "tree",
          data: {
            id: `tree|${m.parent}|${m.id}`,
            source: m.parent,
            target: m.id,
            type,
            raw: { type, from: m.parent, to: m.id, properties: {}, sources: [] },
          },
        });
      }
    });
    layoutPyramid();
    refreshGraphInfo();
    const levels = Math.max(0, ...tree.members.map((m) => depth(m.id)));
    const investors = tree.members.filter((m) => m.investor);
    // The server's report (when deployed) is authoritative for the totals and the signals.
    const inTotal = report ? report.total_invested : totalIn;
    const outTotal = report ? report.total_paid_out : totalOut;
    const cur = report && report.currencies && report.currencies.length === 1
      ? report.currencies[0] : currency;
    const signals = (report && report.signals) || [];
    fill(
      $("details"),
      el("h3", { id: "pyramid-title" }, `Pyramid: ${nodeDisplay(org)}`),
      el("p", { class: "hint" },
        "Tree of who recruited whom. Border: green — received payouts; red — never paid."),
      el(
        "dl",
        { class: "props" },
        el("dt", {}, "investors"),
        el("dd", { id: "pyramid-investors" }, String(report ? report.investors : investors.length)),
        el("dt", {}, "tree levels"),
        el("dd", {}, String(levels)),
        el("dt", {}, "invested"),
        el("dd", { class: "money", id: "pyramid-invested" }, fmtMoney(inTotal, cur)),
        el("dt", {}, "paid out"),
        el("dd", { class: "money", id: "pyramid-paid" }, fmtMoney(outTotal, cur)),
        el("dt", {}, "never paid"),
        el("dd", {}, `${investors.filter((m) => !m.paid_out).length} of ${investors.length}`)
      ),
      signals.length
        ? el(
            "div",
            { class: "conflicts", role: "note" },
            el("h4", {}, "Ponzi signals"),
            el("ul", {}, signals.map((x) => el("li", {}, x.description || x.signal)))
          )
        : null,
      el(
        "table",
        { class: "result", id: "pyramid-table" },
        el(
          "thead",
          {},
          el("tr", {}, [["member"], ["lvl", "level in the tree"], ["rec.", "direct recruits"],
            ["in", "invested"], ["out", "paid out"]].map(([c, title]) =>
            el("th", { scope: "col", title }, c)))
        ),
        el(
          "tbody",
          {},
          tree.members
            .slice()
            .sort((a, b) => depth(a.id) - depth(b.id) || b.invested - a.invested)
            .map((m) =>
              el(
                "tr",
                {},
                el("td", {}, nodeDisplay(names[m.id] || { id: m.id })),
                el("td", { class: "num" }, String(depth(m.id))),
                el("td", { class: "num" }, String(recruits[m.id] || 0)),
                el("td", { class: "num" }, m.investor ? compact(m.invested) : "—"),
                el("td", { class: "num" }, m.investor ? compact(m.paid_out) : "—")
              )
            )
        )
      )
    );
    say(
      `Pyramid of ${nodeDisplay(org)}: ${investors.length} investors, ${levels} levels.`,
      "ok"
    );
  }

  function layoutPyramid() {
    cy.layout({
      name: "breadthfirst",
      directed: true,
      roots: cy.nodes(".pyramid-root"),
      spacingFactor: 1.0,
      padding: 24,
      animate: false,
      nodeDimensionsIncludeLabels: true,
    }).run();
    capZoom();
  }

  // ---------------------------------------------------------------- export -----------
  function currentGraph() {
    return {
      nodes: cy.nodes().map((n) => n.data("raw") || { id: n.id(), label: n.data("label"), name: n.data("name") }),
      edges: cy.edges().map((e) => e.data("raw") || { type: e.data("type"), from: e.data("source"), to: e.data("target") }),
    };
  }

  function xmlEscape(s) {
    return String(s)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  /** GraphML of the current view: kind, name and every property as string attributes. */
  function toGraphML(graph) {
    const nodeKeys = new Set(["label", "name"]);
    const edgeKeys = new Set(["type"]);
    graph.nodes.forEach((n) => Object.keys(n.properties || {}).forEach((k) => nodeKeys.add(k)));
    graph.edges.forEach((e) => Object.keys(e.properties || {}).forEach((k) => edgeKeys.add(k)));
    const keyId = (scope, k) => `${scope}_${k}`.replace(/[^A-Za-z0-9_.-]/g, "_");
    const lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ];
    for (const k of nodeKeys)
      lines.push(`  <key id="${keyId("n", k)}" for="node" attr.name="${xmlEscape(k)}" attr.type="string"/>`);
    for (const k of edgeKeys)
      lines.push(`  <key id="${keyId("e", k)}" for="edge" attr.name="${xmlEscape(k)}" attr.type="string"/>`);
    lines.push('  <graph id="casegraph" edgedefault="directed">');
    const val = (v) => xmlEscape(typeof v === "object" ? JSON.stringify(v) : v);
    for (const n of graph.nodes) {
      lines.push(`    <node id="${xmlEscape(n.id)}">`);
      lines.push(`      <data key="n_label">${val(n.label)}</data>`);
      lines.push(`      <data key="n_name">${val(n.name ?? "")}</data>`);
      for (const [k, v] of Object.entries(n.properties || {}))
        if (v !== null && v !== undefined) lines.push(`      <data key="${keyId("n", k)}">${val(v)}</data>`);
      lines.push("    </node>");
    }
    graph.edges.forEach((e, i) => {
      lines.push(`    <edge id="e${i}" source="${xmlEscape(e.from)}" target="${xmlEscape(e.to)}">`);
      lines.push(`      <data key="e_type">${val(e.type)}</data>`);
      for (const [k, v] of Object.entries(e.properties || {}))
        if (v !== null && v !== undefined) lines.push(`      <data key="${keyId("e", k)}">${val(v)}</data>`);
      lines.push("    </edge>");
    });
    lines.push("  </graph>", "</graphml>");
    return lines.join("\n") + "\n";
  }

  function exportAs(format) {
    if (cy.nodes().empty()) {
      say("Nothing to export: the graph is empty.", "warn");
      return;
    }
    if (format === "png") {
      const blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
      download("casegraph-view.png", blob, "image/png");
    } else if (format === "json") {
      download("casegraph-view.json", JSON.stringify(currentGraph(), null, 2) + "\n", "application/json");
    } else {
      download("casegraph-view.graphml", toGraphML(currentGraph()), "application/graphml+xml");
    }
    say(`Exported the view as ${format.toUpperCase()}.`, "ok");
  }
  state.toGraphML = () => toGraphML(currentGraph());

  // ---------------------------------------------------------------- events -----------
  cy.on("tap", "node", (evt) => {
    const id = evt.target.id();
    if (state.mode === "pyramid") {
      api("/entities/" + encodeURIComponent(id)).then(showEntity, fail);
      return;
    }
    cy.$(":selected").unselect();
    evt.target.select();
    api("/entities/" + encodeURIComponent(id)).then(
      (entity) => expand(id).then(() => showEntity(entity)),
      fail
    );
  });
  cy.on("tap", "edge", (evt) => showEdge(evt.target));

  // Keyboard on the graph: arrows move the selection, Enter expands, P/T pick path ends.
  $("cy").addEventListener("keydown", (evt) => {
    const nodes = cy.nodes().sort((a, b) =>
      String(a.data("display")).localeCompare(String(b.data("display"))));
    if (nodes.empty()) return;
    const selected = cy.$("node:selected");
    let index = selected.nonempty() ? nodes.indexOf(selected[0]) : -1;
    const select = (i) => {
      cy.$(":selected").unselect();
      const node = nodes[(i + nodes.length) % nodes.length];
      node.select();
      cy.animate({ center: { eles: node } }, { duration: 150 });
      say(`Selected ${node.data("display")} (${node.data("label")}).`, "info");
    };
    switch (evt.key) {
      case "ArrowRight":
      case "ArrowDown":
        select(index + 1);
        break;
      case "ArrowLeft":
      case "ArrowUp":
        select(index < 0 ? nodes.length - 1 : index - 1);
        break;
      case "Enter":
      case " ":
        if (index >= 0) selected.emit("tap");
        break;
      case "p":
      case "t":
        if (index >= 0) {
          const raw = selected.data("raw") || { id: selected.id(), name: selected.data("name") };
          setPathEnd(evt.key === "p" ? "source" : "target", raw);
        }
        break;
      case "f":
        fitView();
        break;
      default:
        return;
    }
    evt.preventDefault();
  });

  $("signin-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    signIn($("api-key").value);
  });
  $("signout-btn").addEventListener("click", signOut);
  $("search-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    const q = $("search-q").value.trim();
    if (q) search(q, $("search-kind").value);
  });
  $("path-btn").addEventListener("click", findPaths);
  $("query-select").addEventListener("change", (evt) => buildQueryForm(evt.target.value));
  $("query-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    const name = $("query-select").value;
    if (name) runQuery(name);
  });
  $("pyramid-btn").addEventListener("click", () => {
    const id = $("pyramid-org").dataset.id;
    if (id) showPyramid(id);
  });
  $("size-by").addEventListener("change", (evt) => setSizeBy(evt.target.value));
  $("layout-btn").addEventListener("click", () =>
    state.mode === "pyramid" ? layoutPyramid() : runLayout({ randomize: true })
  );
  $("fit-btn").addEventListener("click", fitView);
  $("clear-btn").addEventListener("click", () => {
    clearGraph();
    say("Graph cleared.", "info");
  });
  $("export-png").addEventListener("click", () => exportAs("png"));
  $("export-json").addEventListener("click", () => exportAs("json"));
  $("export-graphml").addEventListener("click", () => exportAs("graphml"));

  // ------------------------------------------------------------------ start -----------
  async function start() {
    if (state.key) $("api-key").value = state.key;
    try {
      const health = await api("/health");
      if (health.neo4j && health.neo4j.status !== "up") {
        say("503 — the graph database (Neo4j) is not answering.", "error");
      }
      if (state.key) await signIn(state.key);
      else {
        loadMeasures();
        await loadQueries();
      }
    } catch (err) {
      fail(err);
    } finally {
      document.body.dataset.ready = "1";
    }
  }
  start();
})();
