import assert from "node:assert/strict";
import { test } from "node:test";

import { memberSize, pyramidTree, treeEdgeType } from "../../casegraph/web/graph/pyramid.js";

const member = (id, parent, invested, paid_out = 0, investor = true) => ({
  id,
  name: id.toUpperCase(),
  label: "Person",
  parent,
  investor,
  invested,
  paid_out,
  currency: investor ? "KZT" : null,
});

// founder (not an investor) → a → b, c; d hangs from the organization.
const REPORT = {
  organization: { id: "org", name: "The Scheme" },
  currencies: ["KZT"],
  investors: 4,
  total_invested: 1000,
  total_paid_out: 150,
  signals: [],
  members: [
    member("a", "founder", 500, 150),
    member("b", "a", 200),
    member("c", "a", 250),
    member("d", null, 50),
    member("founder", null, 0, 0, false),
  ],
};

test("the tree's edges are the report's parent edges, roots under the organization", () => {
  const tree = pyramidTree(REPORT);
  assert.equal(tree.root, "org");
  assert.deepEqual(
    tree.edges.map((e) => [e.source, e.target, e.type]),
    [
      ["founder", "a", "RECRUITED"],
      ["a", "b", "RECRUITED"],
      ["a", "c", "RECRUITED"],
      ["org", "d", "INVESTED_IN"],
      ["org", "founder", "LEADS"],
    ]
  );
  assert.ok(tree.edges.every((e) => e.id === `tree|${e.source}|${e.target}`));
});

test("levels, recruits and the table's order come from the parent edges", () => {
  const tree = pyramidTree(REPORT);
  const byId = Object.fromEntries(tree.members.map((m) => [m.id, m]));
  assert.deepEqual(
    Object.fromEntries(tree.members.map((m) => [m.id, [m.level, m.recruits]])),
    { a: [2, 2], b: [3, 0], c: [3, 0], d: [1, 0], founder: [1, 1] }
  );
  assert.equal(tree.rootRecruits, 2);
  assert.equal(tree.levels, 3);
  assert.deepEqual(tree.rows.map((m) => m.id), ["d", "founder", "a", "c", "b"]);
  assert.equal(tree.investors, 4);
  assert.equal(tree.neverPaid, 3);
  assert.equal(tree.currency, "KZT");
  assert.equal(memberSize(byId.a), 38);
  assert.equal(memberSize({ recruits: 10 }), 54);
});

test("sums in several currencies name none", () => {
  assert.equal(pyramidTree({ ...REPORT, currencies: ["KZT", "USD"] }).currency, null);
  assert.equal(treeEdgeType({ parent: "x", investor: false }), "RECRUITED");
});
