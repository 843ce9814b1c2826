// What the browser tests run against: the real simple-sync server from the repository's
// build (started as a process over a temp directory, by the harness the TypeScript SDK's tests
// use), the demo's static server, and Debian's chromium through playwright-core. Waiting is
// always on a condition, never for a fixed time.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { eventually, freePort, launchChromium, passwordOf, TestServer } from "../../../clients/typescript/test/support/server.mjs";
import { startDemoServer } from "../server.mjs";

export { eventually };

/** Creates a user on `server`; returns {uuid, username, password}. */
async function addUser(server, username) {
  return { uuid: await server.newUser(username), username, password: passwordOf(username) };
}

/**
 * Everything one test needs: a sync server that allows the demo's origin, the demo's static
 * server pointed at it, two users and an ACL that allows everything (the server denies
 * everything by default). `dispose()` tears it all down.
 */
export async function startStack(browser) {
  const port = await freePort();
  const demo = await startDemoServer({ server: `http://127.0.0.1:${port}`, port: 0 });
  let server;
  let alice;
  let bob;
  try {
    server = await TestServer.start({ SIMPLESYNC_SERVER_CORS_ORIGINS: demo.origin }, { port });
    alice = await addUser(server, "alice");
    bob = await addUser(server, "bob");
    await server.allowAll();
  } catch (error) {
    await server?.close();
    await demo.close();
    throw error;
  }
  const contexts = [];
  const pageErrors = [];
  return {
    server,
    demo,
    alice,
    bob,
    /** A fresh browser profile (its own IndexedDB), like another device. */
    async device() {
      const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
      context.on("weberror", (e) => pageErrors.push(e.error().message));
      contexts.push(context);
      return context;
    },
    /** Tears everything down; fails when a page threw an uncaught error meanwhile. */
    async dispose() {
      for (const c of contexts) await c.close();
      await server.close();
      await demo.close();
      assert.deepEqual(pageErrors, [], "uncaught errors in the app");
    },
  };
}

export const launchBrowser = () => launchChromium(chromium);

/** Opens the demo in a new page of `context` and waits until the app has started. */
export async function openDemo(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator("html[data-ready]").waitFor();
  return page;
}

export async function logIn(page, user) {
  await page.getByTestId("login-username").fill(user.username);
  await page.getByTestId("login-password").fill(user.password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("add-form").waitFor();
}

export async function addTodo(page, text) {
  await page.getByTestId("new-todo").fill(text);
  await page.getByTestId("add").click();
  await todo(page, text).waitFor();
}

/**
 * Waits until the server has accepted every edit of the to-do `text`: its "not synced" mark is
 * gone. (The status bar's pending count may still show the count from before the edit, so a
 * count of 0 alone does not say the edit went through.)
 */
export async function expectSynced(page, text) {
  await todo(page, text).getByTestId("todo-pending").waitFor({ state: "hidden" });
}

/** The to-do whose text is exactly `text`. */
export function todo(page, text) {
  return page.getByTestId("todo").filter({ has: page.getByTestId("todo-text").getByText(text, { exact: true }) });
}

/** Waits until the page's list is exactly `texts`, in any order. */
export async function expectTodos(page, texts, { timeout } = {}) {
  const want = [...texts].sort();
  await eventually(
    async () => {
      const got = (await page.getByTestId("todo-text").allTextContents()).sort();
      assert.deepEqual(got, want);
    },
    { timeout },
  );
}

export async function pendingCount(page) {
  return Number(await page.getByTestId("status-pending").getAttribute("data-count"));
}

export async function expectPending(page, predicate, description, { timeout } = {}) {
  await eventually(
    async () => {
      const n = await pendingCount(page);
      assert.ok(predicate(n), `pending count ${n} is not ${description}`);
    },
    { timeout },
  );
}
