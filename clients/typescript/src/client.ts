import { readPage, readResults, type CheckedResult } from "./answers.js";
import { badResponse, SyncError } from "./errors.js";
import { toWire, uuidKey, UuidV7, type Event, type Rejection } from "./event.js";
import { parseJson, stringifyJson, type JsonValue } from "./json.js";
import { withLock } from "./locks.js";
import { fold, jsonMerge, type JsonObject, type Reducer } from "./reducers.js";
import type { Store, StoreMeta } from "./store.js";
import { Transport, type FetchFunction } from "./transport.js";
import { followStream, type StreamContext } from "./watch.js";

export interface SyncClientOptions {
  /** The server's base address; it may have a path (`https://example.com/simple-sync/`). */
  server: string | URL;
  store: Store;
  /** Allow plain `http://` to a host other than this machine (a VPN, a test lab). */
  allowInsecureHttp?: boolean;
  /** The `fetch` to use; default `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** The clock, in milliseconds since the Unix epoch; default `Date.now`. */
  now?: () => number;
  /** Events in one push (default 10,000). */
  maxPushEvents?: number;
  /** JSON bytes of events in one push (default 4 MiB); an event larger than this is pushed alone. */
  maxPushBytes?: number;
  /** Bytes of one answer read at most (default 64 MiB). */
  maxResponseBytes?: number;
  /** Bytes of one live message, blank line to blank line, read at most (default 16 MiB). */
  maxStreamMessageBytes?: number;
  /** Time for one request and its answer (default 60 s). */
  timeoutMs?: number;
  /** A live stream that sends nothing for this long (not even a keep-alive) is reconnected (default 60 s). */
  streamIdleTimeoutMs?: number;
}

export interface SyncResult {
  /** Pushed events the server stored now. */
  accepted: Event[];
  /** Pushed events the server already had (a retry after a lost answer, or an epoch change). */
  duplicates: Event[];
  /** Pushed events refused for good; they left pending. */
  rejected: Rejection[];
  /** Events added to the authoritative copy. */
  pulled: number;
  /** The server's store was restored or re-created, and the client re-synced from scratch. */
  epochChanged: boolean;
}

export interface SyncStatus {
  pendingCount: number;
  /** Milliseconds since the oldest pending event entered pending, `null` when none is pending. */
  oldestPendingAgeMs: number | null;
  lastSync: Date | null;
  lastError: SyncError | null;
  syncing: boolean;
  watching: boolean;
  loggedIn: boolean;
}

/** What changed: `status` is only the status (syncing, watching, an error). */
export type ChangeReason = "record" | "sync" | "live" | "login" | "logout" | "external" | "status" | "rejected";
export type ChangeListener = (reason: ChangeReason) => void;

export interface Watch {
  /** Ends the watch; `done` then resolves. */
  stop(): void;
  /** Resolves when stopped; rejects with the SyncError that ended it (`login_required`, `bad_response`, …). */
  done: Promise<void>;
}

const defaults = {
  maxPushEvents: 10_000,
  maxPushBytes: 4 * 1024 * 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  maxStreamMessageBytes: 16 * 1024 * 1024,
  timeoutMs: 60_000,
  streamIdleTimeoutMs: 60_000,
};
const MAX_EPOCH_CHANGES_PER_SYNC = 3;
const utf8 = new TextEncoder();

/** The local-first client: records offline into its store, syncs with the server, follows it live. */
export class SyncClient {
  private meta: StoreMeta;
  private pendingCount = 0;
  private oldestPendingSince: number | null = null;
  private lastSync: Date | null = null;
  private lastError: SyncError | null = null;
  private syncs = 0;
  private readonly watches = new Set<AbortController>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly uuids = new UuidV7();
  private readonly unsubscribe: () => void;
  private maxPushEvents: number;
  private maxPushBytes: number;
  private closed = false;

