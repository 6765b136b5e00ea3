/* casegraph review screen: the entry point of review.html (a native ES module). */

import { createApi } from "./api.js";
import { $, createStatus } from "./dom.js";
import { createReview } from "./panels/review.js";

const api = createApi({ storage: window.sessionStorage, fetchFn: window.fetch.bind(window) });
const status = createStatus($("status"));
const review = createReview({ api, status, fetchFn: window.fetch.bind(window) });

$("signin-form").addEventListener("submit", (evt) => {
  evt.preventDefault();
  api.setKey($("api-key").value);
  review.loadSets().then((ok) => ok && status.say("Signed in.", "ok"));
});

async function start() {
  if (api.key) $("api-key").value = api.key;
  try {
    if (api.key) await review.loadSets();
    const wanted = new URLSearchParams(window.location.search).get("set");
    if (wanted && api.key) await review.open(wanted);
  } finally {
    document.body.dataset.ready = "1";
  }
}
start();
