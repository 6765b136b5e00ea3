/* The timeline view under the graph: every dated fact of the entities in view on one axis
 * (vis-timeline, vendored from npm and loaded by a classic script as `window.vis`).
 *
 * Its facts come from `GET /entities/{id}/timeline` of the entities expanded in the graph
 * (of every entity in view when none was expanded), each fact once, and only those whose
 * entities are in view. The answers pass the caller's disclosure: a protected person comes
 * under her pseudonym. Names are put in the items as text nodes, never as HTML.
 *
 * Synced with the graph: a period chosen here (dates, or the visible window) becomes
 * `state.period` (period.js), which hides the facts outside it in the graph; a click on an
 * item (or on a fact of the list under it) selects its relationship or entity in the graph.
 */

import { $, el, fill } from "../dom.js";
import { plural } from "../format.js";
import { applyPeriod } from "../graph/period.js";
import { isoDay, onPeriod, setPeriod, state } from "../period.js";
import { eventsInView, mergeEvents, timelineItems, visItem } from "../timeline-items.js";

/** At most this many entities' timelines are fetched for one view. */
export const MAX_ANCHORS = 20;
const PERIOD_ITEM = "__period";

/** `ctx`: {api, view, status, showEdge, showEntity}. */
export function createTimeline({ api, view, status, showEdge, showEntity }) {
  const { cy } = view;
  const panel = $("timeline-panel");
  const cache = new Map(); // entity id → its timeline answer
  let timeline = null;
  let dataset = null;
  let items = new Map(); // item id → item
  let pending = null;

  const inView = () => new Set(cy.nodes().not(".group").map((n) => n.id()));

  /** The entities whose timelines make the view's: those expanded, else all in view. */
  function anchors() {
    const ids = inView();
    const expanded = [...view.expanded].filter((id) => ids.has(id));
    return (expanded.length ? expanded : [...ids]).slice(0, MAX_ANCHORS);
  }

  function ensureTimeline() {
    if (timeline || !window.vis) return timeline;
    dataset = new window.vis.DataSet();
    timeline = new window.vis.Timeline($("timeline"), dataset, {
      height: "170px",
      stack: true,
      selectable: true,
      multiselect: false,
      zoomKey: "ctrlKey",
      showCurrentTime: false,
      margin: { item: 4 },
      orientation: { axis: "top" },
    });
    timeline.on("select", ({ items: ids }) => ids.length && selectFact(ids[0]));
    return timeline;
  }

  /** Fetch the timelines not yet fetched, then draw. */
  async function refresh({ force = false } = {}) {
    if (!panel.open) return;
    if (force) cache.clear();
    const ids = anchors();
    try {
      await Promise.all(
        ids.filter((id) => !cache.has(id)).map(async (id) => {
          cache.set(id, await api.get(api.entityPath(id, "/timeline")));
        })
      );
    } catch (err) {
      status.fail(err);
    }
    draw(ids);
  }

  function draw(ids) {
    const answers = ids.map((id) => cache.get(id)).filter(Boolean);
    const names = new Map();
    answers.forEach((a) => a.nodes.forEach((n) => names.set(n.id, n.name || n.id)));
    const events = eventsInView(mergeEvents(answers.map((a) => a.events)), inView());
    const list = timelineItems(events, (id) => names.get(id) || view.display(id));
    items = new Map(list.map((i) => [i.id, i]));
    renderList(list);
    const cut = answers.some((a) => a.truncated) ? " (some timelines were cut at their limit)" : "";
    $("timeline-summary").textContent = ids.length
      ? `${plural(events.length, "dated fact")} in view, from the timelines of ` +
        `${plural(ids.length, "entity", "entities")} and their neighbours${cut}.`
      : "Open an entity to see its dated facts.";
    if (!ensureTimeline()) return;
    dataset.clear();
    dataset.add(list.map((i) => ({ ...visItem(i, state.period), content: el("span", { title: i.title }, i.label) })));
    showPeriodBand();
    if (list.length) timeline.fit({ animation: false });
  }

  function renderList(list) {
    $("timeline-count").textContent = String(list.reduce((n, i) => n + i.events.length, 0));
    fill(
      $("timeline-facts"),
      list.flatMap((i) =>
        i.events.map((e) =>
          el(
            "li",
            {
              "data-item": i.id,
              "data-date": e.date,
              "data-type": e.type,
              "data-kind": e.kind,
              "data-from": e.from,
              "data-to": e.to,
              "data-entity": e.entity,
              class: visItem(i, state.period).className || undefined,
            },
            el("button", { type: "button", onclick: () => selectFact(i.id) }, `${e.end ? `${e.date} – ${e.end}` : e.date}  ${i.label}`)
          )
        )
      )
    );
  }

  /** Select an item's fact in the graph: its relationship, or its entity. */
  function selectFact(id) {
    const item = items.get(id);
    if (!item) return;
    const ele = cy.getElementById(item.target.edge || item.target.node);
    if (ele.empty()) {
      status.say("That fact is no longer in the graph.", "warn");
      return;
    }
    cy.$(":selected").unselect();
    ele.select();
    cy.animate({ center: { eles: ele }, duration: 200 });
    if (timeline) timeline.setSelection([id]);
    if (ele.isEdge()) showEdge(ele);
    else api.get(api.entityPath(ele.id())).then(showEntity, status.fail);
    const hidden = ele.hasClass("period-out") ? " (outside the selected period)" : "";
    status.say(`Selected: ${item.title}${hidden}.`, "info");
  }

  /** The selected period as a band on the timeline, and the items outside it greyed. */
  function showPeriodBand() {
    if (!dataset) return;
    const period = state.period;
    const updates = [...items.values()].map((i) => ({ id: i.id, className: visItem(i, period).className }));
    dataset.update(updates);
    dataset.remove(PERIOD_ITEM);
    if (period) {
      dataset.add({ id: PERIOD_ITEM, start: period.from, end: `${period.to}T23:59:59`, type: "background", className: "period-band", content: "" });
    }
  }

  function onPeriodChange(period) {
    $("period-from").value = period ? period.from : "";
    $("period-to").value = period ? period.to : "";
    const { shown, total } = applyPeriod(view, period);
    $("period-summary").textContent = period
      ? `Period ${period.from} – ${period.to}: ${shown} of ${plural(total, "relationship")} in it shown.`
      : "No period: every fact is shown.";
    showPeriodBand();
    if (items.size) renderList([...items.values()]);
  }

  function trySetPeriod(period) {
    try {
      setPeriod(period);
    } catch (err) {
      status.fail(err);
    }
  }

  onPeriod(onPeriodChange);
  $("period-apply").addEventListener("click", () => {
    const from = $("period-from").value;
    const to = $("period-to").value;
    if (!from || !to) status.say("Give both dates of the period.", "warn");
    else trySetPeriod({ from, to });
  });
  $("period-window").addEventListener("click", () => {
    if (!ensureTimeline()) return;
    const w = timeline.getWindow();
    trySetPeriod({ from: isoDay(w.start), to: isoDay(w.end) });
  });
  $("period-clear").addEventListener("click", () => setPeriod(null));
  $("timeline-reload").addEventListener("click", () => refresh({ force: true }));
  panel.addEventListener("toggle", () => {
    if (panel.open) refresh();
  });
  // A change of the elements in view: their timelines, and the period on the new elements.
  view.onChange(() => {
    if (state.period) applyPeriod(view, state.period);
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (cy.nodes().empty()) cache.clear();
      refresh();
    }, 250);
  });

  return { refresh, selectFact };
}
