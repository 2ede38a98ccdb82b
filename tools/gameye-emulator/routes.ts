/** Which Gameye operation a method and path name, as Gameye's OpenAPI description lays them out. */
import type { GameyeOperation } from '../../lambdas/gameye/contract.ts';
import type { OperationHandler } from './emulator-context.ts';
import { artifacts, streamLogs } from './operations/artifacts-and-logs.ts';
import { availableLocations, tagExists } from './operations/locations-and-tags.ts';
import { joinSession, leaveSession } from './operations/players.ts';
import { describeSession, sessionList, sessionRun, sessionStop } from './operations/sessions.ts';

/** A routed request: the operation, its handler and the decoded path parameters. */
export interface Route {
  readonly operation: GameyeOperation;
  readonly handler: OperationHandler;
  readonly params: readonly string[];
}

type MethodTable = Partial<Record<string, readonly [GameyeOperation, OperationHandler]>>;

/** The route, `'method'` when the path exists but not for this method (405), undefined for no path (404). */
export function route(method: string, path: string): Route | 'method' | undefined {
  let decoded: string[];
  try {
    decoded = path
      .split('/')
      .slice(1)
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  const [first, second, third] = decoded;
  const pick = (table: MethodTable, params: readonly string[] = []): Route | 'method' => {
    const hit = table[method];
    return hit ? { operation: hit[0], handler: hit[1], params } : 'method';
  };
  switch (first) {
    case 'session':
      if (decoded.length === 1) {
        return pick({ POST: ['session-run', sessionRun], GET: ['session-list', sessionList] });
      }
      if (decoded.length === 3 && second === 'player' && third === 'join') {
        return pick({ PUT: ['join-session', joinSession] });
      }
      if (decoded.length === 3 && second === 'player' && third === 'leave') {
        return pick({ DELETE: ['leave-session', leaveSession] });
      }
      if (decoded.length === 2 && second) {
        return pick({ GET: ['describe-session', describeSession], DELETE: ['session-stop', sessionStop] }, [
          second,
        ]);
      }
      return undefined;
    case 'artifacts':
      return decoded.length === 1 ? pick({ GET: ['artifacts', artifacts] }) : undefined;
    case 'logs':
      return decoded.length === 1 ? pick({ GET: ['stream-logs', streamLogs] }) : undefined;
    case 'available-location':
      return decoded.length === 2 && second
        ? pick({ GET: ['get-available-locations', availableLocations] }, [second])
        : undefined;
    case 'tag':
      return decoded.length === 4 && decoded.every(Boolean)
        ? pick({ GET: ['tag-exists', tagExists] }, decoded.slice(1))
        : undefined;
    default:
      return undefined;
  }
}
