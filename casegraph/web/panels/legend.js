/* What the model decides on the page: the legend (a swatch per kind, in its colour and
 * shape), the kind list of the search form, and the kind badges. */

import { $, el, fill } from "../dom.js";
import { displayOf } from "../model.js";
import { badgeStyle, swatchStyle } from "../graph/style.js";

/** A badge naming an entity's kind, in the kind's colour. */
export function kindBadge(model, kind) {
  return el("span", { class: "kind", "data-kind": kind, style: badgeStyle(displayOf(model, kind).color) }, kind);
}

/** The legend: one entry per kind of the model, then the conflict and path lines. */
export function renderLegend(model, list = $("legend")) {
  fill(
    list,
    model.kinds.map((k) =>
      el(
        "li",
        { "data-kind": k.name, title: k.description },
        el("span", { class: "swatch", "data-color": k.color, style: swatchStyle(k) }),
        k.name
      )
    ),
    el("li", {}, el("span", { class: "line conflict" }), "conflict"),
    el("li", {}, el("span", { class: "line path" }), "path")
  );
}

/** The search form's kind list: "any kind", then every kind of the model. */
export function renderKindOptions(model, select = $("search-kind")) {
  const current = select.value;
  fill(
    select,
    el("option", { value: "" }, "any kind"),
    model.kinds.map((k) => el("option", { value: k.name }, k.name))
  );
  select.value = model.kinds.some((k) => k.name === current) ? current : "";
}
