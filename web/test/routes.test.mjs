import assert from "node:assert/strict";
import { test } from "node:test";

import { arrowHead, MAX_WIDTH, MIN_WIDTH, routeLabel, routePlan, routeWidth } from "../../casegraph/web/graph/routes.js";

const answer = {
  scope: null,
  victims: 4,
  places: [
    { id: "kz", name: "Kazakhstan", lat: 48, lon: 67 },
    { id: "bh", name: "Bahrain", lat: 26, lon: 50.5 },
  ],
  not_placed: [{ id: "x", name: "Qwertistan Freeport" }],
  routes: [
    { origin: "kz", destination: "bh", victims: 3, named: [{ id: "victim-1", name: "A" }] },
    { origin: null, destination: "bh", victims: 1 },
    { origin: "kz", destination: "x", victims: 1 },
  ],
  truncated: false,
};

test("route widths grow with the square root of the count, within bounds", () => {
  assert.equal(routeWidth(4, 4), MAX_WIDTH);
  assert.equal(routeWidth(0, 4), MIN_WIDTH);
  assert.equal(routeWidth(1, 4), MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) / 2);
  assert.equal(routeWidth(1, 0), MIN_WIDTH);
  assert.equal(routeLabel({ victims: 1 }), "1 victim");
  assert.equal(routeLabel({ victims: 12 }), "12 victims");
});

test("the plan draws routes with both ends placed and lists every route", () => {
  const plan = routePlan(answer);
  assert.deepEqual([...plan.places.keys()], ["kz", "bh"]);
  assert.equal(plan.lines.length, 1);
  assert.equal(plan.lines[0].from.id, "kz");
  assert.equal(plan.lines[0].to.id, "bh");
  assert.equal(plan.lines[0].width, MAX_WIDTH);
  assert.equal(plan.lines[0].label, "3 victims");
  assert.deepEqual(
    plan.rows.map((r) => [r.origin, r.destination, r.drawn, r.named]),
    [
      ["Kazakhstan", "Bahrain", true, ["A"]],
      ["unknown origin", "Bahrain", false, []],
      ["Kazakhstan", "Qwertistan Freeport", false, []],
    ]
  );
  assert.deepEqual(plan.notPlaced, answer.not_placed);
});

test("an arrowhead points at the destination, short of its marker", () => {
  const [tip, left, right] = arrowHead({ x: 0, y: 0 }, { x: 100, y: 0 }, { size: 10, gap: 5 });
  assert.deepEqual(tip, { x: 95, y: 0 });
  assert.deepEqual([left.x, right.x], [85, 85]);
  assert.deepEqual([left.y, right.y].sort((a, b) => a - b), [-5, 5]);
  assert.equal(arrowHead({ x: 0, y: 0 }, { x: 3, y: 4 }), null);
});
