import { ENV, OUTBOX_SENT_TTL_SECONDS } from '../common/settings';

/**
 * How long a SENT outbox item stays before DynamoDB TTL may delete it: the shared default, unless
 * the environment shortens it (e.g. on the local stack). A malformed value fails at cold start.
 */
export function sentTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env[ENV.outboxSentTtlSeconds];
  if (configured === undefined || configured === '') return OUTBOX_SENT_TTL_SECONDS;
  const seconds = Number(configured);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new Error(`Environment variable ${ENV.outboxSentTtlSeconds} must be a positive whole number of seconds`);
  }
  return seconds;
}
