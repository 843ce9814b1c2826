// What the browser tests run against: the real simple-sync server from the repository's
// build (started as a process over a temp directory), the demo's static server, and Debian's
// chromium through playwright-core. Waiting is always on a condition, never for a fixed time.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDemoServer } from "../server.mjs";

const dll = fileURLToPath(new URL("../../../src/SimpleSync/bin/Debug/net10.0/simple-sync.dll", import.meta.url));
const chromiumPath = "/usr/bin/chromium";

/**
 * Retries `check` (which throws until it holds) until it passes or `timeout` ms have gone.
 * The default is generous because a test machine may be busy with other work; no test asserts
 * speed.
 */
export async function eventually(check, { timeout = 30_000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real simple-sync server in its own temp directory (data/ under it). */
export class SyncServer {
  #process = null;
  #exited = null;
  #adminToken = null;

  constructor(dir, port, corsOrigin) {
    this.dir = dir;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.dbPath = join(dir, "data", "simple-sync.db");
    this.env = {
      ...process.env,
      DOTNET_CLI_TELEMETRY_OPTOUT: "1",
      DOTNET_NOLOGO: "1",
      SIMPLESYNC_SERVER_LISTEN: this.url,
      SIMPLESYNC_SERVER_CORS_ORIGINS: corsOrigin,
      SIMPLESYNC_STORAGE_SQLITE_PATH: this.dbPath,
      SIMPLESYNC_AUTH_JWT_SECRET_FILE: join(dir, "data", "jwt-secret"),
      SIMPLESYNC_SERVER_LOG_LEVEL: "warning",
    };
    this.log = "";
  }

  /** Starts a server on `port` (a free one if not given) that lets `corsOrigin` call it. */
  static async create({ port, corsOrigin }) {
    assert.ok(existsSync(dll), `${dll} is missing: build the server first (dotnet build src/SimpleSync)`);
    const dir = await mkdtemp(join(tmpdir(), "web-demo-test-"));
    const server = new SyncServer(dir, port ?? (await freePort()), corsOrigin);
    try {
      await server.start();
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  async start() {
    const child = spawn("dotnet", [dll, "serve"], { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdout.on("data", (d) => (this.log += d));
    child.stderr.on("data", (d) => (this.log += d));
    let exited = false;
    this.#exited.then(() => (exited = true));
    try {
      await eventually(
        async () => {
          assert.ok(!exited, `the server exited:\n${this.log}`);
          const res = await fetch(`${this.url}/health`);
          assert.equal(res.status, 200);
        },
        { timeout: 60_000 },
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops the server as an operator would (SIGTERM) and waits for it to exit. */
  async stop() {
    if (!this.#process) return;
    this.#process.kill("SIGTERM");
    await this.#exited;
    this.#process = null;
  }

  async dispose() {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Runs the CLI on this server's store: `simple-sync ARGS…`. */
  cli(...args) {
    const r = spawnSync("dotnet", [dll, ...args], { cwd: this.dir, env: this.env, encoding: "utf8" });
    assert.equal(r.status, 0, `simple-sync ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }

  async api(method, path, { body, token } = {}) {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
  }

  async adminToken() {
    if (!this.#adminToken) {
      const password = (await readFile(join(this.dir, "data", "initial-admin-password"), "utf8")).trim();
      this.#adminToken = (await this.api("POST", "/auth/token", { body: { username: "admin", password } })).token;
    }
    return this.#adminToken;
  }

  /** Creates a user (uuid `u-NAME`, password `NAME-password`) and returns it. */
  async addUser(name) {
    const user = { uuid: `u-${name}`, username: name, password: `${name}-password` };
    await this.api("POST", "/admin/users", { body: user, token: await this.adminToken() });
    return user;
  }

  async setAcl(rules) {
    await this.api("PUT", "/acl", { body: { rules }, token: await this.adminToken() });
  }

  /** The whole history as the server has it, following the cursor from 0. */
  async history() {
    const events = [];
    for (let cursor = 0; ; ) {
      const page = await this.api("GET", `/sync?cursor=${cursor}`, { token: await this.adminToken() });
      events.push(...page.events);
      cursor = page.cursor;
      if (!page.more) return events;
    }
  }

  /** One unlabelled value of the server's Prometheus /metrics. */
  async metric(name) {
    const text = await this.api("GET", "/metrics", { token: await this.adminToken() });
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    assert.ok(line, `/metrics has no ${name}`);
    return Number(line.slice(name.length + 1));
  }
}

/**
 * Everything one test needs: a sync server that allows the demo's origin, the demo's static
 * server pointed at it, two users and an ACL that allows everything (the server denies
 * everything by default). `dispose()` tears it all down.
 */
export async function startStack(browser) {
  const port = await freePort();
  const demo = await startDemoServer({ server: `http://127.0.0.1:${port}`, port: 0 });
  let server;
  let alice;
  let bob;
  try {
    server = await SyncServer.create({ port, corsOrigin: demo.origin });
    alice = await server.addUser("alice");
    bob = await server.addUser("bob");
    await server.setAcl([{ user: "*", item: "*", action: "*", allow: true }]);
  } catch (error) {
    await server?.dispose();
    await demo.close();
    throw error;
  }
  const contexts = [];
  const pageErrors = [];
  return {
    server,
    demo,
    alice,
    bob,
    /** A fresh browser profile (its own IndexedDB), like another device. */
    async device() {
      const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
      context.on("weberror", (e) => pageErrors.push(e.error().message));
      contexts.push(context);
      return context;
    },
    /** Tears everything down; fails when a page threw an uncaught error meanwhile. */
    async dispose() {
      for (const c of contexts) await c.close();
      await server.dispose();
      await demo.close();
      assert.deepEqual(pageErrors, [], "uncaught errors in the app");
    },
  };
}

export async function launchBrowser() {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: run scripts/install-chromium.sh`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Opens the demo in a new page of `context` and waits until the app has started. */
export async function openDemo(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator("html[data-ready]").waitFor();
  return page;
}

export async function logIn(page, user) {
  await page.getByTestId("login-username").fill(user.username);
  await page.getByTestId("login-password").fill(user.password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("add-form").waitFor();
}

export async function addTodo(page, text) {
  await page.getByTestId("new-todo").fill(text);
  await page.getByTestId("add").click();
  await todo(page, text).waitFor();
}

/** The to-do whose text is exactly `text`. */
export function todo(page, text) {
  return page.getByTestId("todo").filter({ has: page.getByTestId("todo-text").getByText(text, { exact: true }) });
}

/** Waits until the page's list is exactly `texts`, in any order. */
export async function expectTodos(page, texts, { timeout } = {}) {
  const want = [...texts].sort();
  await eventually(
    async () => {
      const got = (await page.getByTestId("todo-text").allTextContents()).sort();
      assert.deepEqual(got, want);
    },
    { timeout },
  );
}

export async function pendingCount(page) {
  return Number(await page.getByTestId("status-pending").getAttribute("data-count"));
}

export async function expectPending(page, predicate, description, { timeout } = {}) {
  await eventually(
    async () => {
      const n = await pendingCount(page);
      assert.ok(predicate(n), `pending count ${n} is not ${description}`);
    },
    { timeout },
  );
}
