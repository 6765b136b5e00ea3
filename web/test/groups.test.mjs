import assert from "node:assert/strict";
import { test } from "node:test";

import { groupElements, groupId, groupLabel, MAX_FANOUT, nextFanout } from "../../casegraph/web/graph/groups.js";

const more = [
  { node: "hub", type: "ASSOCIATE_OF", direction: "out", count: 312, total: 362 },
  { node: "hub", type: "PAID", direction: "in", count: 1200, total: 1210 },
  { node: "gone", type: "OWNS", direction: "out", count: 3, total: 4 },
];

test("one group node per item, labelled with its count and type", () => {
  assert.equal(groupLabel(more[0]), "+312 more ASSOCIATE_OF →");
  assert.equal(groupLabel(more[1]), "+1,200 more PAID ←");
  assert.equal(groupId(more[0]), "more|hub|ASSOCIATE_OF|out");
});

test("groups hang off entities in view, edges in the relationships' direction", () => {
  const els = groupElements(more, (id) => id === "hub");
  const nodes = els.filter((e) => e.group === "nodes");
  const edges = els.filter((e) => e.group === "edges");
  assert.deepEqual(nodes.map((n) => n.data.count), [312, 1200]);
  assert.ok(nodes.every((n) => n.data.isGroup && n.classes === "group"));
  assert.deepEqual(
    edges.map((e) => [e.data.source, e.data.target]),
    [["hub", "more|hub|ASSOCIATE_OF|out"], ["more|hub|PAID|in", "hub"]]
  );
  assert.deepEqual(groupElements(undefined, () => true), []);
});

test("a click asks for a larger fan-out, never past the API's bound", () => {
  assert.equal(nextFanout(50), 150);
  assert.equal(nextFanout(MAX_FANOUT - 10), MAX_FANOUT);
});
