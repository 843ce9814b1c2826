// The web demo in a real browser against a real server: the acceptance scenarios of the demo.
import assert from "node:assert/strict";
import { copyFile, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { addTodo, eventually, expectPending, expectSynced, expectTodos, launchBrowser, logIn, openDemo, startStack, todo } from "./harness.mjs";

const timeout = 180_000;
let browser;
let stack;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Runs `body` with a fresh server, demo and browser contexts, and tears them down after. */
function scenario(name, body) {
  test(name, { timeout }, async () => {
    stack = await startStack(browser);
    let failure;
    try {
      await body(stack);
    } catch (error) {
      failure = error;
    }
    try {
      await stack.dispose();
    } catch (error) {
      failure ??= error;
    }
    if (failure) throw failure;
  });
}

async function openAs(user) {
  const context = await stack.device();
  const page = await openDemo(context, stack.demo.url);
  await logIn(page, user);
  return { context, page };
}

/** Alice and Bob each on a device of their own, under an ACL that lets Bob do anything but delete. */
async function openAsAliceAndBobWhoMayNotDelete({ server, alice, bob }) {
  await server.setAcl([
    { user: bob.uuid, item: "*", action: "delete", allow: false },
    { user: "*", item: "*", action: "*", allow: true },
  ]);
  return [await openAs(alice), await openAs(bob)];
}

scenario("a wrong password is refused with a message", async ({ alice }) => {
  const page = await openDemo(await stack.device(), stack.demo.url);
  await page.getByTestId("login-username").fill(alice.username);
  await page.getByTestId("login-password").fill("not-the-password");
  await page.getByTestId("login-submit").click();
  await page.getByTestId("login-error").getByText("Wrong user name or password.").waitFor();
  assert.equal(await page.getByTestId("add-form").isVisible(), false);
  await logIn(page, alice);
  assert.equal(await page.getByTestId("login-form").isVisible(), false);
  assert.equal(await page.getByTestId("username").textContent(), alice.username);
});

scenario("two users see each other's edits live", async ({ alice, bob }) => {
  const a = await openAs(alice);
  const b = await openAs(bob);
  await b.page.locator('[data-testid="status-live"][data-state="watching"]').waitFor();

  await addTodo(a.page, "Buy milk");
  await expectTodos(b.page, ["Buy milk"]);

  await todo(b.page, "Buy milk").getByTestId("todo-done").check();
  await eventually(async () => assert.equal(await todo(a.page, "Buy milk").getByTestId("todo-done").isChecked(), true));

  await todo(b.page, "Buy milk").getByTestId("todo-rename").click();
  await b.page.getByTestId("todo-rename-input").fill("Buy oat milk");
  await b.page.getByTestId("todo-rename-input").press("Enter");
  await expectTodos(a.page, ["Buy oat milk"]);

  // User text is text, never markup.
  const markup = `<img src=x onerror="document.title='xss'"> & <b>bold</b>`;
  await addTodo(b.page, markup);
  await todo(a.page, "Buy oat milk").getByTestId("todo-delete").click();
  await expectTodos(a.page, [markup]);
  await expectTodos(b.page, [markup]);
  for (const page of [a.page, b.page]) {
    assert.equal(await page.getByTestId("todo-list").locator("img, b").count(), 0);
    assert.notEqual(await page.title(), "xss");
  }
});

scenario("edits made offline survive a reload and reach the other user once back online", async ({ alice, bob }) => {
  const a = await openAs(alice);
  const b = await openAs(bob);
  await addTodo(a.page, "Water the plants");
  await expectTodos(b.page, ["Water the plants"]);
  await expectPending(a.page, (n) => n === 0, "0");
  // The app's own files must be cached before the network goes, or the reload cannot load it.
  await a.page.locator("html[data-offline-ready]").waitFor();

  await a.context.setOffline(true);
  await a.page.locator('[data-testid="status-network"][data-state="offline"]').waitFor();
  await addTodo(a.page, "Written offline");
  await todo(a.page, "Water the plants").getByTestId("todo-done").check();
  await expectPending(a.page, (n) => n === 2, "2");
  assert.equal(await todo(a.page, "Written offline").getByTestId("todo-pending").isVisible(), true);
  // Pressing Sync offline tries, fails with a network error, and keeps the edits.
  await a.page.getByTestId("sync").click();
  await a.page.locator('[data-testid="status-error"][data-state="network"]').waitFor();
  await expectPending(a.page, (n) => n === 2, "2");

  await a.page.reload();
  await a.page.locator("html[data-ready]").waitFor();
  await expectTodos(a.page, ["Water the plants", "Written offline"]);
  assert.equal(await todo(a.page, "Water the plants").getByTestId("todo-done").isChecked(), true);
  await expectPending(a.page, (n) => n > 0, "above 0");
  await expectTodos(b.page, ["Water the plants"]);

  await a.context.setOffline(false);
  await expectPending(a.page, (n) => n === 0, "0");
  await expectTodos(b.page, ["Water the plants", "Written offline"]);
  await eventually(async () => assert.equal(await todo(b.page, "Water the plants").getByTestId("todo-done").isChecked(), true));
});

scenario("an edit the ACL denies is listed with its reason until dismissed", async (users) => {
  const [a, b] = await openAsAliceAndBobWhoMayNotDelete(users);
  await addTodo(a.page, "Alice's to-do");
  await expectTodos(b.page, ["Alice's to-do"]);

  await todo(b.page, "Alice's to-do").getByTestId("todo-delete").click();
  const rejected = b.page.getByTestId("rejected");
  await rejected.waitFor();
  assert.equal(await rejected.getByTestId("rejected-reason").textContent(), "acl_denied");
  assert.match(await rejected.getByTestId("rejected-what").textContent(), /^delete of “Alice's to-do”$/);
  // Refused for good: the delete is undone here, and nobody else ever saw it.
  await expectTodos(b.page, ["Alice's to-do"]);
  await expectPending(b.page, (n) => n === 0, "0");
  await expectTodos(a.page, ["Alice's to-do"]);

  // Kept until dismissed, also across a reload.
  await b.page.reload();
  await b.page.locator("html[data-ready]").waitFor();
  assert.equal(await b.page.getByTestId("rejected-reason").textContent(), "acl_denied");
  await b.page.getByTestId("rejected-dismiss").click();
  await b.page.getByTestId("rejected-section").waitFor({ state: "hidden" });
  assert.equal(await b.page.getByTestId("rejected").count(), 0);
});

scenario("after the server is restored from an older backup both users converge and lose nothing", async ({ server, alice, bob }) => {
  const a = await openAs(alice);
  const b = await openAs(bob);
  await addTodo(a.page, "A1 before the backup");
  await addTodo(b.page, "B1 before the backup");
  const before = ["A1 before the backup", "B1 before the backup"];
  await expectTodos(a.page, before);
  await expectTodos(b.page, before);

  const backup = join(server.dir, "backup.db"); // removed with the server's directory
  await server.cli("backup", backup);

  await addTodo(a.page, "A2 after the backup");
  await addTodo(b.page, "B2 after the backup");
  const synced = [...before, "A2 after the backup", "B2 after the backup"];
  await expectTodos(a.page, synced);
  await expectTodos(b.page, synced);
  await expectPending(a.page, (n) => n === 0, "0");
  await expectPending(b.page, (n) => n === 0, "0");

  // Restore as the README says: stop, put the copy in place, remove stale -wal/-shm, start.
  await server.stop();
  await copyFile(backup, server.dbPath);
  await rm(`${server.dbPath}-wal`, { force: true });
  await rm(`${server.dbPath}-shm`, { force: true });
  await addTodo(a.page, "A3 while the server is down");
  await server.startAgain();

  // Nobody presses Sync: the live streams reconnect (with a backoff of up to 15 s), sync
  // first, notice the new epoch and push back what the restored store lacks.
  const all = [...synced, "A3 while the server is down"];
  const slow = { timeout: 90_000 };
  await expectTodos(a.page, all, slow);
  await expectTodos(b.page, all, slow);
  await expectPending(a.page, (n) => n === 0, "0", slow);
  await expectPending(b.page, (n) => n === 0, "0", slow);
  const onServer = new Set((await server.history()).map((e) => JSON.parse(e.payload).text).filter(Boolean));
  assert.deepEqual([...onServer].sort(), [...all].sort());
});

scenario("two tabs of one user share edits and never push the same event twice", async ({ server, alice }) => {
  const context = await stack.device();
  const one = await openDemo(context, stack.demo.url);
  const two = await openDemo(context, stack.demo.url);
  await logIn(one, alice);
  await two.getByTestId("add-form").waitFor(); // logged in through the other tab

  await addTodo(one, "From tab one");
  await expectTodos(two, ["From tab one"]);
  await addTodo(two, "From tab two");
  await expectTodos(one, ["From tab one", "From tab two"]);

  // Recorded offline, then both tabs sync at once: on "online", and by the button.
  await context.setOffline(true);
  await one.locator('[data-testid="status-network"][data-state="offline"]').waitFor();
  for (const text of ["Offline 1", "Offline 2", "Offline 3"]) await addTodo(one, text);
  await expectPending(two, (n) => n === 3, "3");
  await context.setOffline(false);
  await Promise.all([one.getByTestId("sync").click(), two.getByTestId("sync").click()]);
  for (const page of [one, two]) {
    await expectPending(page, (n) => n === 0, "0");
    await expectTodos(page, ["From tab one", "From tab two", "Offline 1", "Offline 2", "Offline 3"]);
  }

  const history = await server.history();
  assert.equal(history.length, 5);
  assert.equal(new Set(history.map((e) => e.uuid.toLowerCase())).size, 5);
  assert.equal(await server.metric("simplesync_events_accepted_total"), 5);
  assert.equal(await server.metric("simplesync_events_duplicate_total"), 0);
  for (const page of [one, two]) assert.equal(await page.getByTestId("status-last-result").getAttribute("data-duplicates-seen"), "0");
});

scenario("a second user of the same browser leaves the first user's offline edits for them", async ({ server, alice, bob }) => {
  const context = await stack.device();
  const page = await openDemo(context, stack.demo.url);
  await logIn(page, alice);
  await addTodo(page, "Alice online");
  await expectSynced(page, "Alice online");
  await expectPending(page, (n) => n === 0, "0");

  await context.setOffline(true);
  await page.locator('[data-testid="status-network"][data-state="offline"]').waitFor();
  await addTodo(page, "Alice offline");
  await expectPending(page, (n) => n === 1, "1");
  await page.getByTestId("logout").click();
  await context.setOffline(false);

  await logIn(page, bob);
  await expectTodos(page, ["Alice online"]);
  await addTodo(page, "Bob's");
  await expectSynced(page, "Bob's");
  await expectPending(page, (n) => n === 0, "0");
  assert.equal(await page.getByTestId("rejected").count(), 0);
  await page.getByTestId("logout").click();

  await logIn(page, alice);
  await expectTodos(page, ["Alice online", "Alice offline", "Bob's"]);
  await expectPending(page, (n) => n === 0, "0");
  assert.equal(await page.getByTestId("rejected").count(), 0);
  const byText = new Map((await server.history()).map((e) => [JSON.parse(e.payload).text, e.userUuid]));
  assert.equal(byText.get("Alice offline"), alice.uuid);
  assert.equal(await server.metric("simplesync_events_rejected_total"), 0);
});

scenario("a screenshot of the demo shows a list, a refused edit and the status bar", async (users) => {
  const [a, b] = await openAsAliceAndBobWhoMayNotDelete(users);
  await addTodo(a.page, "Buy milk");
  await addTodo(a.page, "Book the dentist");
  await todo(a.page, "Buy milk").getByTestId("todo-done").check();
  await expectTodos(b.page, ["Buy milk", "Book the dentist"]);
  await addTodo(b.page, "Fix the bike");
  await todo(b.page, "Book the dentist").getByTestId("todo-delete").click();
  await b.page.getByTestId("rejected").waitFor();
  await expectPending(b.page, (n) => n === 0, "0");
  await b.page.locator('[data-testid="status-live"][data-state="watching"]').waitFor();

  // WEB_DEMO_SCREENSHOT=FILE keeps it (npm run screenshot writes docs/web-demo.png); otherwise
  // it goes with the server's directory.
  const path = process.env.WEB_DEMO_SCREENSHOT || join(users.server.dir, "web-demo.png");
  await b.page.mouse.move(0, 0);
  await b.page.screenshot({ path });
  const png = await readFile(path);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});
