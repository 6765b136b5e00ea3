// Every module of the page: at most 400 lines, and each imports (main.js, the entry point,
// needs a browser: its imports are checked by resolving them).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const WEB = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "casegraph", "web");
const MAX_LINES = 400;

function modules(dir = WEB) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name === "vendor") return [];
    const path = join(dir, d.name);
    if (d.isDirectory()) return modules(path);
    return d.name.endsWith(".js") ? [path] : [];
  });
}

test("the page is split into modules of at most 400 lines", () => {
  const found = modules();
  assert.ok(found.length >= 10, found.join(", "));
  for (const path of found) {
    const lines = readFileSync(path, "utf8").split("\n").length - 1;
    assert.ok(lines <= MAX_LINES, `${relative(WEB, path)}: ${lines} lines`);
  }
});

test("every module loads outside a browser, and main.js imports only modules that exist", async () => {
  for (const path of modules()) {
    // the entry points (main.js; review.js of the review page) need a browser
    if (["main.js", "review.js"].includes(relative(WEB, path))) continue;
    await import(pathToFileURL(path).href);
  }
  const main = readFileSync(join(WEB, "main.js"), "utf8");
  const imports = [...main.matchAll(/^import .* from "(\.[^"]+)";$/gm)].map((m) => m[1]);
  assert.ok(imports.length > 5);
  for (const spec of imports) assert.ok(existsSync(join(WEB, spec)), spec);
});

test("no module puts state on window but window.cy", () => {
  for (const path of modules()) {
    const text = readFileSync(path, "utf8");
    const assigned = [...text.matchAll(/window\.(\w+)\s*=[^=]/g)].map((m) => m[1]);
    assert.deepEqual(assigned.filter((name) => name !== "cy"), [], relative(WEB, path));
  }
});
