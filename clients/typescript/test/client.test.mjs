// What a client does offline: recording with its clock, uuid order, status, change notifications, reducers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryStore, SyncClient, SyncError, compareHistory, jsonMerge } from "../dist/index.js";

async function offlineClient(now) {
  const store = new MemoryStore();
  await store.updateLogin({ token: "t.e.s", userUuid: "u-me", username: "me" });
  return { store, client: await SyncClient.open({ server: "http://127.0.0.1:9", store, now }) };
}

test("record uses the client's clock, orders events of one millisecond by uuid, and counts pending with their age", async () => {
  let clock = 1_764_100_000_000;
  const { client } = await offlineClient(() => clock);
  const changes = [];
  client.onChange((reason) => changes.push(reason));
  const events = [];
  for (let i = 0; i < 50; i++) events.push(await client.record("item-1", "set", JSON.stringify({ i })));
  assert.ok(events.every((e) => e.timestamp === 1_764_100_000_000n && e.userUuid === "u-me"));
  assert.deepEqual([...events].sort(compareHistory), events, "same-millisecond events sort in recording order");
  assert.equal(new Set(events.map((e) => e.uuid)).size, 50);
  clock += 5_000;
  const status = client.status();
  assert.equal(status.pendingCount, 50);
  assert.equal(status.oldestPendingAgeMs, 5_000);
  assert.equal(status.syncing, false);
  assert.equal(status.watching, false);
  assert.equal(status.lastSync, null);
  assert.equal(changes.filter((c) => c === "record").length, 50);
  assert.deepEqual((await client.items()).get("item-1"), { i: 49 });
  client.close();
});

test("events() is the authoritative copy in history order, then pending in recording order; reducers fold it per item", async () => {
  const { store, client } = await offlineClient(() => 5);
  const pendingFirst = await client.record("a", "create", '{"title":"new","n":1}');
  const pendingSecond = await client.record("a", "rename", "not json");
  const older = { uuid: "0193a5c0-0000-7000-8000-000000000002", timestamp: 9n, userUuid: "u-x", itemUuid: "a", action: "create", payload: '{"title":"old","done":false}' };
  const oldest = { ...older, uuid: "0193a5c0-0000-7000-8000-000000000001", timestamp: 1n, itemUuid: "b", payload: "[1]" };
  await store.apply({ position: { expectEpoch: null, epoch: "E", cursor: 2 }, events: [older, oldest], removePending: [], rejections: [] });
  assert.deepEqual((await client.events()).map((e) => e.uuid), [oldest.uuid, older.uuid, pendingFirst.uuid, pendingSecond.uuid]);
  const items = await client.items(jsonMerge);
  assert.deepEqual(items.get("a"), { title: "new", done: false, n: 1 });
  assert.deepEqual(items.get("b"), {});
  const counts = await client.items((n = 0) => n + 1);
  assert.deepEqual([...counts], [["b", 1], ["a", 3]]);
  client.close();
});

test("misuse is refused: record before any login, arguments that are not strings, and bad limits", async () => {
  const client = await SyncClient.open({ server: "http://127.0.0.1:9", store: new MemoryStore() });
  await assert.rejects(client.record("a", "b", "c"), (e) => e instanceof SyncError && e.code === "login_required");
  const { client: me } = await offlineClient(Date.now);
  await assert.rejects(me.record("", "set", "{}"), TypeError);
  await assert.rejects(me.record("a", "set", 42), TypeError);
  await assert.rejects(SyncClient.open({ server: "http://127.0.0.1:9", store: new MemoryStore(), maxPushBytes: 0 }), RangeError);
  client.close();
  me.close();
});

test("a sync with the server unreachable is a transient network error, noted in the status, and keeps pending", async () => {
  const { client } = await offlineClient(Date.now);
  await client.record("a", "set", "{}");
  const reasons = [];
  client.onChange((r) => reasons.push(r));
  await assert.rejects(client.sync(), (e) => e instanceof SyncError && e.code === "network" && e.isTransient && e.status === null);
  assert.equal(client.status().lastError.code, "network");
  assert.equal(client.status().pendingCount, 1);
  assert.ok(reasons.includes("status") && reasons.includes("sync"));
  client.close();
});
