/**
 * What a Gameye session status means for its match: the one place both ports (placement's and
 * the reaper's) classify Gameye's statuses, so "is anything still running" is answered alike
 * everywhere.
 */
import type { Liveness } from '../core/ports.ts';
import type { SessionStatus } from '../gameye/index.ts';

export function livenessOf(status: SessionStatus): Liveness {
  switch (status) {
    case 'created':
    case 'restarting':
      return 'starting';
    case 'running':
      return 'serving';
    case 'server_unreachable':
      return 'unreachable';
    case 'draining':
    case 'shuttingdown':
      return 'stopping';
    case 'exited':
    case 'dead':
      return 'ended';
  }
}
