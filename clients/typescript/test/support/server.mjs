// The real SimpleSync server for the tests of the SDK, of clients/openapi-check and of
// samples/web-demo: `dotnet simple-sync.dll serve` on a free loopback port over a SQLite file in a
// temp directory. It can be stopped and started again on the same port and files, so clients see
// outages and restarts as they would in the field.
//
// The other two packages import this file by relative path, so it needs nothing but Node: the
// SDK's build (dist/) is loaded only by the methods that use it, client() and history().
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { access, mkdtemp, readFile, rm, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
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
    this.port = port;
    this.env = env;
    this.url = `http://127.0.0.1:${port}`;
    this.dbPath = join(dir, "data", "simple-sync.db");
    this.process = null;
    this.adminToken = null;
    this.log = [];
  }

  /**
   * Starts a server; `env` adds SIMPLESYNC_* settings (e.g. SIMPLESYNC_LIMITS_MAX_BODY_BYTES,
   * SIMPLESYNC_SERVER_CORS_ORIGINS). `port` is a free one unless given.
   */
  static async start(env = {}, { port } = {}) {
    await access(serverDll).catch(() => {
      throw new Error(`${serverDll} is missing: build the server first (dotnet build src/SimpleSync from the repository root)`);
    });
    const dir = await mkdtemp(join(tmpdir(), "simplesync-test-"));
    await mkdir(join(dir, "data"), { mode: 0o700 });
    const server = new TestServer(dir, port ?? (await freePort()), env);
    try {
      await server.startAgain();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  async startAgain() {
    const env = serverEnv({
      SIMPLESYNC_SERVER_LISTEN: this.url,
      SIMPLESYNC_SERVER_LOG_LEVEL: "warning",
      SIMPLESYNC_STORAGE_SQLITE_PATH: this.dbPath,
      SIMPLESYNC_AUTH_JWT_SECRET_FILE: join(this.dir, "data", "jwt-secret"),
      SIMPLESYNC_AUTH_LOGIN_MAX_FAILURES: "10000",
      ...this.env,
    });
    const child = spawn("dotnet", [serverDll, "serve"], { cwd: this.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    this.process = child;
    const exited = new Promise((r) => child.once("exit", (code) => r(code)));
    this.exited = exited;
    child.stdout.on("data", (d) => this.log.push(String(d)));
    child.stderr.on("data", (d) => this.log.push(String(d)));
    let early = null;
    exited.then((code) => (early = code));
    try {
      await waitFor(
        async () => {
          if (early !== null) throw new Error(`the server exited with ${early}:`);
          try {
            const r = await fetch(`${this.url}/health`);
            return r.status === 200;
          } catch {
            return false;
          }
        },
        { timeoutMs: 60_000, what: "the server's /health" },
      );
    } catch (error) {
      await this.stop(); // not left running when it never answered
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
