import assert from "node:assert/strict";
import { test } from "node:test";

import { displayOf, emptyModel, indexModel, UNKNOWN_COLOR } from "../../casegraph/web/model.js";
import { MODEL } from "./fixtures.mjs";

test("indexModel keeps the server's kinds in order, with their display", () => {
  const m = indexModel(MODEL);
  assert.deepEqual(m.kinds.map((k) => k.name), ["Person", "Organization", "Location", "Case"]);
  assert.deepEqual(m.display.Location, { color: "#10b981", shape: "diamond" });
  assert.deepEqual(m.protectionLevels, ["all", "minors"]);
});

test("indexModel collects the relationship types of each policy flag", () => {
  const m = indexModel(MODEL);
  assert.deepEqual([...m.singleHolder], ["LEADS"]);
  assert.deepEqual([...m.control], ["LEADS", "OWNS"]);
  assert.deepEqual([...m.victimMarking], ["VICTIM_IN"]);
});

test("an unknown kind is drawn as a neutral circle; the empty model knows nothing", () => {
  assert.deepEqual(displayOf(indexModel(MODEL), "Vessel"), { color: UNKNOWN_COLOR, shape: "ellipse" });
  const empty = emptyModel();
  assert.equal(empty.kinds.length, 0);
  assert.equal(empty.singleHolder.size, 0);
});
