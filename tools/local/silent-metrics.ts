import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Metrics that are recorded but never printed: locally there is no CloudWatch agent to read
 * EMF lines, and they would drown the output. Set for the process because Powertools reads
 * the switch again for every `singleMetric()`.
 */
export function silentMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  return new Metrics({ namespace: 'GameyeBridge', serviceName: 'gameye-bridge-placement' });
}
