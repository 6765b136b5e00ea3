/* The details panel: one entity (properties, sources, conflicting claims, actions) or one
 * relationship (its claim and the documents behind it). */

import { $, el, fill } from "../dom.js";
import { fmtValue, nodeDisplay, safeUrl } from "../format.js";
import { kindBadge } from "./legend.js";

/** A source document: a link when its URL is a web link, its title otherwise. */
export function sourceLink(d) {
  const url = safeUrl(d.url);
  return [
    url
      ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, d.title || url)
      : el("span", {}, d.title || d.id, d.url ? ` (${d.url})` : " (no link known)"),
    d.published ? ` — ${d.published}` : "",
  ];
}

/** `ctx`: {api, view, status, actions: {expand, setPathEnd, showPyramid, pickOrganization}}. */
export function createDetails({ api, view, status, actions }) {
  const box = $("details");
  const { cy } = view;

  function conflictsOf(entityId) {
    return cy.edges(".conflict").filter((e) => e.data("source") === entityId || e.data("target") === entityId);
  }

  function conflictNote(conflicts) {
    if (!conflicts.length) return null;
    return el(
      "div",
      { class: "conflicts", role: "note" },
      el("h4", {}, "⚠ Conflicting claims"),
      el(
        "ul",
        {},
        conflicts.map((e) => {
          const raw = e.data("raw");
          const claim = raw.properties.claim;
          return el(
            "li",
            {},
            `${view.display(raw.from)} ${raw.type} ${view.display(raw.to)}`,
            claim ? ` — per ${claim}` : "",
            raw.sources.length ? ` [${raw.sources.join(", ")}]` : ""
          );
        })
      )
    );
  }

  /** Show a `GET /entities/{id}` answer. */
  function showEntity(entity) {
    const props = Object.entries(entity.properties);
    const docs = entity.source_documents;
    const counts = Object.entries(entity.relationship_counts);
    const isOrg = entity.label === "Organization";
    fill(
      box,
      el(
        "h3",
        { id: "entity-name", class: entity.redacted ? "pseudonym" : "" },
        nodeDisplay(entity),
        " ",
        kindBadge(view.model, entity.label)
      ),
      entity.aliases.length ? el("p", { class: "aliases", text: "also: " + entity.aliases.join(", ") }) : null,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", onclick: () => actions.expand(entity.id) }, "Expand"),
        el("button", { type: "button", onclick: () => actions.setPathEnd("source", entity) }, "Path from"),
        el("button", { type: "button", onclick: () => actions.setPathEnd("target", entity) }, "Path to"),
        isOrg ? el("button", { type: "button", onclick: () => actions.showPyramid(entity.id) }, "Pyramid") : null
      ),
      conflictNote(conflictsOf(entity.id)),
      el(
        "dl",
        { class: "props" },
        el("dt", {}, "id"),
        el("dd", {}, entity.id),
        props.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, fmtValue(v))]),
        [el("dt", {}, "degree"), el("dd", {}, entity.degree)]
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
          ? el("ul", {}, docs.map((d) => el("li", {}, sourceLink(d))))
          : el("p", { class: "hint" }, entity.sources.join(", ") || "no source recorded")
      )
    );
    if (isOrg) actions.pickOrganization(entity);
  }

  /** Show a relationship of the view, then resolve its sources into their documents. */
  function showEdge(edge) {
    const raw = edge.data("raw");
    fill(
      box,
      el("h3", {}, `${view.display(raw.from)} → ${raw.type} → ${view.display(raw.to)}`),
      edge.hasClass("conflict") ? el("p", { class: "badge-conflict" }, "⚠ This claim conflicts with another claim.") : null,
      el(
        "dl",
        { class: "props" },
        Object.entries(raw.properties).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, fmtValue(v))]),
        el("dt", {}, "sources"),
        el("dd", { id: "edge-sources" }, raw.sources.join(", ") || "—")
      )
    );
    const ids = raw.sources;
    Promise.all(ids.map((id) => api.get(api.entityPath(id)).catch(() => null))).then((docs) => {
      const dd = $("edge-sources");
      if (!dd || !docs.some(Boolean)) return;
      fill(
        dd,
        el(
          "ul",
          {},
          docs.map((d, i) =>
            el(
              "li",
              {},
              d
                ? sourceLink({
                    title: d.name || d.properties.title,
                    url: d.properties.url,
                    id: d.id,
                    published: d.properties.published,
                  })
                : ids[i]
            )
          )
        )
      );
    }, status.fail);
  }

  return { showEntity, showEdge };
}
