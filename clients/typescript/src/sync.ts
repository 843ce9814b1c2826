import { readPage, readResults, type CheckedResult } from "./answers.js";
import { gzipped } from "./compress.js";
import { badResponse, SyncError } from "./errors.js";
import { toWire, uuidKey, type Event, type Rejection } from "./event.js";
import { stringifyJson, type JsonValue } from "./json.js";
import type { Store, StoreMeta } from "./store.js";
import type { Transport } from "./transport.js";

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

/** Runs a request made with a token; a 401 becomes `login_required`. */
export type Authorized = <T>(token: string | null, request: () => Promise<T>) => Promise<T>;

const MAX_EPOCH_CHANGES_PER_SYNC = 3;
const LARGE_PUSH_BYTES = 64 * 1024;
const utf8 = new TextEncoder();

/**
 * The sync algorithm of protocol.md: push what was pending when the sync began, in batches
 * bounded by count and bytes, pull while `more`, apply each answer in one store transaction,
 * and start over from cursor 0 when the epoch changes. The batch limits shrink on 413 and stay
 * small for the life of the client.
 */
export class Syncer {
  constructor(
    private readonly store: Store,
    private readonly transport: Transport,
    private readonly now: () => number,
    private readonly authorized: Authorized,
    private maxPushEvents: number,
    private maxPushBytes: number,
    private readonly compress: boolean,
  ) {}

  /** One sync; the caller holds the store's lock. */
  async run(signal: AbortSignal | undefined): Promise<SyncResult> {
    const result: SyncResult = { accepted: [], duplicates: [], rejected: [], pulled: 0, epochChanged: false };
    let todo = await this.store.pending(); // what was pending when the sync began; later events wait
    let needPull = true;
    let epochChanges = 0;
    const cuts = new Map<string, number>();
    let leftPending: Event | null = null;
    while (todo.length > 0 || needPull) {
      const meta = await this.store.meta();
      if (meta.token === null) throw new SyncError("login_required", "not logged in; pending events are kept");
      const { batch, body, bytes } = this.takeBatch(todo, meta.cursor);
      let answer: JsonValue;
      let compressedLength: number | null = null;
      try {
        const compressed = batch.length > 0 && this.compress ? await gzipped(body, bytes) : null;
        compressedLength = compressed?.length ?? null;
        answer = await this.authorized(meta.token, () =>
          batch.length > 0
            ? this.transport.json({
                method: "POST",
                path: "sync",
                body: compressed ?? body,
                headers: compressed === null ? {} : { "Content-Encoding": "gzip" },
                token: meta.token,
                signal,
              })
            : this.transport.json({ method: "GET", path: "sync", query: { cursor: String(meta.cursor) }, token: meta.token, signal }),
        );
      } catch (error) {
        if (!(error instanceof SyncError) || batch.length === 0) throw error;
        const sent = compressedLength ?? bytes;
        const verdict = error.code === "too_large" ? "too_large" : await this.cutForSize(error, sent, batch, cuts, meta, signal);
        if (verdict === "failed") throw error;
        if (verdict === "skip") {
          // Only a guess: the event stays pending for the next sync, and the rest goes on now.
          leftPending = batch[0]!;
          todo = todo.slice(1);
        } else if (verdict === "too_large" && !(await this.shrink(batch, error, result))) {
          todo = todo.slice(1);
        }
        continue;
      }
      const page = readPage(answer, meta.cursor, meta.epoch);
      const results = batch.length > 0 ? readResults(answer, batch) : [];
      if (meta.epoch !== null && page.epoch !== meta.epoch) {
        if (++epochChanges > MAX_EPOCH_CHANGES_PER_SYNC) throw badResponse("the server's epoch keeps changing");
        todo = await this.changeEpoch(meta, batch, results, todo, result);
        needPull = true;
        continue;
      }
      const pushed = byStatus(batch, results);
      const applied = await this.store.apply({
        position: { expectEpoch: meta.epoch, epoch: page.epoch, cursor: page.cursor },
        events: page.events,
        removePending: batch.map((e) => e.uuid),
        rejections: pushed.rejected,
      });
      if (!applied) {
        // Another client of this store handled an epoch change meanwhile: go on from its state.
        todo = await this.stillPending(todo);
        continue;
      }
      addTo(result, pushed);
      result.pulled += page.events.length;
      todo = todo.slice(batch.length);
      needPull = page.more;
    }
    if (leftPending !== null) {
      throw new SyncError(
        "network",
        `event ${leftPending.uuid} could not be pushed: the connection was cut each time, as a server or proxy does with a body too large for it; it stays pending`,
      );
    }
    return result;
  }

