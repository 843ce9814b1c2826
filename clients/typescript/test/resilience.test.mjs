// What goes wrong in the field: lost answers, small body limits, restored servers, huge timestamps.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MemoryStore, SyncClient, SyncError, compareHistory } from "../dist/index.js";
import { LossyProxy } from "./support/proxy.mjs";
import { passwordOf } from "./support/server.mjs";
import { backUp, restoreBackup, serverWithUsers } from "./support/setup.mjs";

describe("lost answers, restored servers and exact timestamps", () => {
  let server;
  before(async () => {
    server = await serverWithUsers(["alice", "bob"]);
  });
  after(() => server?.close());

  test("a push whose answer is lost is pushed again as duplicate, stored once", async () => {
    const proxy = await LossyProxy.start(server.url);
    try {
      const client = await SyncClient.open({ server: proxy.url, store: new MemoryStore() });
      await client.login("alice", passwordOf("alice"));
      const events = [await client.record("task-lost", "create", "{}"), await client.record("task-lost", "update", "{}")];
      proxy.dropPushes = 1;
      await assert.rejects(client.sync(), (e) => e instanceof SyncError && e.code === "network" && e.isTransient);
      assert.equal(proxy.dropped, 1);
      assert.equal(client.status().pendingCount, 2);
      assert.equal(client.status().lastError.code, "network");
      const result = await client.sync();
      assert.deepEqual(result.duplicates.map((e) => e.uuid), events.map((e) => e.uuid));
      assert.equal(result.accepted.length, 0);
      const stored = (await server.history()).filter((e) => e.itemUuid === "task-lost");
      assert.equal(stored.length, 2);
      assert.equal((await client.events()).filter((e) => e.itemUuid === "task-lost").length, 2);
      client.close();
    } finally {
      await proxy.close();
    }
  });

  test("timestamps over the whole uint64 range pull exactly, sort right and re-push as duplicate", async () => {
    const edge = [0n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n, 2n ** 64n - 2n];
    const base = { userUuid: "user-alice", itemUuid: "task-u64", action: "set", payload: "{}" };
    const events = edge.map((timestamp, i) => ({ ...base, uuid: `0193a5c0-0000-7000-8000-00000000010${i}`, timestamp }));
    const aliceStore = new MemoryStore();
    for (const e of [...events].reverse()) await aliceStore.addPending(e, Date.now());
    const alice = await server.client("alice", { store: aliceStore });
    assert.equal((await alice.sync()).accepted.length, edge.length);

    const onServer = (await server.history()).filter((e) => e.itemUuid === "task-u64");
    assert.deepEqual(onServer.map((e) => e.timestamp).sort((a, b) => (a < b ? -1 : 1)), edge.slice().sort((a, b) => (a < b ? -1 : 1)));

    const bob = await server.client("bob");
    await bob.sync();
    const pulled = (await bob.events()).filter((e) => e.itemUuid === "task-u64");
    assert.deepEqual(pulled.map((e) => e.timestamp), [0n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 2n, 2n ** 64n - 1n]);
    const all = await bob.events();
    assert.deepEqual(all, [...all].sort(compareHistory));

    // Another device of alice holding the same events pending: re-pushed byte for byte, so duplicates.
    const againStore = new MemoryStore();
    for (const e of pulled) await againStore.addPending(e, Date.now());
    const again = await server.client("alice", { store: againStore });
    const result = await again.sync();
    assert.equal(result.duplicates.length, edge.length);
    assert.equal(result.rejected.length, 0);
    for (const c of [alice, bob, again]) c.close();
  });

  test("after the server is restored from a backup, clients re-push what it lost and converge", async () => {
    const alice = await server.client("alice");
    const bob = await server.client("bob");
    const a1 = await alice.record("task-epoch", "create", '{"by":"alice"}');
    const b1 = await bob.record("task-epoch-b", "create", '{"by":"bob"}');
    await alice.sync();
    await bob.sync();
    const backup = await backUp(server, "backup.db");
    const a2 = await alice.record("task-epoch", "update", '{"after":"backup"}');
    const b2 = await bob.record("task-epoch-b", "update", '{"after":"backup"}');
    await alice.sync();
    await bob.sync();
    await alice.sync();

    await restoreBackup(server, backup);

    const a3 = await alice.record("task-epoch", "update", '{"offline":true}');
    const ra = await alice.sync();
    assert.equal(ra.epochChanged, true);
    assert.ok(ra.duplicates.some((e) => e.uuid === a1.uuid));
    assert.deepEqual(new Set(ra.accepted.map((e) => e.uuid)), new Set([a2.uuid, a3.uuid]));
    assert.ok(!(await alice.events()).some((e) => e.uuid === b2.uuid)); // bob's lost event is bob's to re-push
    const rb = await bob.sync();
    assert.equal(rb.epochChanged, true);
    assert.ok(rb.duplicates.some((e) => e.uuid === b1.uuid));
    assert.ok(rb.accepted.some((e) => e.uuid === b2.uuid));
    const again = await alice.sync();
    assert.equal(again.epochChanged, false);

    const history = (await server.history()).sort(compareHistory);
    assert.deepEqual(await alice.events(), history);
    assert.deepEqual(await bob.events(), history);
    alice.close();
    bob.close();
  });
});

describe("a server with a small body limit", () => {
  let server;
  before(async () => {
    server = await serverWithUsers(["alice"], { SIMPLESYNC_LIMITS_MAX_BODY_BYTES: "300000" });
  });
  after(() => server?.close());

  test("a 413 halves the batches, and an event refused alone is rejected as payload_too_large without blocking the rest", async () => {
    const requests = [];
    const client = await server.client("alice", {
      fetch: async (input, init) => {
        try {
          const r = await fetch(input, init);
          if (init.method === "POST") requests.push(r.status);
          return r;
        } catch (e) {
          requests.push("cut");
          throw e;
        }
      },
    });
    const before = [];
    for (let i = 0; i < 10; i++) before.push(await client.record(`task-${i}`, "set", JSON.stringify({ text: "a".repeat(20_000) })));
    // Within the payload limit (64 KiB of UTF-8), but over the body limit as JSON (each character is written \u0001).
    const huge = await client.record("task-huge", "set", "\u0001".repeat(65_536));
    const afterHuge = [];
    for (let i = 0; i < 10; i++) afterHuge.push(await client.record(`task-${i}`, "set", JSON.stringify({ text: "c".repeat(20_000) })));
    const result = await client.sync();
    // A 413, or a connection cut by the server that refused the body by its length (fetch sends no Expect: 100-continue).
    assert.ok(requests.length > 3, `statuses: ${requests}`);
    assert.equal(result.accepted.length, 20);
    assert.deepEqual(result.rejected.map((r) => [r.event.uuid, r.reason]), [[huge.uuid, "payload_too_large"]]);
    assert.equal((await client.rejected())[0].reason, "payload_too_large");
    assert.equal(client.status().pendingCount, 0);
    assert.equal((await server.history()).length, 20);
    client.close();
  });
});
