/**
 * A tiny loopback HTTP server for the few answers the Gameye emulator cannot give on purpose
 * (a body that breaks the contract, a 429, an endpoint that records what it received).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawServer {
  readonly url: string;
  /** Every request seen, in order: method, URL (path and query) and headers. */
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

export type RawHandler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => void;

export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const requests: RawServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Gameye's error envelope (the spec's ErrorResponse) for `status` and `code`; any field may be replaced. */
export function gameyeError(
  status: number,
  code: string,
  fields: Partial<Record<'message' | 'details' | 'path' | 'identifier', string>> = {},
): Record<string, unknown> {
  return {
    statusCode: status,
    code,
    message: code,
    details: '',
    path: '/session',
    identifier: `gid-${code}`,
    timestamp: new Date(0).toISOString(),
    ...fields,
  };
}

/** Answer JSON with a status. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
