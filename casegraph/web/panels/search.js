/* Search: a name or alias (any script), optionally one kind; a button per result. */

import { $, el } from "../dom.js";
import { nodeDisplay, plural } from "../format.js";
import { kindBadge } from "./legend.js";

export const SEARCH_LIMIT = 30;

/** `ctx`: {api, view, status, openEntity}. */
export function createSearch({ api, view, status, openEntity }) {
  const list = $("results");

  async function search(q, label) {
    const params = new URLSearchParams({ q, limit: String(SEARCH_LIMIT) });
    if (label) params.set("label", label);
    list.replaceChildren();
    try {
      const { results } = await api.get("/entities?" + params.toString());
      if (!results.length) {
        status.say(`No entities match “${q}”.`, "warn");
        return;
      }
      status.say(`${plural(results.length, "result")} for “${q}”.`, "info");
      for (const r of results) {
        list.append(
          el(
            "li",
            {},
            el(
              "button",
              { type: "button", "data-id": r.id, onclick: () => openEntity(r.id, { fresh: true }) },
              el("span", { class: r.redacted ? "pseudonym" : "", text: nodeDisplay(r) }),
              kindBadge(view.model, r.label)
            )
          )
        );
      }
      list.querySelector("button").focus();
    } catch (err) {
      status.fail(err);
    }
  }

  $("search-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    const q = $("search-q").value.trim();
    if (q) search(q, $("search-kind").value);
  });
  return { search, clear: () => list.replaceChildren() };
}
