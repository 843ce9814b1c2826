import { badResponse } from "./errors.js";

/** One Server-Sent Events message. `id` is the id field of this message, `null` when it had none. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * An incremental parser of `text/event-stream` (the WHATWG rules: LF, CR or CRLF line ends,
 * comments, `field: value`, data lines joined with LF, a blank line dispatches; `retry:` is
 * ignored, the client keeps its own backoff). It works on
 * bytes so that it can bound a message: past `maxMessageBytes` from one blank line to the next
 * it throws `bad_response` instead of buffering on.
 */
export class SseParser {
  private partial: Uint8Array[] = [];
  private partialBytes = 0;
  private messageBytes = 0;
  private afterCR = false;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private event = "";
  private data: string[] = [];
  private id: string | null = null;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Uint8Array): SseMessage[] {
    const messages: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== LF && b !== CR) continue;
      if (b === LF && this.afterCR && i === start && this.partialBytes === 0) {
        // The LF of a CRLF whose CR ended the previous line.
        this.afterCR = false;
        start = i + 1;
        this.messageBytes++;
        continue;
      }
      this.afterCR = b === CR;
      const line = this.take(chunk.subarray(start, i));
      this.messageBytes += line.length + 1;
      this.check();
      start = i + 1;
      this.line(this.decode(line), messages);
    }
    if (start < chunk.length) {
      this.afterCR = false;
      this.partial.push(chunk.slice(start));
      this.partialBytes += chunk.length - start;
    }
    this.check();
    return messages;
  }

  private check(): void {
    if (this.messageBytes + this.partialBytes > this.maxMessageBytes)
      throw badResponse(`a stream message is over ${this.maxMessageBytes} bytes`);
  }

  private take(tail: Uint8Array): Uint8Array {
    if (this.partialBytes === 0) return tail;
    const line = new Uint8Array(this.partialBytes + tail.length);
    let offset = 0;
    for (const p of this.partial) {
      line.set(p, offset);
      offset += p.length;
    }
    line.set(tail, offset);
    this.partial = [];
    this.partialBytes = 0;
    return line;
  }

  private decode(line: Uint8Array): string {
    try {
      return this.decoder.decode(line);
    } catch (error) {
      throw badResponse("the stream is not UTF-8", error);
    }
  }

  private line(text: string, messages: SseMessage[]): void {
    if (text === "") {
      if (this.data.length > 0) messages.push({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
      this.event = "";
      this.data = [];
      this.id = null;
      this.messageBytes = 0;
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.event = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.id = value;
        break;
      default:
        break;
    }
  }
}
