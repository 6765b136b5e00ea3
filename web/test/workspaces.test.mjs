import assert from "node:assert/strict";
import { test } from "node:test";

import { noteMeta, relationshipKey } from "../../casegraph/web/panels/notes.js";
import {
  captureView,
  fileName,
  normalizePeriod,
  workspaceIdFromHash,
} from "../../casegraph/web/panels/workspaces.js";
import { setPeriod, state } from "../../casegraph/web/period.js";

/** A stand-in for the few Cytoscape calls captureView makes. */
function fakeCy(nodes, zoom, pan) {
  const list = nodes.map((n) => ({
    id: () => n.id,
    position: (axis) => n[axis],
    group: !!n.group,
  }));
  return {
    nodes: () => ({
      not: () => ({ map: (fn) => list.filter((n) => !n.group).map(fn) }),
    }),
    zoom: () => zoom,
    pan: () => pan,
  };
}

test("a view is saved with its entities' positions, zoom, pan, filters and period", () => {
  const cy = fakeCy(
    [
      { id: "per-a", x: 1.5, y: -2 },
      { id: "group-1", x: 0, y: 0, group: true },
      { id: "org-b", x: 30, y: 40 },
    ],
    1.2,
    { x: 5, y: 6 }
  );
  const view = captureView(cy, { hops: "2", kind: "" }, { from: "2019-01-01", to: "" });
  assert.deepEqual(view, {
    nodes: [
      { id: "per-a", x: 1.5, y: -2 },
      { id: "org-b", x: 30, y: 40 },
    ],
    zoom: 1.2,
    pan: { x: 5, y: 6 },
    filters: { hops: "2", kind: "" },
    period: { from: "2019-01-01", to: null },
  });
});

test("a period with no date is no period", () => {
  assert.equal(normalizePeriod(null), null);
  assert.equal(normalizePeriod({ from: "", to: null }), null);
  assert.deepEqual(normalizePeriod({ to: "2020" }), { from: null, to: "2020" });
  // the shared period module (the timeline's) takes two full dates, in either order
  setPeriod({ from: "2020-12-31", to: "2019-01-01" });
  assert.deepEqual(state.period, { from: "2019-01-01", to: "2020-12-31" });
  setPeriod(null);
  assert.equal(state.period, null);
});

test("a workspace is opened by its link", () => {
  assert.equal(workspaceIdFromHash("#workspace=ws-0123"), "ws-0123");
  assert.equal(workspaceIdFromHash("#workspace=ws%2D1&x=2"), "ws-1");
  assert.equal(workspaceIdFromHash("#other=1"), null);
  assert.equal(workspaceIdFromHash(""), null);
});

test("notes name relationships FROM|TYPE|TO and show author and time", () => {
  assert.equal(relationshipKey({ from: "a", type: "LEADS", to: "b", properties: {} }), "a|LEADS|b");
  assert.equal(
    noteMeta({ author: "k1", author_name: "alice", created: "2026-12-02T04:10:11.123+00:00" }),
    "alice, 2026-12-02 04:10"
  );
  assert.equal(noteMeta({ author: "k1", created: "" }), "k1, ");
});

test("export file names keep letters of any script", () => {
  assert.equal(fileName("Questra / flows", "png"), "Questra-flows.png");
  assert.equal(fileName("Дело 5", "html"), "Дело-5.html");
  assert.equal(fileName("///", "png"), "workspace.png");
});
