// The package as npm would publish it: only the build, its types, the README and package.json,
// and a build that imports nothing of Node's, so it runs in every current browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));

test("npm pack holds the build with its declarations, the README and package.json, nothing else", () => {
  // The build is there already (npm test builds first), so the prepack script need not run.
  const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }));
  const files = pack.files.map((f) => f.path).sort();
  const outside = files.filter((f) => !/^dist\/[a-z]+\.(js|d\.ts)$/.test(f) && f !== "README.md" && f !== "package.json");
  assert.deepEqual(outside, []);
  for (const js of files.filter((f) => f.endsWith(".js"))) {
    assert.ok(files.includes(js.replace(/\.js$/, ".d.ts")), `${js} has no declarations`);
  }
  assert.ok(files.includes("dist/index.js"));
});

test("the exports map names the ESM entry and its types, and there are no runtime dependencies", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.equal(pkg.type, "module");
  assert.deepEqual(pkg.exports["."], { types: "./dist/index.d.ts", default: "./dist/index.js" });
  assert.equal(pkg.dependencies, undefined);
});

test("the build uses no Node-only API, so browsers can load it as it is", () => {
  const dist = join(root, "dist");
  for (const file of readdirSync(dist).filter((f) => f.endsWith(".js"))) {
    const code = readFileSync(join(dist, file), "utf8");
    for (const [pattern, what] of [
      [/from\s+["']node:/, "a node: import"],
      [/\brequire\(/, "require()"],
      [/\bprocess\./, "process"],
      [/\bBuffer\b/, "Buffer"],
      [/from\s+["'](?![./])/, "a bare import"],
    ]) {
      assert.ok(!pattern.test(code), `dist/${file} uses ${what}`);
    }
  }
});
