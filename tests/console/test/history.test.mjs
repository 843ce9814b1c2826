// Live history: the newest page first, pushes arriving live, older pages on demand, client-side
// filters over what is loaded and what arrives, exact 64-bit timestamps, and a bounded table.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consoleSuite, event, eventually, screenshot, signInAsAdmin } from "./harness.mjs";

const base = Date.UTC(2026, 10, 1, 12, 0, 0); // 2026-11-01T12:00:00Z
const seeded = 300;

const suite = consoleSuite(async (stack) => {
  await stack.server.newUser("alice");
  await stack.server.newUser("bob");
  await stack.server.allowAll();
  // seed-000 … seed-299, a second apart, alternately alice's and bob's, in one push each.
  const seeds = Array.from({ length: seeded }, (_, k) => ({ k, name: `seed-${String(k).padStart(3, "0")}` }));
  for (const user of ["alice", "bob"]) {
    const mine = seeds.filter(({ k }) => (k % 2 === 0) === (user === "alice"));
    const results = await stack.push(user, mine.map(({ k, name }) => event(`user-${user}`, name, k % 3 === 0 ? "update" : "create", { timestamp: base + k * 1000 })));
    assert.ok(results.every((r) => r.status === "accepted"));
  }
});

const timeout = 180_000;
const rows = (page) => page.locator("table.history tbody tr");
const row = (page, item) => rows(page).filter({ has: page.locator("td:nth-child(4)").getByText(item, { exact: true }) });
const items = (page) => rows(page).locator("td:nth-child(4)").allTextContents();

async function openHistory() {
  const page = await suite.stack.open("#/history");
  await signInAsAdmin(page, suite.stack);
  await page.getByRole("status").getByText("Live", { exact: true }).waitFor();
  return page;
}

async function expectRowCount(page, n) {
  await eventually(async () => assert.equal(await rows(page).count(), n));
}

test("the history opens at its newest page and pages back through older events without loading them all", { timeout }, async () => {
  const page = await openHistory();
  await expectRowCount(page, 100);
  assert.equal((await items(page))[0], "seed-299", "newest first");
  assert.equal(await row(page, "seed-000").count(), 0);
  // One push per user: the first is alice's 150 (seqs 1–150), then bob's (151–300).
  assert.equal(await row(page, "seed-299").locator("td").first().textContent(), "300");
  await row(page, "seed-299").getByText("2026-11-01T12:04:59.000Z").waitFor();
  await page.getByText("100 events loaded").waitFor();

  await page.getByRole("button", { name: "Load older" }).click();
  await expectRowCount(page, 200);
  await page.getByRole("button", { name: "Load older" }).click();
  await expectRowCount(page, 300);
  await page.getByRole("button", { name: "Beginning of the history" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Beginning of the history" }).isDisabled(), true);
  const all = await items(page);
  assert.equal(new Set(all).size, seeded, "no event twice");
  assert.equal(all.at(-1), "seed-000", "the oldest at the bottom: alice's first, seq 1");
});

test("filters by user, item prefix, action and time range apply to what is loaded and to what arrives", { timeout }, async () => {
  const page = await openHistory();
  await expectRowCount(page, 100);
  await page.getByRole("button", { name: "Load older" }).click();
  await page.getByRole("button", { name: "Load older" }).click();
  await expectRowCount(page, 300);

  await page.getByLabel("Item prefix").fill("seed-01");
  await expectRowCount(page, 10);
  await page.getByLabel("User", { exact: true }).fill("bob");
  await expectRowCount(page, 5);
  assert.deepEqual((await items(page)).sort(), ["seed-011", "seed-013", "seed-015", "seed-017", "seed-019"]);
  await page.getByLabel("Action").fill("update");
  await expectRowCount(page, 1);
  assert.deepEqual(await items(page), ["seed-015"]);
  await page.getByText("300 events loaded · 1 match the filters").waitFor();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expectRowCount(page, 300);

  await page.getByLabel("From (UTC)").fill("2026-11-01T12:01:40");
  await page.getByLabel("To (UTC)").fill("2026-11-01T12:01:44");
  await expectRowCount(page, 5);
  assert.deepEqual((await items(page)).sort(), ["seed-100", "seed-101", "seed-102", "seed-103", "seed-104"]);
  await page.getByRole("button", { name: "Clear filters" }).click();

  await page.getByLabel("Item prefix").fill("live-");
  await expectRowCount(page, 0);
  await suite.stack.push("bob", [event("user-bob", "other-1"), event("user-bob", "live-1", "create", { payload: '{"title":"arrives live"}' })]);
  await row(page, "live-1").waitFor();
  await row(page, "live-1").getByText('{"title":"arrives live"}').waitFor();
  await expectRowCount(page, 1);
  await page.getByText("302 events loaded · 1 match the filters").waitFor();
});

test("a push made by another user arrives live at the top, with its timestamp exact past 2^53", { timeout }, async () => {
  const page = await openHistory();
  await expectRowCount(page, 100);
  const token = await suite.stack.tokenOf("alice");
  const uuid = crypto.randomUUID();
  // Raw JSON: the timestamp is the largest the protocol allows, more than a double holds exactly.
  const body = `{"cursor":0,"events":[{"uuid":"${uuid}","timestamp":18446744073709551615,"userUuid":"user-alice","itemUuid":"far-future","action":"create","payload":"{}"}]}`;
  const r = await fetch(`${suite.stack.server.url}/sync`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body });
  assert.equal(r.status, 200);
  await row(page, "far-future").getByText("18446744073709551615 ms").waitFor();
  assert.equal((await items(page))[0], "far-future");
  await suite.stack.push("bob", [event("user-bob", "task-42", "update", { payload: '{"done":true}' })]);
  await eventually(async () => assert.equal((await items(page))[0], "task-42"));
  await screenshot(page, "history");
});

test("the table keeps at most 2,000 rows, the newest, however many events arrive", { timeout }, async () => {
  const page = await openHistory();
  await expectRowCount(page, 100);
  const burst = Array.from({ length: 2100 }, (_, k) => event("user-alice", `burst-${k}`, "create", { timestamp: base + k }));
  await suite.stack.push("alice", burst);
  await row(page, "burst-2099").waitFor();
  await page.getByText("the newest 2,000 shown").waitFor();
  await expectRowCount(page, 2000);
  assert.equal((await items(page))[0], "burst-2099");
});
