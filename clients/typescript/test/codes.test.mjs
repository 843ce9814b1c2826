// The SDK's codes are exactly docs/codes.json's: error codes, transience, statuses, push statuses,
// rejection reasons and stream end reasons.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import {
  SyncError,
  clientErrorCodes,
  codeForStatus,
  pushStatuses,
  rejectionReasons,
  serverErrorCodes,
  streamEndReasons,
} from "../dist/index.js";

const codes = JSON.parse(await readFile(new URL("../../../docs/codes.json", import.meta.url), "utf8"));
const sorted = (xs) => [...xs].sort();

test("the server error codes, their statuses and transience are codes.json's errors", () => {
  assert.deepEqual(sorted(Object.keys(serverErrorCodes)), sorted(codes.errors.map((e) => e.code)));
  for (const e of codes.errors) {
    assert.deepEqual([...serverErrorCodes[e.code].statuses], e.statuses, e.code);
    assert.equal(serverErrorCodes[e.code].transient, e.transient, e.code);
    assert.equal(new SyncError(e.code, "x").isTransient, e.transient, e.code);
  }
});

test("each status of codes.json maps to its code (400 to invalid; conflict only by the problem's code)", () => {
  for (const e of codes.errors)
    for (const status of e.statuses) {
      const expected = status === 400 ? "invalid" : e.code;
      assert.equal(codeForStatus(status), expected, `${status} → ${e.code}`);
    }
  const byStatus = new Map();
  for (const e of codes.errors) for (const s of e.statuses) byStatus.set(s, [...(byStatus.get(s) ?? []), e.code]);
  for (const [status, candidates] of byStatus) assert.ok(candidates.includes(codeForStatus(status)), String(status));
});

test("the client error codes and their transience are codes.json's clientErrors", () => {
  assert.deepEqual(sorted(Object.keys(clientErrorCodes)), sorted(codes.clientErrors.map((e) => e.code)));
  for (const e of codes.clientErrors) {
    assert.equal(clientErrorCodes[e.code].transient, e.transient, e.code);
    assert.equal(new SyncError(e.code, "x").isTransient, e.transient, e.code);
  }
});

test("push statuses, rejection reasons and stream end reasons are codes.json's", () => {
  assert.deepEqual(sorted(pushStatuses), sorted(codes.pushStatuses));
  assert.deepEqual(sorted(rejectionReasons), sorted(codes.rejections.map((r) => r.reason)));
  assert.deepEqual(sorted(Object.keys(streamEndReasons)), sorted(codes.streamEnds.map((r) => r.reason)));
  for (const r of codes.streamEnds) assert.equal(streamEndReasons[r.reason].loginFirst, r.loginFirst, r.reason);
});
