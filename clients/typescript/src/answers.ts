import { badResponse, pushStatuses } from "./errors.js";
import { readEvent, type Event } from "./event.js";
import type { JsonValue } from "./json.js";
import type { PushStatus } from "./wire.js";

/** A checked pull answer (`GET /sync`), or the pull half of a `POST /sync` answer. */
export interface Page {
  epoch: string;
  events: Event[];
  cursor: number;
  more: boolean;
}

export interface CheckedResult {
  status: PushStatus;
  reason: string | null;
  detail: string | null;
}

type JsonObject = { [key: string]: JsonValue };

/** The value as a JSON object, else `bad_response` naming `what`. */
export function jsonObject(value: JsonValue, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badResponse(`${what} is not a JSON object`);
  return value;
}

export function isSeq(value: JsonValue | undefined): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function readEvents(value: JsonValue | undefined, what: string): Event[] {
  if (!Array.isArray(value)) throw badResponse(`${what} is not an array of events`);
  return value.map((item) => {
    const e = readEvent(item);
    if (typeof e === "string") throw badResponse(e);
    return e;
  });
}

/**
 * Checks a pull answer against the request: everything protocol.md promises, or `bad_response`.
 * When the answer is of another epoch than the request's, its cursor is not compared with the
 * request's (the client starts over from 0 anyway).
 */
export function readPage(value: JsonValue, requestCursor: number, requestEpoch: string | null): Page {
  const answer = jsonObject(value, "the answer");
  const { epoch, cursor, more } = answer;
  if (typeof epoch !== "string" || epoch.length === 0) throw badResponse("epoch is missing");
  const events = readEvents(answer["events"], "events");
  if (!isSeq(cursor)) throw badResponse("cursor is not an integer from 0 to 2^53-1");
  if (typeof more !== "boolean") throw badResponse("more is missing");
  if (more && events.length === 0) throw badResponse("more without events");
  if (requestEpoch !== null && epoch !== requestEpoch) return { epoch, events, cursor, more };
  if (cursor < requestCursor) throw badResponse(`cursor went back from ${requestCursor} to ${cursor}`);
  if (events.length > 0 && cursor === requestCursor) throw badResponse("events came without a new cursor");
  if (events.length === 0 && cursor !== requestCursor) throw badResponse("the cursor moved without events");
  return { epoch, events, cursor, more };
}

/** Checks the results of a push: one per pushed event, in order, with the uuid as sent. */
export function readResults(value: JsonValue, pushed: readonly Event[]): CheckedResult[] {
  const results = jsonObject(value, "the answer")["results"];
  if (!Array.isArray(results)) throw badResponse("results is missing");
  if (results.length !== pushed.length) throw badResponse(`${results.length} results for ${pushed.length} pushed events`);
  return results.map((item, i) => {
    const r = jsonObject(item, "a result");
    if (r["uuid"] !== pushed[i]!.uuid) throw badResponse(`result ${i} is for another uuid than the event pushed`);
    const status = r["status"];
    if (typeof status !== "string" || !(pushStatuses as readonly string[]).includes(status))
      throw badResponse(`result ${i} has an unknown status`);
    const reason = r["reason"];
    const detail = r["detail"];
    if (status === "rejected" && (typeof reason !== "string" || reason.length === 0)) throw badResponse(`result ${i} is rejected without a reason`);
    return {
      status: status as PushStatus,
      reason: typeof reason === "string" ? reason : null,
      detail: typeof detail === "string" ? detail : null,
    };
  });
}
