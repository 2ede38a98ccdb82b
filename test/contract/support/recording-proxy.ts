/**
 * A tiny in-process reverse proxy (node:http on 127.0.0.1, port 0) that records every
 * exchange between the Gameye client and the emulator, byte for byte as sent, so the
 * contract tests validate what really crossed the wire rather than what either side meant.
 *
 * JSON responses are kept whole; other bodies (the 1 MiB artifact, log streams) keep only
 * their first {@link SAMPLE_BYTES} and a byte count.
 */
import { Agent, createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedExchange } from './openapi.ts';

const SAMPLE_BYTES = 4 * 1024;
const MAX_JSON_BYTES = 1024 * 1024;
/** Hop-by-hop headers are the proxy's own business, not part of the recorded request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

export interface RecordingProxy {
  /** e.g. `http://127.0.0.1:41234`: give this to the client instead of the emulator's URL. */
  readonly url: string;
  /** Wait for every exchange in flight to settle, then hand over (and forget) the recordings. */
  drain(): Promise<RecordedExchange[]>;
  close(): Promise<void>;
}

function headerRecord(message: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(message.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(key)) out[key] = value;
  }
  return out;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let recorded: RecordedExchange[] = [];
  const inFlight = new Set<Promise<void>>();

  const server: Server = createServer((req, res) => {
    const done = new Promise<void>((settle) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawUrl = req.url ?? '/';
        const q = rawUrl.indexOf('?');
        const requestBody = chunks.length === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
        const requestHeaders = headerRecord(req);
        const forwardHeaders: Record<string, string | string[]> = { ...requestHeaders, host: upstream.host };
        if (requestBody !== undefined)
          forwardHeaders['content-length'] = String(Buffer.byteLength(requestBody));
        const out = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: rawUrl,
            headers: forwardHeaders,
            agent,
          },
          (up) => {
            const contentType = up.headers['content-type'];
            const json = contentType?.toLowerCase().includes('json') ?? false;
            const limit = json ? MAX_JSON_BYTES : SAMPLE_BYTES;
            const kept: Buffer[] = [];
            let keptBytes = 0;
            let bytes = 0;
            let finished = false;
            const finish = (complete: boolean): void => {
              if (finished) return;
              finished = true;
              recorded.push({
                method: req.method ?? 'GET',
                path: q === -1 ? rawUrl : rawUrl.slice(0, q),
                query: q === -1 ? '' : rawUrl.slice(q + 1),
                requestHeaders,
                requestBody,
                status: up.statusCode ?? 0,
                contentType,
                responseBody: Buffer.concat(kept).toString('utf8'),
                responseBytes: bytes,
                complete,
              });
              settle();
            };
            const headers: Record<string, string | string[]> = {};
            for (const [key, value] of Object.entries(up.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(key)) headers[key] = value;
            }
            res.writeHead(up.statusCode ?? 502, headers);
            up.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              if (keptBytes < limit) {
                const slice = chunk.subarray(0, limit - keptBytes);
                kept.push(slice);
                keptBytes += slice.length;
              }
              // Respect the client's backpressure so an unread artifact is not buffered here.
              if (!res.write(chunk)) {
                up.pause();
                res.once('drain', () => up.resume());
              }
            });
            up.on('end', () => {
              finish(true);
              res.end();
            });
            up.on('error', () => {
              finish(false);
              res.destroy();
            });
            // The client hung up (an aborted follow): stop the upstream too.
            res.on('close', () => {
              if (!up.complete) {
                finish(false);
                up.destroy();
              }
            });
          },
        );
        out.on('error', (error) => {
          // The emulator reset or hung up: record it as status 0 so no call goes unexamined.
          recorded.push({
            method: req.method ?? 'GET',
            path: q === -1 ? rawUrl : rawUrl.slice(0, q),
            query: q === -1 ? '' : rawUrl.slice(q + 1),
            requestHeaders,
            requestBody,
            status: 0,
            contentType: undefined,
            responseBody: error.message,
            responseBytes: 0,
            complete: false,
          });
          settle();
          res.destroy();
        });
        out.end(requestBody);
      });
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      const out = recorded;
      recorded = [];
      return out;
    },
    async close() {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