  private constructor(
    private readonly store: Store,
    private readonly transport: Transport,
    private readonly now: () => number,
    private readonly options: Required<Omit<SyncClientOptions, "server" | "store" | "allowInsecureHttp" | "fetch" | "now">>,
    meta: StoreMeta,
  ) {
    this.meta = meta;
    this.maxPushEvents = options.maxPushEvents;
    this.maxPushBytes = options.maxPushBytes;
    this.unsubscribe = store.onExternalChange(() => void this.refresh().then(() => this.emit("external"), () => {}));
  }

  /** Checks the server address (plain http:// only to this machine unless allowed) and opens the client on its store. */
  static async open(options: SyncClientOptions): Promise<SyncClient> {
    const base = serverAddress(options.server, options.allowInsecureHttp ?? false);
    const settings = { ...defaults };
    for (const key of Object.keys(defaults) as (keyof typeof defaults)[]) {
      const value = options[key];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer`);
      settings[key] = value;
    }
    const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
    const transport = new Transport(base, fetchFn, settings.timeoutMs, settings.maxResponseBytes);
    const client = new SyncClient(options.store, transport, options.now ?? Date.now, settings, await options.store.meta());
    await client.refresh();
    return client;
  }

  get loggedIn(): boolean {
    return this.meta.token !== null;
  }
  get userUuid(): string | null {
    return this.meta.userUuid;
  }
  get username(): string | null {
    return this.meta.username;
  }

  /** Gets a token and stores the login (token, user uuid from its `sub`, username). Wrong credentials: `unauthenticated`. */
  async login(username: string, password: string): Promise<void> {
    const answer = await this.transport.json({ method: "POST", path: "auth/token", body: stringifyJson({ username, password }) });
    const token = typeof answer === "object" && answer !== null && !Array.isArray(answer) ? (answer as { token?: unknown }).token : undefined;
    if (typeof token !== "string" || token.length === 0) throw badResponse("the token answer has no token");
    await this.store.updateLogin({ token, userUuid: subjectOf(token), username });
    await this.refresh();
    this.emit("login");
  }

  /** Forgets the token and the user, and stops watching. The events stay in the store. */
  async logout(): Promise<void> {
    this.watches.forEach((w) => w.abort());
    await this.store.updateLogin({ token: null, userUuid: null, username: null });
    await this.refresh();
    this.emit("logout");
  }

  /** Records a new event, durable in the store when this resolves; allowed at any time, also offline and during a sync. */
  async record(itemUuid: string, action: string, payload: string): Promise<Event> {
    for (const [name, value] of Object.entries({ itemUuid, action, payload }))
      if (typeof value !== "string" || (name !== "payload" && value.length === 0)) throw new TypeError(`${name} must be a non-empty string`);
    const userUuid = this.meta.userUuid;
    if (userUuid === null) throw new SyncError("login_required", "log in before recording: events carry the user's uuid");
    const now = this.now();
    const event: Event = { uuid: this.uuids.next(now), timestamp: BigInt(Math.max(0, Math.floor(now))), userUuid, itemUuid, action, payload };
    await this.store.addPending(event, now);
    await this.refresh();
    this.emit("record");
    return event;
  }

  /** The authoritative copy in history order, then pending events in recording order. */
  async events(): Promise<Event[]> {
    const history = await this.store.history();
    const known = new Set(history.map((e) => uuidKey(e.uuid)));
    // A pending event the server already sent (its push answer was lost) is shown once.
    return [...history, ...(await this.store.pending()).filter((e) => !known.has(uuidKey(e.uuid)))];
  }

  /** Pending events in recording order. */
  pending(): Promise<Event[]> {
    return this.store.pending();
  }

  /** Per-item state folded over `events()`; by default the JSON-merge reducer. */
  async items<S = JsonObject>(reducer?: Reducer<S>): Promise<Map<string, S>> {
    return fold(await this.events(), reducer ?? (jsonMerge as unknown as Reducer<S>));
  }

  /** Rejections kept in the store (the most recent 100) until dismissed. */
  rejected(): Promise<Rejection[]> {
    return this.store.rejected();
  }

  async dismissRejected(uuid: string): Promise<void> {
    await this.store.dismissRejected(uuid);
    this.emit("rejected");
  }

  status(): SyncStatus {
    return {
      pendingCount: this.pendingCount,
      oldestPendingAgeMs: this.oldestPendingSince === null ? null : Math.max(0, this.now() - this.oldestPendingSince),
      lastSync: this.lastSync,
      lastError: this.lastError,
      syncing: this.syncs > 0,
      watching: this.watches.size > 0,
      loggedIn: this.loggedIn,
    };
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Pushes what is pending and pulls what is new: in as many round trips as the limits need,
   * each answer applied in one store transaction. Syncs of clients on one store take turns.
   */
  async sync(options: { signal?: AbortSignal } = {}): Promise<SyncResult> {
    this.syncs++;
    this.emit("status");
    try {
      const result = await withLock(`simplesync:${this.store.name}`, () => this.syncLocked(options.signal));
      this.lastSync = new Date(this.now());
      this.lastError = null;
      return result;
    } catch (error) {
      if (error instanceof SyncError) this.lastError = error;
      throw error;
    } finally {
      this.syncs--;
      await this.refresh().catch(() => {});
      this.emit("sync");
    }
  }

  /** Follows the live stream until stopped: syncs before each connection, reconnects with backoff. */
  watch(options: { signal?: AbortSignal } = {}): Watch {
    const controller = new AbortController();
    const outer = options.signal;
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener("abort", () => controller.abort(), { once: true });
    this.watches.add(controller);
    this.emit("status");
    const done = this.watchLoop(controller.signal).finally(() => {
      this.watches.delete(controller);
      this.emit("status");
    });
    done.catch(() => {}); // the error is in status().lastError too; an app need not await `done`
    return { stop: () => controller.abort(), done };
  }

  /** Stops watching and stops listening to the store. The store stays open: it is the app's. */
  close(): void {
    this.closed = true;
    this.watches.forEach((w) => w.abort());
    this.unsubscribe();
    this.listeners.clear();
  }

  private async syncLocked(signal: AbortSignal | undefined): Promise<SyncResult> {
    const result: SyncResult = { accepted: [], duplicates: [], rejected: [], pulled: 0, epochChanged: false };
    let todo = await this.store.pending(); // what was pending when the sync began; later events wait
    let needPull = true;
    let epochChanges = 0;
    const cuts = new Map<string, number>();
    while (todo.length > 0 || needPull) {
      const meta = await this.store.meta();
      if (meta.token === null) throw new SyncError("login_required", "not logged in; pending events are kept");
      const { batch, body } = this.takeBatch(todo, meta.cursor);
      let answer: JsonValue;
      try {
        answer = await this.authorized(meta.token, () =>
          batch.length > 0
            ? this.transport.json({ method: "POST", path: "sync", body, token: meta.token, signal })
            : this.transport.json({ method: "GET", path: "sync", query: { cursor: String(meta.cursor) }, token: meta.token, signal }),
        );
      } catch (error) {
        if (!(error instanceof SyncError) || batch.length === 0) throw error;
        const verdict = error.code === "too_large" ? "too_large" : await this.cutForSize(error, body, batch, cuts, meta, signal);
        if (verdict === "retry") continue;
        if (verdict !== "too_large") throw error;
        if (batch.length > 1) {
          // A server or proxy with lower limits: halve, and keep the smaller size for this client's life.
          this.maxPushEvents = Math.max(1, Math.floor(batch.length / 2));
          this.maxPushBytes = Math.max(1, Math.floor(this.maxPushBytes / 2));
          continue;
        }
        // Refused even alone: no push can ever carry it, so it must not block what follows.
        const rejection: Rejection = { event: batch[0]!, reason: "payload_too_large", detail: error.message };
        await this.store.apply({ events: [], removePending: [batch[0]!.uuid], rejections: [rejection] });
        result.rejected.push(rejection);
        todo = todo.slice(1);
        continue;
      }
      const page = readPage(answer, meta.cursor, meta.epoch);
      const results = batch.length > 0 ? readResults(answer, batch) : [];
      if (meta.epoch !== null && page.epoch !== meta.epoch) {
        if (++epochChanges > MAX_EPOCH_CHANGES_PER_SYNC) throw badResponse("the server's epoch keeps changing");
        // The results hold for the new store (only its events and cursor mean nothing to us): the pushed
        // events leave pending now rather than coming back as duplicates of themselves.
        if (batch.length > 0) {
          await this.store.apply({ events: [], removePending: batch.map((e) => e.uuid), rejections: rejectionsOf(batch, results) });
          collect(result, batch, results);
          todo = todo.slice(batch.length);
        }
        const moved = (await this.store.resetEpoch(meta.epoch, meta.userUuid, this.now())) ?? [];
        result.epochChanged = true;
        // This sync pushes the events moved back as well (they come first in pending).
        todo = await this.stillPending([...moved, ...todo]);
        needPull = true;
        continue;
      }
      const applied = await this.store.apply({
        position: { expectEpoch: meta.epoch, epoch: page.epoch, cursor: page.cursor },
        events: page.events,
        removePending: batch.map((e) => e.uuid),
        rejections: rejectionsOf(batch, results),
      });
      if (!applied) {
        // Another client of this store handled an epoch change meanwhile: go on from its state.
        todo = await this.stillPending(todo);
        continue;
      }
      collect(result, batch, results);
      result.pulled += page.events.length;
      todo = todo.slice(batch.length);
      needPull = page.more;
    }
    return result;
  }

  /**
   * Whether a push that failed with a broken connection was most likely refused for its size.
   * `fetch` cannot send `Expect: 100-continue`, so a server or proxy that refuses a large body by
   * its length may close the connection before its 413 can be read. When such a push was large
   * (64 KiB or more) and the server answers a small request right after, the push is taken as
   * too large: a batch is halved (harmless even if wrong: re-pushed events come back as
   * duplicates); a single event only after the third such cut, as then it can never be pushed.
   */
  private async cutForSize(
    error: SyncError,
    body: string,
    batch: readonly Event[],
    cuts: Map<string, number>,
    meta: StoreMeta,
    signal: AbortSignal | undefined,
  ): Promise<"too_large" | "retry" | "failed"> {
    if (error.code !== "network" || signal?.aborted || utf8.encode(body).length < 64 * 1024) return "failed";
    try {
      await this.transport.json({ method: "GET", path: "sync", query: { cursor: String(meta.cursor), limit: "1" }, token: meta.token, signal });
    } catch {
      return "failed"; // the server is not reachable: a network error after all
    }
    if (batch.length > 1) return "too_large";
    const key = uuidKey(batch[0]!.uuid);
    const count = (cuts.get(key) ?? 0) + 1;
    cuts.set(key, count);
    return count >= 3 ? "too_large" : "retry";
  }

  /** The first pending events within the count and byte limits (at least one), and the push body. */
  private takeBatch(todo: readonly Event[], cursor: number): { batch: Event[]; body: string } {
    const parts: string[] = [];
    let bytes = 0;
    for (const e of todo) {
      if (parts.length >= this.maxPushEvents) break;
      const json = stringifyJson(toWire(e));
      const size = utf8.encode(json).length + 1;
      if (parts.length > 0 && bytes + size > this.maxPushBytes) break;
      parts.push(json);
      bytes += size;
    }
    return { batch: todo.slice(0, parts.length), body: `{"cursor":${cursor},"events":[${parts.join(",")}]}` };
  }

  /** Those of `wanted` that are still pending, in the store's order (events recorded during the sync stay out). */
  private async stillPending(wanted: readonly Event[]): Promise<Event[]> {
    const keys = new Set(wanted.map((e) => uuidKey(e.uuid)));
    return (await this.store.pending()).filter((e) => keys.has(uuidKey(e.uuid)));
  }

  /**
   * Runs a request made with `token`; a 401 forgets that token (keeping the user and the pending
   * events; a newer login of another tab stays) and becomes `login_required`.
   */
  private async authorized<T>(token: string | null, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof SyncError) || error.status !== 401) throw error;
      if ((await this.store.meta()).token === token) await this.store.updateLogin({ token: null });
      await this.refresh();
      this.emit("logout");
      throw new SyncError("login_required", "the server refused the login (401): log in again; pending events are kept", {
        status: 401,
        problem: error.problem,
        cause: error,
      });
    }
  }

  private async watchLoop(signal: AbortSignal): Promise<void> {
    const context: StreamContext = {
      store: this.store,
      transport: this.transport,
      maxMessageBytes: this.options.maxStreamMessageBytes,
      idleTimeoutMs: this.options.streamIdleTimeoutMs,
      authorized: (token, request) => this.authorized(token, request),
      onLive: () => void this.refresh().then(() => this.emit("live")),
    };
    let failures = 0;
    while (!signal.aborted && !this.closed) {
      try {
        await this.sync({ signal });
        const end = await followStream(context, signal, () => (failures = 0));
        if (end === "epoch_changed" || end === "max_lifetime" || end === "too_slow") continue; // sync, reconnect at once
        await delay(backoff(failures++), signal);
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof SyncError)) throw error;
        this.lastError = error;
        this.emit("status");
        if (!error.isTransient) throw error;
        await delay(Math.max(backoff(failures++), (error.retryAfter ?? 0) * 1000), signal);
      }
    }
  }

  private async refresh(): Promise<void> {
    this.meta = await this.store.meta();
    const summary = await this.store.pendingSummary();
    this.pendingCount = summary.count;
    this.oldestPendingSince = summary.oldestSince;
  }

  private emit(reason: ChangeReason): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(reason);
      } catch {
        // A listener's failure is the app's; it must not break a sync.
      }
    }
  }
}

function rejectionsOf(batch: readonly Event[], results: readonly CheckedResult[]): Rejection[] {
  const rejections: Rejection[] = [];
  results.forEach((r, i) => {
    if (r.status === "rejected") rejections.push({ event: batch[i]!, reason: r.reason ?? "", detail: r.detail });
  });
  return rejections;
}

function collect(result: SyncResult, batch: readonly Event[], results: readonly CheckedResult[]): void {
  results.forEach((r, i) => {
    const e = batch[i]!;
    if (r.status === "accepted") result.accepted.push(e);
    else if (r.status === "duplicate") result.duplicates.push(e);
    else result.rejected.push({ event: e, reason: r.reason ?? "", detail: r.detail });
  });
}

/** 0.25 s doubling to 15 s, with jitter (between half and all of it). */
function backoff(failures: number): number {
  const ceiling = Math.min(15_000, 250 * 2 ** Math.min(failures, 10));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The user uuid of a token: its JWT `sub` claim. */
function subjectOf(token: string): string {
  const part = token.split(".")[1];
  if (part === undefined) throw badResponse("the token is not a JWT");
  try {
    const binary = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const claims = parseJson(new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    const sub = (claims as { sub?: unknown }).sub;
    if (typeof sub === "string" && sub.length > 0) return sub;
  } catch (error) {
    throw badResponse("the token's claims are not readable", error);
  }
  throw badResponse("the token has no sub claim");
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The base URL (ending in `/`); plain http:// only to loopback unless `allowInsecureHttp`. */
function serverAddress(server: string | URL, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(String(server));
  } catch {
    throw new TypeError(`server '${String(server)}' is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`server must be https:// or http://, not ${url.protocol}`);
  const host = url.hostname.toLowerCase();
  const loopback = host === "localhost" || host.endsWith(".localhost") || LOOPBACK_V4.test(host) || host === "[::1]";
  if (url.protocol === "http:" && !loopback && !allowInsecureHttp)
    throw new TypeError(
      `plain http:// to ${url.hostname} would send the password and token unencrypted: use https://, or set allowInsecureHttp on a network you trust`,
    );
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}
