// What the console's browser tests run against: the real simple-sync server from the
// repository's build (a process over a temp directory, started by the harness the TypeScript
// SDK's tests use), which serves the console itself at /console, and Debian's chromium through
// playwright-core. Waiting is always on a condition, never for a fixed time.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { eventually, launchChromium, passwordOf, TestServer } from "../../../clients/typescript/test/support/server.mjs";

export { eventually, passwordOf };
const docs = join(dirname(fileURLToPath(import.meta.url)), "../../../docs");

/**
 * One browser and one console stack for a test file: started before its tests (then
 * `setUp(stack)` adds what the file needs), torn down after them (`tearDown()` first). Returns
 * the object that holds them, `{browser, stack}`.
 */
export function consoleSuite(setUp = async () => {}, tearDown = () => {}) {
  const suite = { browser: undefined, stack: undefined };
  before(async () => {
    suite.browser = await launchBrowser();
    suite.stack = await startConsole(suite.browser);
    await setUp(suite.stack);
  });
  after(async () => {
    tearDown();
    await suite.stack?.dispose();
    await suite.browser?.close();
  });
  return suite;
}

export const launchBrowser = () => launchChromium(chromium);

/**
 * Messages of the browser's console that are not failures: a request the server refused (the
 * console shows the error itself) is logged by Chromium as "Failed to load resource".
 */
const expectedConsoleError = /^Failed to load resource: the server responded with a status of (400|401|403|404|429)/;

/**
 * A server and the pages opened on it. `open()` gives a page of a fresh browser profile at
 * /console; `dispose()` closes everything and fails when a page threw, broke the CSP or logged an
 * error meanwhile.
 */
export async function startConsole(browser, env = {}) {
  const server = await TestServer.start(env);
  const contexts = [];
  const problems = [];
  const tokens = new Map();
  const stack = {
    server,
    url: `${server.url}/console/`,
    async adminPassword() {
      return server.adminPassword();
    },
    /** `allowErrors`: a pattern of browser console errors the test provokes on purpose. */
    async open(hash = "", { allowErrors = null } = {}) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      page.on("console", (message) => {
        const text = message.text();
        if (message.type() === "error" && !expectedConsoleError.test(text) && !allowErrors?.test(text)) problems.push(`console: ${text}`);
      });
      await page.goto(`${stack.url}${hash}`);
      return page;
    },
    /** A token of `username` (whose password is passwordOf(username)), made once. */
    async tokenOf(username) {
      if (!tokens.has(username)) tokens.set(username, await server.token(username, passwordOf(username)));
      return tokens.get(username);
    },
    /** Pushes events as `username` with POST /sync; resolves to the results. */
    async push(username, events, headers = {}) {
      const token = await stack.tokenOf(username);
      const r = await fetch(`${server.url}/sync`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ cursor: 0, events }),
      });
      assert.equal(r.status, 200, await r.clone().text());
      return (await r.json()).results;
    },
    async dispose() {
      for (const context of contexts) await context.close();
      await server.close();
      assert.deepEqual(problems, [], "errors in the console's pages");
    },
  };
  return stack;
}

/** An event of user `userUuid` on `item`, timestamped `timestamp` (ms, default now). */
export function event(userUuid, item, action = "create", { timestamp = Date.now(), payload = "{}" } = {}) {
  return { uuid: randomUUID(), timestamp, userUuid, itemUuid: item, action, payload };
}

export async function signIn(page, username, password) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs the admin in and waits for the navigation to appear. */
export async function signInAsAdmin(page, stack) {
  await signIn(page, "admin", await stack.adminPassword());
  await page.getByRole("navigation", { name: "Pages" }).waitFor();
}

/** The error text that the control labelled `label` names with aria-describedby. */
export async function errorOf(page, label) {
  const control = page.getByLabel(label, { exact: true });
  await eventually(async () => assert.equal(await control.getAttribute("aria-invalid"), "true", `${label} is not marked invalid`));
  const id = await control.getAttribute("aria-describedby");
  return page.locator(`[id="${id}"]`);
}

/** With CONSOLE_SCREENSHOTS=1 (npm run screenshots), keeps the page as docs/console-NAME.png. */
export async function screenshot(page, name) {
  if (process.env.CONSOLE_SCREENSHOTS !== "1") return;
  await mkdir(docs, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(docs, `console-${name}.png`) });
}
