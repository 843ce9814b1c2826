import { uuidKey, type Event, type Rejection } from "./event.js";
import { isDeviceId, newDeviceId } from "./identity.js";
import { MAX_KEPT_REJECTIONS, type Change, type LoginPatch, type PendingSummary, type Store, type StoreMeta } from "./store.js";

/*
 * Schema (version 1), one database per store name:
 *   meta      key "meta" → StoreMeta; key "device" → the device id (apart, so that nothing that
 *             rewrites StoreMeta can lose it)
 *   history   keyPath "k" = [timestamp as 20 zero-padded digits, uuid]: key order is history order
 *             (IndexedDB compares strings by UTF-16 code units, as ordinal text); unique index
 *             "uuid" on the lower-cased uuid, so an event is stored once in any letter case
 *   pending   keyPath "pos", recording order (an epoch change puts events before the first);
 *             index "uuid" on the lower-cased uuid, index "since" on when it entered pending
 *   rejected  auto-increment "n", the most recent MAX_KEPT_REJECTIONS
 * Timestamps are stored as decimal text: exact, and cloneable by every IndexedDB.
 */

const VERSION = 1;
const META_KEY = "meta";
const DEVICE_KEY = "device";

interface StoredEvent {
  uuid: string;
  timestamp: string;
  userUuid: string;
  itemUuid: string;
  action: string;
  payload: string;
}
interface HistoryRow {
  k: [string, string];
  u: string;
  e: StoredEvent;
}
interface PendingRow {
  pos: number;
  u: string;
  s: number;
  e: StoredEvent;
}
interface RejectedRow {
  n?: number;
  u: string;
  e: StoredEvent;
  reason: string;
  detail: string | null;
}

const emptyMeta: StoreMeta = { cursor: 0, epoch: null, token: null, userUuid: null, username: null };

export interface IndexedDbStoreOptions {
  /** The IndexedDB to use; default `globalThis.indexedDB`. */
  indexedDB?: IDBFactory;
}

/**
 * A store in IndexedDB, for browsers. Tabs of one app that open the same name share it: their
 * clients take turns syncing (Web Locks) and hear each other's changes (BroadcastChannel).
 */
export class IndexedDbStore implements Store {
  private readonly listeners = new Set<() => void>();
  private readonly channel: BroadcastChannel | null;

  private constructor(
    readonly name: string,
    private readonly db: IDBDatabase,
  ) {
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(`simplesync:${name}`) : null;
    if (this.channel !== null) this.channel.onmessage = () => this.listeners.forEach((l) => l());
    // Another tab upgrading the schema: let it, this instance is done.
    db.onversionchange = () => db.close();
  }

