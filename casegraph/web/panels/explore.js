/* Exploring: open an entity, expand a neighborhood into the view, and the toolbar's
 * layout, fit and clear buttons. */

import { $ } from "../dom.js";
import { plural } from "../format.js";
import { nextFanout } from "../graph/groups.js";

export const NEIGHBORHOOD_LIMIT = 200;
/** Relationships followed from one entity at first; the rest are summarized in groups. */
export const FANOUT = 50;

/** `ctx`: {api, view, status, showEntity}. */
export function createExplorer({ api, view, status, showEntity }) {
  const { cy } = view;
  const hops = () => Number($("hops").value) || 1;

  /** The fan-out each entity was last expanded with. */
  const fanouts = new Map();

  /** Merge the neighborhood of `id` into the view (idempotent); null when it failed.
   * `fanout`: how many of each entity's relationships to follow (the rest are groups). */
  async function expand(id, { fanout = fanouts.get(id) || FANOUT, depth = hops() } = {}) {
    try {
      // A pyramid is a tree of its own; anything else (a query's or a path's graph) grows.
      if (view.mode === "pyramid") view.clear();
      view.mode = "explore";
      cy.elements().removeClass("faded");
      const limit = Math.max(NEIGHBORHOOD_LIMIT, fanout + 1);
      fanouts.set(id, fanout);
      const data = await api.get(
        api.entityPath(id, `/neighborhood?depth=${depth}&limit=${limit}&fanout=${fanout}`)
      );
      const before = cy.nodes().length;
      const added = view.mergeGraph(data, id);
      view.expanded.add(id);
      cy.getElementById(id).addClass("expanded");
      if (before === 0 || added.length) view.runLayout({ randomize: before === 0 });
      const name = view.display(id);
      status.say(
        added.length
          ? `Expanded ${name}: ${plural(added.length, "new entity", "new entities")}.`
          : `${name} has no further neighbors to add.`,
        "info"
      );
      if (data.truncated) status.say(`Neighborhood of ${name} truncated at ${limit}.`, "warn");
      return data;
    } catch (err) {
      status.fail(err);
      return null;
    }
  }

  /** Open an entity: its details and its neighborhood (`fresh`: in an empty view). */
  async function openEntity(id, { fresh = false } = {}) {
    try {
      if (fresh || view.mode === "pyramid") view.clear();
      const [entity] = await Promise.all([api.get(api.entityPath(id)), expand(id)]);
      showEntity(entity);
      cy.$(":selected").unselect();
      cy.getElementById(id).select();
    } catch (err) {
      status.fail(err);
    }
  }

  /** A click on a group node ("+312 more ASSOCIATE_OF"): its entity again, with a larger
   * fan-out (one hop). */
  function expandGroup(group) {
    const owner = group.data("owner");
    return expand(owner, { fanout: nextFanout(fanouts.get(owner) || FANOUT), depth: 1 });
  }

  /** A click on a node: in a pyramid, its details; elsewhere also its neighborhood. */
  function tapNode(node) {
    if (node.data("isGroup")) {
      expandGroup(node);
      return;
    }
    const id = node.id();
    if (view.mode === "pyramid") {
      api.get(api.entityPath(id)).then(showEntity, status.fail);
      return;
    }
    cy.$(":selected").unselect();
    node.select();
    api.get(api.entityPath(id)).then((entity) => expand(id).then(() => showEntity(entity)), status.fail);
  }

  $("layout-btn").addEventListener("click", view.relayout);
  $("fit-btn").addEventListener("click", () => view.fit());
  $("clear-btn").addEventListener("click", () => {
    fanouts.clear();
    view.clear();
    status.say("Graph cleared.", "info");
  });

  return { expand, expandGroup, openEntity, tapNode };
}
