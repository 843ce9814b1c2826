// Syncing against the real server: recording, pushing, pulling, converging, paging, rejections, logins.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MemoryStore, SyncClient, SyncError, jsonMerge } from "../dist/index.js";
import { TestServer, passwordOf } from "./support/server.mjs";

describe("sync against a real server", () => {
  let server;
  let alice;
  let bob;
  before(async () => {
    server = await TestServer.start();
    await server.setAcl([
      { user: "*", item: "secret-*", action: "*", allow: false },
      { user: "*", item: "*", action: "*", allow: true },
    ]);
    await server.newUser("alice");
    await server.newUser("bob");
    alice = await server.client("alice");
    bob = await server.client("bob");
  });
  after(async () => {
    alice?.close();
    bob?.close();
    await server?.close();
  });

  test("two clients that record offline and sync converge on the same history and items", async () => {
    assert.equal(alice.loggedIn, true);
    assert.equal(alice.userUuid, "user-alice");
    assert.equal(alice.username, "alice");
    const created = await alice.record("task-1", "create", JSON.stringify({ title: "Buy milk", done: false }));
    assert.equal(typeof created.timestamp, "bigint");
    assert.match(created.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await bob.record("task-1", "update", JSON.stringify({ done: true }));
    await bob.record("task-2", "create", JSON.stringify({ title: "Walk" }));
    assert.equal(alice.status().pendingCount, 1);
    assert.deepEqual((await alice.items()).get("task-1"), { title: "Buy milk", done: false }); // optimistic

    const a1 = await alice.sync();
    assert.deepEqual(a1.accepted.map((e) => e.uuid), [created.uuid]);
    const b1 = await bob.sync();
    assert.equal(b1.accepted.length, 2);
    assert.equal(b1.pulled, 3);
    await alice.sync();

    const aliceEvents = await alice.events();
    const bobEvents = await bob.events();
    assert.deepEqual(aliceEvents, bobEvents);
    const history = await server.history();
    assert.equal(aliceEvents.length, history.length);
    assert.deepEqual(await alice.items(), await bob.items(jsonMerge));
    assert.equal((await bob.items()).get("task-1").title, "Buy milk");
    const status = alice.status();
    assert.equal(status.pendingCount, 0);
    assert.equal(status.oldestPendingAgeMs, null);
    assert.ok(status.lastSync instanceof Date);
    assert.equal(status.lastError, null);
    assert.equal(status.syncing, false);
    assert.equal(status.loggedIn, true);
  });

  test("recording during a sync is allowed and waits for the next sync", async () => {
    const first = await alice.record("task-3", "create", "{}");
    let during;
    const syncing = alice.sync();
    during = await alice.record("task-3", "update", "{}");
    const result = await syncing;
    assert.ok(result.accepted.some((e) => e.uuid === first.uuid));
    const next = await alice.sync();
    assert.ok([...result.accepted, ...next.accepted].some((e) => e.uuid === during.uuid));
    assert.equal(alice.status().pendingCount, 0);
  });

  test("each rejection reason is reported with its event, leaves pending and is kept until dismissed", async () => {
    const store = new MemoryStore();
    const carol = await server.client("alice", { store });
    const denied = await carol.record("secret-1", "create", "{}");
    const invalid = await carol.record("x".repeat(300), "create", "{}");
    const tooLarge = await carol.record("task-big", "create", "y".repeat(70 * 1024));
    const original = await carol.record("task-c", "create", '{"v":1}');
    await carol.sync();
    // The same uuid with other content: a conflict.
    await store.addPending({ ...original, payload: '{"v":2}' }, Date.now());
    // An event of another user: a mismatch.
    await store.addPending({ ...original, uuid: "0193a5c0-0000-7000-8000-0000000000ff", userUuid: "user-bob" }, Date.now());
    const result = await carol.sync();
    const reasons = Object.fromEntries(result.rejected.map((r) => [r.event.payload === '{"v":2}' ? "conflict" : r.event.uuid, r.reason]));
    assert.equal(reasons["conflict"], "uuid_conflict");
    assert.equal(reasons["0193a5c0-0000-7000-8000-0000000000ff"], "user_mismatch");
    const kept = await carol.rejected();
    const byUuid = new Map(kept.map((r) => [r.event.uuid, r]));
    assert.equal(byUuid.get(denied.uuid).reason, "acl_denied");
    assert.equal(byUuid.get(invalid.uuid).reason, "invalid_field");
    assert.equal(byUuid.get(tooLarge.uuid).reason, "payload_too_large");
    assert.ok(kept.every((r) => typeof r.detail === "string" && r.detail.length > 0));
    assert.equal(kept.length, 5);
    assert.equal((await carol.pending()).length, 0);
    assert.ok(!(await carol.events()).some((e) => e.uuid === denied.uuid));
    await carol.dismissRejected(denied.uuid.toUpperCase());
    assert.equal((await carol.rejected()).length, 4);
    carol.close();
  });

  test("a 401 becomes login_required, keeps pending events, and after a new login the sync pushes them", async () => {
    const dave = await SyncClient.open({ server: server.url, store: new MemoryStore() });
    await assert.rejects(dave.record("task-d", "create", "{}"), (e) => e instanceof SyncError && e.code === "login_required");
    await assert.rejects(dave.sync(), (e) => e instanceof SyncError && e.code === "login_required" && !e.isTransient);
    await assert.rejects(dave.login("bob", "wrong password"), (e) => e instanceof SyncError && e.code === "unauthenticated" && e.status === 401);
    await dave.login("bob", passwordOf("bob"));
    const changes = [];
    dave.onChange((reason) => changes.push(reason));
    // A new password revokes the tokens issued before.
    const changed = await server.admin("PUT", "/admin/users/user-bob", { new_password: "another-password-1" });
    assert.equal(changed.status, 204);
    const kept = await dave.record("task-d", "create", "{}");
    await assert.rejects(dave.sync(), (e) => e instanceof SyncError && e.code === "login_required" && e.status === 401 && e.isLoginRequired);
    assert.equal(dave.loggedIn, false);
    assert.equal(dave.status().loggedIn, false);
    assert.equal(dave.status().lastError.code, "login_required");
    assert.deepEqual((await dave.pending()).map((e) => e.uuid), [kept.uuid]);
    assert.ok(changes.includes("record") && changes.includes("logout"));
    await dave.record("task-d", "update", "{}"); // recording keeps working
    await dave.login("bob", "another-password-1");
    const result = await dave.sync();
    assert.equal(result.accepted.length, 2);
    dave.close();
    bob.close();
    bob = await SyncClient.open({ server: server.url, store: new MemoryStore() });
    await bob.login("bob", "another-password-1");
  });

  test("a large backlog goes in several pushes by bytes and count, and a new client pages while more", async () => {
    const pushes = [];
    const counting = (input, init) => {
      pushes.push(`${init.method} ${new URL(input).pathname}`);
      return fetch(input, init);
    };
    const eve = await server.client("alice", { fetch: counting });
    const big = "z".repeat(60 * 1024);
    for (let i = 0; i < 140; i++) await eve.record(`task-bulk-${i % 7}`, "update", JSON.stringify({ i, big }));
    for (let i = 0; i < 10_050; i++) await eve.record("task-many", "tick", "{}");
    const result = await eve.sync();
    assert.equal(result.accepted.length, 10_190);
    assert.ok(pushes.filter((p) => p === "POST /sync").length >= 4, pushes.join(", ")); // 140 × 60 KiB > 2 × 4 MiB, then 10,050 > 10,000
    eve.close();

    pushes.length = 0;
    const fresh = await server.client("alice", { fetch: counting });
    const pulled = await fresh.sync();
    const history = await server.history();
    assert.equal(pulled.pulled, history.length);
    assert.ok(pushes.filter((p) => p === "GET /sync").length >= 3, pushes.join(", ")); // 8 MiB pages, 10,000-event pages
    assert.equal((await fresh.events()).length, history.length);
    fresh.close();
  });
});
