import { badResponse, codeForStatus, isErrorCode, SyncError, type ErrorCode } from "./errors.js";
import { parseJson, type JsonValue } from "./json.js";
import type { Problem } from "./wire.js";

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface RequestOptions {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string>;
  /** JSON text, or JSON already gzip-compressed (then `headers` carries `Content-Encoding: gzip`). */
  body?: string | Uint8Array<ArrayBuffer>;
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

const MAX_PROBLEM_BYTES = 64 * 1024;

/**
 * HTTP for the SDK: builds URLs under the server address, sends the token and the identity
 * headers, bounds time and the bytes it reads, and turns every failure into a SyncError (network
 * errors → `network`, error answers → their code, anything that breaks the protocol →
 * `bad_response`).
 */
export class Transport {
  constructor(
    private readonly base: URL,
    private readonly fetchFn: FetchFunction,
    private readonly timeoutMs: number,
    private readonly maxResponseBytes: number,
    /** `Sync-Device` and `Sync-Client`, on every request. */
    private readonly identity: Readonly<Record<string, string>>,
  ) {}

  private url(path: string, query?: Record<string, string>): string {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Sends a request and reads its JSON answer exactly (timestamps as bigint), within the timeout and the size cap. */
  async json(options: RequestOptions): Promise<JsonValue> {
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new SyncError("network", `no answer within ${this.timeoutMs} ms`, { cause: new DOMException("timed out", "TimeoutError") })),
      this.timeoutMs,
    );
    const signal = anySignal([timeout.signal, options.signal]);
    try {
      const response = await this.send(options, signal, "application/json");
      const text = await readText(response, this.maxResponseBytes, signal);
      try {
        return parseJson(text);
      } catch (error) {
        throw badResponse(`the answer is not JSON (${(error as Error).message})`, error);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a request; resolves with a 2xx response of the content type asked for (body unread),
   * else throws the SyncError the answer means (`bad_response` for another content type).
   */
  async send(options: RequestOptions, signal: AbortSignal | undefined, accept: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept, ...this.identity, ...options.headers };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.token) headers["Authorization"] = `Bearer ${options.token}`;
    let response: Response;
    try {
      const init: RequestInit = { method: options.method, headers, cache: "no-store", redirect: "error" };
      if (options.body !== undefined) init.body = options.body;
      if (signal !== undefined) init.signal = signal;
      response = await this.fetchFn(this.url(options.path, options.query), init);
    } catch (error) {
      throw networkError(error, signal);
    }
    if (!response.ok) throw await errorFrom(response);
    if (mediaType(response) !== accept) {
      await response.body?.cancel().catch(() => {});
      throw badResponse(`content type '${response.headers.get("content-type") ?? ""}' where ${accept} was expected`);
    }
    return response;
  }
}

/** The SyncError an error answer means: its problem `code` when it is one we know, else by status. */
async function errorFrom(response: Response): Promise<SyncError> {
  let problem: Problem | null = null;
  try {
    const type = mediaType(response);
    if (type === "application/problem+json" || type === "application/json") {
      const value = parseJson(await readText(response, MAX_PROBLEM_BYTES, undefined));
      if (typeof value === "object" && value !== null && !Array.isArray(value) && typeof value["code"] === "string")
        problem = value as unknown as Problem;
    } else await response.body?.cancel();
  } catch {
    // An unreadable error body still has its status.
  }
  const code: ErrorCode = problem !== null && isErrorCode(problem.code) ? problem.code : codeForStatus(response.status);
  const detail = problem?.detail ?? problem?.title ?? response.statusText;
  return new SyncError(code, `${response.status} ${code}${detail ? `: ${detail}` : ""}`, {
    status: response.status,
    retryAfter: parseRetryAfter(response.headers.get("retry-after")),
    problem,
  });
}

export function networkError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof SyncError) return error;
  if (signal?.aborted && signal.reason instanceof SyncError) return signal.reason;
  if (signal?.aborted) return signal.reason ?? error; // the caller's abort: not ours to rename
  return new SyncError("network", `the server could not be reached: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The media type of the answer's Content-Type, lower-cased and without parameters (`""` without one). */
function mediaType(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Reads a body as UTF-8, at most `cap` bytes (more is `bad_response`). */
async function readText(response: Response, cap: number, signal: AbortSignal | undefined): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parts: string[] = [];
  let total = 0;
  const stopCancelling = cancelOnAbort(reader, signal);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        if (signal?.aborted) throw signal.reason ?? new Error("aborted"); // cut short, not complete
        break;
      }
      total += value.byteLength;
      if (total > cap) {
        await reader.cancel().catch(() => {});
        throw badResponse(`the answer is over ${cap} bytes`);
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
    parts.push(decoder.decode());
  } catch (error) {
    if (error instanceof SyncError) throw error;
    if (error instanceof TypeError && /decode|encod/i.test(error.message)) throw badResponse("the answer is not UTF-8", error);
    throw networkError(error, signal);
  } finally {
    stopCancelling();
  }
  return parts.join("");
}

/**
 * Cancels `reader` when `signal` aborts, so that a body being read ends at once, pending read
 * included. fetch should end the body itself when its signal aborts, but Node's fetch keeps its
 * link from the signal to the request weakly: once the request object is collected, an abort
 * (a timeout, stop()) no longer reaches a body still streaming, and a read of a live stream's
 * keep-alives would go on for ever. Returns what removes the link again.
 */
export function cancelOnAbort(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal | undefined): () => void {
  if (signal === undefined) return () => {};
  const cancel = () => void reader.cancel(signal.reason).catch(() => {});
  if (signal.aborted) {
    cancel();
    return () => {};
  }
  signal.addEventListener("abort", cancel, { once: true });
  return () => signal.removeEventListener("abort", cancel);
}

/** An AbortSignal that aborts when any of the given ones does. */
export function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 1) return present[0]!;
  const controller = new AbortController();
  for (const s of present) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener("abort", () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

