// The demo's static server: public/ at /, the SDK's built dist/ at /sdk/, and /config.json
// telling the app which sync server to use. node:http only, no dependencies.
//
//   node server.mjs [--server URL] [--port N] [--host H] [--allow-insecure-http]
import { createHash } from "node:crypto";
import { readFile, readdir, realpath, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = fileURLToPath(new URL(".", import.meta.url));
const publicDir = join(here, "public");
const sdkDir = join(here, "node_modules", "simplesync", "dist");

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/**
 * Starts the static server. `port` 0 takes a free port. Resolves to {url, origin, close()}.
 * The SDK speaks plain http only to a sync server on this machine unless `allowInsecureHttp`
 * (passwords and tokens would cross the network unencrypted).
 */
export async function startDemoServer({ server = "http://127.0.0.1:8080", port = 5173, host = "127.0.0.1", allowInsecureHttp = false } = {}) {
  const serverUrl = new URL(server);
  const config = JSON.stringify({
    server: serverUrl.href.replace(/\/$/, ""),
    allowInsecureHttp: serverUrl.protocol === "http:" && allowInsecureHttp,
  });
  const sdkRoot = await realpath(sdkDir).catch(() => {
    throw new Error(
      `${sdkDir} is missing: run 'npm ci' in samples/web-demo (it links the SDK), then 'npm start' (it builds the SDK)`,
    );
  });
  // Every file is read once, here: what is served, what the service worker keeps (precache.json)
  // and the CSP's hash of the import map are one snapshot, and no request touches the disk.
  // Restart after changing public/ or the SDK. path → [status, content type, body]
  const publicFiles = await readFiles(publicDir, "");
  const sdkFiles = await readFiles(sdkRoot, "/sdk");
  const index = publicFiles.get("/index.html")[2].toString("utf8");
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(index)[1];
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${createHash("sha256").update(importMap).digest("base64")}'`,
    `connect-src 'self' ${serverUrl.origin}`,
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const precache = JSON.stringify([
    "/",
    "/config.json",
    ...[...publicFiles.keys()].filter((f) => f !== "/index.html" && f !== "/sw.js"),
    ...[...sdkFiles.keys()].filter((f) => f.endsWith(".js")),
  ]);
  const files = new Map([
    ...publicFiles,
    ...sdkFiles,
    ["/", publicFiles.get("/index.html")],
    ["/config.json", [200, types[".json"], config]],
    ["/precache.json", [200, types[".json"], precache]],
    // The demo has no icon; saying so plainly keeps a 404 out of every page load's console.
    ["/favicon.ico", [204, "image/x-icon", ""]],
  ]);
  const notFound = [404, "text/plain", "not found\n"];

  const headers = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": csp,
  };
  const answer = (res, status, type, body) => res.writeHead(status, { ...headers, "Content-Type": type }).end(body);

  // Requests here are a line and a few headers: a client slower than that is answered 408 and cut
  // off (a body nobody asked for is read and dropped meanwhile, never kept).
  const limits = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 5_000 };
  const http = createServer(limits, (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...headers, Allow: "GET, HEAD" }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      answer(res, 400, "text/plain", "bad path\n");
      return;
    }
    const [status, type, body] = files.get(path) ?? notFound;
    answer(res, status, type, req.method === "HEAD" ? undefined : body);
  });
  await new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, resolve);
  });
  const address = http.address();
  const origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url: `${origin}/`,
    origin,
    close: () => new Promise((resolve) => http.close(resolve).closeAllConnections()),
  };
}

/** The files under `root` of a type served here, read, by URL path (`prefix` + "/" + path under root). */
async function readFiles(root, prefix) {
  const files = new Map();
  for (const entry of (await readdir(root, { recursive: true })).sort()) {
    const full = join(root, entry);
    const type = types[extname(entry)];
    if (type && (await stat(full)).isFile()) files.set(`${prefix}/${entry.split(sep).join("/")}`, [200, type, await readFile(full)]);
  }
  return files;
}

/** Asks the sync server whether it allows `origin`, as a browser's preflight would. */
async function checkCors(server, origin) {
  try {
    const res = await fetch(new URL("/sync", server), {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    return res.headers.get("access-control-allow-origin") ? "allowed" : "refused";
  } catch {
    return "unreachable";
  }
}

if (process.argv[1] && (await realpath(process.argv[1])) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      server: { type: "string", default: "http://127.0.0.1:8080" },
      port: { type: "string", default: "5173" },
      host: { type: "string", default: "127.0.0.1" },
      "allow-insecure-http": { type: "boolean", default: false },
    },
  });
  const demo = await startDemoServer({
    server: values.server,
    port: Number(values.port),
    host: values.host,
    allowInsecureHttp: values["allow-insecure-http"],
  });
  console.log(`web demo for ${values.server}: open ${demo.url}`);
  console.log(`the sync server must allow this origin: SIMPLESYNC_SERVER_CORS_ORIGINS=${demo.origin}`);
  const url = new URL(values.server);
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol === "http:" && !local && !values["allow-insecure-http"])
    console.log(`warning: the SDK refuses plain http:// to ${url.hostname}; use https://, or --allow-insecure-http on a network you trust`);
  const cors = await checkCors(values.server, demo.origin);
  if (cors === "refused") console.log(`warning: ${values.server} does not allow ${demo.origin} yet; restart it with the variable above`);
  if (cors === "unreachable") console.log(`warning: ${values.server} does not answer yet`);
  process.on("SIGINT", () => demo.close().then(() => process.exit(0)));
  process.on("SIGTERM", () => demo.close().then(() => process.exit(0)));
}
