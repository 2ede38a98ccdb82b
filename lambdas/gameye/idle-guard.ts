/** The guard between a streamed response body (artifact, logs) and its consumer. */
import { Readable } from 'node:stream';
import { GameyeError } from './errors.ts';
import { type Exchange, STREAM_HIGH_WATER_MARK } from './transport.ts';

/** Hand a 2xx body to the consumer behind an idle guard that maps every failure to a GameyeError. */
export function guardStream(exchange: Exchange, idleTimeoutMs: number | undefined): Readable {
  const spec = exchange.spec;
  return guardBody(exchange.body, idleTimeoutMs, (cause, idle) =>
    idle
      ? new GameyeError({
          operation: spec.operation,
          status: 0,
          code: 'TIMEOUT',
          message: `Gameye sent no ${spec.operation} bytes for ${idleTimeoutMs} ms`,
          path: spec.path,
        })
      : exchange.fail(cause),
  );
}

/**
 * Wrap a response body so that (a) every failure surfaces as the error `mapError` builds, and
 * (b) a server that stops sending while the consumer is waiting fails after `idleMs`. The
 * idle timer runs only while the consumer has asked for data and none has come: time spent
 * with the consumer not reading (an S3 upload applying backpressure) is not the server's.
 * undici's own `bodyTimeout` cannot tell the two apart, hence this.
 */
export function guardBody(
  source: Readable,
  idleMs: number | undefined,
  mapError: (cause: unknown, idle: boolean) => Error,
): Readable {
  let timer: NodeJS.Timeout | undefined;
  const disarm = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const arm = (): void => {
    if (idleMs === undefined) return;
    if (timer) timer.refresh();
    else {
      timer = setTimeout(() => {
        timer = undefined;
        out.destroy(mapError(undefined, true));
      }, idleMs);
    }
  };
  const out = new Readable({
    highWaterMark: STREAM_HIGH_WATER_MARK,
    read() {
      arm();
      source.resume();
    },
    destroy(error, callback) {
      disarm();
      source.off('error', onError);
      // Swallow the undici error our own destroy may trigger; the consumer already has its error.
      source.on('error', () => {});
      if (!source.destroyed) source.destroy();
      callback(error);
    },
  });
  const onError = (cause: unknown): void => {
    disarm();
    out.destroy(mapError(cause, false));
  };
  source.on('data', (chunk: Buffer) => {
    if (out.push(chunk)) arm();
    else {
      disarm();
      source.pause();
    }
  });
  source.once('end', () => {
    disarm();
    out.push(null);
  });
  source.on('error', onError);
  source.pause();
  return out;
}
