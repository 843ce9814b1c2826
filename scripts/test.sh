#!/usr/bin/env bash
# Runs every test of the repository on a fresh clone: restore, build (warnings are errors),
# the formatting gate, every .NET test project, then the npm packages' tests (installing their
# packages and, for the browser tests, Debian's Chromium). The .NET tests get a throwaway
# PostgreSQL (scripts/postgres.sh, which installs Debian's packages when missing), stopped on
# exit; set SIMPLESYNC_TEST_POSTGRES to a connection string to use your own server instead.
# The last line is "N passed, N failed" over all of them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$PWD

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
# The name of every failed test, repeated just above the totals so that the end of the output
# alone says what failed.
failures=$(mktemp)
pg_dir=""
# Stops the throwaway PostgreSQL, if one was started, and removes its directory; quiet unless
# that fails.
stop_postgres() {
  local output
  if [ -n "$pg_dir" ]; then
    if ! output=$("$repo/scripts/postgres.sh" stop "$pg_dir" 2>&1); then
      echo "$output" >&2
      echo "test.sh: could not stop the test PostgreSQL in $pg_dir" >&2
    fi
    rm -rf "$pg_dir"
    pg_dir=""
  fi
}
trap 'stop_postgres; rm -f "$log" "$failures"' EXIT

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
echo "== postgres"
if [ -n "${SIMPLESYNC_TEST_POSTGRES:-}" ]; then
  echo "test.sh: the PostgreSQL tests use the server in SIMPLESYNC_TEST_POSTGRES"
else
  # As root, scripts/postgres.sh runs the cluster as the user simplesync-pg and gives it the
  # directory.
  pg_dir=$(mktemp -d)
  if connection=$("$repo/scripts/postgres.sh" start "$pg_dir"); then
    export SIMPLESYNC_TEST_POSTGRES="$connection"
    echo "test.sh: started a throwaway PostgreSQL on ${connection%%;Username=*}"
  else
    echo "test.sh: could not start a PostgreSQL (see above); the PostgreSQL tests will fail." >&2
    echo "test.sh: to use your own server, set SIMPLESYNC_TEST_POSTGRES to a connection string" >&2
    echo "test.sh: for a role that may create databases." >&2
  fi
fi
echo "== test (.NET)"
dotnet test --solution SimpleSync.slnx --no-build --no-ansi --no-progress 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Only the .NET tests use PostgreSQL (the EXIT trap stops it too, if the script ends earlier).
stop_postgres

# The runner ends with a summary over every test project: "total: N", "failed: N", "succeeded: N".
passed=$(grep -E '^\s*succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
failed=$(grep -E '^\s*failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
if [ -z "$passed" ] || [ -z "$failed" ]; then
  fail "the test runner printed no summary (exit code $status)"
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
# The runner prints "failed Namespace.Class.Method(args) (time)" for each failed test.
grep -E '^\s*failed ' "$log" | sed -E 's/^\s*failed /.NET: /' >>"$failures"

# The npm packages: the TypeScript SDK (built first: the others use it), the check of the
# OpenAPI document against it, the web demo with its tests in Debian's Chromium, and the browser
# tests of the web console the server serves.
# Each runs `node --test`, whose summary has the lines "ℹ pass N" and "ℹ fail N".
echo "== browser"
if ! ./scripts/install-chromium.sh; then
  echo "test.sh: Chromium could not be installed; the browser tests will fail" >&2
fi
for package in clients/typescript clients/openapi-check samples/web-demo tests/console; do
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
  # The spec reporter marks each failed test with "✖"; it lists them again at the end.
  grep -E '^\s*✖ ' "$log" | grep -v 'failing tests:' | sed -E "s|^\s*✖ |$package: |" | sort -u >>"$failures"
  passed=$((passed + npm_passed))
  failed=$((failed + npm_failed))
done

if [ -s "$failures" ]; then
  echo "== failed tests"
  cat "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
