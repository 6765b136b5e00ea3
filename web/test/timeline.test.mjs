import assert from "node:assert/strict";
import { test } from "node:test";

import { alertEntityIds, alertSummary, badgeText } from "../../casegraph/web/panels/alerts.js";
import { entityInPeriod, outOfPeriod } from "../../casegraph/web/graph/period.js";
import {
  dateBounds,
  factSpan,
  inPeriod,
  normalizePeriod,
  onPeriod,
  relationshipSpan,
  setPeriod,
  state,
} from "../../casegraph/web/period.js";
import { eventKey, eventsInView, mergeEvents, timelineItems, visItem } from "../../casegraph/web/timeline-items.js";

test("a date of the data spans its year, month or day", () => {
  assert.deepEqual(dateBounds("2016"), ["2016-01-01", "2016-12-31"]);
  assert.deepEqual(dateBounds("2024-02"), ["2024-02-01", "2024-02-29"]);
  assert.deepEqual(dateBounds("2023-02"), ["2023-02-01", "2023-02-28"]);
  assert.deepEqual(dateBounds("2018-01-15"), ["2018-01-15", "2018-01-15"]);
  assert.equal(dateBounds("soon"), null);
  assert.equal(dateBounds(undefined), null);
  assert.deepEqual(factSpan("2015", "2019-06"), ["2015-01-01", "2019-06-30"]);
  assert.deepEqual(relationshipSpan({ start_date: "2015", end_date: "2019-06" }), ["2015-01-01", "2019-06-30"]);
  assert.deepEqual(relationshipSpan({ date: "2018-03" }), ["2018-03-01", "2018-03-31"]);
  assert.equal(relationshipSpan({ amount: 5 }), null);
});

test("a fact lies in a period when their spans overlap; undated facts lie in none", () => {
  const p = { from: "2018-01-01", to: "2018-02-28" };
  assert.ok(inPeriod(["2018-01-15", "2018-01-15"], p));
  assert.ok(inPeriod(["2015-01-01", "2019-06-30"], p));
  assert.ok(!inPeriod(["2018-03-01", "2018-03-31"], p));
  assert.ok(!inPeriod(null, p));
  assert.ok(inPeriod(null, null));
  assert.ok(entityInPeriod({ start_date: "2016-01-01", end_date: "2017-12-31" }, { from: "2017-05-01", to: "2020-01-01" }));
  assert.ok(!entityInPeriod({ name: "x" }, p));
});

test("the period is one shared field, set and checked by setPeriod", () => {
  const seen = [];
  onPeriod((p) => seen.push(p));
  assert.deepEqual(setPeriod({ from: "2019-01-01", to: "2018-01-01" }), { from: "2018-01-01", to: "2019-01-01" });
  assert.deepEqual(state.period, { from: "2018-01-01", to: "2019-01-01" });
  setPeriod({ from: "2018-01-01", to: "2019-01-01" }); // the same: no second call
  setPeriod(null);
  assert.equal(state.period, null);
  assert.deepEqual(seen, [{ from: "2018-01-01", to: "2019-01-01" }, null]);
  assert.throws(() => setPeriod({ from: "2018", to: "2019-01-01" }), /YYYY-MM-DD/);
  assert.equal(normalizePeriod(undefined), null);
});

test("outside a period: undated and other-dated relationships, entities with no fact in it", () => {
  const graph = {
    nodes: [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "k", properties: { start_date: "2018-01-01" } }],
    edges: [
      { id: "e1", from: "a", to: "b", properties: { date: "2018-01-15" } },
      { id: "e2", from: "b", to: "c", properties: { date: "2019" } },
      { id: "e3", from: "a", to: "c", properties: {} },
    ],
  };
  const out = outOfPeriod(graph, { from: "2018-01-01", to: "2018-02-28" });
  assert.deepEqual([...out.edges].sort(), ["e2", "e3"]);
  assert.deepEqual([...out.nodes], ["c"]);
  assert.equal(outOfPeriod(graph, null).edges.size, 0);
});

const EVENTS = [
  { date: "2016-01-01", kind: "entity", type: "start", entity: "case-q", properties: { start_date: "2016-01-01" } },
  { date: "2017-12-31", kind: "entity", type: "end", entity: "case-q", properties: { end_date: "2017-12-31" } },
  { date: "2018-01-15", kind: "relationship", type: "PAID", from: "a", to: "b", properties: { date: "2018-01-15" } },
  { date: "2019", kind: "entity", type: "published", entity: "src", properties: { published: "2019" } },
];

test("timeline items: a case's start and end as one range, edges by their graph id", () => {
  const names = { "case-q": "Questra case", a: "Anna", b: "Bolat", src: "Report" };
  const items = timelineItems(EVENTS, (id) => names[id]);
  assert.deepEqual(
    items.map((i) => [i.id, i.label, i.span]),
    [
      ["entity|case-q|period", "Questra case", ["2016-01-01", "2017-12-31"]],
      ['a|PAID|b|{"date":"2018-01-15"}', "Anna PAID Bolat", ["2018-01-15", "2018-01-15"]],
      ["entity|src|published|2019", "Report: published", ["2019-01-01", "2019-12-31"]],
    ]
  );
  assert.deepEqual(items[1].target, { edge: 'a|PAID|b|{"date":"2018-01-15"}' });
  assert.equal(items.flatMap((i) => i.events).length, EVENTS.length);
  const p = { from: "2018-01-01", to: "2018-12-31" };
  assert.deepEqual(visItem(items[1], p), { id: items[1].id, start: "2018-01-15", className: "", type: "point" });
  assert.equal(visItem(items[0], p).className, "out-of-period");
  assert.equal(visItem(items[0], p).end, "2017-12-31T23:59:59");
});

test("timelines of several entities: each fact once, only those of entities in view", () => {
  const merged = mergeEvents([EVENTS.slice(0, 3), EVENTS.slice(2)]);
  assert.equal(merged.length, 4);
  assert.equal(new Set(merged.map(eventKey)).size, 4);
  assert.deepEqual(eventsInView(merged, new Set(["a", "case-q"])).map((e) => e.type), ["start", "end"]);
});

test("alerts: the row's entities, its summary without ids, the badge", () => {
  const row = { payer_id: "p-1", payer: "Marat", payee_id: "o-1", payee: "Steppe", amount: 250000, _x: 1 };
  assert.deepEqual(alertEntityIds(row), ["p-1", "o-1"]);
  assert.equal(alertSummary(row), "payer: Marat · payee: Steppe · amount: 250000");
  const minor = { minor_id: "victim-1", minor: { id: "victim-1", label: "Person", name: "Victim 1" }, exploiter_id: "p-2", cases: ["C"] };
  assert.deepEqual(alertEntityIds(minor), ["victim-1", "p-2"]);
  assert.equal(alertSummary(minor), "minor: Victim 1 · cases: C");
  assert.equal(badgeText(0), "");
  assert.equal(badgeText(7), "7");
  assert.equal(badgeText(120), "99+");
});
