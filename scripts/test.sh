#!/usr/bin/env bash
# Runs every test of the repository on a fresh clone: restore, build (warnings are errors),
# the formatting gate, every .NET test project, then the npm packages' tests (installing their
# packages and, for the browser tests, Debian's Chromium). The last line is "N passed, N failed"
# over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT

fail() {
  echo "test.sh: $1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

echo "== restore"
dotnet restore SimpleSync.slnx || fail "restore failed"
echo "== build"
dotnet build SimpleSync.slnx --no-restore -c Debug || fail "build failed (warnings are errors)"
echo "== format"
dotnet format SimpleSync.slnx --verify-no-changes --no-restore || fail "code is not formatted: run 'dotnet format SimpleSync.slnx'"
echo "== test (.NET)"
dotnet test --solution SimpleSync.slnx --no-build --no-ansi --no-progress 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The runner ends with a summary over every test project: "total: N", "failed: N", "succeeded: N".
passed=$(grep -E '^\s*succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
failed=$(grep -E '^\s*failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
if [ -z "$passed" ] || [ -z "$failed" ]; then
  fail "the test runner printed no summary (exit code $status)"
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

# The npm packages: the TypeScript SDK (built first: the others use it), the check of the
# OpenAPI document against it, and the web demo with its tests in Debian's Chromium.
# Each runs `node --test`, whose summary has the lines "ℹ pass N" and "ℹ fail N".
echo "== browser"
if ! ./scripts/install-chromium.sh; then
  echo "test.sh: Chromium could not be installed; the browser tests will fail" >&2
fi
for package in clients/typescript clients/openapi-check samples/web-demo; do
  echo "== test ($package)"
  : >"$log"
  (cd "$package" && npm ci --no-audit --no-fund && npm test) 2>&1 | tee "$log"
  npm_status=${PIPESTATUS[0]}
  npm_passed=$(grep -E '^(ℹ|#) pass [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  npm_failed=$(grep -E '^(ℹ|#) fail [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  if [ -z "$npm_passed" ] || [ -z "$npm_failed" ]; then
    echo "test.sh: $package printed no test summary (exit code $npm_status)" >&2
    npm_passed=0 npm_failed=1
  elif [ "$npm_status" -ne 0 ] && [ "$npm_failed" -eq 0 ]; then
    npm_failed=1
  fi
  passed=$((passed + npm_passed))
  failed=$((failed + npm_failed))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
