// Answers that break the protocol, from a hostile server in the test: each is bad_response, applied not even in part.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { MemoryStore, SyncClient, SyncError } from "../dist/index.js";
import { waitFor } from "./support/server.mjs";

const EPOCH = "e0000000000000000000000000000001";
const EVENT = { uuid: "0193a5c0-0000-7000-8000-000000000001", timestamp: 1764100000000, userUuid: "u-x", itemUuid: "i", action: "a", payload: "{}" };
const page = (over) => JSON.stringify({ epoch: EPOCH, events: [], cursor: 10, more: false, ...over });
const json = (body, status = 200, type = "application/json") => ({ status, type, body });

/** A store logged in as u-x that already synced to cursor 10 of EPOCH. */
async function syncedStore() {
  const store = new MemoryStore();
  await store.updateLogin({ token: "t.e.s", userUuid: "u-x", username: "x" });
  await store.apply({ position: { expectEpoch: null, epoch: EPOCH, cursor: 10 }, events: [], removePending: [], rejections: [] });
  return store;
}

describe("a hostile server", () => {
  let server;
  let url;
  let handler;
  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("latin1");
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const answer = handler(req, body);
        if (answer.cut) {
          req.socket.destroy();
          return;
        }
        if (answer.dribble) {
          // Headers and the start of a body, then nothing more, the connection held open.
          res.writeHead(200, { "Content-Type": "application/json" });
          res.write('{"epoch":');
          return;
        }
        if (answer.stream !== undefined) {
          res.writeHead(200, { "Content-Type": answer.type ?? "text/event-stream" });
          res.end(answer.stream);
          return;
        }
        res.writeHead(answer.status, { "Content-Type": answer.type, ...answer.headers });
        res.end(answer.body);
      });
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });

  /** A client whose store already synced to cursor 10 of EPOCH, logged in, with one event pending. */
  async function client(options = {}) {
    const store = await syncedStore();
    await store.addPending(EVENT, 0);
    return { store, client: await SyncClient.open({ server: url, store, ...options }) };
  }

  const syncCases = [
    ["not JSON", () => json("this is not json")],
    ["the wrong content type", () => json(page({ results: [] }), 200, "text/html")],
    ["no epoch", () => json(JSON.stringify({ events: [], cursor: 10, more: false, results: [{ uuid: EVENT.uuid, status: "accepted" }] }))],
    ["a negative cursor", () => json(page({ cursor: -1 }))],
    ["a cursor that goes back", () => json(page({ cursor: 5, events: [EVENT], results: [{ uuid: EVENT.uuid, status: "accepted" }] }))],
    ["a cursor past 2^53", () => json(page({ cursor: 2 ** 60, events: [EVENT], results: [{ uuid: EVENT.uuid, status: "accepted" }] }))],
    ["more without events", () => json(page({ more: true, results: [{ uuid: EVENT.uuid, status: "accepted" }] }))],
    ["results that do not match the push", () => json(page({ results: [] }))],
    ["a result for another uuid", () => json(page({ results: [{ uuid: "0193a5c0-0000-7000-8000-000000000002", status: "accepted" }] }))],
    ["an unknown push status", () => json(page({ results: [{ uuid: EVENT.uuid, status: "maybe" }] }))],
    ["a rejection without reason", () => json(page({ results: [{ uuid: EVENT.uuid, status: "rejected" }] }))],
    ["an event with a fractional timestamp", () => json(page({ cursor: 11, events: [{ ...EVENT, timestamp: 1.5 }], results: [{ uuid: EVENT.uuid, status: "accepted" }] }))],
    ["an event with a timestamp over 2^64-1", () => json(page({ cursor: 11, events: [{ ...EVENT, timestamp: "@" }], results: [{ uuid: EVENT.uuid, status: "accepted" }] }).replace('"@"', "18446744073709551616"))],
    ["an event without payload", () => json(page({ cursor: 11, events: [{ ...EVENT, payload: undefined }], results: [{ uuid: EVENT.uuid, status: "accepted" }] }))],
    ["an event with a uuid that is not a UUID", () => json(page({ cursor: 11, events: [{ ...EVENT, uuid: "nope" }], results: [{ uuid: EVENT.uuid, status: "accepted" }] }))],
    ["a body that is not UTF-8", () => ({ status: 200, type: "application/json", body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })],
    ["an answer over the cap", () => json(page({ results: [{ uuid: EVENT.uuid, status: "accepted" }] }) + " ".repeat(70_000))],
    ["an array", () => json("[]")],
    ["a truncated body", () => json(page({ results: [{ uuid: EVENT.uuid, status: "accepted" }] }).slice(0, -3))],
    ["nesting 10,000 deep", () => json(`{"epoch":"${EPOCH}","events":${"[".repeat(10_000)}${"]".repeat(10_000)},"cursor":10,"more":false}`)],
  ];

  for (const [name, answer] of syncCases) {
    test(`a sync answer with ${name} is bad_response and changes nothing`, async () => {
      handler = answer;
      const { store, client: c } = await client({ maxResponseBytes: 65_536 });
      await assert.rejects(c.sync(), (e) => e instanceof SyncError && e.code === "bad_response" && !e.isTransient);
      const meta = await store.meta();
      assert.equal(meta.cursor, 10);
      assert.equal(meta.epoch, EPOCH);
      assert.equal((await store.pending()).length, 1);
      assert.equal((await store.history()).length, 0);
      assert.equal(c.status().lastError.code, "bad_response");
      c.close();
    });
  }

  const errorCases = [
    [json("<html>oops</html>", 500, "text/html"), "internal", true, null],
    [json("<html>bad gateway</html>", 502, "text/html"), "unavailable", true, null],
    [{ ...json('{"code":"rate_limited","status":429}', 429, "application/problem+json"), headers: { "Retry-After": "7" } }, "rate_limited", true, 7],
    [json('{"code":"conflict","status":400,"detail":"taken"}', 400, "application/problem+json"), "conflict", false, null],
    [json('{"code":"invalid","status":400,"errors":{"cursor":["bad"]}}', 400, "application/problem+json"), "invalid", false, null],
    [json('{"code":"something_new","status":403}', 403, "application/problem+json"), "forbidden", false, null],
    [json("", 503, "text/plain"), "unavailable", true, null],
  ];
  for (const [answer, code, transient, retryAfter] of errorCases) {
    test(`an error answer ${answer.status} (${answer.body.slice(0, 30) || "empty"}) is ${code}`, async () => {
      handler = () => answer;
      const { store, client: c } = await client();
      await assert.rejects(c.sync(), (e) => {
        assert.ok(e instanceof SyncError);
        assert.equal(e.code, code);
        assert.equal(e.status, answer.status);
        assert.equal(e.isTransient, transient);
        assert.equal(e.retryAfter, retryAfter);
        return true;
      });
      assert.equal((await store.pending()).length, 1);
      c.close();
    });
  }

  const streamCases = [
    ["a live message whose id is not past the cursor", `retry: 2000\nevent: hello\ndata: {"epoch":"${EPOCH}","cursor":10}\n\nevent: events\ndata: [${JSON.stringify(EVENT)}]\nid: 3\n\n`],
    ["live events before the hello", `event: events\ndata: [${JSON.stringify(EVENT)}]\nid: 11\n\n`],
    ["a live message without id", `event: hello\ndata: {"epoch":"${EPOCH}","cursor":10}\n\nevent: events\ndata: [${JSON.stringify(EVENT)}]\n\n`],
    ["a live message that is not JSON", `event: hello\ndata: {"epoch":"${EPOCH}","cursor":10}\n\nevent: events\ndata: [{\nid: 11\n\n`],
    ["a live message over the cap", `event: hello\ndata: {"epoch":"${EPOCH}","cursor":10}\n\nevent: events\ndata: [${JSON.stringify({ ...EVENT, payload: "p".repeat(5000) })}]\nid: 11\n\n`],
    ["a hello for another cursor", `event: hello\ndata: {"epoch":"${EPOCH}","cursor":4}\n\n`],
    ["the wrong content type", `event: end\ndata: {"reason":"max_lifetime"}\n\n`, "application/json"],
    ["a line that never ends", `event: hello\ndata: {"epoch":"${EPOCH}","cursor":10}\n\n: ${"x".repeat(5000)}`],
  ];
  for (const [name, stream, type] of streamCases) {
    test(`a stream with ${name} ends the watch with bad_response and changes nothing`, async () => {
      handler = (req) => (req.url.startsWith("/sync/stream") ? { stream, type } : json(page(req.method === "POST" ? {} : {})));
      const store = await syncedStore();
      const c = await SyncClient.open({ server: url, store, maxStreamMessageBytes: 2048 });
      const watch = c.watch();
      await assert.rejects(watch.done, (e) => e instanceof SyncError && e.code === "bad_response");
      assert.equal((await store.meta()).cursor, 10);
      assert.equal((await store.history()).length, 0);
      c.close();
    });
  }

  test("unknown stream messages and comments are skipped, and live events are applied with their id as cursor", async () => {
    const live = { ...EVENT, uuid: "0193a5c0-0000-7000-8000-000000000009", timestamp: "@" };
    const events = `[${JSON.stringify(live).replace('"@"', "18446744073709551615")}]`;
    const stream = `retry: 2000\r\nevent: hello\r\ndata: {"epoch":"${EPOCH}","cursor":10}\r\n\r\n: keep-alive\r\n\r\nevent: news\r\ndata: {}\r\n\r\nevent: events\r\ndata: ${events}\r\nid: 12\r\n\r\nevent: end\r\ndata: {"reason":"revoked"}\r\n\r\n`;
    let streams = 0;
    handler = (req) => {
      if (!req.url.startsWith("/sync/stream")) return json(page({ cursor: Number(new URL(req.url, url).searchParams.get("cursor")) }));
      return ++streams === 1 ? { stream } : json('{"code":"unauthenticated","status":401}', 401, "application/problem+json");
    };
    const store = await syncedStore();
    const c = await SyncClient.open({ server: url, store });
    const watch = c.watch();
    await assert.rejects(watch.done, (e) => e instanceof SyncError && e.code === "login_required");
    assert.equal((await store.meta()).cursor, 12);
    assert.deepEqual((await store.history()).map((e) => e.timestamp), [2n ** 64n - 1n]);
    c.close();
  });

  test("a large push cut off while the server answers small requests is taken as too large: halved, and alone left pending, never rejected on the guess", async () => {
    const posts = [];
    handler = (req, body) => {
      const cursor = Number(new URL(req.url, url).searchParams.get("cursor") ?? 0);
      if (req.method !== "POST") return json(page({ cursor }));
      posts.push(body.length);
      if (body.length > 100_000) return { cut: true };
      const pushed = JSON.parse(body).events;
      return json(page({ cursor: 10, results: pushed.map((e) => ({ uuid: e.uuid, status: "accepted" })) }));
    };
    const store = await syncedStore();
    const c = await SyncClient.open({ server: url, store, compressPushes: false });
    const small = [];
    for (let i = 0; i < 3; i++) small.push(await c.record(`item-${i}`, "set", "s".repeat(50_000)));
    const big = await c.record("item-big", "set", "b".repeat(120_000));
    await assert.rejects(c.sync(), (e) => e instanceof SyncError && e.code === "network" && e.isTransient && e.message.includes(big.uuid));
    // The others went through; the one that only ever got a cut connection waits for the next sync.
    assert.deepEqual((await store.pending()).map((e) => e.uuid), [big.uuid]);
    assert.deepEqual(await c.rejected(), []);
    assert.equal(posts.filter((n) => n > 100_000).length >= 4, true, String(posts));
    c.close();
  });

  test("an answer whose body stops coming fails the sync as network at the timeout, and its events stay pending", async () => {
    handler = () => ({ dribble: true });
    const { store, client: c } = await client({ timeoutMs: 500 });
    await assert.rejects(c.sync(), (e) => e instanceof SyncError && e.code === "network" && e.isTransient);
    assert.equal((await store.pending()).length, 1);
    c.close();
  });

  test("a small push whose connection is cut is a network error, and its events stay pending", async () => {
    handler = (req) => (req.method === "POST" ? { cut: true } : json(page({})));
    const { store, client: c } = await client();
    await assert.rejects(c.sync(), (e) => e instanceof SyncError && e.code === "network" && e.isTransient);
    assert.equal((await store.pending()).length, 1);
    c.close();
  });

  test("a hello of another epoch stops the stream, the sync handles the epoch change, and the stream reconnects with the new epoch", async () => {
    const NEW = "e0000000000000000000000000000002";
    const streamUrls = [];
    let pulls = 0;
    handler = (req) => {
      const u = new URL(req.url, url);
      const cursor = Number(u.searchParams.get("cursor"));
      if (u.pathname === "/sync") return json(page({ epoch: ++pulls === 1 ? EPOCH : NEW, cursor }));
      streamUrls.push(u);
      const hello = `retry: 2000\nevent: hello\ndata: {"epoch":"${NEW}","cursor":${cursor}}\n\n`;
      if (streamUrls.length === 1) return { stream: hello + `event: events\ndata: [${JSON.stringify({ ...EVENT, uuid: EVENT.uuid.replace("1", "7") })}]\nid: 11\n\n` };
      if (streamUrls.length === 2) return { stream: hello + `event: events\ndata: [${JSON.stringify(EVENT)}]\nid: 99\n\n` };
      return json('{"code":"unauthenticated","status":401}', 401, "application/problem+json");
    };
    const store = await syncedStore();
    const c = await SyncClient.open({ server: url, store });
    const watch = c.watch();
    await assert.rejects(watch.done, (e) => e instanceof SyncError && e.code === "login_required");
    assert.deepEqual(streamUrls.slice(0, 2).map((u) => [u.searchParams.get("epoch"), u.searchParams.get("cursor")]), [[EPOCH, "10"], [NEW, "0"]]);
    assert.equal(pulls >= 3, true); // the sync before the first stream, the one that found the new epoch, its pull from 0
    const meta = await store.meta();
    assert.deepEqual([meta.epoch, meta.cursor], [NEW, 99]);
    assert.deepEqual((await store.history()).map((e) => e.uuid), [EVENT.uuid]); // nothing of the first stream was applied
    c.close();
  });

  test("an answer of another epoch may have a cursor below the request's: the client starts over from 0", async () => {
    handler = () => json(page({ epoch: "e0000000000000000000000000000003", cursor: 3, events: [EVENT] }));
    const store = await syncedStore();
    const c = await SyncClient.open({ server: url, store });
    const result = await c.sync();
    assert.equal(result.epochChanged, true);
    const meta = await store.meta();
    assert.deepEqual([meta.epoch, meta.cursor], ["e0000000000000000000000000000003", 3]);
    c.close();
  });

  test("a push of 1 KiB or more is sent gzip-compressed, a smaller one as it is", async () => {
    const { gunzipSync } = await import("node:zlib");
    const seen = [];
    handler = (req, body) => {
      if (req.method !== "POST") return json(page({}));
      const raw = Buffer.from(body, "latin1");
      const text = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
      seen.push([req.headers["content-encoding"] ?? "none", raw.length, text.length]);
      const pushed = JSON.parse(text).events;
      return json(page({ cursor: 10, results: pushed.map((e) => ({ uuid: e.uuid, status: "accepted" })) }));
    };
    const { client: c } = await client(); // EVENT pending: a small push
    await c.sync();
    await c.record("item-big", "set", "x".repeat(10_000));
    await c.sync();
    assert.equal(seen[0][0], "none");
    assert.equal(seen[1][0], "gzip");
    assert.ok(seen[1][1] < seen[1][2] / 10, String(seen[1]));
    c.close();
  });

  test("a timestamp of millions of digits is bad_response at once, not seconds spent turning it into a bigint", async () => {
    const results = [{ uuid: EVENT.uuid, status: "accepted" }];
    handler = () => json(page({ cursor: 11, events: [{ ...EVENT, timestamp: "@" }], results }).replace('"@"', "9".repeat(16_000_000)));
    const { store, client: c } = await client();
    const started = performance.now();
    await assert.rejects(c.sync(), (e) => e instanceof SyncError && e.code === "bad_response");
    const ms = performance.now() - started;
    assert.ok(ms < 2_000, `${ms} ms`);
    assert.equal((await store.meta()).cursor, 10);
    assert.equal((await store.pending()).length, 1);
    assert.equal((await store.history()).length, 0);
    c.close();
  });

  test("a redirect is not followed: the sync fails as network, and the redirect's target never sees the token", async () => {
    const elsewhere = [];
    handler = (req) => {
      if (req.url.startsWith("/elsewhere/")) {
        elsewhere.push(req.url);
        return json(page({ results: [{ uuid: EVENT.uuid, status: "accepted" }] }));
      }
      return { status: 307, type: "text/plain", body: "", headers: { Location: `${url}/elsewhere${req.url}` } };
    };
    const { store, client: c } = await client();
    await assert.rejects(c.sync(), (e) => e instanceof SyncError && e.code === "network" && e.isTransient);
    assert.deepEqual(elsewhere, []);
    assert.equal((await store.pending()).length, 1);
    c.close();
  });

  for (const retryAfter of ["99999999999", "Fri, 31 Dec 9999 23:59:59 GMT"]) {
    test(`a watch told Retry-After: ${retryAfter} waits instead of retrying at once, and stop() still ends it`, async () => {
      let requests = 0;
      handler = () => {
        requests++;
        return { ...json('{"code":"unavailable","status":503}', 503, "application/problem+json"), headers: { "Retry-After": retryAfter } };
      };
      const c = await SyncClient.open({ server: url, store: await syncedStore() });
      const watch = c.watch();
      await waitFor(() => c.status().lastError?.code === "unavailable", { what: "the 503 to show" });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(requests, 1);
      assert.ok(c.status().lastError.retryAfter > 2 ** 31 / 1000);
      watch.stop();
      await watch.done;
      assert.equal(c.status().watching, false);
      c.close();
    });
  }

  test("plain http:// to another machine is refused unless allowed", async () => {
    const store = new MemoryStore();
    await assert.rejects(SyncClient.open({ server: "http://sync.example.com", store }), TypeError);
    await assert.rejects(SyncClient.open({ server: "ftp://127.0.0.1", store }), TypeError);
    for (const ok of ["http://localhost:1", "http://127.0.0.2:1", "http://[::1]:1", "https://sync.example.com/base"])
      (await SyncClient.open({ server: ok, store })).close();
    (await SyncClient.open({ server: "http://sync.example.com", store, allowInsecureHttp: true })).close();
  });
});
