/* Pure formatting helpers: values, money, entity names, edge ids, query-result cells. */

/** The name an entity is shown by: its name, else its id. */
export function nodeDisplay(n) {
  return n.name || n.id;
}

/** A property value as text. */
export function fmtValue(v) {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.map(fmtValue).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** An amount with thousands separators and its currency ("1,200,000 KZT"). */
export function fmtMoney(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "—";
  const n = Number(amount);
  const s = Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: 2 }) : amount;
  return currency ? `${s} ${currency}` : String(s);
}

/** A short amount for a table cell ("1.2M"). */
export function compact(amount) {
  return Number(amount).toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 2 });
}

/** The Cytoscape id of an API edge: two facts between the same ends differ by properties. */
export function edgeId(e) {
  const key = e.properties ? JSON.stringify(e.properties) : "";
  return `${e.from}|${e.type}|${e.to}|${key}`;
}

/** "1 result" / "3 results". */
export function plural(n, one, many = one + "s") {
  return `${n} ${n === 1 ? one : many}`;
}

/** A readable query-result cell: entities by name, paths as "A → B → C", money hops with
 * their amounts, other maps as "key: value" pairs. */
export function cellText(v) {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.map(cellText).join("; ");
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v.nodes)) return v.nodes.map(cellText).join(" → ");
  if (v.type && (v.from || v.to)) {
    const money = v.amount !== undefined ? " " + fmtMoney(v.amount, v.currency) : "";
    return `${v.from ?? ""} ${v.type}${money} → ${v.to ?? ""}`.trim();
  }
  if (v.name || v.id) return v.name || v.id;
  return Object.entries(v)
    .filter(([, x]) => x !== null && x !== undefined)
    .map(([k, x]) => `${k}: ${cellText(x)}`)
    .join(", ");
}

/** Only web links: a "javascript:" URL in the data must never become a live link. */
export function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}
