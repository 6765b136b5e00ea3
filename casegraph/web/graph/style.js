/* The graph's Cytoscape.js style and the legend's swatches, built from the model (pure).
 *
 * Every kind's colour and shape come from `GET /model`; this module only turns them into
 * Cytoscape selectors and into the CSS of the legend's swatches and the kind badges.
 */

import { UNKNOWN_COLOR } from "../model.js";

export const INK = "#1d2330";
export const PATH_COLOR = "#e11d48";
export const CONFLICT_COLOR = "#dc2626";
export const PAID_COLOR = "#16a34a";

/** CSS clip paths of the node shapes (Cytoscape.js names) that are not rounded boxes. */
const CLIP_PATHS = {
  diamond: "polygon(50% 0, 100% 50%, 50% 100%, 0 50%)",
  hexagon: "polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%)",
  triangle: "polygon(50% 0, 100% 100%, 0 100%)",
};
const RADII = { ellipse: "50%", "round-rectangle": "3px", rectangle: "0" };

/** The CSS of a legend swatch drawing `shape` in `color`: {background, borderRadius,
 * clipPath} (camelCase keys, for `element.style`: the page's policy forbids style
 * attributes, not the CSS object model). */
export function swatchStyle({ color, shape }) {
  const clipPath = CLIP_PATHS[shape] || "none";
  return {
    background: color,
    borderRadius: clipPath === "none" ? RADII[shape] ?? "50%" : "0",
    clipPath,
  };
}

/** Relative luminance of a `#rrggbb` colour (WCAG 2). */
export function luminance(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = m.slice(1).map((x) => {
    const c = parseInt(x, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The text colour (white or ink) with the higher contrast on a `#rrggbb` background. */
export function textColorOn(hex) {
  const l = luminance(hex);
  const onWhite = 1.05 / (l + 0.05);
  const onInk = (l + 0.05) / (luminance(INK) + 0.05);
  return onInk > onWhite ? INK : "#ffffff";
}

/** The CSS of a kind badge (the small pill naming an entity's kind). */
export function badgeStyle(color) {
  return { background: color, color: textColorOn(color) };
}

/** A Cytoscape selector matching nodes of one kind. */
export function kindSelector(kind) {
  return `node[label = "${String(kind).replace(/["\\]/g, "\\$&")}"]`;
}

/** The Cytoscape.js style of the graph: one rule per kind of the model (colour, shape),
 * then the states (expanded, selected, conflict, path, pyramid). */
export function buildStyle(model) {
  return [
    {
      selector: "node",
      style: {
        "background-color": UNKNOWN_COLOR,
        label: "data(display)",
        "font-size": 12,
        "text-wrap": "wrap",
        "text-max-width": 140,
        "text-valign": "bottom",
        "text-margin-y": 4,
        color: INK,
        "text-outline-color": "#ffffff",
        "text-outline-width": 2,
        width: "data(size)",
        height: "data(size)",
        "border-width": 1,
        "border-color": "#ffffff",
      },
    },
    ...model.kinds.map((k) => ({
      selector: kindSelector(k.name),
      style: { "background-color": k.color, shape: k.shape },
    })),
    { selector: "node.expanded", style: { "border-width": 3, "border-color": INK } },
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
        "line-color": CONFLICT_COLOR,
        "target-arrow-color": CONFLICT_COLOR,
        "line-style": "dashed",
        width: 2.4,
        color: "#b91c1c",
        label: (e) => e.data("type") + " ⚠ conflicting",
      },
    },
    {
      selector: "node.group",
      style: {
        shape: "round-rectangle",
        "background-color": "#fef3c7",
        "border-width": 2,
        "border-style": "dashed",
        "border-color": "#d97706",
        width: 34,
        height: 22,
        color: "#92400e",
        "font-size": 13,
        "font-weight": "bold",
        "text-valign": "center",
        "text-halign": "right",
        "text-margin-x": 4,
      },
    },
    {
      selector: "edge.group",
      style: { "line-style": "dashed", "line-color": "#cbd5e1", "target-arrow-color": "#cbd5e1", label: "" },
    },
    { selector: ".faded", style: { opacity: 0.18 } },
    // The selected period (graph/period.js): facts outside it are hidden, entities faded.
    { selector: "edge.period-out", style: { display: "none" } },
    { selector: "node.period-out", style: { opacity: 0.25 } },
    { selector: "edge:selected", style: { width: 4, "line-color": "#f5b400", "target-arrow-color": "#f5b400" } },
    { selector: "node.path", style: { "border-width": 4, "border-color": PATH_COLOR, opacity: 1 } },
    {
      selector: "edge.path",
      style: {
        "line-color": PATH_COLOR,
        "target-arrow-color": PATH_COLOR,
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
        "border-color": CONFLICT_COLOR,
      },
    },
    { selector: "node.pyramid.paid", style: { "border-color": PAID_COLOR } },
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
  ];
}
