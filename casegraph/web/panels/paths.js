/* Shortest paths: pick the two ends, ask `GET /paths`, highlight every shortest path. */

import { $ } from "../dom.js";
import { nodeDisplay, plural } from "../format.js";

/** The node-id sequences and hops of a `GET /paths` answer (pure). */
export function pathList(data) {
  return data.paths.map((p) => ({ nodes: p.nodes, hops: p.hops }));
}

/** The edges of `cy` on `paths` (a hop matches its type between its two ends, either way). */
function pathElements(cy, paths) {
  const onPath = cy.collection();
  for (const { nodes, hops } of paths) {
    nodes.forEach((id) => onPath.merge(cy.getElementById(id)));
    hops.forEach((hop) => {
      onPath.merge(
        cy.edges().filter(
          (e) =>
            e.data("type") === hop.type &&
            ((e.data("source") === hop.from && e.data("target") === hop.to) ||
              (e.data("source") === hop.to && e.data("target") === hop.from))
        )
      );
    });
  }
  return onPath;
}

/** `ctx`: {api, view, status}. */
export function createPaths({ api, view, status }) {
  const { cy } = view;
  const ends = { source: null, target: null };

  function setEnd(which, entity) {
    ends[which] = entity.id;
    const dd = $(which === "source" ? "path-source" : "path-target");
    dd.textContent = nodeDisplay(entity);
    dd.dataset.id = entity.id;
    $("path-btn").disabled = !(ends.source && ends.target);
    $("path-panel").open = true;
    status.say(`Path ${which === "source" ? "start" : "end"}: ${nodeDisplay(entity)}.`, "info");
  }

  function reset() {
    ends.source = ends.target = null;
    for (const id of ["path-source", "path-target"]) {
      $(id).textContent = "—";
      $(id).dataset.id = "";
    }
    $("path-btn").disabled = true;
  }

  async function findPaths() {
    if (!ends.source || !ends.target) return;
    const depth = Number($("path-depth").value) || 6;
    try {
      const params = new URLSearchParams({ source: ends.source, target: ends.target, max_depth: String(depth) });
      const data = await api.get("/paths?" + params.toString());
      if (view.mode === "pyramid") view.clear();
      view.mode = "explore";
      view.mergeGraph(data);
      view.runLayout();
      const paths = pathList(data);
      cy.elements().removeClass("path faded");
      if (!paths.length) {
        status.say(`No path within ${depth} hops between the two entities.`, "warn");
        return;
      }
      const onPath = pathElements(cy, paths);
      cy.elements().not(onPath).addClass("faded");
      onPath.addClass("path");
      const hops = data.length;
      status.say(`${plural(paths.length, "shortest path")} of ${plural(hops, "hop")} highlighted.`, "ok");
      view.fit(cy.elements(".path"), 60);
    } catch (err) {
      status.fail(err);
    }
  }

  $("path-btn").addEventListener("click", findPaths);
  return { setEnd, reset };
}
