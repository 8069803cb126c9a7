/**
 * Steady load on the order API while a test breaks something underneath: a few clients, each
 * placing new orders one after another and retrying a refused or failed one (same key, same body)
 * until it is accepted. Every attempt is recorded with when it started and ended, so a test can
 * say what the API answered during an outage.
 */
import { eventually } from '../../support/eventually';
import { orderIntent, sendOrder, type OrderAttempt, type OrderIntent } from './order-client';

export interface TimedAttempt extends OrderAttempt {
  readonly intent: OrderIntent;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface LoadResult {
  readonly intents: readonly OrderIntent[];
  readonly attempts: readonly TimedAttempt[];
  /** The 202 each accepted intent finally got. */
  readonly accepted: ReadonlyMap<OrderIntent, TimedAttempt>;
}

export interface OrderLoad {
  readonly attempts: readonly TimedAttempt[];
  acceptedCount(): number;
  /** Resolves once `count` orders have been accepted since the load started. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<void>;
  /** Stops starting new orders, lets the ones in progress be accepted, and returns everything. */
  stop(deadlineMs?: number): Promise<LoadResult>;
}

export function startOrderLoad(
  apiUrl: string,
  options: { readonly clients: number; readonly requestTimeoutMs: number; readonly retryDelayMs?: number },
): OrderLoad {
  const intents: OrderIntent[] = [];
  const attempts: TimedAttempt[] = [];
  const accepted = new Map<OrderIntent, TimedAttempt>();
  let stopping = false;
  let giveUpAt = Infinity;

  const client = async (): Promise<void> => {
    while (!stopping) {
      const intent = orderIntent();
      intents.push(intent);
      while (Date.now() < giveUpAt) {
        const startedAt = Date.now();
        const attempt = await sendOrder(apiUrl, intent, options.requestTimeoutMs);
        const timed = { ...attempt, intent, startedAt, endedAt: Date.now() };
        attempts.push(timed);
        if (attempt.status === 202) {
          accepted.set(intent, timed);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 250));
      }
    }
  };
  const clients = Promise.all(Array.from({ length: options.clients }, client));

  return {
    attempts,
    acceptedCount: () => accepted.size,
    waitForAccepted: async (count, timeoutMs = 60_000) => {
      await eventually(() => (accepted.size >= count ? true : undefined), { timeoutMs, intervalMs: 50, what: `${count} accepted orders` });
    },
    stop: async (deadlineMs = 60_000) => {
      stopping = true;
      giveUpAt = Date.now() + deadlineMs;
      await clients;
      return { intents, attempts, accepted };
    },
  };
}
