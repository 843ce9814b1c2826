// The exact JSON reader and writer: timestamps as bigint over the whole uint64 range, strict syntax.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJson, stringifyJson, compareHistory } from "../dist/index.js";

test("timestamp members are read exactly as bigint, other numbers as numbers", () => {
  const text = '{"cursor": 3, "events": [{"timestamp": 18446744073709551615, "n": 1.5}, {"timestamp": 9007199254740993}], "x": {"timestamp": 0}}';
  const value = parseJson(text);
  assert.equal(value.cursor, 3);
  assert.equal(value.events[0].timestamp, 18446744073709551615n);
  assert.equal(value.events[0].n, 1.5);
  assert.equal(value.events[1].timestamp, 9007199254740993n);
  assert.equal(value.x.timestamp, 0n);
});

test("strings with escapes, unicode and nesting read like JSON.parse", () => {
  const samples = ['"a\\"b\\\\c\\n\\u00e9\\ud83d\\ude00"', '[1,-2.5e3,true,false,null,"",{}]', '{"payload":"{\\"timestamp\\":1}"}', " [ ] ", '"é😀"'];
  for (const s of samples) assert.deepEqual(JSON.parse(JSON.stringify(parseJson(s))), JSON.parse(s), s);
});

test("malformed JSON is refused", () => {
  for (const bad of ["", "{", '{"a":1,}', "[1,]", "01", '"\\x"', '"a\nb"', "tru", "{} {}", '{"a" 1}', "1.", "-", "NaN", "[" .repeat(100) + "]".repeat(100)])
    assert.throws(() => parseJson(bad), { name: "JsonSyntaxError" }, JSON.stringify(bad));
});

test("the writer writes bigint as a bare integer and everything else as JSON.stringify", () => {
  assert.equal(stringifyJson({ timestamp: 2n ** 64n - 1n, s: 'q"', n: [1, null, true] }), '{"timestamp":18446744073709551615,"s":"q\\"","n":[1,null,true]}');
  assert.equal(stringifyJson({ a: undefined, b: 1 }), '{"b":1}');
});

test("history order is (timestamp, uuid) with uuid as ordinal text", () => {
  const e = (timestamp, uuid) => ({ timestamp, uuid });
  const sorted = [e(2n ** 53n + 1n, "a"), e(2n ** 53n, "b"), e(2n ** 64n - 1n, "0"), e(5n, "B"), e(5n, "a"), e(5n, "A")].sort(compareHistory);
  assert.deepEqual(sorted.map((x) => `${x.timestamp}/${x.uuid}`), ["5/A", "5/B", "5/a", `${2n ** 53n}/b`, `${2n ** 53n + 1n}/a`, `${2n ** 64n - 1n}/0`]);
});

test("a timestamp integer of more than 100 digits is refused rather than turned into a bigint; 100 digits still are", () => {
  assert.equal(parseJson(`{"timestamp":${"9".repeat(100)}}`).timestamp, 10n ** 100n - 1n);
  assert.throws(() => parseJson(`{"timestamp":${"9".repeat(101)}}`), { name: "JsonSyntaxError", message: /more than 100 digits/ });
  assert.equal(parseJson(`{"n":${"9".repeat(400)}}`).n, Infinity);
});
