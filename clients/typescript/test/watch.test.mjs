// Live updates: watch() follows GET /sync/stream with fetch, resumes with Last-Event-ID, ends on 401.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SyncError } from "../dist/index.js";
import { waitFor } from "./support/server.mjs";
import { backUp, restoreBackup, serverWithUsers } from "./support/setup.mjs";

describe("watch", () => {
  let server;
  before(async () => {
    server = await serverWithUsers(["alice", "bob", "carol"], { SIMPLESYNC_SYNC_HEARTBEAT: "1s" });
  });
  after(() => server?.close());

  test("receives live events, reconnects after a server restart with Last-Event-ID, and stops", async () => {
    const streams = [];
    const recording = (input, init) => {
      if (new URL(input).pathname === "/sync/stream") streams.push({ url: input, headers: { ...init.headers } });
      return fetch(input, init);
    };
    const alice = await server.client("alice");
    const bob = await server.client("bob", { fetch: recording });
    const changes = [];
    bob.onChange((reason) => changes.push(reason));
    const watch = bob.watch();
    await waitFor(() => bob.status().watching && streams.length === 1, { what: "the stream to open" });

    const first = await alice.record("task-live", "create", '{"n":1}');
    await alice.sync();
    await waitFor(async () => (await bob.events()).some((e) => e.uuid === first.uuid), { what: "the live event" });
    assert.ok(changes.includes("live"));
    const opened = streams[0];
    assert.match(opened.headers.Authorization, /^Bearer ey/);
    assert.ok(!opened.url.includes("ey"), "no token in the URL");
    assert.equal(opened.headers.Accept, "text/event-stream");
    assert.equal(opened.headers["Last-Event-ID"], new URL(opened.url).searchParams.get("cursor"));

    await server.stop();
    await waitFor(() => bob.status().lastError?.code === "network", { what: "the outage to show" });
    await server.startAgain();
    await waitFor(() => streams.length >= 2 && bob.status().lastError === null, { what: "the reconnect", timeoutMs: 60_000 });
    const cursorAtReconnect = Number(streams.at(-1).headers["Last-Event-ID"]);
    assert.ok(cursorAtReconnect > 0);

    const second = await alice.record("task-live", "update", '{"n":2}');
    await alice.sync();
    await waitFor(async () => (await bob.events()).some((e) => e.uuid === second.uuid), { what: "the event after the restart" });
    const bobEvents = await bob.events();
    assert.equal(new Set(bobEvents.map((e) => e.uuid)).size, bobEvents.length, "nothing twice");
    assert.equal(bobEvents.length, (await server.history()).length);

    watch.stop();
    await watch.done;
    assert.equal(bob.status().watching, false);
    alice.close();
    bob.close();
  });

  test("a watch ends with login_required when the login is revoked, and an aborted signal stops it", async () => {
    const carol = await server.client("alice");
    const watch = carol.watch();
    await waitFor(() => carol.status().watching && carol.status().lastSync !== null, { what: "the watch to start" });
    const changed = await server.admin("PUT", "/admin/users/user-alice", { new_password: "a-new-password-2" });
    assert.equal(changed.status, 204);
    await assert.rejects(watch.done, (e) => e instanceof SyncError && e.code === "login_required");
    assert.equal(carol.status().watching, false);
    assert.equal(carol.loggedIn, false);

    await carol.login("alice", "a-new-password-2");
    const controller = new AbortController();
    const second = carol.watch({ signal: controller.signal });
    await waitFor(() => carol.status().watching, { what: "the second watch" });
    controller.abort();
    await second.done;
    assert.equal(carol.status().watching, false);
    carol.close();
  });

  test("a watch across a restore from backup handles the new epoch, re-pushes what the server lost, and goes on live", async () => {
    const carol = await server.client("carol");
    const bob = await server.client("bob");
    const watch = bob.watch();
    await waitFor(() => bob.status().lastSync !== null, { what: "bob's first sync" });
    const kept = await bob.record("task-restore", "create", '{"kept":true}');
    await bob.sync();
    const backup = await backUp(server, "watch-backup.db");
    const lost = await bob.record("task-restore", "update", '{"lost":true}');
    await bob.sync();

    await restoreBackup(server, backup);

    // bob's watch reconnects: its sync sees the new epoch and pushes the event the server lost.
    await waitFor(async () => (await server.history()).some((e) => e.uuid === lost.uuid), { what: "the lost event to be re-pushed", timeoutMs: 60_000 });
    const live = await carol.record("task-restore", "update", '{"after":"restore"}');
    await carol.sync();
    await waitFor(async () => (await bob.events()).some((e) => e.uuid === live.uuid), { what: "the live event after the restore" });
    const history = (await server.history()).map((e) => e.uuid).sort();
    await waitFor(async () => (await bob.events()).length === history.length, { what: "bob to hold the whole history" });
    assert.deepEqual((await bob.events()).map((e) => e.uuid).sort(), history);
    assert.ok(history.includes(kept.uuid));
    watch.stop();
    await watch.done;
    carol.close();
    bob.close();
  });

  test("a stream asked for with another epoch ends with epoch_changed, and the watch syncs and reconnects with the server's", async () => {
    const streams = [];
    const tampering = (input, init) => {
      const url = new URL(input);
      if (url.pathname === "/sync/stream") {
        if (streams.length === 0) url.searchParams.set("epoch", "an-older-history");
        streams.push(url);
      }
      return fetch(url.toString(), init);
    };
    const carol = await server.client("carol");
    const bob = await server.client("bob", { fetch: tampering });
    const watch = bob.watch();
    await waitFor(() => streams.length >= 2, { what: "the reconnect after epoch_changed" });
    const live = await carol.record("task-epoch-param", "create", "{}");
    await carol.sync();
    await waitFor(async () => (await bob.events()).some((e) => e.uuid === live.uuid), { what: "the live event" });
    assert.equal(streams[0].searchParams.get("epoch"), "an-older-history");
    const epoch = streams[1].searchParams.get("epoch");
    assert.match(epoch, /^[0-9a-f]{16,}$/);
    assert.equal(bob.status().lastError, null);
    watch.stop();
    await watch.done;
    carol.close();
    bob.close();
  });

  test("stop() ends a watch even after the garbage collector took fetch's own objects", async () => {
    // Node's fetch links the request's signal to the body weakly; after a collection an abort
    // alone would leave the stream's body read for ever (keep-alives arrive every second here).
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc");
    let streaming = false;
    const noting = async (input, init) => {
      const response = await fetch(input, init);
      if (new URL(input).pathname === "/sync/stream") streaming = true;
      return response;
    };
    const dan = await server.client("carol", { fetch: noting });
    const watch = dan.watch();
    await waitFor(() => streaming, { what: "the stream to answer" });
    collect();
    collect();
    watch.stop();
    const ended = await Promise.race([watch.done.then(() => true), new Promise((resolve) => setTimeout(resolve, 20_000, false))]);
    assert.equal(ended, true, "the watch did not end within 20 s of stop()");
    assert.equal(dan.status().watching, false);
    dan.close();
  });
});
