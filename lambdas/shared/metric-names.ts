/**
 * The bridge's custom CloudWatch metrics, defined once. The handlers emit them (Powertools
 * Metrics, EMF) and the CDK alarms and dashboard select them, so a renamed metric cannot
 * silently leave an alarm watching nothing.
 *
 * Every metric carries Powertools' default `service` dimension (`POWERTOOLS_SERVICE_NAME`);
 * the dimensions listed here come on top of it. CloudWatch matches dimension sets exactly,
 * so an emitter that adds a dimension not listed here creates a metric no alarm sees.
 *
 * Plain data: no CDK or SDK import, so the Lambda bundle can import it.
 */
export const METRICS = {
  /** A match got a READY session (count, per placed match). */
  placementSucceeded: { name: 'PlacementSucceeded', unit: 'Count', dimensions: [] },
  /** A match was answered with SessionFailed (count, per failed match; transient retries excluded). */
  placementFailed: { name: 'PlacementFailed', unit: 'Count', dimensions: [] },
  /** Milliseconds from the message's receipt to READY. */
  placementLatency: { name: 'PlacementLatency', unit: 'Milliseconds', dimensions: [] },
  /** The region a session was placed in (count, dimension `region` = Gameye location). */
  regionChosen: { name: 'RegionChosen', unit: 'Count', dimensions: ['region'] },
  /** Rank of the chosen region in the ranking (0 = the best region had capacity). */
  fallbackRank: { name: 'FallbackRank', unit: 'Count', dimensions: [] },
  /**
   * A Gameye call that failed (count). Dimension `status_class` is one of
   * {@link GAMEYE_STATUS_CLASSES}; the exact status goes into the EMF metadata, not a
   * dimension, to keep the metric count bounded.
   */
  gameyeError: { name: 'GameyeError', unit: 'Count', dimensions: ['status_class'] },
  /** Every HTTP attempt at Gameye (count): the denominator of the Gameye 5xx rate. */
  gameyeRequests: { name: 'GameyeRequests', unit: 'Count', dimensions: [] },
  /**
   * Every HTTP attempt Gameye answered with a 5xx (count), retried or not: the numerator of
   * the Gameye 5xx rate, counted per attempt like its denominator.
   */
  gameyeServerErrors: { name: 'GameyeServerErrors', unit: 'Count', dimensions: [] },
  /** Sessions the reaper stopped (count, dimension `reason` from {@link STOP_REASONS}). */
  sessionsStopped: { name: 'SessionsStopped', unit: 'Count', dimensions: ['reason'] },
  /** Running Gameye sessions with no DynamoDB record, stopped by the reaper (count). */
  orphansStopped: { name: 'OrphansStopped', unit: 'Count', dimensions: [] },
  /** Session records the reaper could not read (corrupt items in the table), skipped (count). */
  corruptRecordsSkipped: { name: 'CorruptRecordsSkipped', unit: 'Count', dimensions: [] },
  /**
   * A FlexMatch match placed by preference because its tickets' latencies could not be read
   * (count, dimension `kind`: one of {@link MATCHMAKER_FAILURES}).
   */
  flexMatchLatenciesUnread: { name: 'FlexMatchLatenciesUnread', unit: 'Count', dimensions: ['kind'] },
  /** Bytes of artifacts archived to S3. */
  artifactBytes: { name: 'ArtifactBytes', unit: 'Bytes', dimensions: [] },
  /**
   * Seconds since the oldest session whose archive a reaper run left unfinished was stopped
   * (0 when none), emitted every run. Gameye keeps a stopped session's artifacts only until it
   * removes the container, so a growing backlog loses them.
   */
  archiveBacklogAge: { name: 'ArchiveBacklogAge', unit: 'Seconds', dimensions: [] },
  /**
   * The reaper process's peak memory so far (its RSS high-water mark, MB), emitted every run.
   * The location with the most sessions sets it, since its list is read whole; it only grows in
   * a warm function, so it shows how close the reaper has come to its memory size.
   */
  reaperPeakMemory: { name: 'ReaperPeakMemory', unit: 'Megabytes', dimensions: [] },
} as const;

export type MetricKey = keyof typeof METRICS;
export type MetricName = (typeof METRICS)[MetricKey]['name'];

/** Values of the `status_class` dimension of `GameyeError`. `network` means status 0. */
export const GAMEYE_STATUS_CLASSES = ['4xx', '5xx', 'network'] as const;
export type GameyeStatusClass = (typeof GAMEYE_STATUS_CLASSES)[number];

/** Values of the `kind` dimension of `FlexMatchLatenciesUnread`: the core's one list. */
export { MATCHMAKER_FAILURES, type MatchmakerFailure } from '../core/errors.ts';

/** Values of the `reason` dimension of `SessionsStopped`: the core's one list. */
export { STOP_REASONS, type StopReason } from '../core/stop-reasons.ts';

/** The dimension Powertools Metrics adds to every metric (its value: the service name). */
export const SERVICE_DIMENSION = 'service';