  /** Opens (or creates) the store of this name. */
  static async open(name: string, options: IndexedDbStoreOptions = {}): Promise<IndexedDbStore> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (factory === undefined) throw new TypeError("IndexedDB is not available here; use MemoryStore");
    const request = factory.open(`simplesync:${name}`, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta");
      db.createObjectStore("history", { keyPath: "k" }).createIndex("uuid", "u", { unique: true });
      const pending = db.createObjectStore("pending", { keyPath: "pos" });
      pending.createIndex("uuid", "u");
      pending.createIndex("since", "s");
      db.createObjectStore("rejected", { keyPath: "n", autoIncrement: true });
    };
    const db = await requested(request);
    return new IndexedDbStore(name, db);
  }

  meta(): Promise<StoreMeta> {
    return this.run(["meta"], "readonly", async (tx) => readMeta(tx));
  }

  async deviceId(): Promise<string> {
    const stored = await this.run(["meta"], "readonly", async (tx) => requested(tx.objectStore("meta").get(DEVICE_KEY)));
    if (isDeviceId(stored)) return stored;
    // Made in one read-write transaction: tabs opening a new store at once agree on one id. A value
    // that is not a device id (written by something else) is replaced rather than sent.
    return this.run(["meta"], "readwrite", async (tx) => {
      const meta = tx.objectStore("meta");
      const again: unknown = await requested(meta.get(DEVICE_KEY));
      if (isDeviceId(again)) return again;
      const id = newDeviceId();
      meta.put(id, DEVICE_KEY);
      return id;
    });
  }

  updateLogin(patch: LoginPatch): Promise<void> {
    return this.run(["meta"], "readwrite", async (tx) => {
      const meta = await readMeta(tx);
      tx.objectStore("meta").put({ ...meta, ...patch }, META_KEY);
    });
  }

  addPending(event: Event, since: number): Promise<void> {
    return this.run(["pending"], "readwrite", async (tx) => {
      const pending = tx.objectStore("pending");
      const last = await requested(pending.openCursor(null, "prev"));
      const pos = last === null ? 0 : (last.key as number) + 1;
      pending.add({ pos, u: uuidKey(event.uuid), s: since, e: store(event) } satisfies PendingRow);
    });
  }

  pending(): Promise<Event[]> {
    return this.run(["pending"], "readonly", async (tx) => {
      const rows = (await requested(tx.objectStore("pending").getAll())) as PendingRow[];
      return rows.map((r) => load(r.e));
    });
  }

  pendingSummary(): Promise<PendingSummary> {
    return this.run(["pending"], "readonly", async (tx) => {
      const pending = tx.objectStore("pending");
      const count = await requested(pending.count());
      const first = await requested(pending.index("since").openCursor());
      return { count, oldestSince: first === null ? null : (first.value as PendingRow).s };
    });
  }

  history(): Promise<Event[]> {
    return this.run(["history"], "readonly", async (tx) => {
      const rows = (await requested(tx.objectStore("history").getAll())) as HistoryRow[];
      return rows.map((r) => load(r.e));
    });
  }

  apply(change: Change): Promise<boolean> {
    return this.run(["meta", "history", "pending", "rejected"], "readwrite", async (tx) => {
      const meta = await readMeta(tx);
      const position = change.position;
      if (position !== undefined && meta.epoch !== position.expectEpoch) return false;
      const history = tx.objectStore("history");
      for (const e of change.events) {
        // An event already there (in any letter case) fails the unique index: skip it, keep the transaction.
        const add = history.add({ k: historyKey(e), u: uuidKey(e.uuid), e: store(e) } satisfies HistoryRow);
        add.onerror = (ev) => {
          if (add.error?.name === "ConstraintError") {
            ev.preventDefault();
            ev.stopPropagation();
          }
        };
      }
      const pending = tx.objectStore("pending");
      for (const uuid of change.removePending) {
        const keys = pending.index("uuid").getAllKeys(uuidKey(uuid));
        keys.onsuccess = () => keys.result.forEach((k) => pending.delete(k));
      }
      if (change.rejections.length > 0) {
        const rejected = tx.objectStore("rejected");
        for (const r of change.rejections)
          rejected.add({ u: uuidKey(r.event.uuid), e: store(r.event), reason: r.reason, detail: r.detail } satisfies RejectedRow);
        const keys = rejected.getAllKeys();
        keys.onsuccess = () => keys.result.slice(0, Math.max(0, keys.result.length - MAX_KEPT_REJECTIONS)).forEach((k) => rejected.delete(k));
      }
      if (position !== undefined) {
        const cursor = meta.epoch === position.epoch ? Math.max(meta.cursor, position.cursor) : position.cursor;
        tx.objectStore("meta").put({ ...meta, epoch: position.epoch, cursor } satisfies StoreMeta, META_KEY);
      }
      return true;
    });
  }

  resetEpoch(expectEpoch: string, userUuid: string | null, since: number): Promise<Event[] | null> {
    return this.run(["meta", "history", "pending"], "readwrite", async (tx) => {
      const meta = await readMeta(tx);
      if (meta.epoch !== expectEpoch) return null;
      const pending = tx.objectStore("pending");
      const pendingRows = (await requested(pending.getAll())) as PendingRow[];
      const pendingKeys = new Set(pendingRows.map((r) => r.u));
      const history = tx.objectStore("history");
      const rows = (await requested(history.getAll())) as HistoryRow[];
      const moved = rows.filter((r) => r.e.userUuid === userUuid && !pendingKeys.has(r.u));
      const firstPos = pendingRows[0]?.pos ?? 0;
      moved.forEach((r, i) => pending.add({ pos: firstPos - moved.length + i, u: r.u, s: since, e: r.e } satisfies PendingRow));
      history.clear();
      tx.objectStore("meta").put({ ...meta, epoch: null, cursor: 0 } satisfies StoreMeta, META_KEY);
      return moved.map((r) => load(r.e));
    });
  }

  rejected(): Promise<Rejection[]> {
    return this.run(["rejected"], "readonly", async (tx) => {
      const rows = (await requested(tx.objectStore("rejected").getAll())) as RejectedRow[];
      return rows.map((r) => ({ event: load(r.e), reason: r.reason, detail: r.detail }));
    });
  }

  dismissRejected(uuid: string): Promise<void> {
    return this.run(["rejected"], "readwrite", async (tx) => {
      const rejected = tx.objectStore("rejected");
      const key = uuidKey(uuid);
      const rows = (await requested(rejected.getAll())) as RejectedRow[];
      for (const r of rows) if (r.u === key && r.n !== undefined) rejected.delete(r.n);
    });
  }

  onExternalChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.channel?.close();
    this.listeners.clear();
    this.db.close();
  }

  /** One transaction; resolves once it has committed (strict durability where supported), then tells other tabs. */
  private async run<T>(names: string[], mode: IDBTransactionMode, body: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    const tx = this.db.transaction(names, mode, mode === "readwrite" ? { durability: "strict" } : undefined);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
    let result: T;
    try {
      result = await body(tx);
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      await done.catch(() => {});
      throw error;
    }
    await done;
    if (mode === "readwrite") this.channel?.postMessage("changed");
    return result;
  }
}

function requested<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

async function readMeta(tx: IDBTransaction): Promise<StoreMeta> {
  const meta = (await requested(tx.objectStore("meta").get(META_KEY))) as StoreMeta | undefined;
  return meta ?? emptyMeta;
}

function historyKey(e: Event): [string, string] {
  return [e.timestamp.toString().padStart(20, "0"), e.uuid];
}

function store(e: Event): StoredEvent {
  return { uuid: e.uuid, timestamp: e.timestamp.toString(), userUuid: e.userUuid, itemUuid: e.itemUuid, action: e.action, payload: e.payload };
}

function load(e: StoredEvent): Event {
  return { uuid: e.uuid, timestamp: BigInt(e.timestamp), userUuid: e.userUuid, itemUuid: e.itemUuid, action: e.action, payload: e.payload };
}
