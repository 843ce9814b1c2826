import type { JsonValue } from "./json.js";

/** An event: never edited, never deleted. `timestamp` is exact over 0…2^64−1. */
export interface Event {
  readonly uuid: string;
  readonly timestamp: bigint;
  readonly userUuid: string;
  readonly itemUuid: string;
  readonly action: string;
  readonly payload: string;
}

/** An event the server refused for good, with its reason code and the server's detail. */
export interface Rejection {
  readonly event: Event;
  readonly reason: string;
  readonly detail: string | null;
}

export const MAX_TIMESTAMP = (1n << 64n) - 1n;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The key that identifies an event in any letter case. */
export function uuidKey(uuid: string): string {
  return uuid.toLowerCase();
}

/** History order: `(timestamp, uuid)` ascending, uuid as ordinal text (UTF-16 code units). */
export function compareHistory(a: Event, b: Event): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/** The event as JSON members (timestamp stays a bigint; the SDK's writer makes it a bare integer). */
export function toWire(e: Event): Record<string, string | bigint> {
  return { uuid: e.uuid, timestamp: e.timestamp, userUuid: e.userUuid, itemUuid: e.itemUuid, action: e.action, payload: e.payload };
}

/** Reads an event of an answer; returns a description of what is wrong instead when it is not valid. */
export function readEvent(value: JsonValue | undefined): Event | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "an event is not an object";
  const { uuid, timestamp, userUuid, itemUuid, action, payload } = value;
  if (typeof uuid !== "string" || !UUID.test(uuid)) return "an event's uuid is not canonical UUID text";
  if (typeof timestamp !== "bigint" || timestamp < 0n || timestamp > MAX_TIMESTAMP)
    return `event ${uuid}: timestamp is not an integer from 0 to 2^64-1`;
  if (typeof userUuid !== "string" || userUuid.length === 0) return `event ${uuid}: userUuid is missing`;
  if (typeof itemUuid !== "string" || itemUuid.length === 0) return `event ${uuid}: itemUuid is missing`;
  if (typeof action !== "string" || action.length === 0) return `event ${uuid}: action is missing`;
  if (typeof payload !== "string") return `event ${uuid}: payload is not a string`;
  return { uuid, timestamp, userUuid, itemUuid, action, payload };
}

/**
 * UUIDv7 (RFC 9562): 48 bits of milliseconds, then 12 bits that count up within a millisecond
 * (so events recorded in one millisecond keep their order by uuid), then 62 random bits.
 */
export class UuidV7 {
  private lastMs = -1;
  private counter = 0;

  next(nowMs: number): string {
    let ms = Math.max(0, Math.floor(nowMs));
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter++;
      if (this.counter > 0xfff) {
        ms++;
        this.counter = 0;
      }
    } else {
      this.counter = randomBytes(2).reduce((a, b) => (a << 8) | b, 0) & 0x3ff; // leave room to count up
    }
    this.lastMs = ms;
    const bytes = randomBytes(16);
    const msHex = ms.toString(16).padStart(12, "0").slice(-12);
    for (let i = 0; i < 6; i++) bytes[i] = parseInt(msHex.slice(i * 2, i * 2 + 2), 16);
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}
