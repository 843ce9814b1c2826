// The real SimpleSync server for the tests of the SDK, of clients/openapi-check, of
// samples/web-demo and of the console: `dotnet simple-sync.dll serve` on a free loopback port over
// a SQLite file in a temp directory. It is started on port 0 and says which port it got, and that
// it is ready, through `--ready-file`. It can be stopped and started again on the same port and
// files, so clients see outages and restarts as they would in the field.
//
// The other two packages import this file by relative path, so it needs nothing but Node: the
// SDK's build (dist/) is loaded only by the methods that use it, client() and history().
import { spawn } from "node:child_process";
import { existsSync, watch } from "node:fs";
import { access, mkdtemp, readFile, rm, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = () => import("../../dist/index.js");
const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../../..");
export const serverDll = join(repoRoot, "src/SimpleSync/bin/Debug/net10.0/simple-sync.dll");

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

/**
 * Debian's Chromium through the caller's playwright-core (`chromium` is its browser type: each
 * package with browser tests has its own playwright-core, which this file cannot import).
 */
export function launchChromium(chromium) {
  const executablePath = "/usr/bin/chromium";
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: run scripts/install-chromium.sh`);
  return chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Waits until `condition()` is truthy (polling), failing after `timeoutMs`. */
export async function waitFor(condition, { timeoutMs = 30_000, what = "the condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A loopback port nothing listens on now, for a caller that must name the server's address before
 * the server starts (the web demo's static server points at it). Another process may take it
 * meanwhile; without a reason like that, let the server pick its port (TestServer.start does).
 */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/**
 * The parsed ready file of `simple-sync serve --ready-file path` ({urls, pid, version, store}),
 * once the server has written it: it renames the whole file into place, so the directory's change
 * event means it is complete. Fails when `exited` settles first or after `timeoutMs`.
 */
async function readyFile(path, exited, timeoutMs) {
  const watcher = watch(dirname(path));
  let timer;
  try {
    const appeared = new Promise((resolveAppeared, reject) => {
      watcher.on("change", (_, file) => {
        if (file === basename(path) && existsSync(path)) resolveAppeared();
      });
      watcher.on("error", reject);
    });
    if (!existsSync(path)) {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ready file within ${timeoutMs} ms`)), timeoutMs);
      });
      const early = exited.then((code) => {
        throw new Error(`the server exited with ${code} before it was ready`);
      });
      await Promise.race([appeared, early, timeout]);
    }
    return JSON.parse(await readFile(path, "utf8"));
  } finally {
    clearTimeout(timer);
    watcher.close();
  }
}

export const passwordOf = (username) => `pw-${username}-secret`;

/**
 * The environment of a `simple-sync` process: this one's, without its SIMPLESYNC_* settings (the
 * server refuses unknown ones, and any inherited one would change what is tested), plus `settings`.
 */
function serverEnv(settings) {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith("SIMPLESYNC_"));
  return { ...Object.fromEntries(inherited), DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1", ...settings };
}

export class TestServer {
  constructor(dir, port, env) {
    this.dir = dir;
    this.env = env;
    // Unknown until the first start when no port is given: the server picks one.
    this.port = port ?? null;
    this.url = port ? `http://127.0.0.1:${port}` : null;
    this.dbPath = join(dir, "data", "simple-sync.db");
    this.process = null;
    this.adminToken = null;
    this.log = [];
  }

