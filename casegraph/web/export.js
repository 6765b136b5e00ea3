/* Export the view: PNG (Cytoscape.js), JSON (the API's {nodes, edges} shape) or GraphML
 * (built here from the elements in view; opens in Gephi, yEd, NetworkX). */

import { download } from "./dom.js";

export function xmlEscape(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** GraphML of a graph ({nodes, edges} in the API's shape): kind, name and every property
 * as string attributes (pure). */
export function toGraphML(graph) {
  const nodeKeys = new Set(["label", "name"]);
  const edgeKeys = new Set(["type"]);
  // pyramid members (from the report) carry no properties
  graph.nodes.forEach((n) => Object.keys(n.properties || {}).forEach((k) => nodeKeys.add(k)));
  graph.edges.forEach((e) => Object.keys(e.properties || {}).forEach((k) => edgeKeys.add(k)));
  const keyId = (scope, k) => `${scope}_${k}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  const val = (v) => xmlEscape(typeof v === "object" ? JSON.stringify(v) : v);
  const data = (scope, props) =>
    Object.entries(props || {})
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `      <data key="${keyId(scope, k)}">${val(v)}</data>`);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ...[...nodeKeys].map(
      (k) => `  <key id="${keyId("n", k)}" for="node" attr.name="${xmlEscape(k)}" attr.type="string"/>`
    ),
    ...[...edgeKeys].map(
      (k) => `  <key id="${keyId("e", k)}" for="edge" attr.name="${xmlEscape(k)}" attr.type="string"/>`
    ),
    '  <graph id="casegraph" edgedefault="directed">',
  ];
  for (const n of graph.nodes) {
    lines.push(
      `    <node id="${xmlEscape(n.id)}">`,
      `      <data key="n_label">${val(n.label)}</data>`,
      `      <data key="n_name">${val(n.name ?? "")}</data>`,
      ...data("n", n.properties),
      "    </node>"
    );
  }
  graph.edges.forEach((e, i) => {
    lines.push(
      `    <edge id="e${i}" source="${xmlEscape(e.from)}" target="${xmlEscape(e.to)}">`,
      `      <data key="e_type">${val(e.type)}</data>`,
      ...data("e", e.properties),
      "    </edge>"
    );
  });
  lines.push("  </graph>", "</graphml>");
  return lines.join("\n") + "\n";
}

/** Download the view as `format` (png, json, graphml); says what it did. */
export function exportView(view, format, status) {
  const { cy } = view;
  if (cy.nodes().empty()) {
    status.say("Nothing to export: the graph is empty.", "warn");
    return;
  }
  if (format === "png") {
    download("casegraph-view.png", cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }), "image/png");
  } else if (format === "json") {
    download("casegraph-view.json", JSON.stringify(view.currentGraph(), null, 2) + "\n", "application/json");
  } else {
    download("casegraph-view.graphml", toGraphML(view.currentGraph()), "application/graphml+xml");
  }
  status.say(`Exported the view as ${format.toUpperCase()}.`, "ok");
}
