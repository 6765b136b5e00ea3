/* The pyramid view of an organization: the recruitment tree of `GET /analytics/pyramid/{id}`
 * (its `members`, each under its `parent`), drawn top-down, with the report's totals and
 * Ponzi signals beside it. */

import { $, el, fill } from "../dom.js";
import { compact, fmtMoney, nodeDisplay, plural } from "../format.js";
import { nodeData } from "../graph/view.js";
import { memberSize, pyramidTree } from "../graph/pyramid.js";

/** The label under a member's node: name, then money in and out. */
function memberDisplay(m) {
  if (!m.investor) return nodeDisplay(m) + "\n(recruiter)";
  const out = m.paid_out ? `\nout ${fmtMoney(m.paid_out, m.currency)}` : "\nnever paid";
  return nodeDisplay(m) + `\nin ${fmtMoney(m.invested, m.currency)}` + out;
}

/** `ctx`: {api, view, status}. */
export function createPyramid({ api, view, status }) {
  const { cy } = view;

  /** The organization the pyramid button will show (the last one opened). */
  function pickOrganization(entity) {
    $("pyramid-org").textContent = nodeDisplay(entity);
    $("pyramid-org").dataset.id = entity.id;
    $("pyramid-btn").disabled = false;
  }

  function reset() {
    $("pyramid-org").textContent = "open an organization first";
    $("pyramid-org").dataset.id = "";
    $("pyramid-btn").disabled = true;
  }

  function draw(tree) {
    const org = { ...tree.organization, label: "Organization" };
    view.clear();
    view.mode = "pyramid";
    cy.batch(() => {
      cy.add({
        group: "nodes",
        classes: "pyramid pyramid-root",
        data: nodeData(org, { size: 58 }),
      });
      for (const m of tree.members) {
        cy.add({
          group: "nodes",
          classes: "pyramid" + (m.redacted ? " pseudonym" : "") + (m.paid_out ? " paid" : ""),
          data: nodeData(m, { display: memberDisplay(m), size: memberSize(m) }),
        });
      }
      for (const e of tree.edges) {
        const raw = { type: e.type, from: e.source, to: e.target, properties: {}, sources: [] };
        cy.add({ group: "edges", classes: "tree", data: { ...e, raw } });
      }
    });
    view.layoutTree();
    view.changed();
  }

  function details(tree, report) {
    const cur = tree.currency;
    const signals = report.signals;
    fill(
      $("details"),
      el("h3", { id: "pyramid-title" }, `Pyramid: ${nodeDisplay(tree.organization)}`),
      el("p", { class: "hint" }, "Tree of who recruited whom. Border: green — received payouts; red — never paid."),
      el(
        "dl",
        { class: "props" },
        el("dt", {}, "investors"),
        el("dd", { id: "pyramid-investors" }, String(report.investors)),
        el("dt", {}, "tree levels"),
        el("dd", {}, String(tree.levels)),
        el("dt", {}, "invested"),
        el("dd", { class: "money", id: "pyramid-invested" }, fmtMoney(report.total_invested, cur)),
        el("dt", {}, "paid out"),
        el("dd", { class: "money", id: "pyramid-paid" }, fmtMoney(report.total_paid_out, cur)),
        el("dt", {}, "never paid"),
        el("dd", {}, `${tree.neverPaid} of ${tree.investors}`)
      ),
      signals.length
        ? el(
            "div",
            { class: "conflicts", role: "note" },
            el("h4", {}, "Ponzi signals"),
            el("ul", {}, signals.map((x) => el("li", {}, x.description)))
          )
        : null,
      el(
        "table",
        { class: "result", id: "pyramid-table" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            [["member"], ["lvl", "level in the tree"], ["rec.", "direct recruits"], ["in", "invested"], ["out", "paid out"]].map(
              ([c, title]) => el("th", { scope: "col", title }, c)
            )
          )
        ),
        el(
          "tbody",
          {},
          tree.rows.map((m) =>
            el(
              "tr",
              {},
              el("td", { class: m.redacted ? "pseudonym" : undefined }, nodeDisplay(m)),
              el("td", { class: "num" }, String(m.level)),
              el("td", { class: "num" }, String(m.recruits)),
              el("td", { class: "num" }, m.investor ? compact(m.invested) : "—"),
              el("td", { class: "num" }, m.investor ? compact(m.paid_out) : "—")
            )
          )
        )
      )
    );
  }

  async function show(orgId) {
    try {
      const report = await api.get(`/analytics/pyramid/${encodeURIComponent(orgId)}`);
      const tree = pyramidTree(report);
      draw(tree);
      details(tree, report);
      const name = nodeDisplay(tree.organization);
      status.say(`Pyramid of ${name}: ${plural(tree.investors, "investor")}, ${plural(tree.levels, "level")}.`, "ok");
    } catch (err) {
      status.fail(err);
    }
  }

  $("pyramid-btn").addEventListener("click", () => {
    const id = $("pyramid-org").dataset.id;
    if (id) show(id);
  });
  return { show, pickOrganization, reset };
}
