/**
 * What both functions record about a failed Gameye call: the `GameyeError` metric by status
 * class (the exact status in EMF metadata, so the dimension set stays small and the alarms
 * match it), and a warning with Gameye's correlation `identifier`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GameyeError, GameyeRequestEvent } from '../gameye/index.ts';
import { GAMEYE_STATUS_CLASSES, type GameyeStatusClass, METRICS } from '../shared/metric-names.ts';

export function statusClassOf(status: number): GameyeStatusClass {
  if (status === 0) return GAMEYE_STATUS_CLASSES[2];
  return status >= 500 ? GAMEYE_STATUS_CLASSES[1] : GAMEYE_STATUS_CLASSES[0];
}

export function recordGameyeError(metrics: Metrics, logger: Logger, error: GameyeError): void {
  const m = metrics.singleMetric();
  m.addDimension(METRICS.gameyeError.dimensions[0], statusClassOf(error.status));
  m.addMetadata('status', String(error.status));
  m.addMetric(METRICS.gameyeError.name, MetricUnit.Count, 1);
  logger.warn('gameye call failed', {
    operation: error.operation,
    status: error.status,
    code: error.code,
    identifier: error.identifier,
    retryable: error.retryable,
  });
}

/**
 * The Gameye client's per-attempt hook for both functions: every attempt counts towards the
 * 5xx rate's denominator (`GameyeRequests`), every 5xx answer towards its numerator
 * (`GameyeServerErrors`), including those a retry then recovered from.
 */
export function countGameyeAttempts(metrics: Metrics): (event: GameyeRequestEvent) => void {
  return (event) => {
    metrics.addMetric(METRICS.gameyeRequests.name, MetricUnit.Count, 1);
    if (event.status >= 500) metrics.addMetric(METRICS.gameyeServerErrors.name, MetricUnit.Count, 1);
  };
}
