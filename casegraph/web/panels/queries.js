/* Saved queries: the list from `GET /queries` (each with its declared `params`), a form
 * built from the chosen query's parameters, and its result as a table and a graph. */

import { $, el, fill } from "../dom.js";
import { cellText, plural } from "../format.js";

/** The input a parameter of type `type` gets: {type, step, placeholder} (pure). The types
 * are the library's: string, int, float, bool, date, list<T>. */
export function inputFor(param) {
  const t = param.type;
  if (t === "bool") return { type: "checkbox" };
  if (t === "int") return { type: "number", step: "1" };
  if (t === "float") return { type: "number", step: "any" };
  if (t.startsWith("list<")) return { type: "text", placeholder: "comma-separated" };
  if (t === "date") return { type: "text", placeholder: "YYYY-MM-DD" };
  return { type: "text" };
}

/** The JSON value of a form field of type `type` from its text (`checked` for bool);
 * undefined leaves an empty field out (pure). */
export function paramValue(type, text, checked) {
  if (type === "bool") return checked;
  if (text === "") return undefined;
  if (type === "int") return parseInt(text, 10);
  if (type === "float") return Number(text);
  if (type.startsWith("list<")) {
    const items = text.split(",").map((s) => s.trim()).filter(Boolean);
    return /^list<(int|float)>$/.test(type) ? items.map(Number) : items;
  }
  return text;
}

/** `ctx`: {api, view, status}. */
export function createQueries({ api, view, status }) {
  const select = $("query-select");
  let queries = [];

  async function load() {
    try {
      queries = (await api.get("/queries")).queries;
      fill(
        select,
        el("option", { value: "" }, queries.length ? "choose a query…" : "(no saved queries)"),
        queries.map((q) => el("option", { value: q.name }, q.name))
      );
    } catch (err) {
      queries = [];
      const text =
        err.status === 403
          ? "(your key's role may not run queries)"
          : err.status === 401
            ? "(sign in to load)"
            : "(could not load)";
      fill(select, el("option", { value: "" }, text));
    }
    buildForm("");
  }

  function buildForm(name) {
    const box = $("query-params");
    const q = queries.find((x) => x.name === name);
    $("query-desc").textContent = q ? q.description : "";
    $("query-run").disabled = !q;
    box.replaceChildren();
    if (!q) return;
    for (const p of q.params) {
      const id = "qp-" + p.name;
      const input = el("input", {
        id,
        name: p.name,
        "data-type": p.type,
        required: p.required && p.type !== "bool",
        list: /_id$/.test(p.name) ? "ids-in-view" : undefined,
        ...inputFor(p),
      });
      if (p.type === "bool") input.checked = p.default === true;
      else if (p.default !== null) input.value = Array.isArray(p.default) ? p.default.join(", ") : String(p.default);
      const help = p.description ? ` — ${p.description}` : "";
      box.append(el("label", { for: id }, `${p.name} (${p.type})${help}`), input);
    }
  }

  function readParams() {
    const params = {};
    $("query-params")
      .querySelectorAll("input")
      .forEach((input) => {
        const value = paramValue(input.dataset.type, input.value, input.checked);
        if (value !== undefined) params[input.name] = value;
      });
    return params;
  }

  function showTable(title, data) {
    const { columns, rows } = data;
    fill(
      $("details"),
      el("h3", {}, `Query: ${title}`),
      rows.length
        ? el(
            "div",
            { class: "table-scroll" },
            el(
              "table",
              { class: "result", id: "query-table" },
              el("caption", { class: "hint" }, `${rows.length} rows${data.truncated ? " (truncated)" : ""}`),
              el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c)))),
              el(
                "tbody",
                {},
                rows.map((r) =>
                  el(
                    "tr",
                    {},
                    columns.map((c) => el("td", { class: typeof r[c] === "number" ? "num" : undefined }, cellText(r[c])))
                  )
                )
              )
            )
          )
        : el("p", { class: "hint" }, "No results.")
    );
  }

  async function run(name) {
    try {
      const data = await api.post(`/queries/${encodeURIComponent(name)}/run`, { params: readParams() });
      showTable(name, data);
      if (data.graph && data.graph.nodes.length) {
        view.clear();
        view.mode = "query";
        view.mergeGraph(data.graph);
        view.runLayout({ randomize: true });
      }
      const n = data.rows.length;
      status.say(
        n ? `${name}: ${plural(n, "row")}${data.truncated ? " (truncated)" : ""}.` : `${name}: no results.`,
        n ? "ok" : "warn"
      );
    } catch (err) {
      status.fail(err);
    }
  }

  select.addEventListener("change", (evt) => buildForm(evt.target.value));
  $("query-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    if (select.value) run(select.value);
  });
  return { load };
}
