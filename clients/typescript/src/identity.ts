/*
 * Who is asking, sent on every request (protocol.md, "Identifying the device"): `Sync-Device`
 * names the local store, so a server can tell a user's devices apart; `Sync-Client` names the SDK
 * and the app with their versions. Neither is a secret or proves anything: the token does that.
 * Not `User-Agent`, which browsers do not let scripts set.
 */

export const SDK_NAME = "simplesync-js";
/** The package version; a test checks it against package.json. */
export const SDK_VERSION = "0.1.0";

const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
// RFC 9110 tchar: what a product name or version in a User-Agent-like header may hold.
const PRODUCT_PART = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,64}$/;

/** 128 random bits as 32 lowercase hexadecimal digits. */
export function newDeviceId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** 1–64 characters of `[A-Za-z0-9_-]`: what a server takes as a device id. */
export function isDeviceId(value: unknown): value is string {
  return typeof value === "string" && DEVICE_ID.test(value);
}

/**
 * The `Sync-Client` value, `simplesync-js/0.1.0 todo-web/1.2.0`: at most 2 × 64 + 1 characters of
 * the app after the SDK's, within the 200 allowed. A name or version that is not an HTTP token is
 * a TypeError naming the option.
 */
export function clientHeader(appName: string | undefined, appVersion: string | undefined): string {
  for (const [option, value] of [["appName", appName], ["appVersion", appVersion]] as const)
    if (value !== undefined && (typeof value !== "string" || !PRODUCT_PART.test(value)))
      throw new TypeError(`${option} must be 1–64 letters, digits or !#$%&'*+-.^_\`|~ (an HTTP token, no spaces or '/'), not '${String(value)}'`);
  if (appVersion !== undefined && appName === undefined) throw new TypeError("appVersion needs appName as well");
  const app = appName === undefined ? "" : ` ${appName}${appVersion === undefined ? "" : `/${appVersion}`}`;
  return `${SDK_NAME}/${SDK_VERSION}${app}`;
}
