import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE } from './settings';

/**
 * One logger, one tracer and one metrics buffer per execution environment. The service name comes
 * from `POWERTOOLS_SERVICE_NAME`, which the stack sets from the function's settings; metrics carry
 * it as their `service` dimension and are flushed once per invocation (`instrumentHandler`).
 */
export const logger = new Logger();
export const tracer = new Tracer();
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });

/** `student@example.com` → `s******@example.com`: enough to correlate, never the address itself. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}${'*'.repeat(Math.max(at - 1, 1))}${email.slice(at)}`;
}
