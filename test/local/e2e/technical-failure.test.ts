/**
 * A technical failure is an exception, retried and then dead-lettered: with
 * `simulateTechnicalFailure: 'payment'` the payment consumer fails every delivery of the order's
 * OrderCreated, the queue's redrive policy moves it to payment-dlq after three receives, and the
 * rest of the pipeline (inventory, its notification, the order's inventory status) carries on.
 */
import { formatViolations, waitForPipelineToSettle } from '../support/invariants';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { anOrderRequest, getOrder, orderViewSchema, placeOrder } from '../support/order-client';
import { functionLogRecords, peekQueue, readPipelineState } from '../support/pipeline-state';
import { PAYMENT_CONSUMER, QUEUE_DEFAULTS } from '../../../src/common/settings';

/** This file's stack: API 19106, DynamoDB Local 19107, SNS/SQS 19108. */
const BASE_PORT = 19106;
/** Three visibility timeouts (5 s each at the test time scale) and the move to the DLQ. */
const SETTLE_TIMEOUT_MS = 90_000;

let stack: LocalStack;

beforeAll(async () => {
  // The functions' own log lines show each delivery and the receive count it carried.
  stack = await startLocalStack({ basePort: BASE_PORT, runtimeEnv: { LOCAL_FUNCTION_LOGS: '1' } });
}, 180_000);

afterAll(() => stack?.stop());

describe('simulateTechnicalFailure: payment', () => {
  it('delivers the OrderCreated to payment three times, dead-letters it, and lets inventory and its notification proceed', async () => {
    // Prepare
    const request = anOrderRequest({ simulateTechnicalFailure: 'payment' });

    // Act
    const { accepted, expectation } = await placeOrder(stack.apiUrl, request);

    // Assess
    const report = await waitForPipelineToSettle(stack, { orders: [expectation] }, { timeoutMs: SETTLE_TIMEOUT_MS });
    expect(formatViolations(report)).toBe('');

    // Exactly maxReceiveCount deliveries, each failed, carrying receive counts 1, 2, 3.
    const payment = functionLogRecords(stack.runtime().output, PAYMENT_CONSUMER.id);
    const deliveries = payment.filter((log) => log.message === 'Processing payment' && log.eventId === accepted.eventId);
    expect(deliveries).toHaveLength(QUEUE_DEFAULTS.maxReceiveCount);
    const messageIds = new Set(deliveries.map((log) => log.messageId));
    expect(messageIds.size).toBe(1);
    const failures = payment.filter((log) => log.message === 'Record failed' && messageIds.has(log.messageId));
    expect(failures.map((log) => log.receiveCount)).toEqual(['1', '2', '3']);
    expect(failures.map((log) => (log.error as { name?: unknown } | undefined)?.name)).toEqual(
      Array(3).fill('SimulatedTechnicalFailureError'),
    );

    // The same message, moved to the DLQ by the redrive policy.
    const queues = stack.resources.queues[PAYMENT_CONSUMER.id];
    const deadLetters = await peekQueue(stack.sqs, queues?.dlqUrl ?? '');
    expect(deadLetters).toHaveLength(1);
    const [deadLetter] = deadLetters;
    expect(messageIds.has(deadLetter?.messageId)).toBe(true);
    expect(JSON.parse(deadLetter?.body ?? '{}')).toMatchObject({ eventId: accepted.eventId, eventType: 'OrderCreated' });
    expect(deadLetter?.attributes).toMatchObject({ eventType: 'OrderCreated', orderId: accepted.orderId });
    // fauxqs counts the receive that moved it (4) and the peek's own (5); AWS counts receives too,
    // so the value is only bounded below by the deliveries.
    expect(deadLetter?.receiveCount).toBeGreaterThan(QUEUE_DEFAULTS.maxReceiveCount);

    // Inventory and its notification went ahead; payment has no record and no outcome.
    const state = await readPipelineState(stack);
    expect(state.tables.payments).toEqual([]);
    expect(state.tables.inventory).toEqual([expect.objectContaining({ orderId: accepted.orderId, status: 'RESERVED' })]);
    expect(state.tables.notifications.map((item) => item.eventType)).toEqual(['InventoryReserved']);
    for (const [consumerId, messages] of Object.entries(state.deadLetters)) {
      expect([consumerId, messages.length]).toEqual([consumerId, consumerId === PAYMENT_CONSUMER.id ? 1 : 0]);
    }
    expect(state.relayFailures).toEqual([]);

    // The order waits for a payment outcome that never comes.
    const view = orderViewSchema.parse((await getOrder(stack.apiUrl, accepted.orderId)).body);
    expect(view).toMatchObject({ status: 'PENDING', paymentStatus: 'PENDING', inventoryStatus: 'RESERVED' });
  }, 150_000);
});
