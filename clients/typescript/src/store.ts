import { compareHistory, uuidKey, type Event, type Rejection } from "./event.js";
import { newDeviceId } from "./identity.js";

/** What the store keeps beside the events. */
export interface StoreMeta {
  /** The highest seq of the authoritative copy (0: none). */
  readonly cursor: number;
  /** The server epoch of the authoritative copy, `null` when unknown. */
  readonly epoch: string | null;
  readonly token: string | null;
  readonly userUuid: string | null;
  readonly username: string | null;
}

export type LoginPatch = Partial<Pick<StoreMeta, "token" | "userUuid" | "username">>;

/** Where the authoritative copy stands, and what an answer moves it to. */
export interface Position {
  /** Apply only while the store's epoch is still this one (`null`: unknown). */
  readonly expectEpoch: string | null;
  readonly epoch: string;
  readonly cursor: number;
}

/** One answer of the server, applied in one transaction. */
export interface Change {
  /** Moves cursor and epoch; the change is not applied when the store's epoch is not `expectEpoch`. */
  readonly position?: Position;
  /** Joins the authoritative copy, skipping uuids (in any case) that are already there. */
  readonly events: readonly Event[];
  /** Leave pending (matched in any case). */
  readonly removePending: readonly string[];
  /** Kept for the app (the most recent 100) until dismissed. */
  readonly rejections: readonly Rejection[];
}

export interface PendingSummary {
  readonly count: number;
  /** When the oldest pending event entered pending (ms since the Unix epoch), `null` if none. */
  readonly oldestSince: number | null;
}

/** Rejections kept until dismissed, most recent first to go when over this. */
export const MAX_KEPT_REJECTIONS = 100;

/**
 * The local store of a client: the authoritative copy in history order, the pending events in
 * recording order, the rejections not yet dismissed, and the meta record (cursor, epoch, login).
 * Every method is one transaction; a resolved write is durable as far as the store can make it.
 */
export interface Store {
  /** Names the store for locks and cross-tab notifications: clients of one name share one store. */
  readonly name: string;
  meta(): Promise<StoreMeta>;
  /**
   * The store's device id, sent as `Sync-Device`: 1–64 characters of `[A-Za-z0-9_-]`, made at
   * random the first time it is asked for and the same from then on, for every client of the
   * store (tabs included) and across restarts. Logins and epoch changes leave it alone.
   */
  deviceId(): Promise<string>;
  updateLogin(patch: LoginPatch): Promise<void>;
  addPending(event: Event, since: number): Promise<void>;
  pending(): Promise<Event[]>;
  pendingSummary(): Promise<PendingSummary>;
  /** The authoritative copy in history order. */
  history(): Promise<Event[]>;
  /** Returns false (and changes nothing) when `change.position.expectEpoch` is no longer the store's epoch. */
  apply(change: Change): Promise<boolean>;
  /**
   * The epoch change of protocol.md: `userUuid`'s events of the authoritative copy go back to
   * pending (history order, before the existing pending events), the rest is dropped, cursor 0,
   * epoch unknown. Returns the events moved, or `null` when the store's epoch is no longer
   * `expectEpoch` (another client of the store did it first).
   */
  resetEpoch(expectEpoch: string, userUuid: string | null, since: number): Promise<Event[] | null>;
  rejected(): Promise<Rejection[]>;
  dismissRejected(uuid: string): Promise<void>;
  /** Calls `listener` when another tab or process changed the store (not for this instance's own writes). */
  onExternalChange(listener: () => void): () => void;
  close(): void;
}

interface PendingRow {
  event: Event;
  since: number;
}

let memoryStores = 0;

/** A store in memory: for tests, servers and apps that keep nothing between runs. */
export class MemoryStore implements Store {
  readonly name: string;
  private metaRecord: StoreMeta = { cursor: 0, epoch: null, token: null, userUuid: null, username: null };
  private historyRows: Event[] = [];
  private readonly historyKeys = new Set<string>();
  private pendingRows: PendingRow[] = [];
  private rejectedRows: Rejection[] = [];
  private readonly device = newDeviceId();

  constructor(name?: string) {
    this.name = name ?? `memory-${++memoryStores}`;
  }

  async meta(): Promise<StoreMeta> {
    return this.metaRecord;
  }

  /** A new device for each MemoryStore: it keeps nothing between runs. */
  async deviceId(): Promise<string> {
    return this.device;
  }

  async updateLogin(patch: LoginPatch): Promise<void> {
    this.metaRecord = { ...this.metaRecord, ...patch };
  }

  async addPending(event: Event, since: number): Promise<void> {
    this.pendingRows.push({ event, since });
  }

  async pending(): Promise<Event[]> {
    return this.pendingRows.map((r) => r.event);
  }

  async pendingSummary(): Promise<PendingSummary> {
    let oldest: number | null = null;
    for (const r of this.pendingRows) oldest = oldest === null ? r.since : Math.min(oldest, r.since);
    return { count: this.pendingRows.length, oldestSince: oldest };
  }

  async history(): Promise<Event[]> {
    return [...this.historyRows];
  }

  async apply(change: Change): Promise<boolean> {
    const position = change.position;
    if (position !== undefined && this.metaRecord.epoch !== position.expectEpoch) return false;
    let sorted = true;
    for (const e of change.events) {
      const key = uuidKey(e.uuid);
      if (this.historyKeys.has(key)) continue;
      this.historyKeys.add(key);
      const last = this.historyRows[this.historyRows.length - 1];
      if (last !== undefined && compareHistory(last, e) > 0) sorted = false;
      this.historyRows.push(e);
    }
    if (!sorted) this.historyRows.sort(compareHistory);
    if (change.removePending.length > 0) {
      const gone = new Set(change.removePending.map(uuidKey));
      this.pendingRows = this.pendingRows.filter((r) => !gone.has(uuidKey(r.event.uuid)));
    }
    if (change.rejections.length > 0)
      this.rejectedRows = [...this.rejectedRows, ...change.rejections].slice(-MAX_KEPT_REJECTIONS);
    if (position !== undefined) {
      const cursor = this.metaRecord.epoch === position.epoch ? Math.max(this.metaRecord.cursor, position.cursor) : position.cursor;
      this.metaRecord = { ...this.metaRecord, epoch: position.epoch, cursor };
    }
    return true;
  }

  async resetEpoch(expectEpoch: string, userUuid: string | null, since: number): Promise<Event[] | null> {
    if (this.metaRecord.epoch !== expectEpoch) return null;
    const pendingKeys = new Set(this.pendingRows.map((r) => uuidKey(r.event.uuid)));
    const moved = this.historyRows.filter((e) => e.userUuid === userUuid && !pendingKeys.has(uuidKey(e.uuid)));
    this.pendingRows = [...moved.map((event) => ({ event, since })), ...this.pendingRows];
    this.historyRows = [];
    this.historyKeys.clear();
    this.metaRecord = { ...this.metaRecord, epoch: null, cursor: 0 };
    return moved;
  }

  async rejected(): Promise<Rejection[]> {
    return [...this.rejectedRows];
  }

  async dismissRejected(uuid: string): Promise<void> {
    const key = uuidKey(uuid);
    this.rejectedRows = this.rejectedRows.filter((r) => uuidKey(r.event.uuid) !== key);
  }

  onExternalChange(): () => void {
    return () => {};
  }

  close(): void {}
}
