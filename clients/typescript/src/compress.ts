/** Bodies smaller than this are sent as they are: compressing them saves next to nothing. */
const MIN_COMPRESSED_BYTES = 1024;

/**
 * The body gzip-compressed with the platform's CompressionStream, or `null` where there is none
 * or the body is small. The server takes `Content-Encoding: gzip` pushes and applies its body
 * limit to the inflated bytes; a proxy's limit sees the smaller body.
 */
export async function gzipped(body: string, byteLength: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (byteLength < MIN_COMPRESSED_BYTES || typeof CompressionStream !== "function") return null;
  const stream = new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
