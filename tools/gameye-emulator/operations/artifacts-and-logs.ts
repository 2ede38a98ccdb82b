/** The download operations: `GET /artifacts` (a `.tar.gz` of a stopped container's path) and `GET /logs`. */
import type { FieldViolation } from '../../../lambdas/gameye/contract.ts';
import { successContentType } from '../answers.ts';
import { collectArtifactEntries, normalizeContainerPath, streamArtifact } from '../artifact-archive.ts';
import { fixtureDirOf } from '../config.ts';
import type { OperationHandler } from '../emulator-context.ts';
import { EmulatorHttpError } from '../http-error.ts';
import { streamLog } from '../session-log.ts';

/**
 * `GET /artifacts?session=&path=`: only once the session stopped, and only until its container
 * is removed (`artifactRemovalDelayMs`); paced when `artifacts.bytesPerSecond` is set.
 */
export const artifacts: OperationHandler = async (emulator, { res, operation, query }) => {
  const sessionId = query.get('session') ?? '';
  const rawPath = query.get('path') ?? '';
  const violations: FieldViolation[] = [];
  if (sessionId === '') violations.push({ field: 'session', description: 'required' });
  if (rawPath === '') violations.push({ field: 'path', description: 'required' });
  const containerPath = rawPath === '' ? undefined : normalizeContainerPath(rawPath);
  if (rawPath !== '' && containerPath === undefined) {
    violations.push({ field: 'path', description: 'expected an absolute path' });
  }
  if (violations.length > 0 || containerPath === undefined) {
    throw new EmulatorHttpError(
      422,
      'UNPROCESSABLE_ENTITY',
      violations.map((v) => `${v.field}: ${v.description}`).join('; '),
    );
  }
  const { config } = emulator;
  const session = emulator.fleet.existing(sessionId);
  if (session.stoppedAt === undefined) {
    // Gameye copies artifacts out of the stopped container; while it runs there is nothing.
    throw new EmulatorHttpError(
      404,
      'ARTIFACT_NOT_AVAILABLE',
      `session "${session.id}" is still running; artifacts are available after it stops`,
    );
  }
  if (emulator.clock.now() >= session.stoppedAt + config.artifactRemovalDelayMs) {
    throw new EmulatorHttpError(
      404,
      'ARTIFACT_REMOVED',
      `the container of session "${session.id}" has been removed from its host`,
    );
  }
  const image = config.images.find((i) => i.name === session.image);
  const entries = await collectArtifactEntries({
    fixtureDir: image ? fixtureDirOf(image) : '',
    containerPath,
    sessionId: session.id,
    synthetic: config.artifacts.synthetic,
  });
  if (entries.length === 0) {
    throw new EmulatorHttpError(404, 'ARTIFACT_NOT_FOUND', `no file or folder at "${containerPath}"`);
  }
  const archiveName = containerPath === '/' ? 'root' : (containerPath.split('/').pop() ?? 'artifact');
  await streamArtifact(res, entries, new Date(session.stoppedAt), archiveName, {
    contentType: successContentType(operation) ?? 'application/x-tar',
    bytesPerSecond: config.artifacts.bytesPerSecond,
  });
};

/** `GET /logs?id=&follow=`: the session's output so far, and with `follow` what it writes next. */
export const streamLogs: OperationHandler = (emulator, { res, operation, query }) => {
  const id = query.get('id') ?? '';
  if (id === '') throw new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'id: required');
  const session = emulator.fleet.existing(id);
  const follow = query.get('follow') === 'true' || query.get('follow') === '1';
  streamLog(res, {
    log: session.log,
    contentType: successContentType(operation) ?? 'text/plain',
    follow,
    intervalMs: emulator.config.logIntervalMs,
    sync: () => session.log.sync(emulator.clock.now(), session.players.size),
    track: (stop) => emulator.track(stop),
  });
};
