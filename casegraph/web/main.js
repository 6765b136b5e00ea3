/* casegraph graph explorer: the page's entry point (a native ES module, no build step).
 *
 * A single page over the casegraph HTTP API. It builds the pieces, hands each the state it
 * needs (the API client, the graph view, the status line) and wires them to each other.
 * The kinds, colours, shapes and the conflict rule come from `GET /model`. Cytoscape.js is
 * vendored from npm (web/package-lock.json) and loaded by a classic script before this one.
 *
 * For tests and the browser console, `window.cy` is the Cytoscape instance; nothing else of
 * the page lives on `window`.
 */

import { createApi } from "./api.js";
import { $, createStatus } from "./dom.js";
import { exportView } from "./export.js";
import { bindKeyboard } from "./graph/keyboard.js";
import { createView } from "./graph/view.js";
import { indexModel } from "./model.js";
import { createSizeBy } from "./panels/analytics.js";
import { createAlerts } from "./panels/alerts.js";
import { createDetails } from "./panels/details.js";
import { createExplorer } from "./panels/explore.js";
import { renderKindOptions, renderLegend } from "./panels/legend.js";
import { createMap } from "./panels/map.js";
import { renderNodes } from "./panels/nodes.js";
import { createNotes } from "./panels/notes.js";
import { createPaths } from "./panels/paths.js";
import { createPyramid } from "./panels/pyramid.js";
import { createQueries } from "./panels/queries.js";
import { createSearch } from "./panels/search.js";
import { createWorkspaces, workspaceIdFromHash } from "./panels/workspaces.js";
import { createTimeline } from "./panels/timeline.js";

const api = createApi({ storage: window.sessionStorage, fetchFn: window.fetch.bind(window) });
const status = createStatus($("status"));
const view = createView($("cy"), window.cytoscape);
window.cy = view.cy; // read by the browser tests

// The panels call each other through `actions`, filled once they all exist.
const actions = {};
const ctx = { api, view, status };
const details = createDetails({ ...ctx, actions });
const explorer = createExplorer({ ...ctx, showEntity: details.showEntity });
const paths = createPaths(ctx);
const pyramid = createPyramid(ctx);
const queries = createQueries(ctx);
const sizeBy = createSizeBy(ctx);
const search = createSearch({ ...ctx, openEntity: explorer.openEntity });
const notes = createNotes(ctx);
const workspaces = createWorkspaces({ ...ctx, notes });
const routesMap = createMap({ ...ctx, openEntity: explorer.openEntity });
const alerts = createAlerts({ ...ctx, expand: explorer.expand });
createTimeline({ ...ctx, showEdge: details.showEdge, showEntity: details.showEntity });
Object.assign(actions, {
  expand: explorer.expand,
  setPathEnd: paths.setEnd,
  showPyramid: pyramid.show,
  pickOrganization: pyramid.pickOrganization,
});

view.onChange(() => renderNodes(view, explorer.expand));
view.cy.on("tap", "node", (evt) => explorer.tapNode(evt.target));
view.cy.on("tap", "edge[!isGroup]", (evt) => details.showEdge(evt.target));
bindKeyboard($("cy"), view, { say: status.say, setPathEnd: paths.setEnd });
for (const format of ["png", "json", "graphml"]) {
  $("export-" + format).addEventListener("click", () => exportView(view, format, status));
}

/** Take the model's kinds, colours, shapes and rules (from `GET /model`). */
async function loadModel() {
  const model = indexModel(await api.get("/model"));
  view.setModel(model);
  renderLegend(model);
  renderKindOptions(model);
}

function showSignedIn(signedIn) {
  $("whoami").textContent = signedIn ? "signed in" : "";
  $("signout-btn").hidden = !signedIn;
}

/** Sign in with `key`: the model answers only to a key the server accepts. */
async function signIn(key) {
  api.setKey(key);
  try {
    await loadModel();
    showSignedIn(!!api.key);
    status.say(api.key ? "Signed in." : "Connected.", "ok");
    sizeBy.renderMeasures();
    queries.load();
    await workspaces.load();
    alerts.start();
    return true;
  } catch (err) {
    if (err.status === 401) {
      api.setKey("");
      showSignedIn(false);
    }
    status.fail(err);
    return false;
  }
}

function signOut() {
  api.setKey("");
  $("api-key").value = "";
  showSignedIn(false);
  view.clear();
  search.clear();
  paths.reset();
  pyramid.reset();
  routesMap.reset();
  sizeBy.forget();
  queries.load();
  workspaces.reset();
  notes.reset();
  alerts.stop();
  status.say("Signed out.", "info");
}

$("signin-form").addEventListener("submit", async (evt) => {
  evt.preventDefault();
  if (await signIn($("api-key").value)) await workspaces.openFromHash();
});
$("signout-btn").addEventListener("click", signOut);

async function start() {
  if (api.key) $("api-key").value = api.key;
  sizeBy.renderMeasures();
  try {
    await api.get("/health"); // 503 when Neo4j does not answer
    if (api.key) {
      if (await signIn(api.key)) await workspaces.openFromHash();
    } else {
      // Without a key the model answers only when the server runs without auth.
      const open = await loadModel().then(() => true, () => false);
      await queries.load();
      if (workspaceIdFromHash(window.location.hash)) {
        if (open) await workspaces.openFromHash();
        else status.say("Sign in to open the workspace of this link.", "info");
      }
    }
  } catch (err) {
    status.fail(err);
  } finally {
    document.body.dataset.ready = "1";
  }
}
start();
