/**
 * The order API's client as a careful caller writes one: every order carries an Idempotency-Key,
 * every request has a bounded wait (a test must see a hang as a failure, not wait for it), and a
 * request that fails or is refused is sent again with the same key and body. Builds on the shared
 * request builders and the checker's expectations (test/local/support/order-client.ts).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TABLES } from '../../../../src/common/settings';
import type { AcceptedOrder } from '../../support/invariants';
import {
  acceptedOrderOf,
  anOrderRequest,
  orderAcceptedSchema,
  type OrderAcceptedBody,
  type OrderRequestBody,
} from '../../support/order-client';
import type { StateSource } from '../../support/pipeline-state';

/** One order the client means to place: its key and body never change across retries. */
export interface OrderIntent {
  readonly idempotencyKey: string;
  readonly request: OrderRequestBody;
}

export interface OrderAttempt {
  /** HTTP status, or `no-answer` when the connection failed or the bounded wait ran out. */
  readonly status: number | 'no-answer';
  /** The 202's body. */
  readonly accepted?: OrderAcceptedBody;
  /** `Idempotent-Replayed: true`: an earlier request with this key created the order. */
  readonly replayed: boolean;
  readonly durationMs: number;
}

/** Default bound on one request: above the API's own worst case, far below a test's timeout. */
const REQUEST_TIMEOUT_MS = 15_000;

export function orderIntent(overrides: Partial<OrderRequestBody> = {}): OrderIntent {
  const idempotencyKey = `fault-${randomUUID()}`;
  return { idempotencyKey, request: anOrderRequest({ customerEmail: `${idempotencyKey}@example.com`, ...overrides }) };
}

/** One POST /orders, never waiting longer than `timeoutMs`. */
export async function sendOrder(apiUrl: string, intent: OrderIntent, timeoutMs = REQUEST_TIMEOUT_MS): Promise<OrderAttempt> {
  const startedAt = performance.now();
  const elapsed = (): number => Math.round(performance.now() - startedAt);
  try {
    const response = await fetch(`${apiUrl}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': intent.idempotencyKey },
      body: JSON.stringify(intent.request),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const accepted = response.status === 202 ? orderAcceptedSchema.parse(JSON.parse(text)) : undefined;
    return {
      status: response.status,
      ...(accepted === undefined ? {} : { accepted }),
      replayed: response.headers.get('Idempotent-Replayed') === 'true',
      durationMs: elapsed(),
    };
  } catch {
    return { status: 'no-answer', replayed: false, durationMs: elapsed() };
  }
}

export interface Placement {
  readonly intent: OrderIntent;
  /** The 202, if one came before the deadline. */
  readonly accepted: OrderAttempt | undefined;
  readonly attempts: readonly OrderAttempt[];
}

/** Sends the intent until it is answered 202 (same key, same body), or gives up at the deadline. */
export async function placeUntilAccepted(
  apiUrl: string,
  intent: OrderIntent,
  options: { readonly deadlineMs?: number; readonly retryDelayMs?: number; readonly timeoutMs?: number } = {},
): Promise<Placement> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const attempts: OrderAttempt[] = [];
  for (;;) {
    const attempt = await sendOrder(apiUrl, intent, options.timeoutMs);
    attempts.push(attempt);
    if (attempt.status === 202) return { intent, accepted: attempt, attempts };
    // A 4xx other than 429 is the request's own fault: sending it again cannot help.
    if (typeof attempt.status === 'number' && attempt.status < 500 && attempt.status !== 429) {
      return { intent, accepted: undefined, attempts };
    }
    if (Date.now() > deadline) return { intent, accepted: undefined, attempts };
    await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 200));
  }
}

/** What the invariant checker expects of an intent answered 202. */
export function expectationOf(intent: OrderIntent, attempt: OrderAttempt): AcceptedOrder {
  if (attempt.accepted === undefined) throw new Error(`Not accepted: ${JSON.stringify(attempt)}`);
  return acceptedOrderOf(intent.request, attempt.accepted, intent.idempotencyKey);
}

/**
 * For intents the client never saw a 202 for: the order exists if and only if its key was claimed
 * (the claim is written in the order's own transaction), so look the key up and expect the order
 * to be complete when it exists. An order that does not exist is not expected.
 */
export async function expectationsFoundByKey(stack: Pick<StateSource, 'ddb' | 'resources'>, intents: readonly OrderIntent[]): Promise<AcceptedOrder[]> {
  const found: AcceptedOrder[] = [];
  for (const intent of intents) {
    const { Item } = await stack.ddb.send(
      new GetCommand({
        TableName: stack.resources.tableNames.idempotency,
        Key: { [TABLES.idempotency.partitionKey]: intent.idempotencyKey },
        ConsistentRead: true,
      }),
    );
    if (Item !== undefined) {
      const claim = orderAcceptedSchema.parse({ orderId: Item.orderId, eventId: Item.eventId, status: 'PENDING' });
      found.push(acceptedOrderOf(intent.request, claim, intent.idempotencyKey));
    }
  }
  return found;
}

/** Runs `task` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
