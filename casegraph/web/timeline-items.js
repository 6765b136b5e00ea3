/* The timeline's items from `GET /entities/{id}/timeline` events (pure helpers).
 *
 * A relationship event becomes one item whose id is the graph's edge id (format.js
 * `edgeId`), so that a click on it selects that edge. An entity's dated properties become
 * items on its node: its start and end together as one range ("Questra … 2016–2017"),
 * each other date as its own item. A date that is only a year or a month spans it.
 */

import { edgeId } from "./format.js";
import { dateBounds, factSpan, inPeriod } from "./period.js";

/** The key of one event, the same for the same fact from two entities' timelines. */
export function eventKey(e) {
  if (e.kind === "relationship") return edgeId(e);
  return `entity|${e.entity}|${e.type}|${e.date}`;
}

/** Events of several timelines as one list, each fact once, earliest first. */
export function mergeEvents(lists) {
  const seen = new Map();
  for (const list of lists) for (const e of list) if (!seen.has(eventKey(e))) seen.set(eventKey(e), e);
  return [...seen.values()].sort((a, b) => String(a.date).localeCompare(String(b.date)));
}

/** Only the events whose entities are all in `inView` (a Set of ids). */
export function eventsInView(events, inView) {
  return events.filter((e) =>
    e.kind === "relationship" ? inView.has(e.from) && inView.has(e.to) : inView.has(e.entity)
  );
}

function when(span) {
  return span[0] === span[1] ? span[0] : `${span[0]} – ${span[1]}`;
}

/** The vis-timeline items of `events`; `name(id)` is an entity's display name. Each item:
 * {id, start, end?, type, label, title, target: {edge|node}, events: [...], span}. */
export function timelineItems(events, name) {
  const items = [];
  const ranges = new Map(); // entity id → {start, end} events
  for (const e of events) {
    if (e.kind === "entity" && (e.type === "start" || e.type === "end")) {
      const r = ranges.get(e.entity) || {};
      r[e.type] = e;
      ranges.set(e.entity, r);
      continue;
    }
    const span = factSpan(e.date, e.end);
    if (!span) continue;
    const isRel = e.kind === "relationship";
    const label = isRel ? `${name(e.from)} ${e.type} ${name(e.to)}` : `${name(e.entity)}: ${e.type}`;
    items.push({
      id: eventKey(e),
      label,
      title: `${label} (${when(span)})`,
      target: isRel ? { edge: edgeId(e) } : { node: e.entity },
      events: [e],
      span,
    });
  }
  for (const [entity, r] of ranges) {
    const both = r.start && r.end;
    const span = both ? [dateBounds(r.start.date)[0], dateBounds(r.end.date)[1]] : factSpan((r.start || r.end).date);
    if (!span) continue;
    const what = both ? "" : r.start ? ": start" : ": end";
    const label = `${name(entity)}${what}`;
    items.push({
      id: both ? `entity|${entity}|period` : eventKey(r.start || r.end),
      label,
      title: `${label} (${when(span)})`,
      target: { node: entity },
      events: [r.start, r.end].filter(Boolean),
      span,
    });
  }
  return items.sort((a, b) => a.span[0].localeCompare(b.span[0]) || a.label.localeCompare(b.label));
}

/** The vis-timeline data of an item (content added by the caller, as an element: names never
 * go through vis-timeline's HTML): a point for a day, a range for a longer span; out of
 * `period` it is greyed. */
export function visItem(item, period) {
  const [from, to] = item.span;
  const out = !inPeriod(item.span, period);
  const base = { id: item.id, start: from, className: out ? "out-of-period" : "" };
  if (from === to) return { ...base, type: "point" };
  return { ...base, type: "range", end: `${to}T23:59:59` };
}
