import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One logger and one tracer per execution environment. The service name comes from
 * `POWERTOOLS_SERVICE_NAME`, which the stack sets from the function's settings.
 */
export const logger = new Logger();
export const tracer = new Tracer();

/** `student@example.com` → `s******@example.com`: enough to correlate, never the address itself. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}${'*'.repeat(Math.max(at - 1, 1))}${email.slice(at)}`;
}
