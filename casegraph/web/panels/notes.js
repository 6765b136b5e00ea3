/* Notes on the selected entity, relationship or workspace: who wrote each and when, and a
 * form to add one (`GET /notes?target=…`, `POST /notes`). Notes never change the facts;
 * the server stores a protected person's name in a note as [redacted]. */

import { $, el, fill } from "../dom.js";

/** The key a note names a relationship by: FROM|TYPE|TO (pure). */
export function relationshipKey(raw) {
  return `${raw.from}|${raw.type}|${raw.to}`;
}

/** "author, 2026-12-02 04:10" (pure). */
export function noteMeta(note) {
  const when = String(note.created || "").replace("T", " ").slice(0, 16);
  return `${note.author_name || note.author}, ${when}`;
}

/** Builds the notes section under the details panel. `ctx`: {api, view, status}. */
export function createNotes({ api, view, status }) {
  const { cy } = view;
  const heading = el("span", { id: "notes-target" }, "select an entity, a relationship or a workspace");
  const list = el("ul", { id: "notes-list", class: "notes-list", "aria-label": "Notes" });
  const text = el("textarea", { id: "note-text", rows: "3", maxlength: "10000", required: true });
  const add = el("button", { id: "note-add", type: "submit", disabled: true }, "Add note");
  const form = el(
    "form",
    { id: "note-form", "aria-label": "Add a note" },
    el("label", { for: "note-text" }, "Add a note (it never changes the facts)"),
    text,
    el("div", { class: "row" }, add)
  );
  const section = el(
    "section",
    { id: "notes-panel", class: "notes-panel", "aria-labelledby": "notes-h" },
    el("h3", { id: "notes-h" }, "Notes on ", heading),
    list,
    form
  );
  const aside = document.querySelector("aside.details");
  if (aside) aside.append(section);

  /** The target: {kind: entity|relationship|workspace, id, label}. */
  let target = null;

  function render(notes) {
    fill(
      list,
      notes.length
        ? notes.map((n) =>
            el(
              "li",
              { class: "note" },
              el("div", { class: "note-meta" }, noteMeta(n)),
              el("div", { class: "note-text" }, n.text)
            )
          )
        : el("li", { class: "hint" }, "No notes yet.")
    );
  }

  async function load() {
    if (!target) return;
    try {
      const q = new URLSearchParams({ target: target.id, target_kind: target.kind });
      render((await api.get(`/notes?${q}`)).notes);
    } catch (err) {
      status.fail(err);
    }
  }

  function setTarget(next) {
    target = next;
    heading.textContent = next ? `${next.kind} ${next.label}` : "";
    add.disabled = !next;
    if (next) load();
    else fill(list);
  }

  form.addEventListener("submit", async (evt) => {
    evt.preventDefault();
    if (!target || !text.value.trim()) return;
    try {
      await api.post("/notes", { target_kind: target.kind, target: target.id, text: text.value });
      text.value = "";
      status.say(`Note added to ${target.kind} ${target.label}.`, "ok");
      await load();
    } catch (err) {
      status.fail(err);
    }
  });

  cy.on("tap", "node", (evt) => {
    const node = evt.target;
    if (node.data("isGroup")) return;
    setTarget({ kind: "entity", id: node.id(), label: view.display(node.id()) });
  });
  cy.on("tap", "edge[!isGroup]", (evt) => {
    const raw = evt.target.data("raw");
    const label = `${view.display(raw.from)} ${raw.type} ${view.display(raw.to)}`;
    setTarget({ kind: "relationship", id: relationshipKey(raw), label });
  });

  return { setTarget, reload: load, reset: () => setTarget(null) };
}
