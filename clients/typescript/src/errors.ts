import type { Problem } from "./wire.js";

/**
 * The codes, mirrored from docs/codes.json (a test checks that they agree exactly).
 * Server codes come in problem+json answers; client codes are the SDK's own.
 */
export const serverErrorCodes = {
  unauthenticated: { statuses: [401], transient: false },
  forbidden: { statuses: [403], transient: false },
  not_found: { statuses: [404], transient: false },
  method_not_allowed: { statuses: [405], transient: false },
  invalid: { statuses: [400, 415], transient: false },
  conflict: { statuses: [400], transient: false },
  too_large: { statuses: [413], transient: false },
  rate_limited: { statuses: [429], transient: true },
  unavailable: { statuses: [503], transient: true },
  internal: { statuses: [500], transient: true },
} as const;

export const clientErrorCodes = {
  login_required: { transient: false },
  network: { transient: true },
  bad_response: { transient: false },
} as const;

export type ServerErrorCode = keyof typeof serverErrorCodes;
export type ClientErrorCode = keyof typeof clientErrorCodes;
export type ErrorCode = ServerErrorCode | ClientErrorCode;

export const pushStatuses = ["accepted", "duplicate", "rejected"] as const;
export const rejectionReasons = ["acl_denied", "invalid_field", "uuid_conflict", "user_mismatch", "payload_too_large"] as const;
/** Stream end reasons; `loginFirst`: the reconnect would be 401, so the user must log in again. */
export const streamEndReasons = {
  max_lifetime: { loginFirst: false },
  server_stopping: { loginFirst: false },
  too_slow: { loginFirst: false },
  revoked: { loginFirst: true },
  token_expired: { loginFirst: true },
  epoch_changed: { loginFirst: false },
} as const;

/** Statuses outside codes.json, typically from a proxy, and the statuses of codes.json by their code. */
const codeByStatus = new Map<number, ErrorCode>([
  [408, "network"],
  [502, "unavailable"],
  [504, "unavailable"],
]);
for (const [code, { statuses }] of Object.entries(serverErrorCodes) as [ServerErrorCode, { statuses: readonly number[] }][])
  if (code !== "conflict") for (const status of statuses) codeByStatus.set(status, code);

/**
 * The code for an HTTP error status when the answer carries no known code of its own.
 * The statuses of codes.json map to their code (400 to `invalid`; `conflict` is told apart only
 * by the problem's `code`). Others, typically from a proxy: 502 and 504 are `unavailable`,
 * 408 is `network`, any other 5xx `internal`, any other 4xx `invalid`.
 */
export function codeForStatus(status: number): ErrorCode {
  return codeByStatus.get(status) ?? (status >= 500 ? "internal" : "invalid");
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && (Object.hasOwn(serverErrorCodes, code) || Object.hasOwn(clientErrorCodes, code));
}

export interface SyncErrorOptions {
  status?: number | null;
  retryAfter?: number | null;
  problem?: Problem | null;
  cause?: unknown;
}

/**
 * Every failure of the SDK. `code` is one of the server's codes or the client's
 * (`login_required`, `network`, `bad_response`); `isTransient` says whether retrying later,
 * unchanged, can succeed. Nothing pending is lost by a failed sync.
 */
export class SyncError extends Error {
  override name = "SyncError";
  readonly code: ErrorCode;
  /** The HTTP status of the answer, or `null` when there was no HTTP answer. */
  readonly status: number | null;
  /** Seconds to wait before retrying (`Retry-After`), or `null`. */
  readonly retryAfter: number | null;
  /** The parsed problem+json body of an error answer, when there was one. */
  readonly problem: Problem | null;

  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? null;
    this.retryAfter = options.retryAfter ?? null;
    this.problem = options.problem ?? null;
  }

  get isTransient(): boolean {
    const code = this.code;
    return Object.hasOwn(serverErrorCodes, code)
      ? serverErrorCodes[code as ServerErrorCode].transient
      : clientErrorCodes[code as ClientErrorCode].transient;
  }

  get isLoginRequired(): boolean {
    return this.code === "login_required";
  }
}

export function badResponse(message: string, cause?: unknown): SyncError {
  return new SyncError("bad_response", `the server's answer breaks the protocol: ${message}`, { cause });
}
