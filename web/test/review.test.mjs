// The review screen's pure functions: the document cut into highlighted mentions.
import assert from "node:assert/strict";
import { test } from "node:test";

import { factLabel, segments } from "../../casegraph/web/panels/review.js";

const TEXT = "Anna Ryl, head of the Korgau Astana foundation.";
const ITEMS = [
  { id: "a", type: "entity", kind: "Person", status: "pending", mentions: [{ start: 0, end: 8 }] },
  { id: "b", type: "entity", kind: "Organization", status: "accepted", mentions: [{ start: 22, end: 35 }] },
  // overlaps "Korgau Astana": left out
  { id: "c", type: "entity", kind: "Location", status: "pending", mentions: [{ start: 29, end: 35 }] },
  { id: "r", type: "relationship", kind: "LEADS", from: "Anna Ryl", to: "Korgau Astana" },
];

test("segments cover the text exactly, one mark per mention", () => {
  const segs = segments(TEXT, ITEMS);
  assert.equal(segs.map((s) => s.text).join(""), TEXT);
  const marks = segs.filter((s) => s.item);
  assert.deepEqual(marks.map((s) => [s.item, s.text, s.kind, s.status]), [
    ["a", "Anna Ryl", "Person", "pending"],
    ["b", "Korgau Astana", "Organization", "accepted"],
  ]);
});

test("a relationship reads from, type and to; an unnamed end shows its quote", () => {
  assert.equal(factLabel(ITEMS[3]), "Anna Ryl —LEADS→ Korgau Astana");
  assert.equal(
    factLabel({ kind: "TRAFFICKED_TO", from: null, from_text: { quote: "Kazakhs" }, to: "Bahrain" }),
    "[Kazakhs] —TRAFFICKED_TO→ Bahrain"
  );
});
