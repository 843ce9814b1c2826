// The console's only way to the server: same-origin fetch with the admin's bearer token.
// The token lives in sessionStorage (this tab only, gone when it closes), never in a URL or the DOM.

const tokenKey = "simplesync-console.token";
const usernameKey = "simplesync-console.username";

export const session = {
  get token() {
    return sessionStorage.getItem(tokenKey);
  },
  get username() {
    return sessionStorage.getItem(usernameKey);
  },
  start(token, username) {
    sessionStorage.setItem(tokenKey, token);
    sessionStorage.setItem(usernameKey, username);
  },
  clear() {
    sessionStorage.removeItem(tokenKey);
    sessionStorage.removeItem(usernameKey);
  },
};

const endListeners = new Set();

/** `listener(message)` runs when the server stops taking the token (401, or a stream ended for it). */
export function onSessionEnded(listener) {
  endListeners.add(listener);
}

/** Forgets the token and sends the console back to sign-in with `message`. */
export function endSession(message) {
  session.clear();
  for (const listener of endListeners) listener(message);
}

/**
 * A failed request: `status` (0 when the server could not be reached), the problem's `code` and
 * `errors` (field or path → messages, for 400 invalid), and `retryAfter` in seconds when sent.
 */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(problem?.detail || problem?.title || fallback);
    this.name = "ApiError";
    this.status = status;
    this.code = problem?.code ?? null;
    this.errors = problem && typeof problem.errors === "object" && problem.errors !== null ? problem.errors : {};
    this.retryAfter = null;
  }
}

/**
 * Sends one request; resolves to the Response when it succeeded (2xx, 304), throws ApiError
 * otherwise, or the AbortError when `signal` aborted it. `token` defaults to the session's; a 401
 * for the session's token ends the session.
 */
export async function request(method, path, { body, token = session.token, signal, accept = "application/json" } = {}) {
  const headers = { Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, null, `the server could not be reached (${error.message})`);
  }
  if (response.ok || response.status === 304) return response;
  const problem = await readProblem(response);
  const error = new ApiError(response.status, problem, `${response.status} ${response.statusText}`);
  const retry = Number(response.headers.get("Retry-After"));
  if (Number.isFinite(retry) && retry > 0) error.retryAfter = retry;
  if (response.status === 401 && token && token === session.token) {
    endSession("The server no longer accepts your sign-in (it expired, or your password or username changed). Sign in again.");
  }
  throw error;
}

/** Sends a request and parses its JSON answer (null for 204). */
export async function api(method, path, options) {
  const response = await request(method, path, options);
  return response.status === 204 ? null : parseJson(await response.text());
}

async function readProblem(response) {
  const type = response.headers.get("Content-Type") ?? "";
  if (!/json/i.test(type)) return null;
  try {
    return JSON.parse(await response.text());
  } catch {
    return null;
  }
}

/**
 * JSON.parse, except that every `timestamp` member is kept as its digit string: timestamps are
 * unsigned 64-bit integers, which a JavaScript number holds exactly only up to 2^53.
 */
export function parseJson(text) {
  return JSON.parse(text, (key, value, context) =>
    key === "timestamp" && typeof value === "number" ? (context?.source ?? String(value)) : value,
  );
}

/** A random uuid (crypto.randomUUID only exists on HTTPS and localhost pages). */
export function newUuid() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The users, for showing names next to uuids: uuid → username (empty when the list fails). */
export async function usernames(signal) {
  try {
    const users = await api("GET", "/admin/users", { signal });
    return new Map(users.map((u) => [u.uuid, u.username]));
  } catch (error) {
    if (signal?.aborted) throw error;
    return new Map();
  }
}
