// Starts the built server, generates TypeScript types from its live /openapi/v1.json with
// openapi-typescript, and type-checks code against them: a typed GET /sync call, and that the
// TypeScript SDK's wire types and the generated schemas are assignable both ways. Each check also
// has a deliberately wrong twin that must fail, so a check that cannot fail is noticed.
//
// Needs `dotnet build SimpleSync.slnx` first. OPENAPI_CHECK_WIRE_TS may name another wire.ts (for
// work on the document before the SDK's file exists).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
// The harness the TypeScript SDK's tests start the server with (it needs nothing but Node).
import { repoRoot, TestServer } from "../../typescript/test/support/server.mjs";

const wireTs = resolve(process.env.OPENAPI_CHECK_WIRE_TS ?? join(repoRoot, "clients/typescript/src/wire.ts"));

let server;
let generated;
let lastProgram;

before(async () => {
  server = await TestServer.start();
  const response = await server.admin("GET", "/openapi/v1.json");
  assert.equal(response.status, 200, `GET /openapi/v1.json answered ${response.status}`);
  const document = await response.json();
  generated = join(server.dir, "generated"); // removed with the server's directory
  await mkdir(generated);
  await writeFile(join(generated, "schema.ts"), astToString(await openapiTS(document)));
});

after(async () => {
  await server?.close();
});

test("a typed GET /sync?cursor=&limit= compiles against the generated paths", async () => {
  const diagnostics = await typeCheck("pull.ts", pullCall("{ cursor: 0, limit: 100 }"));
  assert.deepEqual(diagnostics, [], diagnostics.join("\n"));
});

test("a GET /sync call with a wrongly typed limit does not compile", async () => {
  const diagnostics = await typeCheck("pull-wrong.ts", pullCall(`{ cursor: 0, limit: "x" }`));
  // The call is on line 14 of the file; tsc reports the string where a number belongs.
  assert.ok(diagnostics.some((d) => d.startsWith("pull-wrong.ts(14,") && d.includes("'string' is not assignable")),
    `expected the wrong limit to be reported, got:\n${diagnostics.join("\n")}`);
});

// The SDK's wire types against the generated schemas (and answers, where one schema serves two).
const wirePairs = [
  ["WireEvent", `Schemas["Event"]`],
  ["SyncRequest", `Schemas["SyncRequest"]`],
  ["PullAnswer", `paths["/sync"]["get"]["responses"][200]["content"]["application/json"]`],
  ["SyncAnswer", `paths["/sync"]["post"]["responses"][200]["content"]["application/json"]`],
  ["PushResult", `Schemas["PushResult"]`],
  ["Problem", `Schemas["Problem"]`],
  ["TokenRequest", `Schemas["TokenRequest"]`],
  ["TokenAnswer", `Schemas["TokenResponse"]`],
  ["StreamHello", `Schemas["StreamHello"]`],
  ["StreamEnd", `Schemas["StreamEnd"]`],
];

test("the SDK's wire types and the generated schemas are assignable both ways", async () => {
  assert.ok(existsSync(wireTs), `${wireTs} is missing: it comes with the TypeScript SDK (clients/typescript)`);
  const pairs = wirePairs.map(([wire, schema]) => [`Wire.${wire}`, schema]);
  const diagnostics = await typeCheck("wire.ts", mutualChecks(pairs));
  assert.deepEqual(diagnostics, [], diagnostics.join("\n"));
});

test("a wire type that disagrees with its schema does not pass the assignability check", async () => {
  // Stands alone, so it shows the check can fail whatever the SDK's file holds.
  const prelude = `interface WrongEvent { uuid: string; timestamp: string; userUuid: string; itemUuid: string; action: string; payload: string }\n`;
  const diagnostics = await typeCheck("wire-wrong.ts", prelude + mutualChecks([["WrongEvent", `Schemas["Event"]`]], false));
  assert.ok(diagnostics.length >= 2, `expected diagnostics both ways, got:\n${diagnostics.join("\n")}`);
});

/** A minimal typed fetch wrapper over the generated paths, and one call with the given query. */
function pullCall(query) {
  return `import type { components, paths } from "./schema";

type PullQuery = NonNullable<paths["/sync"]["get"]["parameters"]["query"]>;
type PullOk = paths["/sync"]["get"]["responses"][200]["content"]["application/json"];

async function pull(base: string, token: string, query: PullQuery): Promise<PullOk> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const response = await fetch(\`\${base}/sync?\${search}\`, { headers: { Authorization: \`Bearer \${token}\` } });
  return (await response.json()) as PullOk;
}

export async function firstPage(base: string, token: string) {
  const page = await pull(base, token, ${query});
  const answer: { epoch: string; events: components["schemas"]["Event"][]; cursor: number; more: boolean } = page;
  return answer;
}
`;
}

/** Assignments both ways between each pair of types; tsc names the pair and the member that differs. */
function mutualChecks(pairs, importWire = true) {
  const lines = [`import type { components, paths } from "./schema";`, `type Schemas = components["schemas"];`];
  if (importWire) lines.push(`import type * as Wire from ${JSON.stringify(wireTs)};`);
  pairs.forEach(([a, b], i) => {
    lines.push(`declare const a${i}: ${a};`, `export const toSchema${i}: ${b} = a${i};`);
    lines.push(`declare const b${i}: ${b};`, `export const toWire${i}: ${a} = b${i};`);
  });
  return lines.join("\n") + "\n";
}

/** tsc --noEmit --strict on one file beside the generated schema; returns its diagnostics as text. */
async function typeCheck(name, source) {
  const file = join(generated, name);
  await writeFile(file, source);
  // Each check is a program of its own, so that its diagnostics are its own; the previous
  // program lends its parsed files (the DOM library is most of the time).
  const program = (lastProgram = ts.createProgram([file], {
    noEmit: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    types: [],
  }, undefined, lastProgram));
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => generated, getNewLine: () => "\n" };
  return ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, host).trim());
}
