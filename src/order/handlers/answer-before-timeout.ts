import { DependencyUnavailableError } from '../domain/errors';

/** Kept back from the invocation's remaining time to log and return the response. */
export const RESPONSE_MARGIN_MS = 500;

/**
 * Settles with `work`, or fails with a DependencyUnavailableError (a 503 the caller can retry on)
 * when the invocation would otherwise reach the function's timeout first: Lambda would then end
 * it and API Gateway answer a bare 502. The per-request SDK timeouts bound each DynamoDB call;
 * this bounds the request as a whole, whatever the function's timeout (10 s deployed, 3 s locally)
 * and however many calls it makes. The work is not cancelled: a write already sent may still be
 * applied, which the caller's retry with the same Idempotency-Key answers from, as after any timeout.
 */
export async function answerBeforeTimeout<T>(work: Promise<T>, remainingTimeMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new DependencyUnavailableError('The database did not answer within the time the request had left')),
      Math.max(remainingTimeMs - RESPONSE_MARGIN_MS, 0),
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
