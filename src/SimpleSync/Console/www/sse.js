// Server-Sent Events read from a fetch body (EventSource cannot send the Authorization header).
// Lines end with \n (or \r\n); "field: value" lines build a message and a blank line ends it;
// lines starting with ":" are comments (the server's keep-alives).

/** Yields {event, data, id} for each message of `body` (a ReadableStream of bytes). */
export async function* readEvents(body, { maxMessageBytes = 16 * 1024 * 1024 } = {}) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let message = blank();
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, "");
        buffer = buffer.slice(end + 1);
        if (line === "") {
          if (message.data !== null) yield message;
          message = blank();
          size = 0;
          continue;
        }
        size += line.length;
        if (size > maxMessageBytes) throw new Error("a stream message is larger than the console reads");
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "event") message.event = value;
        else if (name === "data") message.data = message.data === null ? value : `${message.data}\n${value}`;
        else if (name === "id") message.id = value;
      }
      if (buffer.length > maxMessageBytes) throw new Error("a stream line is longer than the console reads");
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function blank() {
  return { event: "message", data: null, id: null };
}
