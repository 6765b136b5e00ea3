/* The selected period on the graph: with a period, only the relationships dated in it are
 * drawn (class `period-out` hides the others, undated ones too: they are no fact of that
 * period), and entities with no fact in it are faded. Without a period, everything shows. */

import { factSpan, inPeriod, relationshipSpan } from "../period.js";

/** Whether an entity's own dated properties (a case's start and end, a source's
 * publication) hold a fact in `period` (pure). */
export function entityInPeriod(props = {}, period) {
  const spans = [
    factSpan(props.start_date, props.end_date),
    factSpan(props.published),
    factSpan(props.date),
  ].filter(Boolean);
  return spans.some((s) => inPeriod(s, period));
}

/** Which edges and nodes of a graph ({nodes, edges} as the API gives them, edges with an
 * `id`) lie outside `period`: {edges: Set, nodes: Set} of ids (pure). */
export function outOfPeriod(graph, period) {
  const edges = new Set();
  const nodes = new Set();
  if (!period) return { edges, nodes };
  const touched = new Set();
  for (const e of graph.edges) {
    if (inPeriod(relationshipSpan(e.properties || {}), period)) {
      touched.add(e.from);
      touched.add(e.to);
    } else edges.add(e.id);
  }
  for (const n of graph.nodes) {
    if (!touched.has(n.id) && !entityInPeriod(n.properties || {}, period)) nodes.add(n.id);
  }
  return { edges, nodes };
}

/** Mark the view's elements for `period`; returns {shown, dated, total} relationships. */
export function applyPeriod(view, period) {
  const { cy } = view;
  const edges = cy.edges().not(".group");
  const graph = {
    nodes: cy.nodes().not(".group").map((n) => ({ id: n.id(), properties: (n.data("raw") || {}).properties })),
    edges: edges.map((e) => ({ ...(e.data("raw") || {}), id: e.id() })),
  };
  const out = outOfPeriod(graph, period);
  cy.batch(() => {
    cy.elements().removeClass("period-out");
    if (!period) return;
    cy.edges(".group").addClass("period-out");
    edges.filter((e) => out.edges.has(e.id())).addClass("period-out");
    cy.nodes().not(".group").filter((n) => out.nodes.has(n.id())).addClass("period-out");
  });
  const dated = graph.edges.filter((e) => relationshipSpan(e.properties || {})).length;
  return { shown: graph.edges.length - out.edges.size, dated, total: graph.edges.length };
}
