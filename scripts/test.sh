#!/usr/bin/env bash
# Runs every test of the repository on a fresh clone: restore, build (warnings are errors),
# the formatting gate, then every test project. The last line is "N passed, N failed".
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
echo "== test"
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
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
