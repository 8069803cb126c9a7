/**
 * Business outcomes are events, not errors: a declined payment and an out-of-stock reservation are
 * published (PaymentFailed, InventoryFailed), notified and reflected in the order, and nothing is
 * retried or dead-lettered. A tap queue on the topic shows what was actually published.
 */
import { EVENT_TYPES, outcomeEventSchema, type OutcomeEvent } from '../../../src/common/events';
import { eventually } from '../support/eventually';
import { formatViolations, waitForPipelineToSettle, type AcceptedOrder } from '../support/invariants';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { anOrderRequest, getOrder, orderViewSchema, placeOrder } from '../support/order-client';
import { readPipelineState, subscribeTopicTap, type QueuedMessage, type TopicTap } from '../support/pipeline-state';

/** This file's stack: API 19103, DynamoDB Local 19104, SNS/SQS 19105. */
const BASE_PORT = 19103;
const SETTLE_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;

let stack: LocalStack;
let outcomesTap: TopicTap;
const published: QueuedMessage[] = [];
const accepted: AcceptedOrder[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ basePort: BASE_PORT });
  outcomesTap = await subscribeTopicTap(stack, stack.resources.topicArn, {
    eventTypes: [EVENT_TYPES.paymentCompleted, EVENT_TYPES.paymentFailed, EVENT_TYPES.inventoryReserved, EVENT_TYPES.inventoryFailed],
  });
}, 180_000);

afterAll(() => stack?.stop());

function parseOutcome(json: string): OutcomeEvent {
  return outcomeEventSchema.parse(JSON.parse(json));
}

/** Outcome events published for an order so far, by event type (a duplicate publish counts twice). */
async function publishedOutcomesOf(orderId: string): Promise<{ eventType: string; eventId: string }[]> {
  published.push(...(await outcomesTap.drain()));
  return published
    .map((message) => parseOutcome(message.body))
    .filter((event) => event.data.orderId === orderId)
    .map(({ eventType, eventId }) => ({ eventType, eventId }));
}

describe('declined payment and out-of-stock inventory', () => {
  it('publishes PaymentFailed and InventoryFailed, notifies both, rejects the order, and dead-letters nothing', async () => {
    // Prepare
    const request = anOrderRequest({ paymentOutcome: 'declined', inventoryOutcome: 'out_of_stock' });

    // Act
    const { accepted: answer, expectation } = await placeOrder(stack.apiUrl, request);
    accepted.push(expectation);

    // Assess
    const report = await waitForPipelineToSettle(stack, { orders: accepted }, { timeoutMs: SETTLE_TIMEOUT_MS });
    expect(formatViolations(report)).toBe('');

    const state = await readPipelineState(stack);
    const [payment] = state.tables.payments.filter((item) => item.orderId === answer.orderId);
    const [reservation] = state.tables.inventory.filter((item) => item.orderId === answer.orderId);
    const paymentOutcome = parseOutcome(String(payment?.outcomeEvent));
    const inventoryOutcome = parseOutcome(String(reservation?.outcomeEvent));
    expect(paymentOutcome).toMatchObject({ eventType: 'PaymentFailed', data: { orderId: answer.orderId, reason: 'declined' } });
    expect(inventoryOutcome).toMatchObject({ eventType: 'InventoryFailed', data: { orderId: answer.orderId, reason: 'out_of_stock' } });

    const outcomes = await eventually(
      async () => {
        const seen = await publishedOutcomesOf(answer.orderId);
        return seen.length >= 2 ? seen : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'both outcomes on the tap queue' },
    );
    expect(outcomes.sort((left, right) => left.eventType.localeCompare(right.eventType))).toEqual([
      { eventType: 'InventoryFailed', eventId: inventoryOutcome.eventId },
      { eventType: 'PaymentFailed', eventId: paymentOutcome.eventId },
    ]);

    const notifications = state.tables.notifications.filter((item) => item.orderId === answer.orderId);
    expect(notifications.map(({ notificationId, eventType, subject }) => ({ notificationId, eventType, subject })).sort((left, right) =>
      String(left.eventType).localeCompare(String(right.eventType)),
    )).toEqual([
      { notificationId: inventoryOutcome.eventId, eventType: 'InventoryFailed', subject: `Items out of stock for order ${answer.orderId}` },
      { notificationId: paymentOutcome.eventId, eventType: 'PaymentFailed', subject: `Payment declined for order ${answer.orderId}` },
    ]);

    const view = orderViewSchema.parse((await getOrder(stack.apiUrl, answer.orderId)).body);
    expect(view).toMatchObject({ status: 'REJECTED', paymentStatus: 'FAILED', inventoryStatus: 'FAILED' });
    expect(Object.values(state.deadLetters).flat()).toEqual([]);
    expect(state.relayFailures).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it.each([
    ['a declined payment with reserved items', { paymentOutcome: 'declined', inventoryOutcome: 'reserved' }, 'FAILED', 'RESERVED'],
    ['an approved payment with items out of stock', { paymentOutcome: 'approved', inventoryOutcome: 'out_of_stock' }, 'COMPLETED', 'FAILED'],
  ] as const)('rejects an order with %s', async (_case, outcomes, paymentStatus, inventoryStatus) => {
    // Prepare
    const request = anOrderRequest(outcomes);

    // Act
    const { accepted: answer, expectation } = await placeOrder(stack.apiUrl, request);
    accepted.push(expectation);

    // Assess
    const report = await waitForPipelineToSettle(stack, { orders: accepted }, { timeoutMs: SETTLE_TIMEOUT_MS });
    expect(formatViolations(report)).toBe('');
    const view = orderViewSchema.parse((await getOrder(stack.apiUrl, answer.orderId)).body);
    expect(view).toMatchObject({ status: 'REJECTED', paymentStatus, inventoryStatus });
  }, TEST_TIMEOUT_MS);
});
