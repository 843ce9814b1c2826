/**
 * JSON without the float detour for timestamps.
 *
 * `JSON.parse` turns every number into a double, so a timestamp above 2^53 comes back rounded,
 * and the reviver's `context.source` that would fix it is missing from the runtimes we support
 * (Node 20). This reader is a small strict RFC 8259 parser that yields the number of a member
 * named `timestamp` as a `bigint` (exact over any integer of up to 100 digits; a longer one is a
 * JsonSyntaxError) and every other number as a `number`. The writer writes a `bigint` as a bare
 * integer.
 */

export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
}

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const MAX_DEPTH = 64;
/**
 * Digits of a `timestamp` integer read at most: a uint64 needs 20, and turning decimal text into
 * a bigint takes time that grows faster than its length (seconds for millions of digits).
 */
const MAX_TIMESTAMP_DIGITS = 100;

/** Parses JSON text; members named `timestamp` holding an integer (of up to 100 digits) become `bigint`. */
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(false, 0);
  parser.skipSpace();
  if (parser.pos !== text.length) parser.fail("unexpected text after the value");
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at offset ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  value(exactInteger: boolean, depth: number): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case "{":
        return this.object(depth + 1);
      case "[":
        return this.array(depth + 1);
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        return this.number(exactInteger);
    }
  }

  literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail("invalid literal");
    this.pos += word.length;
    return value;
  }

  number(exactInteger: boolean): number | bigint {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail("unexpected character");
    const source = match[0];
    this.pos += source.length;
    if (exactInteger && INTEGER.test(source)) {
      if (source.length > MAX_TIMESTAMP_DIGITS) {
        this.pos -= source.length;
        this.fail(`a timestamp of more than ${MAX_TIMESTAMP_DIGITS} digits`);
      }
      return BigInt(source);
    }
    return Number(source);
  }

  string(): string {
    const t = this.text;
    const start = this.pos + 1;
    let p = start;
    let escaped = false;
    for (;;) {
      if (p >= t.length) this.fail("unterminated string");
      const c = t.charCodeAt(p);
      if (c === 0x22) break;
      if (c < 0x20) {
        this.pos = p;
        this.fail("control character in string");
      }
      if (c === 0x5c) {
        escaped = true;
        p += 2;
      } else p++;
    }
    this.pos = p + 1;
    const raw = t.slice(start, p);
    if (!escaped) return raw;
    // Escapes are rare in this protocol (payloads of JSON text have them); the platform
    // decodes them exactly and checks their syntax.
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.pos = start;
      return this.fail("invalid escape in string");
    }
  }

  array(depth: number): JsonValue[] {
    const items: JsonValue[] = [];
    this.members(depth, "]", () => items.push(this.value(false, depth)));
    return items;
  }

  object(depth: number): { [key: string]: JsonValue } {
    const result: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
    this.members(depth, "}", () => {
      if (this.text[this.pos] !== '"') this.fail("expected a member name");
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos++] !== ":") {
        this.pos--;
        this.fail("expected ':'");
      }
      this.skipSpace();
      result[key] = this.value(key === "timestamp", depth);
    });
    return result;
  }

  /** The members of an array or object, from its opening bracket to `close`: `member` reads each. */
  private members(depth: number, close: "]" | "}", member: () => void): void {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      member();
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === close) return;
      if (c !== ",") {
        this.pos--;
        this.fail(`expected ',' or '${close}'`);
      }
    }
  }
}

/** Writes JSON like `JSON.stringify`, except that a `bigint` becomes a bare integer. */
export function stringifyJson(value: unknown): string {
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stringifyJson(v))).join(",")}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || typeof v === "function") continue;
        parts.push(`${JSON.stringify(k)}:${stringifyJson(v)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      return "null";
  }
}
