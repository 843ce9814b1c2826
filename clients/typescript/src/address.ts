import { badResponse } from "./errors.js";
import { parseJson } from "./json.js";

/** The user uuid of a token: its JWT `sub` claim. */
export function subjectOf(token: string): string {
  const part = token.split(".")[1];
  if (part === undefined) throw badResponse("the token is not a JWT");
  try {
    const binary = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const claims = parseJson(new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    const sub = (claims as { sub?: unknown }).sub;
    if (typeof sub === "string" && sub.length > 0) return sub;
  } catch (error) {
    throw badResponse("the token's claims are not readable", error);
  }
  throw badResponse("the token has no sub claim");
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The base URL (ending in `/`); plain http:// only to loopback unless `allowInsecureHttp`. */
export function serverAddress(server: string | URL, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(String(server));
  } catch {
    throw new TypeError(`server '${String(server)}' is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`server must be https:// or http://, not ${url.protocol}`);
  const host = url.hostname.toLowerCase();
  const loopback = host === "localhost" || host.endsWith(".localhost") || LOOPBACK_V4.test(host) || host === "[::1]";
  if (url.protocol === "http:" && !loopback && !allowInsecureHttp)
    throw new TypeError(
      `plain http:// to ${url.hostname} would send the password and token unencrypted: use https://, or set allowInsecureHttp on a network you trust`,
    );
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}
