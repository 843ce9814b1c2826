import { serverAddress, subjectOf } from "./address.js";
import { jsonObject } from "./answers.js";
import { badResponse, SyncError } from "./errors.js";
import { uuidKey, UuidV7, type Event, type Rejection } from "./event.js";
import { stringifyJson } from "./json.js";
import { withStoreLock } from "./locks.js";
import { clientHeader } from "./identity.js";
import { fold, jsonMerge, type JsonObject, type Reducer } from "./reducers.js";
import type { Store, StoreMeta } from "./store.js";
import { Transport, type FetchFunction } from "./transport.js";
import { Syncer, type Authorized, type SyncResult } from "./sync.js";
import { followStream, type StreamContext } from "./watch.js";

export type { SyncResult };

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
  /** Send pushes of 1 KiB or more gzip-compressed where the platform has CompressionStream (default true). */
  compressPushes?: boolean;
  /** A live stream that sends nothing for this long (not even a keep-alive) is reconnected (default 60 s). */
  streamIdleTimeoutMs?: number;
  /**
   * The app's name, sent after the SDK's in the `Sync-Client` header of every request
   * (`simplesync-js/0.1.0 todo-web/1.2.0`), so that the server can tell which app and version each
   * device runs: 1–64 characters of an HTTP token (letters, digits and ``!#$%&'*+-.^_`|~``).
   */
  appName?: string;
  /** The app's version, sent as `appName/appVersion`; only with `appName`, the same characters. */
  appVersion?: string;
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
  private readonly syncer: Syncer;
  private closed = false;

  private constructor(
    private readonly store: Store,
    private readonly transport: Transport,
    private readonly now: () => number,
    private readonly options: typeof defaults & { compressPushes: boolean },
    meta: StoreMeta,
    /**
     * This device's id, sent as `Sync-Device` on every request: 32 random hexadecimal digits made
     * when the store was created and kept in it (the same for every tab, across restarts and
     * logins). Not a secret: an app may show it, as "this device".
     */
    readonly deviceId: string,
  ) {
    this.meta = meta;
    const authorized: Authorized = (token, request) => this.authorized(token, request);
    this.syncer = new Syncer(store, transport, now, authorized, options.maxPushEvents, options.maxPushBytes, options.compressPushes);
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
    const software = clientHeader(options.appName, options.appVersion);
    const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
    const deviceId = await options.store.deviceId();
    const identity = { "Sync-Device": deviceId, "Sync-Client": software };
    const transport = new Transport(base, fetchFn, settings.timeoutMs, settings.maxResponseBytes, identity);
    const client = new SyncClient(
      options.store,
      transport,
      options.now ?? Date.now,
      { ...settings, compressPushes: options.compressPushes ?? true },
      await options.store.meta(),
      deviceId,
    );
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
    const token = jsonObject(answer, "the token answer")["token"];
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
      const result = await withStoreLock(this.store, () => this.syncer.run(options.signal));
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
        const opened = Date.now();
        const end = await followStream(context, signal, () => (failures = 0));
        // After these ends the next stream is expected to work: sync and reconnect at once, unless
        // streams keep ending right away (then back off like after an error).
        const quick = end === "epoch_changed" || end === "max_lifetime" || end === "too_slow";
        if (quick && Date.now() - opened > QUICK_END_MS) continue;
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
    // Listeners run after the current call has returned, so one may start a watch or a sync
    // without recursing into the call that notified it.
    queueMicrotask(() => {
      for (const listener of [...this.listeners]) {
        try {
          listener(reason);
        } catch {
          // A listener's failure is the app's; it must not break a sync.
        }
      }
    });
  }
}

/** A stream that ends sooner than this after opening is reconnected with a backoff, whatever its end. */
const QUICK_END_MS = 1_000;

/** 0.25 s doubling to 15 s, with jitter (between half and all of it). */
function backoff(failures: number): number {
  const ceiling = Math.min(15_000, 250 * 2 ** Math.min(failures, 10));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** The longest timer the platforms keep (2^31−1 ms, about 24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms` (at most MAX_TIMER_MS, so that an enormous Retry-After waits instead of not at all), or until `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

