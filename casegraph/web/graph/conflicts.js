/* Conflicting claims among the relationships in view (pure).
 *
 * A relationship conflicts when its `conflicts_with` property says so, or when it is of a
 * single-holder type (the model's `single_holder` flag, e.g. LEADS) and several different
 * sources claim it over the same target (two heads of one foundation).
 */

/** The ids of the conflicting edges among `edges` ([{id, type, from, to, properties}]),
 * given the single-holder relationship types (a Set of names). */
export function conflictingEdgeIds(edges, singleHolder) {
  const out = new Set();
  const groups = new Map();
  for (const e of edges) {
    if (e.properties && e.properties.conflicts_with) out.add(e.id);
    if (singleHolder.has(e.type)) {
      const k = e.type + "|" + e.to;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(e);
    }
  }
  for (const group of groups.values()) {
    if (new Set(group.map((e) => e.from)).size > 1) group.forEach((e) => out.add(e.id));
  }
  return out;
}
