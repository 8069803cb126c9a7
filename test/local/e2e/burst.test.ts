/**
 * A burst of concurrent orders with every mix of business outcomes: each order completes exactly
 * once (one order, one outbox item SENT, one decision per service, one notification per outcome,
 * the right final status) and nothing is dead-lettered. Technical failures are left to
 * technical-failure.test.ts: this file runs at a slower time scale, where a DLQ takes minutes.
 *
 * Why production durations (time scale 1): a burst keeps some fifty processes busy on a 2-core
 * machine, often shared with other stacks. At the default test scale (0.05) every function times
 * out after 3 s and messages come back after 5 s, so load alone turns into retries, relay give-ups
 * and dead letters; even at 0.5, with other stacks running, payment and inventory batches timed
 * out by the dozen. With production timeouts the burst measures the pipeline, not the machine.
 * The client still retries a 5xx with the same Idempotency-Key, as a careful client does: a
 * retried request must get back the order its first attempt may have written, never a second one,
 * and the invariants check exactly that.
 */
import { randomUUID } from 'node:crypto';
import type { InventoryOutcome, PaymentOutcome } from '../../../src/common/events';
import { LOCAL_API_MAX_CONCURRENCY } from '../../../infra/local/runtime/local-functions';
import { formatViolations, waitForPipelineToSettle, type AcceptedOrder } from '../support/invariants';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { acceptedBodyOf, acceptedOrderOf, anOrderRequest, postOrderRetrying, type OrderRequestBody } from '../support/order-client';
import { readPipelineState } from '../support/pipeline-state';

/** This file's stack: API 19110, DynamoDB Local 19111, SNS/SQS 19112. */
const BASE_PORT = 19110;
const BURST = 200;
const TIME_SCALE = 1;
/** Every combination of business outcomes, in turn. */
const OUTCOMES: readonly (readonly [PaymentOutcome, InventoryOutcome])[] = [
  ['approved', 'reserved'],
  ['declined', 'reserved'],
  ['approved', 'out_of_stock'],
  ['declined', 'out_of_stock'],
];

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ basePort: BASE_PORT, timeScale: TIME_SCALE });
}, 180_000);

afterAll(() => stack?.stop());

function requestFor(index: number): OrderRequestBody {
  const [paymentOutcome, inventoryOutcome] = OUTCOMES[index % OUTCOMES.length] ?? ['approved', 'reserved'];
  return anOrderRequest({
    customerEmail: `customer-${index}@example.com`,
    items: [{ sku: `SKU-${index}`, quantity: 1 + (index % 3), price: (1_000 + index) / 100 }],
    paymentOutcome,
    inventoryOutcome,
  });
}

/** Sends every request at once; returns what the checker expects of each accepted one. */
async function placeConcurrently(
  requests: readonly OrderRequestBody[],
): Promise<{ readonly expectations: AcceptedOrder[]; readonly statuses: number[]; readonly retried: number }> {
  const keyed = requests.map((body) => ({ body, idempotencyKey: randomUUID() }));
  const answers = await Promise.all(keyed.map(({ body, idempotencyKey }) => postOrderRetrying(stack.apiUrl, body, { idempotencyKey })));
  return {
    statuses: answers.map(({ response }) => response.status),
    retried: answers.filter(({ attempts }) => attempts > 1).length,
    expectations: answers.flatMap(({ response }, index) => {
      const request = keyed[index];
      return response.status === 202 && request !== undefined
        ? [acceptedOrderOf(request.body, acceptedBodyOf(response), request.idempotencyKey)]
        : [];
    }),
  };
}

describe('a burst of concurrent orders', () => {
  it(`completes each of ${BURST} concurrent orders exactly once`, async () => {
    // Prepare: one order per API environment, so the burst finds them started (cold starts under
    // load are what exceed the local timeout floor).
    const warmUp = await placeConcurrently(Array.from({ length: LOCAL_API_MAX_CONCURRENCY }, (_, index) => requestFor(BURST + index)));
    const requests = Array.from({ length: BURST }, (_, index) => requestFor(index));

    // Act
    const startedAt = Date.now();
    const burst = await placeConcurrently(requests);
    const acceptedInMs = Date.now() - startedAt;

    // Assess
    expect(burst.statuses).toEqual(Array(BURST).fill(202));
    const expectations = [...warmUp.expectations, ...burst.expectations];
    expect(new Set(burst.expectations.map((order) => order.orderId)).size).toBe(BURST);

    const report = await waitForPipelineToSettle(stack, { orders: expectations }, { timeoutMs: 480_000, intervalMs: 2_000 });
    expect(formatViolations(report)).toBe('');
    expect(report.orderCount).toBe(expectations.length);

    const state = await readPipelineState(stack);
    const orders = expectations.length;
    expect({
      orders: state.tables.orders.length,
      outbox: state.tables.outbox.length,
      idempotencyKeys: state.tables.idempotency.length,
      payments: state.tables.payments.length,
      reservations: state.tables.inventory.length,
      notifications: state.tables.notifications.length,
    }).toEqual({
      orders,
      outbox: orders,
      idempotencyKeys: orders,
      payments: orders,
      reservations: orders,
      notifications: 2 * orders,
    });
    process.stderr.write(
      `burst: ${BURST} orders answered in ${acceptedInMs} ms (${burst.retried} retried after a 5xx), ` +
        `pipeline settled ${Date.now() - startedAt} ms after the first request\n`,
    );
  }, 600_000);
});
