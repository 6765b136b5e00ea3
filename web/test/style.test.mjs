import assert from "node:assert/strict";
import { test } from "node:test";

import {
  badgeStyle,
  buildStyle,
  INK,
  kindSelector,
  luminance,
  swatchStyle,
  textColorOn,
} from "../../casegraph/web/graph/style.js";
import { indexModel } from "../../casegraph/web/model.js";
import { MODEL } from "./fixtures.mjs";

test("the style has one rule per kind of the model, with its colour and shape", () => {
  const style = buildStyle(indexModel(MODEL));
  const kindRules = style.filter((r) => r.selector.startsWith("node[label"));
  assert.deepEqual(
    kindRules.map((r) => [r.selector, r.style["background-color"], r.style.shape]),
    MODEL.kinds.map((k) => [`node[label = "${k.name}"]`, k.display.color, k.display.shape])
  );
  // the kind rules come right after the base node rule, before the states override them
  assert.equal(style[0].selector, "node");
  assert.ok(style.findIndex((r) => r.selector === "node:selected") > kindRules.length);
  for (const state of ["edge.conflict", "edge.path", "node.pyramid", "edge.tree"]) {
    assert.ok(style.some((r) => r.selector === state), state);
  }
});

test("a kind name is quoted in its selector", () => {
  assert.equal(kindSelector('A"B'), 'node[label = "A\\"B"]');
});

test("node shapes become CSS swatches: rounded boxes or clip paths", () => {
  assert.deepEqual(swatchStyle({ color: "#3b82f6", shape: "ellipse" }), {
    background: "#3b82f6",
    borderRadius: "50%",
    clipPath: "none",
  });
  assert.equal(swatchStyle({ color: "#000000", shape: "rectangle" }).borderRadius, "0");
  assert.equal(swatchStyle({ color: "#000000", shape: "round-rectangle" }).borderRadius, "3px");
  const diamond = swatchStyle({ color: "#10b981", shape: "diamond" });
  assert.match(diamond.clipPath, /^polygon\(50% 0, 100% 50%, 50% 100%, 0 50%\)$/);
  assert.equal(diamond.borderRadius, "0");
  assert.equal(swatchStyle({ color: "#8b5cf6", shape: "hexagon" }).clipPath.split(",").length, 6);
});

test("badge text takes the colour with the higher contrast", () => {
  assert.equal(luminance("#ffffff"), 1);
  assert.equal(luminance("#000000"), 0);
  assert.throws(() => luminance("blue"));
  assert.equal(textColorOn("#f59e0b"), INK); // amber: dark text
  assert.equal(textColorOn("#6b7280"), "#ffffff"); // grey: white text
  assert.deepEqual(badgeStyle("#8b5cf6"), { background: "#8b5cf6", color: "#ffffff" });
});
