/** Bytes to lines, for `GET /logs`. */

/** Bytes to lines: UTF-8 decoded across chunk boundaries, `\n` or `\r\n` separated. */
export async function* splitLines(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending !== '') yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}
