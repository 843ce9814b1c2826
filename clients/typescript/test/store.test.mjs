// The store contract, run against every store (MemoryStore, IndexedDbStore under fake-indexeddb),
// and what IndexedDB adds: persistence and tabs that share one store.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { IDBFactory } from "fake-indexeddb";
import { IndexedDbStore, MemoryStore, SyncClient } from "../dist/index.js";
import { passwordOf, waitFor } from "./support/server.mjs";
import { serverWithUsers } from "./support/setup.mjs";

let n = 0;
const ev = (timestamp, uuidTail, userUuid = "u-a") => ({
  uuid: `0193a5c0-0000-7000-8000-${String(uuidTail).padStart(12, "0")}`,
  timestamp,
  userUuid,
  itemUuid: "item",
  action: "set",
  payload: `{"n":${n++}}`,
});
const at = (epoch, cursor, expectEpoch = null) => ({ expectEpoch, epoch, cursor });
const change = (over) => ({ events: [], removePending: [], rejections: [], ...over });

const stores = {
  MemoryStore: async () => new MemoryStore(),
  IndexedDbStore: async () => IndexedDbStore.open("contract", { indexedDB: new IDBFactory() }),
};

for (const [kind, open] of Object.entries(stores)) {
  describe(`${kind} keeps the store contract`, () => {
    test("history is in (timestamp, uuid) order over the uint64 range, and a uuid is stored once in any case", async () => {
      const store = await open();
      const big = ev(2n ** 64n - 1n, "f");
      const events = [big, ev(2n ** 53n + 1n, "a"), ev(2n ** 53n, "e"), ev(7n, "c"), ev(7n, "B")];
      assert.equal(await store.apply(change({ position: at("E", 5), events })), true);
      await store.apply(change({ position: at("E", 6, "E"), events: [{ ...big, uuid: big.uuid.toUpperCase() }, ev(1n, "d")] }));
      const history = await store.history();
      assert.deepEqual(history.map((e) => e.timestamp), [1n, 7n, 7n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n]);
      assert.deepEqual(history.slice(1, 3).map((e) => e.uuid.slice(-1)), ["B", "c"]);
      assert.equal(history.at(-1).uuid, big.uuid);
      store.close();
    });

    test("an answer for another epoch than the store's changes nothing; within an epoch the cursor never goes back", async () => {
      const store = await open();
      await store.apply(change({ position: at("E", 10) }));
      assert.equal(await store.apply(change({ position: at("F", 20, "X"), events: [ev(1n, 1)] })), false);
      assert.deepEqual([(await store.meta()).epoch, (await store.meta()).cursor, (await store.history()).length], ["E", 10, 0]);
      await store.apply(change({ position: at("E", 4, "E") }));
      assert.equal((await store.meta()).cursor, 10);
      await store.apply(change({ position: at("E", 12, "E") }));
      assert.equal((await store.meta()).cursor, 12);
      store.close();
    });

    test("pending keeps recording order, leaves by uuid in any case, and rejections are kept (100 at most) until dismissed", async () => {
      const store = await open();
      const [p1, p2, p3] = [ev(3n, 11), ev(1n, 12), ev(2n, 13)];
      await store.addPending(p1, 1000);
      await store.addPending(p2, 2000);
      await store.addPending(p3, 3000);
      assert.deepEqual(await store.pending(), [p1, p2, p3]);
      assert.deepEqual(await store.pendingSummary(), { count: 3, oldestSince: 1000 });
      await store.apply(change({ removePending: [p1.uuid.toUpperCase()], rejections: [{ event: p1, reason: "acl_denied", detail: "no" }] }));
      assert.deepEqual(await store.pending(), [p2, p3]);
      assert.deepEqual(await store.pendingSummary(), { count: 2, oldestSince: 2000 });
      const many = Array.from({ length: 105 }, (_, i) => ({ event: ev(1n, 1000 + i), reason: "invalid_field", detail: null }));
      await store.apply(change({ rejections: many }));
      const kept = await store.rejected();
      assert.equal(kept.length, 100);
      assert.equal(kept.at(-1).event.uuid, many.at(-1).event.uuid);
      await store.dismissRejected(kept[0].event.uuid.toUpperCase());
      assert.equal((await store.rejected()).length, 99);
      store.close();
    });

    test("an epoch change moves the user's own events back before pending, in history order, and drops the rest", async () => {
      const store = await open();
      const mine = [ev(5n, 21), ev(2n, 22)];
      const theirs = ev(3n, 23, "u-b");
      const alreadyPending = ev(9n, 24);
      await store.addPending(ev(100n, 25), 0);
      await store.apply(change({ position: at("E", 7), events: [...mine, theirs, alreadyPending] }));
      await store.addPending(alreadyPending, 0);
      assert.equal(await store.resetEpoch("other", "u-a", 50), null);
      const moved = await store.resetEpoch("E", "u-a", 50);
      assert.deepEqual(moved.map((e) => e.timestamp), [2n, 5n]);
      assert.deepEqual((await store.pending()).map((e) => e.timestamp), [2n, 5n, 100n, 9n]);
      assert.deepEqual(await store.history(), []);
      const meta = await store.meta();
      assert.deepEqual([meta.epoch, meta.cursor], [null, 0]);
      store.close();
    });

    test("the device id is made once and kept through logins and epoch changes; another store has another", async () => {
      const store = await open();
      const id = await store.deviceId();
      assert.match(id, /^[0-9a-f]{32}$/);
      await store.updateLogin({ token: "t", userUuid: "u-a", username: "n" });
      await store.apply(change({ position: at("E", 1), events: [ev(1n, 1)] }));
      await store.resetEpoch("E", "u-a", 0);
      await store.updateLogin({ token: null, userUuid: null, username: null });
      assert.equal(await store.deviceId(), id);
      const other = await open();
      assert.notEqual(await other.deviceId(), id);
      store.close();
      other.close();
    });

    test("the login lives in the meta record", async () => {
      const store = await open();
      await store.updateLogin({ token: "t", userUuid: "u", username: "n" });
      await store.updateLogin({ token: null });
      const meta = await store.meta();
      assert.deepEqual([meta.token, meta.userUuid, meta.username], [null, "u", "n"]);
      store.close();
    });
  });
}

