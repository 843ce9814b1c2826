/**
 * The JSON shapes of the SimpleSync protocol (docs/protocol.md), exactly as they travel.
 *
 * These are plain interfaces of the JSON text. `timestamp` is typed `number` because the JSON
 * holds a bare integer, but it ranges over 0…2^64−1, beyond what a JavaScript number holds
 * exactly: the SDK never reads answers with `JSON.parse`. Its own reader (`json.ts`) turns every
 * `timestamp` member into a `bigint`, and its writer writes a `bigint` as a bare integer. The
 * public API (`Event`) uses `bigint`.
 */

import type { pushStatuses, rejectionReasons, ServerErrorCode, streamEndReasons } from "./errors.js";

/** An event on the wire: exactly these six members. */
export interface WireEvent {
  /** Canonical UUID text (UUIDv7 for events this SDK records); compared case-insensitively. */
  uuid: string;
  /** Integer 0…2^64−1, milliseconds since the Unix epoch by convention. See the note above. */
  timestamp: number;
  userUuid: string;
  itemUuid: string;
  action: string;
  /** A string, usually JSON. */
  payload: string;
}

/** `POST /sync` body. */
export interface SyncRequest {
  cursor: number;
  events: WireEvent[];
}

/** `GET /sync?cursor=N[&limit=K]` answer. */
export interface PullAnswer {
  epoch: string;
  events: WireEvent[];
  cursor: number;
  more: boolean;
}

export type PushStatus = (typeof pushStatuses)[number];

export type RejectionReason = (typeof rejectionReasons)[number];

/** One entry of `SyncAnswer.results`, in request order. */
export interface PushResult {
  /** The uuid as it was sent; `null` for a pushed element without a string uuid. */
  uuid: string | null;
  status: PushStatus;
  /** With `status: "rejected"` only. */
  reason?: RejectionReason;
  /** With `status: "rejected"` only: what was wrong, for people. */
  detail?: string;
}

/** `POST /sync` answer: a pull answer plus one result per pushed event. */
export interface SyncAnswer extends PullAnswer {
  results: PushResult[];
}

export type ProblemCode = ServerErrorCode;

/** Every error answer (`application/problem+json`, RFC 9457, plus `code`). */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ProblemCode;
  /** Validation errors: field name → problems. */
  errors?: Record<string, string[]>;
}

/** `POST /auth/token` body. */
export interface TokenRequest {
  username: string;
  password: string;
}

/** `POST /auth/token` answer. The token is a JWT whose `sub` claim is the user uuid. */
export interface TokenAnswer {
  token: string;
}

/** `data` of the first message of every live stream (`event: hello`). */
export interface StreamHello {
  epoch: string;
  /** The seq the stream continues after. */
  cursor: number;
}

export type StreamEndReason = keyof typeof streamEndReasons;

/** `data` of `event: end`, the last message of a live stream. */
export interface StreamEnd {
  reason: StreamEndReason;
  detail: string;
}
