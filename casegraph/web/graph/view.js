/* The graph view: the Cytoscape.js instance, what is in it, its sizes and its layouts.
 *
 * `createView` returns the view object that the panels share (passed to each of them, never
 * put on `window`): `cy`, the `mode` (explore | pyramid | query), the `model` the style
 * and the conflict rule come from, and the entities already expanded. Listeners added with
 * `onChange` run after every change of the elements in view.
 */

import { conflictingEdgeIds } from "./conflicts.js";
import { groupElements } from "./groups.js";
import { buildStyle } from "./style.js";
import { emptyModel } from "../model.js";
import { edgeId, nodeDisplay } from "../format.js";

export const MIN_SIZE = 22;
export const SIZE_RANGE = 46;

/** Node sizes from scores ({id: score}): the square root of the min-max share, so that a
 * few hubs do not dwarf the rest (pure). Every node gets the middle size when all tie. */
export function sizesFromScores(scores) {
  const values = Object.values(scores);
  const max = Math.max(0, ...values);
  const min = Math.min(...values, max);
  const out = {};
  for (const [id, s] of Object.entries(scores)) {
    const t = max > min ? (s - min) / (max - min) : 0.5;
    out[id] = Math.round(MIN_SIZE + SIZE_RANGE * Math.sqrt(t));
  }
  return out;
}

/** The Cytoscape node data of an API node. */
export function nodeData(n, extra = {}) {
  return { id: n.id, label: n.label, name: n.name, display: nodeDisplay(n), size: 30, raw: n, ...extra };
}

export function createView(container, cytoscape) {
  const cy = cytoscape({
    container,
    minZoom: 0.15,
    maxZoom: 3,
    style: buildStyle(emptyModel()),
  });
  const listeners = [];
  const view = {
    cy,
    mode: "explore",
    model: emptyModel(),
    expanded: new Set(),
    /** Scores to size nodes by ({id: score}); null: by degree in view. */
    sizeTable: null,
  };

  /** Use the model's kinds (colours, shapes) and conflict rule from now on. */
  view.setModel = (model) => {
    view.model = model;
    cy.style(buildStyle(model));
    markConflicts();
    changed();
  };

  view.onChange = (fn) => listeners.push(fn);

  function changed() {
    applySizes();
    listeners.forEach((fn) => fn(view));
  }
  view.changed = changed;

  /** Mark the conflicting claims in view (see graph/conflicts.js). */
  function markConflicts() {
    const edges = cy.edges().not(".group").map((e) => ({ ...e.data("raw"), id: e.id() }));
    const conflicting = conflictingEdgeIds(edges, view.model.singleHolder);
    cy.edges().forEach((e) => {
      if (conflicting.has(e.id())) e.addClass("conflict");
      else e.removeClass("conflict");
    });
  }

  /** Add graph-shaped data ({nodes, edges, more?}) to the view, new nodes in a circle
   * around `around`; returns the ids of the new nodes. A neighborhood's `more` items (what
   * the fan-out cap left out of a hub) become group nodes (graph/groups.js), replacing
   * the groups the entities it expanded had before. */
  view.mergeGraph = (graph, around) => {
    const added = [];
    const center = around ? cy.getElementById(around) : null;
    const origin = center && center.nonempty() ? center.position() : { x: 0, y: 0 };
    const fresh = graph.nodes.filter((n) => cy.getElementById(n.id).empty());
    cy.batch(() => {
      if (graph.more) {
        const owners = new Set([around, ...graph.more.map((m) => m.node)]);
        cy.nodes(".group").filter((g) => owners.has(g.data("owner"))).remove();
      }
      fresh.forEach((n, i) => {
        const angle = (2 * Math.PI * i) / Math.max(fresh.length, 1);
        const radius = 80 + 6 * fresh.length;
        const ele = cy.add({
          group: "nodes",
          data: nodeData(n),
          position: { x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) },
        });
        if (n.redacted) ele.addClass("pseudonym");
        added.push(n.id);
      });
      for (const e of graph.edges) {
        if (cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue;
        const id = edgeId(e);
        if (cy.getElementById(id).nonempty()) continue;
        cy.add({ group: "edges", data: { id, source: e.from, target: e.to, type: e.type, raw: e } });
      }
      const groups = groupElements(graph.more, (id) => cy.getElementById(id).nonempty());
      groups.forEach((g, i) => {
        if (g.group !== "nodes") return;
        const owner = cy.getElementById(g.data.owner).position();
        const angle = (2 * Math.PI * i) / Math.max(groups.length, 1) + 0.3;
        g.position = { x: owner.x + 60 * Math.cos(angle), y: owner.y + 60 * Math.sin(angle) };
      });
      cy.add(groups);
    });
    markConflicts();
    changed();
    return added;
  };

  /** Size the nodes by `table` ({id: score}; null: degree in view). */
  view.sizeBy = (table) => {
    view.sizeTable = table;
    applySizes();
  };

  function applySizes() {
    const scores = {};
    const entities = cy.nodes().not(".group");
    entities.forEach((n) => {
      scores[n.id()] = view.sizeTable ? Number(view.sizeTable[n.id()] || 0) : n.degree(false);
    });
    const sizes = sizesFromScores(scores);
    cy.batch(() => {
      entities.forEach((n) => {
        if (n.hasClass("pyramid")) return;
        n.data("size", sizes[n.id()]);
        n.data("score", scores[n.id()]);
      });
    });
  }

  /** Empty the view (back to exploring). */
  view.clear = () => {
    cy.elements().remove();
    view.expanded.clear();
    view.mode = "explore";
    changed();
  };

  /** The name shown for entity `id` in view (its id when it is not in view). */
  view.display = (id) => cy.getElementById(id).data("display") || id;

  /** Fit the view, without blowing a small graph up to giant nodes. */
  view.capZoom = (max = 1.25) => {
    if (cy.zoom() > max) {
      cy.zoom(max);
      cy.center();
    }
  };
  view.fit = (eles, padding = 30) => {
    cy.fit(eles, padding);
    view.capZoom();
  };

  /** Force-directed layout of everything in view. */
  view.runLayout = ({ randomize = false } = {}) => {
    if (cy.nodes().empty()) return;
    cy.stop(true); // a pan still running (keyboard selection) would undo the fit
    cy.layout({
      name: "cose",
      animate: false,
      randomize,
      nodeRepulsion: () => 9000,
      idealEdgeLength: () => 90,
      edgeElasticity: () => 90,
      gravity: 0.6,
      numIter: 600,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
      fit: true,
    }).run();
    view.capZoom();
  };

  /** Top-down tree layout from the node with class `pyramid-root`. */
  view.layoutTree = () => {
    cy.layout({
      name: "breadthfirst",
      directed: true,
      roots: cy.nodes(".pyramid-root"),
      spacingFactor: 1.0,
      padding: 24,
      animate: false,
      nodeDimensionsIncludeLabels: true,
    }).run();
    view.capZoom();
  };

  /** Lay the view out again, the way its mode wants. */
  view.relayout = () => (view.mode === "pyramid" ? view.layoutTree() : view.runLayout({ randomize: true }));

  /** The view as the API's graph shape: {nodes, edges}. */
  view.currentGraph = () => ({
    nodes: cy.nodes().not(".group").map((n) => n.data("raw")),
    edges: cy.edges().not(".group").map((e) => e.data("raw")),
  });

  return view;
}
