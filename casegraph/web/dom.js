/* DOM helpers: build elements, replace children, the status line. */

/** The element with id `id`. */
export const $ = (id) => document.getElementById(id);

/** A new element: `attrs` (class, text, on<event> handlers, style object, attributes) and
 * children (nodes or text; null and undefined are left out). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "style") Object.assign(node.style, v); // CSSOM: allowed by the policy
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replace the children of `node` with `children`, leaving out the absent ones. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

/** The status line: `say(message, kind)` (info, ok, warn, error); `fail(err)` says an
 * error. Errors are announced as alerts, the rest politely. */
export function createStatus(node) {
  function say(message, kind = "info") {
    node.textContent = message;
    node.className = "status " + kind;
    node.setAttribute("role", kind === "error" ? "alert" : "status");
  }
  return { say, fail: (err) => say(err && err.message ? err.message : String(err), "error") };
}

/** Save `content` (a Blob, or text of type `mime`) as a download called `filename`. */
export function download(filename, content, mime) {
  const blob = content instanceof Blob ? content : new Blob([content], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}
