/* Hubs summarized: the neighborhood's `more` items as group nodes (pure).
 *
 * `GET /entities/{id}/neighborhood` follows at most `fanout` relationships of an entity and
 * counts the rest per (entity, type, direction) in `more`. Each item becomes one group node
 * ("+312 more ASSOCIATE_OF") tied to its entity by a dashed edge; a click on it asks for
 * the entity's neighborhood again with a larger fan-out (`nextFanout`), so a hub of 10,000
 * relationships is never drawn whole.
 */

export const FANOUT_STEP = 100;
export const MAX_FANOUT = 2000;

/** The Cytoscape id of the group node of a `more` item. */
export function groupId(m) {
  return `more|${m.node}|${m.type}|${m.direction}`;
}

/** The label of a group node: "+312 more ASSOCIATE_OF" (→ out of, ← into the entity). */
export function groupLabel(m) {
  const arrow = m.direction === "out" ? "→" : "←";
  return `+${m.count.toLocaleString("en-US")} more ${m.type} ${arrow}`;
}

/** The Cytoscape elements (a node and its edge) of `more` items whose entity is in view
 * (`inView(id)`): [{group, data, classes}]. */
export function groupElements(more, inView) {
  const out = [];
  for (const m of more || []) {
    if (!m.count || !inView(m.node)) continue;
    const id = groupId(m);
    out.push({
      group: "nodes",
      data: {
        id,
        display: groupLabel(m),
        owner: m.node,
        type: m.type,
        direction: m.direction,
        count: m.count,
        total: m.total,
        isGroup: true,
        size: 26,
      },
      classes: "group",
    });
    const [source, target] = m.direction === "out" ? [m.node, id] : [id, m.node];
    out.push({
      group: "edges",
      data: { id: `${id}|edge`, source, target, type: "", isGroup: true },
      classes: "group",
    });
  }
  return out;
}

/** The fan-out to ask for when a group of an entity expanded with `current` is clicked. */
export function nextFanout(current) {
  return Math.min(MAX_FANOUT, (Number(current) || 0) + FANOUT_STEP);
}
