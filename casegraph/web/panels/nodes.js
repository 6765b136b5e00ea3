/* What is in view: the summary under the graph, the "Entities in view" list (a button per
 * entity, for the keyboard) and the ids offered to saved-query forms. */

import { $, el, fill } from "../dom.js";
import { kindBadge } from "./legend.js";

/** "12 entities, 20 relationships in view. 2 conflicting claims marked." (pure) */
export function summaryText(nodes, edges, conflicts) {
  let text = nodes === 0 ? "Empty graph." : `${nodes} entities, ${edges} relationships in view.`;
  if (conflicts) text += ` ${conflicts} conflicting claims marked.`;
  return text;
}

/** Refresh the summary and lists of `view`; `onPick(id)` expands an entity of the list. */
export function renderNodes(view, onPick) {
  const { cy } = view;
  const entities = cy.nodes().not(".group");
  $("graph-summary").textContent = summaryText(entities.length, cy.edges().not(".group").length, cy.edges(".conflict").length);
  $("node-count").textContent = String(entities.length);
  fill(
    $("ids-in-view"),
    entities.map((node) => el("option", { value: node.id() }, node.data("name") || ""))
  );
  fill(
    $("node-list"),
    entities
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
              onclick: () => onPick(node.id()),
            },
            node.data("display"),
            " ",
            kindBadge(view.model, node.data("label"))
          )
        )
      )
  );
}
