// Every request names its device (Sync-Device: one id per store, kept across restarts) and its
// software (Sync-Client: the SDK's version and the app's), as a server receives them: a small
// HTTP server in the test records the headers of each request.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";
import { IDBFactory } from "fake-indexeddb";
import { IndexedDbStore, MemoryStore, SyncClient } from "../dist/index.js";

const EPOCH = "e0000000000000000000000000000001";
const OTHER = { uuid: "0193a5c0-0000-7000-8000-00000000000a", timestamp: 1, userUuid: "u-bob", itemUuid: "task-0", action: "create", payload: "{}" };
const TOKEN = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"sub":"u-alice"}').toString("base64url")}.c2ln`;
const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

describe("the identity headers", () => {
  let server;
  let url;
  /** [method path, Sync-Device, Sync-Client] of each request, in order. */
  let seen;
  let streamOpened;

  before(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url, "http://x").pathname;
      seen.push([`${req.method} ${path}`, req.headers["sync-device"], req.headers["sync-client"]]);
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const cursor = Number(new URL(req.url, "http://x").searchParams.get("cursor") ?? 0);
        const json = (value) => {
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(JSON.stringify(value));
        };
        if (path === "/auth/token") return json({ token: TOKEN });
        if (path === "/sync" && req.method === "POST") {
          const push = JSON.parse(body);
          // A first sync gets one event and "more", so that it goes on with GET /sync.
          const page = push.cursor === 0 ? { events: [OTHER], cursor: 1, more: true } : { events: [], cursor: push.cursor, more: false };
          return json({ epoch: EPOCH, ...page, results: push.events.map((e) => ({ uuid: e.uuid, status: "accepted" })) });
        }
        if (path === "/sync") return json({ epoch: EPOCH, events: [], cursor, more: false });
        res.writeHead(200, { "Content-Type": "text/event-stream" });
        res.write(`event: hello\ndata: {"epoch":"${EPOCH}","cursor":${cursor}}\n\n`);
        streamOpened?.();
      });
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    seen = [];
  });

  test("login, push, pull and stream all carry the store's device id and the SDK and app versions", async () => {
    const store = await IndexedDbStore.open("todo", { indexedDB: new IDBFactory() });
    const client = await SyncClient.open({ server: url, store, appName: "todo-web", appVersion: "1.2.0" });
    await client.login("alice", "pw");
    await client.record("task-1", "create", "{}");
    await client.sync();
    const opened = new Promise((resolve) => (streamOpened = resolve));
    const watch = client.watch();
    await opened;
    watch.stop();
    await watch.done;
    client.close();
    store.close();

    assert.deepEqual([...new Set(seen.map(([request]) => request))], ["POST /auth/token", "POST /sync", "GET /sync", "GET /sync/stream"]);
    assert.match(client.deviceId, /^[0-9a-f]{32}$/);
    for (const [, device, software] of seen) {
      assert.equal(device, client.deviceId);
      assert.equal(software, `simplesync-js/${VERSION} todo-web/1.2.0`);
    }
  });

  test("a store keeps its device id when the client restarts, and another store has another", async () => {
    const indexedDB = new IDBFactory();
    const store = await IndexedDbStore.open("todo", { indexedDB });
    const first = await SyncClient.open({ server: url, store });
    await first.login("alice", "pw");
    first.close();
    store.close();

    const reopened = await IndexedDbStore.open("todo", { indexedDB });
    const again = await SyncClient.open({ server: url, store: reopened });
    await again.sync();
    const otherStore = await IndexedDbStore.open("other", { indexedDB });
    const other = await SyncClient.open({ server: url, store: otherStore });
    await other.login("alice", "pw");
    const inMemory = await SyncClient.open({ server: url, store: new MemoryStore() });
    await inMemory.login("alice", "pw");
    for (const s of [reopened, otherStore]) s.close();

    assert.equal(again.deviceId, first.deviceId);
    assert.deepEqual(
      seen.map(([request, device]) => [request, device]),
      [
        ["POST /auth/token", first.deviceId],
        ["GET /sync", first.deviceId],
        ["POST /auth/token", other.deviceId],
        ["POST /auth/token", inMemory.deviceId],
      ],
    );
    assert.equal(new Set([first.deviceId, other.deviceId, inMemory.deviceId]).size, 3);
    for (const [, , software] of seen) assert.equal(software, `simplesync-js/${VERSION}`);
  });

  test("the longest app name and version fit in Sync-Client", async () => {
    const [appName, appVersion] = ["a".repeat(64), "1".repeat(64)];
    const client = await SyncClient.open({ server: url, store: new MemoryStore(), appName, appVersion });
    await client.login("alice", "pw");

    const [[, , software]] = seen;
    assert.equal(software, `simplesync-js/${VERSION} ${appName}/${appVersion}`);
    assert.ok(software.length <= 200);
  });

  for (const [what, appName, appVersion, option] of [
    ["an empty app name", "", undefined, "appName"],
    ["an app name with a space", "todo web", undefined, "appName"],
    ["an app name with a slash", "todo/web", undefined, "appName"],
    ["an app name that is not ASCII", "tödo", undefined, "appName"],
    ["an app name with a line break", "todo\r\nX-Injected: 1", undefined, "appName"],
    ["an app name of 65 characters", "a".repeat(65), undefined, "appName"],
    ["an app name that is not a string", 42, undefined, "appName"],
    ["an app version with a space", "todo", "1.2 beta", "appVersion"],
    ["an empty app version", "todo", "", "appVersion"],
    ["an app version without a name", undefined, "1.2.0", "appVersion"],
  ]) {
    test(`open refuses ${what} with a TypeError naming the option, before any request`, async () => {
      await assert.rejects(SyncClient.open({ server: url, store: new MemoryStore(), appName, appVersion }), (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, new RegExp(`^${option} `));
        return true;
      });
      assert.deepEqual(seen, []);
    });
  }
});
