/** Configured latency and faults, applied to a request before its operation runs. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GameyeOperation } from '../../lambdas/gameye/contract.ts';
import { sendError } from './answers.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { EmulatorHttpError } from './http-error.ts';

const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
  '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n';

/** Wait the configured latency of `operation` (fixed plus seeded jitter); close() cuts it short. */
export async function delay(emulator: EmulatorContext, operation: GameyeOperation): Promise<void> {
  const latency = emulator.config.latency;
  const own = latency.operations[operation];
  const fixed = own?.fixedMs ?? latency.fixedMs;
  const jitter = own?.jitterMs ?? latency.jitterMs;
  const ms = fixed + (jitter > 0 ? Math.floor(emulator.random() * (jitter + 1)) : 0);
  if (ms <= 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      untrack();
      resolve();
    }, ms);
    const untrack = emulator.track(() => clearTimeout(timer));
  });
}

/** Answers true when a fault took the request over. One RNG draw per faulted operation. */
export function injectFault(
  emulator: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  operation: GameyeOperation,
  path: string,
): boolean {
  const faults = emulator.config.faults[operation] ?? emulator.config.faults['*'];
  if (!faults) return false;
  let r = emulator.random();
  const hit = (p: number) => {
    if (r < p) return true;
    r -= p;
    return false;
  };
  const now = emulator.clock.now();
  if (hit(faults.error500Probability)) {
    const error = new EmulatorHttpError(500, 'INTERNAL_SERVER_ERROR', 'an unexpected error occurred');
    sendError(res, path, error, now);
    return true;
  }
  if (hit(faults.error503Probability)) {
    // A gateway in front of Gameye answers, so there is no Gameye envelope.
    res.writeHead(503, {
      'content-type': 'text/html',
      'content-length': Buffer.byteLength(BAD_GATEWAY_HTML),
    });
    res.end(BAD_GATEWAY_HTML);
    return true;
  }
  if (hit(faults.error420Probability)) {
    const message = 'too many sessions started in a short period, try again later';
    sendError(res, path, new EmulatorHttpError(420, 'TOO_MANY_REQUESTS', message), now);
    return true;
  }
  if (hit(faults.hangProbability)) {
    // Never answer; close() or the client's timeout ends it.
    const untrack = emulator.track(() => req.socket.destroy());
    req.socket.once('close', untrack);
    return true;
  }
  if (hit(faults.resetProbability)) {
    req.socket.destroy();
    return true;
  }
  return false;
}