  /**
   * After a 413: halves the limits for a batch of several events (returns true: push again), or
   * rejects a single event as `payload_too_large`, as no push can ever carry it and it must not
   * block what follows (returns false: it left pending).
   */
  private async shrink(batch: readonly Event[], error: SyncError, result: SyncResult): Promise<boolean> {
    if (batch.length > 1) {
      this.maxPushEvents = Math.max(1, Math.floor(batch.length / 2));
      this.maxPushBytes = Math.max(1, Math.floor(this.maxPushBytes / 2));
      return true;
    }
    const rejection: Rejection = { event: batch[0]!, reason: "payload_too_large", detail: error.message };
    await this.store.apply({ events: [], removePending: [batch[0]!.uuid], rejections: [rejection] });
    result.rejected.push(rejection);
    return false;
  }

  /**
   * The epoch change of protocol.md. The results of the push that revealed it hold for the new
   * store (only its events and cursor mean nothing here), so those events leave pending now
   * rather than coming back as duplicates of themselves. Returns what this sync still pushes:
   * the events moved back (first), then the rest of what was pending when it began.
   */
  private async changeEpoch(
    meta: StoreMeta,
    batch: readonly Event[],
    results: readonly CheckedResult[],
    todo: readonly Event[],
    result: SyncResult,
  ): Promise<Event[]> {
    if (batch.length > 0) {
      const pushed = byStatus(batch, results);
      await this.store.apply({ events: [], removePending: batch.map((e) => e.uuid), rejections: pushed.rejected });
      addTo(result, pushed);
      todo = todo.slice(batch.length);
    }
    const moved = (await this.store.resetEpoch(meta.epoch!, meta.userUuid, this.now())) ?? [];
    result.epochChanged = true;
    return this.stillPending([...moved, ...todo]);
  }

  /**
   * Whether a push that failed with a broken connection was most likely refused for its size.
   * `fetch` cannot send `Expect: 100-continue`, so a server or proxy that refuses a large body by
   * its length may close the connection before its 413 can be read. When such a push was large
   * (64 KiB or more as sent) and the server answers a small request right after, the push is
   * taken as too large: a batch is halved (harmless even if wrong: re-pushed events come back as
   * duplicates). A single event is never rejected on this guess: after the third cut it is left
   * pending for the next sync (`skip`) so that it does not hold up what follows. A timeout is
   * not a cut.
   */
  private async cutForSize(
    error: SyncError,
    bodyBytes: number,
    batch: readonly Event[],
    cuts: Map<string, number>,
    meta: StoreMeta,
    signal: AbortSignal | undefined,
  ): Promise<"too_large" | "retry" | "skip" | "failed"> {
    if (error.code !== "network" || signal?.aborted || bodyBytes < LARGE_PUSH_BYTES || timedOut(error)) return "failed";
    try {
      await this.transport.json({ method: "GET", path: "sync", query: { cursor: String(meta.cursor), limit: "1" }, token: meta.token, signal });
    } catch {
      return "failed"; // the server is not reachable: a network error after all
    }
    if (batch.length > 1) return "too_large";
    const key = uuidKey(batch[0]!.uuid);
    const count = (cuts.get(key) ?? 0) + 1;
    cuts.set(key, count);
    return count >= 3 ? "skip" : "retry";
  }

  /** The first pending events within the count and byte limits (at least one), and the push body with its UTF-8 length. */
  private takeBatch(todo: readonly Event[], cursor: number): { batch: Event[]; body: string; bytes: number } {
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
    const body = `{"cursor":${cursor},"events":[${parts.join(",")}]}`;
    return { batch: todo.slice(0, parts.length), body, bytes: bytes + `{"cursor":${cursor},"events":[]}`.length };
  }

  /** Those of `wanted` that are still pending, in the store's order (events recorded during the sync stay out). */
  private async stillPending(wanted: readonly Event[]): Promise<Event[]> {
    const keys = new Set(wanted.map((e) => uuidKey(e.uuid)));
    return (await this.store.pending()).filter((e) => keys.has(uuidKey(e.uuid)));
  }
}

type Pushed = Pick<SyncResult, "accepted" | "duplicates" | "rejected">;

/** The pushed events sorted by their results. */
function byStatus(batch: readonly Event[], results: readonly CheckedResult[]): Pushed {
  const pushed: Pushed = { accepted: [], duplicates: [], rejected: [] };
  results.forEach((r, i) => {
    const e = batch[i]!;
    if (r.status === "accepted") pushed.accepted.push(e);
    else if (r.status === "duplicate") pushed.duplicates.push(e);
    else pushed.rejected.push({ event: e, reason: r.reason ?? "", detail: r.detail });
  });
  return pushed;
}

function addTo(result: SyncResult, pushed: Pushed): void {
  for (const e of pushed.accepted) result.accepted.push(e);
  for (const e of pushed.duplicates) result.duplicates.push(e);
  for (const r of pushed.rejected) result.rejected.push(r);
}

/** Whether a network error is the request's own timeout rather than a closed connection. */
function timedOut(error: SyncError): boolean {
  return error.cause instanceof DOMException && error.cause.name === "TimeoutError";
}
