// Sync health: devices of the TypeScript SDK fall behind while others push and catch up when
// they sync, refused pushes show with their reason and the ACL rule that decided, and the
// overview shows the server's figures.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consoleSuite, eventually, screenshot, signInAsAdmin } from "./harness.mjs";

const clients = [];

const rules = [
  { user: "*", item: "secret-*", action: "*", allow: false },
  { user: "*", item: "task-*", action: "*", allow: true },
];

const suite = consoleSuite(async (stack) => {
  await stack.server.newUser("alice");
  await stack.server.newUser("bob");
  await stack.server.setAcl(rules);
}, () => {
  for (const client of clients) client.close();
});

const timeout = 180_000;

/** A TypeScript SDK client of `username` on a store of its own: a device. */
async function device(username, options = {}) {
  const client = await suite.stack.server.client(username, options);
  clients.push(client);
  return client;
}

async function push(client, ...items) {
  for (const item of items) await client.record(item, "create", "{}");
  return client.sync();
}

const deviceRow = (page, client) => page.locator(`table.devices tr[data-device="${client.deviceId}"]`);

test("a device that stops syncing falls behind while others push, and catches up when it syncs", { timeout }, async () => {
  const bob = await device("bob", { appName: "todo", appVersion: "1.2.0" });
  const alice = await device("alice");
  await bob.sync();
  await push(alice, "task-1");

  const page = await suite.stack.open("#/devices");
  await signInAsAdmin(page, suite.stack);
  const bobs = deviceRow(page, bob);
  await bobs.getByText("1 behind").waitFor();
  await bobs.getByText("simplesync-js/0.1.0 todo/1.2.0").waitFor();
  await bobs.getByText("bob", { exact: true }).waitFor();
  await bobs.getByText(/^\d+ (s|min) ago$/).waitFor();
  await deviceRow(page, alice).getByText("up to date").waitFor();

  await push(alice, "task-2", "task-3");
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  await bobs.getByText("3 behind").waitFor();
  assert.equal(await bobs.getAttribute("class"), "behind");

  // Caught up, and shown so by the page's own refresh, without a click.
  await bob.sync();
  await bobs.getByText("up to date", { exact: true }).waitFor();
  assert.equal(await bobs.getAttribute("class"), null);
});

test("a refused push shows on its device and in the recent list with its reason and the rule that decided", { timeout }, async () => {
  const carol = await device("alice");
  const result = await push(carol, "secret-1");
  assert.equal(result.rejected.length, 1);

  const page = await suite.stack.open("#/devices");
  await signInAsAdmin(page, suite.stack);
  const row = deviceRow(page, carol);
  await row.getByRole("button", { name: /^Refused events of alice's device/ }).click();
  const own = page.getByRole("table", { name: `Refused events of device ${carol.deviceId}` });
  await own.getByText("acl_denied").waitFor();
  await own.getByText("secret-1 · create").waitFor();
  await own.getByText("rule 0: user * · item secret-* · action * → deny").waitFor();
  const recent = page.getByRole("table", { name: "Recent refused events" });
  await recent.getByText("rule 0: user * · item secret-* · action * → deny").waitFor();

  await push(carol, "zzz-1");
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  await own.getByText("zzz-1 · create").waitFor();
  await own.getByRole("row").filter({ hasText: "zzz-1" }).getByText("No rule matched: the default denies.").waitFor();
  await screenshot(page, "devices");

  // Decided by a version of the ACL that is no longer current: said so, not shown as today's rule 0.
  await suite.stack.server.setAcl([{ user: "*", item: "note-*", action: "*", allow: true }, ...rules]);
  await push(carol, "secret-2"); // still refused: now by rule 1, of the new version
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  await own.getByRole("row").filter({ hasText: "secret-1" }).getByText("the ACL has changed since").waitFor();
  await own.getByRole("row").filter({ hasText: "secret-2" }).getByText("rule 1: user * · item secret-* · action * → deny").waitFor();

  await own.getByRole("row").filter({ hasText: "secret-2" }).getByRole("link", { name: "Explain" }).click();
  await page.getByRole("heading", { name: "Explain", level: 1 }).waitFor();
  await page.getByText("Denied", { exact: true }).waitFor();
  assert.equal(await page.getByLabel("Item", { exact: true }).inputValue(), "secret-2");
});

test("the overview shows the version, storage, head, open streams, events per second, devices and refusals by reason", { timeout }, async () => {
  const watcher = await device("bob");
  const watching = watcher.watch();
  const page = await suite.stack.open("#/overview");
  await signInAsAdmin(page, suite.stack);
  const card = (name) => page.getByRole("region", { name }).locator(".value");

  await eventually(async () => assert.equal(await card("Open streams").textContent(), "1"));
  assert.equal(await card("Version").textContent(), "0.1.0");
  await page.getByRole("region", { name: "Version" }).getByText("storage: sqlite").waitFor();
  const head = (await suite.stack.server.history()).length;
  await eventually(async () => assert.equal(await card("Head").textContent(), String(head)));
  await page.getByRole("region", { name: "Devices" }).getByText(/active in the last 24 h · \d+ behind/).waitFor();
  const refused = page.getByRole("table", { name: "Refused events by reason" });
  const overview = await (await suite.stack.server.admin("GET", "/admin/overview")).json();
  assert.ok(overview.rejectionsByReason.acl_denied > 0);
  await refused.getByRole("row").filter({ hasText: "acl_denied" }).getByRole("cell", { name: String(overview.rejectionsByReason.acl_denied) }).waitFor();

  await eventually(async () => assert.match(await card("Events per second").textContent(), /^\d+\.\d$/));
  const pusher = await device("alice");
  await push(pusher, ...Array.from({ length: 40 }, (_, k) => `task-burst-${k}`));
  await eventually(async () => assert.ok(Number(await card("Events per second").textContent()) > 0));
  await eventually(async () => assert.equal(await card("Head").textContent(), String(head + 40)));
  await screenshot(page, "overview");
  watching.stop();
  await eventually(async () => assert.equal(await card("Open streams").textContent(), "0"));
});
