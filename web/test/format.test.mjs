import assert from "node:assert/strict";
import { test } from "node:test";

import { friendlyMessage, requestHeaders } from "../../casegraph/web/api.js";
import { toGraphML, xmlEscape } from "../../casegraph/web/export.js";
import { cellText, edgeId, fmtMoney, fmtValue, plural, safeUrl } from "../../casegraph/web/format.js";
import { step } from "../../casegraph/web/graph/keyboard.js";
import { sizesFromScores } from "../../casegraph/web/graph/view.js";
import { scoreTable } from "../../casegraph/web/panels/analytics.js";
import { summaryText } from "../../casegraph/web/panels/nodes.js";
import { pathList } from "../../casegraph/web/panels/paths.js";
import { inputFor, paramValue } from "../../casegraph/web/panels/queries.js";

test("values and money", () => {
  assert.equal(fmtValue(null), "—");
  assert.equal(fmtValue(["a", 1]), "a, 1");
  assert.equal(fmtMoney(7400000, "KZT"), "7,400,000 KZT");
  assert.equal(fmtMoney("", "KZT"), "—");
  assert.equal(plural(1, "hop"), "1 hop");
  assert.equal(plural(2, "entity", "entities"), "2 entities");
  assert.equal(edgeId({ from: "a", type: "PAID", to: "b", properties: { amount: 1 } }), 'a|PAID|b|{"amount":1}');
});

test("query cells: entities, paths, money hops, maps", () => {
  assert.equal(cellText({ id: "p-1", name: "Duman" }), "Duman");
  assert.equal(cellText({ nodes: [{ name: "A" }, { name: "B" }] }), "A → B");
  assert.equal(cellText({ type: "PAID", from: "a", to: "b", amount: 5, currency: "KZT" }), "a PAID 5 KZT → b");
  assert.equal(cellText({ n: 2, x: null }), "n: 2");
});

test("only web links are links", () => {
  assert.equal(safeUrl("https://example.org/a"), "https://example.org/a");
  assert.equal(safeUrl("javascript:alert(1)"), null);
  assert.equal(safeUrl(undefined), null);
});

test("API messages and headers", () => {
  assert.match(friendlyMessage(401, "bad key", true), /not accepted/);
  assert.match(friendlyMessage(401, "", false), /sign in/);
  assert.match(friendlyMessage(503, "driver said X", true), /Neo4j/);
  assert.doesNotMatch(friendlyMessage(503, "driver said X", true), /driver/);
  assert.equal(friendlyMessage(500, "boom", true), "500 — the server failed (boom).");
  assert.deepEqual(requestHeaders("k", true), {
    Accept: "application/json",
    Authorization: "Bearer k",
    "Content-Type": "application/json",
  });
  assert.deepEqual(requestHeaders("", false), { Accept: "application/json" });
});

test("API answers read as the routes shape them", () => {
  assert.deepEqual(scoreTable({ results: [{ id: "a", score: 0.5, rank: 1 }] }), { a: 0.5 });
  const paths = { paths: [{ length: 1, nodes: ["a", "b"], hops: [{ from: "a", to: "b", type: "PAID" }] }] };
  assert.deepEqual(pathList(paths), [{ nodes: ["a", "b"], hops: [{ from: "a", to: "b", type: "PAID" }] }]);
  assert.equal(summaryText(0, 0, 0), "Empty graph.");
  assert.equal(summaryText(3, 2, 2), "3 entities, 2 relationships in view. 2 conflicting claims marked.");
});

test("node sizes grow with the score; ties get the middle size", () => {
  assert.deepEqual(sizesFromScores({ a: 0, b: 1, c: 0.25 }), { a: 22, b: 68, c: 45 });
  assert.deepEqual(sizesFromScores({ a: 3, b: 3 }), { a: 55, b: 55 });
});

test("the keyboard walks the entities round", () => {
  assert.equal(step("ArrowRight", -1, 3), 0);
  assert.equal(step("ArrowRight", 2, 3), 0);
  assert.equal(step("ArrowLeft", -1, 3), 2);
  assert.equal(step("ArrowUp", 0, 3), 2);
  assert.equal(step("Enter", 0, 3), null);
  assert.equal(step("ArrowDown", -1, 0), null);
});

test("saved-query fields by the library's parameter types", () => {
  assert.deepEqual(inputFor({ type: "bool" }), { type: "checkbox" });
  assert.equal(inputFor({ type: "float" }).step, "any");
  assert.equal(inputFor({ type: "list<string>" }).placeholder, "comma-separated");
  assert.equal(paramValue("int", "12", false), 12);
  assert.equal(paramValue("float", "", false), undefined);
  assert.equal(paramValue("bool", "", true), true);
  assert.deepEqual(paramValue("list<int>", "1, 2,", false), [1, 2]);
  assert.deepEqual(paramValue("list<string>", "a, b", false), ["a", "b"]);
  assert.equal(paramValue("date", "2017-03-01", false), "2017-03-01");
});

test("GraphML of a view: keys for every property, values escaped", () => {
  assert.equal(xmlEscape('<a & "b">'), "&lt;a &amp; &quot;b&quot;&gt;");
  const xml = toGraphML({
    nodes: [{ id: "a", label: "Person", name: "A & B", properties: { age: 30 } }],
    edges: [{ type: "PAID", from: "a", to: "a", properties: { amount: 5, note: null } }],
  });
  assert.match(xml, /<key id="n_age" for="node" attr.name="age" attr.type="string"\/>/);
  assert.match(xml, /<data key="n_name">A &amp; B<\/data>/);
  assert.match(xml, /<edge id="e0" source="a" target="a">/);
  assert.doesNotMatch(xml, /<data key="e_note">/); // a null value is left out
  assert.ok(xml.endsWith("</graphml>\n"));
});
