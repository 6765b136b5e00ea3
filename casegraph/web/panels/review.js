/* The review screen: a staged document with its mentions highlighted, and its proposals
 * (entities and relationships) to accept, reject, link to an existing entity or edit, one
 * at a time or in bulk; and the POSSIBLY_SAME_AS pairs to merge or reject (merges undone).
 * Everything goes through `GET /review`, `GET /review/{id}`, `POST /review/{id}/decisions`,
 * `POST /documents`; victims a role may not see come already masked from the server. */

import { ApiError, friendlyMessage, requestHeaders } from "../api.js";
import { $, el, fill } from "../dom.js";

export const KINDS = ["Person", "Organization", "Location", "Case"];

/** The document cut into segments: plain text, or a mention of an entity item
 * (`{text, item, kind, status}`); overlapping mentions keep the first (pure). */
export function segments(text, items) {
  const marks = [];
  for (const it of items) {
    if (it.type !== "entity") continue;
    for (const m of it.mentions || []) marks.push({ start: m.start, end: m.end, it });
  }
  marks.sort((a, b) => a.start - b.start || b.end - a.end);
  const out = [];
  let at = 0;
  for (const m of marks) {
    if (m.start < at || m.end > text.length) continue;
    if (m.start > at) out.push({ text: text.slice(at, m.start) });
    out.push({ text: text.slice(m.start, m.end), item: m.it.id, kind: m.it.kind, status: m.it.status });
    at = m.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** How a relationship item reads: "A —TYPE→ B" (pure). */
export function factLabel(it) {
  const from = it.from || (it.from_text ? `[${it.from_text.quote}]` : "?");
  return `${from} —${it.kind}→ ${it.to}`;
}

/** `ctx`: {api, status, fetchFn}. */
export function createReview({ api, status, fetchFn }) {
  let current = null; // the open review set
  const selected = new Set();

  async function loadSets() {
    try {
      const data = await api.get("/review");
      const list = $("review-sets");
      fill(
        list,
        data.sets.map((s) =>
          el("li", {}, el("button", { type: "button", "data-set": s.id, onclick: () => open(s.id) },
            el("span", { text: s.title || s.id }),
            el("span", { class: "hint", text: ` ${s.counts.pending || 0} pending` })))
        ),
        el("li", {}, el("button", { type: "button", "data-set": "duplicates", onclick: () => open("duplicates") },
          `Possible duplicates (${data.duplicates.length})`))
      );
      return true;
    } catch (err) {
      status.fail(err);
      return false;
    }
  }

  async function open(id) {
    try {
      current = await api.get(`/review/${encodeURIComponent(id)}`);
      selected.clear();
      if (id === "duplicates") renderDuplicates(current);
      else renderSet(current);
      document.body.dataset.set = id;
    } catch (err) {
      status.fail(err);
    }
  }

  function focusItem(id) {
    for (const n of document.querySelectorAll(".focus")) n.classList.remove("focus");
    for (const n of document.querySelectorAll(`[data-item="${CSS.escape(id)}"]`)) n.classList.add("focus");
    const li = $("review-items").querySelector(`li[data-item="${CSS.escape(id)}"]`);
    if (li) li.scrollIntoView({ block: "nearest" });
  }

  function renderSet(set) {
    $("doc-meta").textContent =
      `${set.title || set.id} · ${set.language || "?"} · sha256 ${String(set.sha256 || "").slice(0, 12)}…` +
      (set.url ? ` · ${set.url}` : "");
    fill(
      $("doc-text"),
      segments(set.text || "", set.items).map((s) =>
        s.item
          ? el("mark", { class: `mention k-${s.kind} s-${s.status}`, "data-item": s.item,
              title: `${s.kind} (${s.status})`, onclick: () => focusItem(s.item) }, s.text)
          : s.text
      )
    );
    const entities = set.items.filter((it) => it.type === "entity");
    const facts = set.items.filter((it) => it.type !== "entity");
    fill(
      $("review-items"),
      el("h3", { text: `Entities (${entities.length})` }),
      entities.map(entityItem),
      el("h3", { text: `Relationships (${facts.length})` }),
      facts.map(factItem)
    );
    const pending = set.items.filter((it) => it.status === "pending").length;
    status.say(`${set.items.length} proposals, ${pending} pending.`, "info");
  }

  function checkbox(it) {
    return el("input", { type: "checkbox", "aria-label": "select", "data-select": it.id,
      disabled: it.status !== "pending",
      onchange: (evt) => (evt.target.checked ? selected.add(it.id) : selected.delete(it.id)) });
  }

  function actions(it, extra = []) {
    if (it.status !== "pending") return null;
    return el("div", { class: "acts" },
      el("button", { type: "button", "data-act": "accept", onclick: () => decide([{ item: it.id, action: "accept" }]) }, "Accept"),
      el("button", { type: "button", "data-act": "reject", onclick: () => decide([{ item: it.id, action: "reject" }]) }, "Reject"),
      ...extra);
  }

  function entityItem(it) {
    const li = el("li", { "data-item": it.id, class: `s-${it.status}` });
    const m = it.match;
    const match = m
      ? el("div", { class: "match" }, `links to ${m.name} (${m.id}${m.score != null ? `, score ${m.score}` : ""})`)
      : el("div", { class: "match" }, "new entity (no match in the graph)");
    const extra = [
      el("button", { type: "button", "data-act": "link", onclick: () => linkForm(li, it) }, "Link…"),
      el("button", { type: "button", "data-act": "edit", onclick: () => editForm(li, it) }, "Edit…"),
    ];
    fill(li,
      el("div", { class: "head" }, checkbox(it),
        el("span", { class: "name" + (it.redacted ? " pseudonym" : ""), text: it.name, onclick: () => focusItem(it.id) }),
        el("span", { class: "kind", text: it.kind }),
        el("span", { class: "state", text: stateText(it) })),
      match,
      el("div", { class: "quote", text: `${it.mentions.length} mention(s)` + (it.confidence ? ` · confidence ${it.confidence}` : "") }),
      actions(it, extra));
    return li;
  }

  function factItem(it) {
    const li = el("li", { "data-item": it.id, class: `s-${it.status}` });
    const extra = !it.from && !it.from_entity
      ? [el("button", { type: "button", "data-act": "link", onclick: () => linkForm(li, it) }, "Link from…")]
      : [];
    fill(li,
      el("div", { class: "head" }, checkbox(it),
        el("span", { class: "name", text: factLabel(it) }),
        el("span", { class: "kind", text: it.basis || "" }),
        el("span", { class: "state", text: stateText(it) })),
      el("div", { class: "quote", text: `“${it.evidence.quote}”` }),
      actions(it, extra));
    return li;
  }

  function stateText(it) {
    if (it.status === "pending") return "pending";
    const who = it.decided_by ? ` by ${it.decided_by}` : "";
    return `${it.status}${it.entity_id ? " → " + it.entity_id : ""}${who}`;
  }

  function linkForm(li, it) {
    const input = el("input", { type: "search", value: it.name || (it.from_text && it.from_text.quote) || "", "aria-label": "entity name" });
    const results = el("div", { class: "acts" });
    const form = el("form", { class: "link-form" }, input, el("button", { type: "submit" }, "Find"), results);
    form.addEventListener("submit", async (evt) => {
      evt.preventDefault();
      try {
        const params = new URLSearchParams({ q: input.value, limit: "10" });
        if (it.type === "entity") params.set("label", it.kind);
        const { results: found } = await api.get("/entities?" + params.toString());
        fill(results, found.length ? found.map((r) =>
          el("button", { type: "button", "data-link": r.id,
            onclick: () => decide([{ item: it.id, action: "link", entity_id: r.id }]) },
            `${r.name} (${r.id})`)) : el("span", { class: "hint", text: "no match" }));
      } catch (err) {
        status.fail(err);
      }
    });
    li.append(form);
    input.focus();
  }

  function editForm(li, it) {
    const kind = el("select", { "aria-label": "kind" }, KINDS.map((k) => el("option", { value: k, selected: k === it.kind }, k)));
    const name = el("input", { type: "text", value: it.name, "aria-label": "name" });
    const form = el("form", { class: "edit-form" }, kind, name, el("button", { type: "submit" }, "Save"));
    form.addEventListener("submit", (evt) => {
      evt.preventDefault();
      decide([{ item: it.id, action: "edit", kind: kind.value, name: name.value }]);
    });
    li.append(form);
    name.focus();
  }

  async function decide(decisions) {
    if (!current) return;
    try {
      const out = await api.post(`/review/${encodeURIComponent(current.id)}/decisions`, { decisions });
      const n = (k) => (out[k] ? out[k].length : 0);
      status.say(`Accepted ${n("accepted")}, rejected ${n("rejected")}` +
        (n("edited") ? `, edited ${n("edited")}` : "") + (n("merged") ? `, merged ${n("merged")}` : "") +
        (n("undone") ? `, undone ${n("undone")}` : "") + ".", "ok");
      await open(current.id);
      await loadSets();
    } catch (err) {
      status.fail(err);
    }
  }

  function renderDuplicates(set) {
    $("doc-meta").textContent = "Pairs flagged by casegraph dedupe (POSSIBLY_SAME_AS).";
    fill($("doc-text"));
    fill($("review-items"),
      el("h3", { text: `Possible duplicates (${set.items.length})` }),
      set.items.map((d) => el("li", { "data-item": d.id },
        el("div", { class: "head" }, checkbox({ id: d.id, status: "pending" }),
          el("span", { class: "name", text: `${d.a_name} = ${d.b_name}` }),
          el("span", { class: "kind", text: d.kind }),
          el("span", { class: "state", text: `score ${d.score}` })),
        el("div", { class: "match", text: `${d.a} · ${d.b} · ${d.method}` }),
        el("div", { class: "acts" },
          el("button", { type: "button", "data-act": "accept", onclick: () => decide([{ item: d.id, action: "accept" }]) }, `Merge (keep ${d.a})`),
          el("button", { type: "button", "data-act": "reject", onclick: () => decide([{ item: d.id, action: "reject" }]) }, "Not the same")))),
      el("h3", { text: "Merges" }),
      (set.merges || []).map((m) => el("li", { "data-item": m.id },
        el("div", { class: "head" }, el("span", { class: "name", text: `${m.removed} → ${m.kept}` }),
          el("span", { class: "state", text: m.undone_at ? "undone" : `by ${m.by}` })),
        m.undone_at ? null : el("div", { class: "acts" },
          el("button", { type: "button", "data-act": "undo", onclick: () => decide([{ item: m.id, action: "undo" }]) }, "Undo")))));
    status.say(`${set.items.length} possible duplicate pair(s).`, "info");
  }

  function bulk(action, all) {
    if (!current) return;
    if (all) {
      if (current.id === "duplicates") {
        decide(current.items.map((d) => ({ item: d.id, action })));
      } else decide([{ item: "*", action }]);
      return;
    }
    if (!selected.size) {
      status.say("Select proposals first.", "warn");
      return;
    }
    decide([...selected].map((item) => ({ item, action })));
  }

  $("accept-selected").addEventListener("click", () => bulk("accept", false));
  $("reject-selected").addEventListener("click", () => bulk("reject", false));
  $("accept-all").addEventListener("click", () => bulk("accept", true));
  $("reject-all").addEventListener("click", () => bulk("reject", true));

  $("stage-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const body = new FormData();
    const file = $("stage-file").files[0];
    if (file) body.append("file", file);
    else body.append("text", $("stage-text").value);
    body.append("lang", $("stage-lang").value);
    if ($("stage-title").value.trim()) body.append("title", $("stage-title").value.trim());
    status.say("Extracting…", "info");
    try {
      const headers = requestHeaders(api.key, false);
      const resp = await fetchFn("/documents", { method: "POST", headers, body });
      const data = await resp.json().catch(() => null);
      if (!resp.ok) {
        const e = (data && data.error) || {};
        throw new ApiError(resp.status, e.type || "HTTPError", friendlyMessage(resp.status, e.message, !!api.key));
      }
      await loadSets();
      await open(data.id);
      status.say(`Staged ${data.items} proposal(s) as ${data.id}.`, "ok");
    } catch (err) {
      status.fail(err);
    }
  });

  return { loadSets, open, decide };
}
