/**
 * Runs jobs a few at a time, and starts a job only while the Lambda has time left.
 *
 * Hand-written rather than p-limit or p-map: the one thing the reaper needs from a pool is the
 * check before each start (stop starting, let the running ones finish, say whether all ran),
 * which those libraries leave to every caller, and the reaper's bundle should not grow for
 * twenty lines.
 */

/** Run `jobs` at most `width` at a time; a job starts only while `hasTime()`. True when all ran. */
export async function runBounded(
  jobs: readonly (() => Promise<void>)[],
  width: number,
  hasTime: () => boolean,
): Promise<boolean> {
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      if (!hasTime()) {
        stopped = true;
        return;
      }
      const job = jobs[next++];
      if (job) await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return !stopped;
}
