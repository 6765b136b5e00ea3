/* The casegraph HTTP API as the page calls it: JSON in and out, the API key the
 * investigator typed (kept in sessionStorage, for this browser tab only), and errors as
 * messages an investigator can act on. */

export const KEY_STORAGE = "casegraph.apiKey";

/** An API call that failed: the HTTP status (0: no answer), the error type from the
 * body (`{"error": {"type", "message"}}`) and a message for the status line. */
export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** The status-line message for an HTTP error (pure). */
export function friendlyMessage(status, serverMessage, signedIn) {
  const detail = serverMessage ? ` (${serverMessage})` : "";
  switch (status) {
    case 401:
      return signedIn
        ? "401 — this API key was not accepted. Check the key and sign in again" + detail + "."
        : "401 — sign in with an API key first" + detail + ".";
    case 403:
      return "403 — your key's role may not do this" + detail + ".";
    case 404:
      return "404 — not found" + detail + ".";
    case 503:
      // The server's detail (a driver error) means nothing to an investigator.
      return "503 — the graph database (Neo4j) is not answering. Try again in a few seconds.";
    default:
      if (status >= 500) return `${status} — the server failed` + detail + ".";
      return `${status} — ${serverMessage || "the request was refused"}.`;
  }
}

/** The headers of a request with `key` (none: no Authorization) (pure). */
export function requestHeaders(key, withBody) {
  const headers = { Accept: "application/json" };
  if (key) headers.Authorization = "Bearer " + key;
  if (withBody) headers["Content-Type"] = "application/json";
  return headers;
}

/** A client of the API. `storage` keeps the key (sessionStorage in the page). */
export function createApi({ storage, fetchFn }) {
  let key = storage.getItem(KEY_STORAGE) || "";

  async function call(path, { method = "GET", body } = {}) {
    const init = { method, headers: requestHeaders(key, body !== undefined) };
    if (body !== undefined) init.body = JSON.stringify(body);
    let resp;
    try {
      resp = await fetchFn(path, init);
    } catch {
      throw new ApiError(0, "NetworkError", "The casegraph server cannot be reached.");
    }
    let data = null;
    try {
      data = await resp.json();
    } catch {
      data = null; // a plain-text 404 of a static file, say
    }
    if (!resp.ok) {
      const err = (data && data.error) || {};
      const message = err.message || resp.statusText;
      if (resp.status === 503 && message) console.warn("casegraph: 503:", message);
      throw new ApiError(resp.status, err.type || "HTTPError", friendlyMessage(resp.status, message, !!key));
    }
    return data;
  }

  return {
    get key() {
      return key;
    },
    /** Use `value` as the key from now on, and keep it for this tab ("" forgets it). */
    setKey(value) {
      key = value.trim();
      if (key) storage.setItem(KEY_STORAGE, key);
      else storage.removeItem(KEY_STORAGE);
    },
    get: (path) => call(path),
    post: (path, body) => call(path, { method: "POST", body }),
    put: (path, body) => call(path, { method: "PUT", body }),
    del: (path) => call(path, { method: "DELETE" }),
    /** The path of an entity route: `/entities/{id}` plus `suffix`. */
    entityPath: (id, suffix = "") => `/entities/${encodeURIComponent(id)}${suffix}`,
  };
}
