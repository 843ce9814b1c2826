import { isSeq, jsonObject, readEvents } from "./answers.js";
import { badResponse, SyncError } from "./errors.js";
import { JsonSyntaxError, parseJson, type JsonValue } from "./json.js";
import { withStoreLock } from "./locks.js";
import { SseParser, type SseMessage } from "./sse.js";
import type { Store } from "./store.js";
import { anySignal, cancelOnAbort, networkError, type Transport } from "./transport.js";

export interface StreamContext {
  store: Store;
  transport: Transport;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  authorized<T>(token: string | null, request: () => Promise<T>): Promise<T>;
  onLive(): void;
}

/**
 * How a stream ended: an `end` reason of the server (`max_lifetime`, `epoch_changed`, …), or
 * `closed` (the connection ended without one).
 */
export type StreamOutcome = string;

/**
 * Follows `GET /sync/stream` from the store's cursor (as `?cursor=` and `Last-Event-ID`, with
 * `?epoch=` once known) with the token in the Authorization header, applying each `events`
 * message in one store transaction. Returns when the stream ends; throws SyncError on failures.
 * The stream must start with `hello`; a hello of another epoch than the store's ends it as
 * `epoch_changed` before anything is applied, so that the caller syncs first.
 */
export async function followStream(context: StreamContext, signal: AbortSignal, onConnected: () => void): Promise<StreamOutcome> {
  const meta = await context.store.meta();
  if (meta.token === null) throw new SyncError("login_required", "not logged in");
  const query: Record<string, string> = { cursor: String(meta.cursor) };
  if (meta.epoch !== null) query["epoch"] = meta.epoch;

  const connection = new AbortController();
  const linked = anySignal([signal, connection.signal]);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const resetIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () => connection.abort(new SyncError("network", `the live stream sent nothing for ${context.idleTimeoutMs} ms`)),
      context.idleTimeoutMs,
    );
  };
  resetIdle();
  try {
    const response = await context.authorized(meta.token, () =>
      context.transport.send(
        { method: "GET", path: "sync/stream", query, token: meta.token, headers: { "Last-Event-ID": String(meta.cursor) } },
        linked,
        "text/event-stream",
      ),
    );
    if (response.body === null) throw badResponse("the live stream has no body");
    const reader = response.body.getReader();
    cancelOnAbort(reader, linked); // linked is aborted in `finally`, which ends this link too
    const parser = new SseParser(context.maxMessageBytes);
    const state = { cursor: meta.cursor, epoch: meta.epoch, hello: false };
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw networkError(error, linked);
      }
      if (chunk.done) {
        if (linked.aborted) throw networkError(linked.reason, linked); // stopped or idle, not closed by the server
        return "closed";
      }
      resetIdle();
      for (const message of parser.push(chunk.value)) {
        const outcome = await handle(context, message, state, onConnected);
        if (outcome !== null) {
          await reader.cancel().catch(() => {});
          return outcome;
        }
      }
    }
  } finally {
    clearTimeout(idle);
    connection.abort();
  }
}

async function handle(
  context: StreamContext,
  message: SseMessage,
  state: { cursor: number; epoch: string | null; hello: boolean },
  onConnected: () => void,
): Promise<StreamOutcome | null> {
  switch (message.event) {
    case "hello": {
      const hello = jsonObject(data(message), "the stream's hello");
      const { epoch, cursor } = hello;
      if (typeof epoch !== "string" || epoch.length === 0 || !isSeq(cursor)) throw badResponse("the stream's hello lacks epoch or cursor");
      if (state.epoch !== null && epoch !== state.epoch) return "epoch_changed";
      if (cursor !== state.cursor) throw badResponse(`the stream continues after ${cursor}, not after ${state.cursor} as asked`);
      state.epoch = epoch;
      state.hello = true;
      onConnected();
      return null;
    }
    case "events": {
      const events = readEvents(data(message), "a live message");
      const id = message.id === null || !/^\d+$/.test(message.id) ? NaN : Number(message.id);
      if (!isSeq(id) || id <= state.cursor || events.length === 0)
        throw badResponse(`a live message's id '${message.id ?? ""}' is not a seq past its events`);
      if (!state.hello || state.epoch === null) throw badResponse("live events came before the stream's hello");
      const epoch = state.epoch;
      const applied = await withStoreLock(context.store, () =>
        context.store.apply({ position: { expectEpoch: epoch, epoch, cursor: id }, events, removePending: [], rejections: [] }),
      );
      if (!applied) return "epoch_changed"; // another client of the store saw a new epoch: sync first
      state.cursor = id;
      onConnected();
      context.onLive();
      return null;
    }
    case "end": {
      const end = jsonObject(data(message), "the stream's end");
      if (typeof end["reason"] !== "string") throw badResponse("the stream's end has no reason");
      return end["reason"];
    }
    default:
      return null; // unknown message types are for newer clients
  }
}

function data(message: SseMessage): JsonValue {
  try {
    return parseJson(message.data);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw badResponse(`a live '${message.event}' message is not JSON`, error);
    throw error;
  }
}
