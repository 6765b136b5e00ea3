import assert from "node:assert/strict";
import { test } from "node:test";

import { conflictingEdgeIds } from "../../casegraph/web/graph/conflicts.js";
import { indexModel } from "../../casegraph/web/model.js";
import { MODEL } from "./fixtures.mjs";

const edge = (id, type, from, to, properties = {}) => ({ id, type, from, to, properties });
const rule = indexModel(MODEL).singleHolder;

test("two holders of a single-holder relationship over one target conflict", () => {
  const edges = [
    edge("a", "LEADS", "per-ryl", "org-korgau"),
    edge("b", "LEADS", "per-alzhanova", "org-korgau"),
    edge("c", "LEADS", "per-ryl", "org-other"),
  ];
  assert.deepEqual([...conflictingEdgeIds(edges, rule)].sort(), ["a", "b"]);
});

test("one holder claimed twice, or a relationship that is not single-holder, does not", () => {
  const edges = [
    edge("a", "LEADS", "per-ryl", "org-korgau", { role: "head" }),
    edge("b", "LEADS", "per-ryl", "org-korgau", { role: "director" }),
    edge("c", "OWNS", "per-x", "org-korgau"),
    edge("d", "OWNS", "per-y", "org-korgau"),
  ];
  assert.equal(conflictingEdgeIds(edges, rule).size, 0);
});

test("the rule is the model's: with no single-holder type, only flagged claims conflict", () => {
  const edges = [
    edge("a", "LEADS", "per-ryl", "org-korgau"),
    edge("b", "LEADS", "per-alzhanova", "org-korgau"),
    edge("c", "PAID", "per-x", "per-y", { conflicts_with: "src-2" }),
  ];
  assert.deepEqual([...conflictingEdgeIds(edges, new Set())], ["c"]);
  assert.deepEqual([...conflictingEdgeIds(edges, rule)].sort(), ["a", "b", "c"]);
});