describe("IndexedDbStore in browsers' tabs", () => {
  let server;
  before(async () => {
    server = await serverWithUsers(["alice"]);
  });
  after(() => server?.close());

  test("what is recorded survives reopening the store", async () => {
    const indexedDB = new IDBFactory();
    const store = await IndexedDbStore.open("todo-app", { indexedDB });
    const client = await server.client("alice", { store });
    const e = await client.record("task-idb", "create", '{"title":"persist"}');
    client.close();
    store.close();
    const reopened = await IndexedDbStore.open("todo-app", { indexedDB });
    const again = await SyncClient.open({ server: server.url, store: reopened });
    assert.equal(again.loggedIn, true);
    assert.deepEqual(await again.pending(), [e]);
    const result = await again.sync();
    assert.deepEqual(result.accepted.map((x) => x.uuid), [e.uuid]);
    assert.deepEqual((await again.items()).get("task-idb"), { title: "persist" });
    again.close();
    reopened.close();
  });

  test("tabs opening a new store at once get one device id, which survives reopening the store", async () => {
    const indexedDB = new IDBFactory();
    const tabs = await Promise.all([1, 2, 3].map(() => IndexedDbStore.open("device", { indexedDB })));
    const ids = await Promise.all(tabs.map((tab) => tab.deviceId()));
    tabs.forEach((tab) => tab.close());
    const reopened = await IndexedDbStore.open("device", { indexedDB });
    assert.equal(new Set([...ids, await reopened.deviceId()]).size, 1);
    reopened.close();
  });

  test("two tabs on one store never push the same events at once, and each hears the other's changes", async () => {
    const indexedDB = new IDBFactory();
    const storeA = await IndexedDbStore.open("shared", { indexedDB });
    const storeB = await IndexedDbStore.open("shared", { indexedDB });
    const tabA = await SyncClient.open({ server: server.url, store: storeA });
    const tabB = await SyncClient.open({ server: server.url, store: storeB });
    const heardByB = [];
    tabB.onChange((reason) => heardByB.push(reason));
    await tabA.login("alice", passwordOf("alice"));
    await waitFor(() => tabB.loggedIn, { what: "tab B to see the login" });
    const recorded = [];
    for (let i = 0; i < 30; i++) recorded.push(await (i % 2 ? tabA : tabB).record(`task-tab-${i}`, "create", "{}"));
    await waitFor(() => tabA.status().pendingCount === 30 && tabB.status().pendingCount === 30, { what: "both tabs to count 30 pending" });
    const [ra, rb] = await Promise.all([tabA.sync(), tabB.sync()]);
    assert.equal(ra.accepted.length + rb.accepted.length, 30);
    assert.equal(ra.duplicates.length + rb.duplicates.length, 0);
    assert.ok(heardByB.includes("external"));
    await waitFor(() => tabB.status().pendingCount === 0, { what: "tab B to see nothing pending" });
    assert.deepEqual(await tabA.events(), await tabB.events());
    const onServer = (await server.history()).filter((e) => e.itemUuid.startsWith("task-tab-"));
    assert.equal(onServer.length, 30);
    for (const c of [tabA, tabB]) c.close();
    storeA.close();
    storeB.close();
  });
});
