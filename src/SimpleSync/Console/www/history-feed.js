// The history as the console holds it: the newest page at first, older pages on demand, and
// every accepted event as it lands (GET /sync/stream). Events carry no seq, so the feed keeps a
// bound instead: every event with seq in (lower, cursor] is loaded, and a page read back from
// below `lower` may repeat events already held, which are known by uuid.
import { ApiError, api, endSession, parseJson, request } from "./api.js";
import { readEvents } from "./sse.js";

const maxSeq = "9223372036854775807";

export class HistoryFeed {
  /**
   * `onEvents(kind, events)`: kind "reset" (everything replaced), "older" (events put before the
   * oldest) or "live" (events after the newest). `onStatus(state, text)`: "connecting", "live",
   * "waiting". `maxEvents` bounds what is kept: past it the oldest are let go.
   */
  constructor({ signal, onEvents, onStatus, pageSize = 100, maxEvents = 50_000 }) {
    Object.assign(this, { signal, onEvents, onStatus, pageSize, maxEvents });
    this.events = [];
    this.uuids = new Set();
    this.lower = 0;
    this.cursor = 0;
    this.epoch = null;
  }

  get atBeginning() {
    return this.lower === 0;
  }

  /** Loads the newest page, then follows the stream until the signal aborts. */
  async start() {
    await this.loadNewest();
    this.follow();
  }

  async loadNewest() {
    this.onStatus("connecting", "Loading the newest events…");
    // GET /sync from past the end answers no events, and Sync-Cursor tells the head.
    const probe = await request("GET", `/sync?cursor=${maxSeq}&limit=1`, { signal: this.signal });
    const head = Number(probe.headers.get("Sync-Cursor") ?? "0");
    this.events = [];
    this.uuids.clear();
    this.lower = Math.max(0, head - this.pageSize);
    const { events, cursor, epoch } = await this.readRange(this.lower, head);
    this.epoch = epoch;
    this.cursor = cursor;
    this.add(events, "append");
    this.onEvents("reset", this.events);
  }

  /** Loads about one page before the oldest event held; resolves to the events added. */
  async loadOlder() {
    if (this.lower === 0) return [];
    const from = Math.max(0, this.lower - this.pageSize);
    const { events, epoch } = await this.readRange(from, this.lower);
    if (epoch !== this.epoch) {
      await this.loadNewest();
      return [];
    }
    const older = events.filter((e) => !this.uuids.has(e.uuid.toLowerCase()));
    this.lower = from;
    this.add(older, "prepend");
    this.onEvents("older", older);
    return older;
  }

  /** Every event with seq above `from`, up to `to` at least (a page may also hold some after it). */
  async readRange(from, to) {
    const events = [];
    let cursor = from;
    let epoch = null;
    for (;;) {
      const page = await api("GET", `/sync?cursor=${cursor}&limit=${this.pageSize}`, { signal: this.signal });
      epoch = page.epoch;
      events.push(...withSeqs(page.events, cursor, page.cursor));
      cursor = page.cursor;
      if (!page.more || cursor >= to) return { events, cursor, epoch };
    }
  }

  /** Adds `events`; true when the oldest were let go, and "reset" (with every event held) was reported. */
  add(events, where) {
    for (const e of events) this.uuids.add(e.uuid.toLowerCase());
    if (where === "prepend") this.events.unshift(...events);
    else this.events.push(...events);
    // Only live events push the oldest out: a page the operator asked for stays. Trimmed to 90%
    // of the bound, so the full redraw a "reset" costs comes once per many messages, not each one.
    if (where !== "append" || this.events.length <= this.maxEvents) return false;
    const dropped = this.events.splice(0, this.events.length - Math.floor(this.maxEvents * 0.9));
    for (const e of dropped) {
      this.uuids.delete(e.uuid.toLowerCase());
      this.lower = Math.max(this.lower, e.seqAtMost);
    }
    this.onEvents("reset", this.events);
    return true;
  }

  /** Reads the live stream from the cursor; reconnects after a growing pause until the page is left. */
  async follow() {
    let pause = 250;
    let reload = false;
    while (!this.signal.aborted) {
      let opened = null;
      let delivered = false;
      try {
        if (reload) {
          reload = false;
          await this.loadNewest();
        }
        this.onStatus("connecting", "Connecting to the live stream…");
        const epoch = this.epoch ? `&epoch=${encodeURIComponent(this.epoch)}` : "";
        const response = await request("GET", `/sync/stream?cursor=${this.cursor}${epoch}`, { signal: this.signal, accept: "text/event-stream" });
        opened = Date.now();
        const end = await this.readStream(response.body, () => (delivered = true));
        if (end === "stop") return;
        // A reload waits out the same pause: a server changing epochs over and over cannot spin it.
        reload = end === "reload";
      } catch (error) {
        if (this.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) return; // the session has ended
        if (error instanceof ApiError && error.retryAfter) pause = Math.max(pause, error.retryAfter * 1000);
        this.onStatus("waiting", `The live stream stopped (${error.message}); reconnecting…`);
      }
      // Only a stream that was of use starts the pauses over: one the server ends right after
      // hello (turning connections away) must not bring a reconnect every few hundred ms.
      if (delivered || (opened !== null && Date.now() - opened >= 10_000)) pause = 250;
      // Jittered, so that many consoles do not come back at the same moment.
      await sleep(pause * (0.5 + Math.random() / 2), this.signal);
      pause = Math.min(pause * 2, 15_000);
    }
  }

  /** Applies one stream's messages; resolves to "stop", "reload" or "reconnect". `delivered()` runs when events arrive. */
  async readStream(body, delivered) {
    for await (const message of readEvents(body)) {
      if (this.signal.aborted) return "stop";
      if (message.event === "hello") {
        this.onStatus("live", "Live");
      } else if (message.event === "events" || message.event === "message") {
        const seq = Number(message.id);
        const events = withSeqs(parseJson(message.data), this.cursor, seq).filter((e) => !this.uuids.has(e.uuid.toLowerCase()));
        this.cursor = seq;
        if (events.length > 0) delivered();
        // A trim already reported every event held, these included, as a "reset".
        if (!this.add(events, "append")) this.onEvents("live", events);
      } else if (message.event === "end") {
        const { reason, detail } = JSON.parse(message.data);
        if (reason === "revoked" || reason === "token_expired") {
          endSession("The server ended your sign-in (your password or username changed, or the token expired). Sign in again.");
          return "stop";
        }
        if (reason === "epoch_changed") return "reload";
        this.onStatus("waiting", `The server ended the live stream (${reason}: ${detail}); reconnecting…`);
        return "reconnect";
      }
    }
    this.onStatus("waiting", "The live stream closed; reconnecting…");
    return "reconnect";
  }
}

/**
 * Each event with `seq` when the page's seqs are consecutive (then known exactly), and
 * `seqAtMost`, a bound that always holds: seqs within one page are above `after` and at most `last`.
 */
function withSeqs(events, after, last) {
  const exact = last - after === events.length;
  return events.map((e, k) => ({ ...e, seq: exact ? after + 1 + k : null, seqAtMost: exact ? after + 1 + k : last }));
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
