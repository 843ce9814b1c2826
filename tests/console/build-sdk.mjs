// Builds the TypeScript SDK (clients/typescript/dist), which the tests' devices use through the
// shared test server's client(): installs its build tools first if they are missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const sdk = fileURLToPath(new URL("../../clients/typescript/", import.meta.url));
const npm = (...args) => {
  console.log(`build-sdk: npm ${args.join(" ")} (in clients/typescript)`);
  execFileSync("npm", args, { cwd: sdk, stdio: "inherit" });
};

if (!existsSync(new URL("node_modules/", `file://${sdk}`))) npm("ci", "--no-audit", "--no-fund");
npm("run", "--silent", "build");
