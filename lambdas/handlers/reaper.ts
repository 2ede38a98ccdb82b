/**
 * Reaper Lambda entry point (EventBridge Scheduler). Work in progress: stops idle, crashed
 * and finished sessions and archives their artifacts (issue "Lifecycle").
 */
export const handler = async (): Promise<{ stopped: number }> => ({ stopped: 0 });
