/** Names used by the local stack (CDK generates its own in AWS). */
export const LOCAL_NAMES = {
  table: 'bridge-sessions',
  matchesQueue: 'bridge-matches',
  deadLetterQueue: 'bridge-matches-dlq',
  topic: 'session-events',
  /** A queue subscribed to the topic: stands in for the game backend locally and in tests. */
  backendQueue: 'bridge-game-backend',
  bucket: 'bridge-archive',
} as const;