  /**
   * Starts a server; `env` adds SIMPLESYNC_* settings (e.g. SIMPLESYNC_LIMITS_MAX_BODY_BYTES,
   * SIMPLESYNC_SERVER_CORS_ORIGINS). The server picks a free port unless `port` is given.
   */
  static async start(env = {}, { port } = {}) {
    await access(serverDll).catch(() => {
      throw new Error(`${serverDll} is missing: build the server first (dotnet build src/SimpleSync from the repository root)`);
    });
    const dir = await mkdtemp(join(tmpdir(), "simplesync-test-"));
    await mkdir(join(dir, "data"), { mode: 0o700 });
    const server = new TestServer(dir, port, env);
    try {
      await server.startAgain();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  /** Starts the server (again, after stop(): on the same port and files) and waits until it is ready. */
  async startAgain() {
    const env = serverEnv({
      SIMPLESYNC_SERVER_LISTEN: this.url ?? "http://127.0.0.1:0",
      SIMPLESYNC_SERVER_LOG_LEVEL: "warning",
      SIMPLESYNC_STORAGE_SQLITE_PATH: this.dbPath,
      SIMPLESYNC_AUTH_JWT_SECRET_FILE: join(this.dir, "data", "jwt-secret"),
      SIMPLESYNC_AUTH_LOGIN_MAX_FAILURES: "10000",
      ...this.env,
    });
    const readyPath = join(this.dir, "ready.json");
    // Left over only if a previous server did not stop cleanly; it must not be taken for this one's.
    await rm(readyPath, { force: true });
    const child = spawn("dotnet", [serverDll, "serve", "--ready-file", readyPath], { cwd: this.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    this.process = child;
    const exited = new Promise((r) => child.once("exit", (code) => r(code)));
    this.exited = exited;
    child.stdout.on("data", (d) => this.log.push(String(d)));
    child.stderr.on("data", (d) => this.log.push(String(d)));
    try {
      const ready = await readyFile(readyPath, exited, 60_000);
      this.url = ready.urls[0];
      this.port = Number(new URL(this.url).port);
    } catch (error) {
      await this.stop(); // not left running when it never got ready
      error.message += `\n${this.log.join("")}`;
      throw error;
    }
  }

  async stop() {
    if (this.process === null) return;
    const child = this.process;
    this.process = null;
    child.kill("SIGTERM");
    await this.exited;
  }

  async close() {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  async adminPassword() {
    return (await readFile(join(this.dir, "data", "initial-admin-password"), "utf8")).trim();
  }

  async token(username, password) {
    const r = await fetch(`${this.url}/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (r.status !== 200) throw new Error(`login of ${username}: ${r.status} ${await r.text()}`);
    return (await r.json()).token;
  }

  async admin(method, path, body) {
    this.adminToken ??= await this.token("admin", await this.adminPassword());
    const init = { method, headers: { Authorization: `Bearer ${this.adminToken}` } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(`${this.url}${path}`, init);
  }

  /** Creates a user; returns their uuid. The password is passwordOf(username). */
  async newUser(username) {
    const uuid = `user-${username}`;
    const r = await this.admin("POST", "/admin/users", { uuid, username, password: passwordOf(username) });
    if (r.status !== 201) throw new Error(`creating ${username}: ${r.status} ${await r.text()}`);
    return uuid;
  }

  async setAcl(rules) {
    const r = await this.admin("PUT", "/acl", { rules });
    if (r.status !== 204) throw new Error(`setting the ACL: ${r.status} ${await r.text()}`);
  }

  allowAll() {
    return this.setAcl([{ user: "*", item: "*", action: "*", allow: true }]);
  }

  /** The server's whole history (GET /sync from 0, exact timestamps), in seq order. */
  async history() {
    const events = [];
    let cursor = 0;
    for (;;) {
      const r = await this.admin("GET", `/sync?cursor=${cursor}`);
      const page = (await sdk()).parseJson(await r.text());
      events.push(...page.events.map((e) => ({ ...e })));
      cursor = page.cursor;
      if (!page.more) return events;
    }
  }

  /** One unlabelled value of the server's Prometheus /metrics. */
  async metric(name) {
    const r = await this.admin("GET", "/metrics");
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET /metrics: ${r.status} ${text}`);
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`/metrics has no ${name}`);
    return Number(line.slice(name.length + 1));
  }

  /** A new client on a MemoryStore (or `options.store`), logged in as `username`. */
  async client(username, options = {}) {
    const { SyncClient, MemoryStore } = await sdk();
    const client = await SyncClient.open({ server: this.url, store: options.store ?? new MemoryStore(), ...options });
    await client.login(username, passwordOf(username));
    return client;
  }

  /** `simple-sync <args>` against this server's store (e.g. backup). */
  async cli(...args) {
    const env = serverEnv({
      SIMPLESYNC_STORAGE_SQLITE_PATH: this.dbPath,
      SIMPLESYNC_AUTH_JWT_SECRET_FILE: join(this.dir, "data", "jwt-secret"),
    });
    const child = spawn("dotnet", [serverDll, ...args], { cwd: this.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise((r) => child.once("exit", r));
    if (code !== 0) throw new Error(`simple-sync ${args.join(" ")} exited with ${code}: ${out}`);
    return out;
  }
}
