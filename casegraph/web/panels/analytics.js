/* Size by: degree in view, or a centrality measure over the whole graph from
 * `GET /analytics/centrality` (its `results`: [{id, score, …}]). */

import { $, el } from "../dom.js";

export const CENTRALITY_MEASURES = ["degree", "betweenness", "pagerank", "closeness", "eigenvector"];
export const CENTRALITY_TOP = 1000; // the API's largest `top`

/** The scores of a `GET /analytics/centrality` answer, as {id: score} (pure). */
export function scoreTable(data) {
  return Object.fromEntries(data.results.map((r) => [r.id, Number(r.score)]));
}

/** `ctx`: {api, view, status}. */
export function createSizeBy({ api, view, status }) {
  const select = $("size-by");
  const tables = {}; // measure -> {id: score}, fetched once per page

  function renderMeasures() {
    const current = select.value;
    select.replaceChildren(
      el("optgroup", { label: "entities in view" }, el("option", { value: "degree" }, "degree (view)")),
      el("optgroup", { label: "whole graph" }, CENTRALITY_MEASURES.map((m) => el("option", { value: m }, m)))
    );
    select.value = current || "degree";
  }

  async function sizeBy(measure) {
    if (measure === "degree") {
      view.sizeBy(null);
      return;
    }
    try {
      if (!tables[measure]) {
        const params = new URLSearchParams({ measure, top: String(CENTRALITY_TOP) });
        tables[measure] = scoreTable(await api.get("/analytics/centrality?" + params.toString()));
      }
      view.sizeBy(tables[measure]);
      status.say(`Nodes sized by ${measure} centrality (whole graph).`, "info");
    } catch (err) {
      select.value = "degree";
      view.sizeBy(null);
      status.fail(err);
    }
  }

  select.addEventListener("change", (evt) => sizeBy(evt.target.value));
  return { renderMeasures, forget: () => Object.keys(tables).forEach((k) => delete tables[k]) };
}
