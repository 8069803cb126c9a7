import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from './observability';
import { BUSINESS_METRICS, OUTCOME_METRICS, type BusinessMetric } from './settings';

/** Adds to a counter of this invocation; `instrumentHandler` flushes them when it ends. */
export function countMetric(name: BusinessMetric, count = 1): void {
  if (count > 0) metrics.addMetric(name, MetricUnit.Count, count);
}

/**
 * Counts a published outcome once per decision: by its type when this delivery decided it, as an
 * absorbed duplicate when an earlier delivery had (its stored event was only published again).
 */
export function countOutcome(eventType: string, source: 'decided' | 'stored'): void {
  if (source === 'stored') {
    countMetric(BUSINESS_METRICS.duplicatesAbsorbed);
    return;
  }
  const metric = Object.hasOwn(OUTCOME_METRICS, eventType) ? OUTCOME_METRICS[eventType as keyof typeof OUTCOME_METRICS] : undefined;
  if (metric !== undefined) countMetric(metric);
}
