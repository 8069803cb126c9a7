/**
 * End to end over HTTP, against the whole local stack: an accepted order travels through the
 * outbox, the relay, the topic and every consumer, and the API's idempotency and validation hold.
 * Assertions read the real tables and queues.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { ORDER_API_LIMITS } from '../../../src/common/settings';
import { eventually } from '../support/eventually';
import { formatViolations, waitForPipelineToSettle, type AcceptedOrder } from '../support/invariants';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import {
  acceptedBodyOf,
  acceptedOrderOf,
  anOrderRequest,
  getOrder,
  orderViewSchema,
  placeOrder,
  postOrder,
} from '../support/order-client';
import { readPipelineState } from '../support/pipeline-state';

/** This file's stack: API 19100, DynamoDB Local 19101, SNS/SQS 19102. */
const BASE_PORT = 19100;
const SETTLE_TIMEOUT_MS = 60_000;
/** Jest's limit per test: a settle wait plus the requests around it. */
const TEST_TIMEOUT_MS = 120_000;

const validationErrorSchema = z.object({ issues: z.array(z.object({ path: z.string(), message: z.string() })) });

let stack: LocalStack;
/** Every order this file was answered 202 for: the invariants cover them all, and nothing else. */
const accepted: AcceptedOrder[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ basePort: BASE_PORT });
}, 180_000);

afterAll(() => stack?.stop());

async function expectPipelineSettled(): Promise<void> {
  const report = await waitForPipelineToSettle(stack, { orders: accepted }, { timeoutMs: SETTLE_TIMEOUT_MS });
  expect(formatViolations(report)).toBe('');
}

describe('POST /orders → CONFIRMED', () => {
  it('confirms an approved, reserved order: one payment COMPLETED, one reservation RESERVED, two notifications, empty DLQs', async () => {
    // Prepare
    const request = anOrderRequest({ paymentOutcome: 'approved', inventoryOutcome: 'reserved' });

    // Act
    const { accepted: answer, expectation } = await placeOrder(stack.apiUrl, request);
    accepted.push(expectation);

    // Assess
    const confirmed = await eventually(
      async () => {
        const view = orderViewSchema.parse((await getOrder(stack.apiUrl, answer.orderId)).body);
        return view.status === 'CONFIRMED' ? view : undefined;
      },
      { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 100, what: `order ${answer.orderId} to be CONFIRMED` },
    );
    expect(confirmed).toMatchObject({ paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED', totalAmount: 43.48, currency: 'USD' });
    await expectPipelineSettled();

    const state = await readPipelineState(stack);
    const ofOrder = <T extends Readonly<Record<string, unknown>>>(items: readonly T[]) =>
      items.filter((item) => item.orderId === answer.orderId);
    expect(ofOrder(state.tables.orders)).toEqual([
      expect.objectContaining({ orderId: answer.orderId, eventId: answer.eventId, status: 'CONFIRMED' }),
    ]);
    expect(ofOrder(state.tables.outbox)).toEqual([
      expect.objectContaining({ eventId: answer.eventId, eventType: 'OrderCreated', status: 'SENT' }),
    ]);
    expect(ofOrder(state.tables.payments)).toEqual([
      expect.objectContaining({ status: 'COMPLETED', amount: 43.48, currency: 'USD', sourceEventId: answer.eventId }),
    ]);
    expect(ofOrder(state.tables.inventory)).toEqual([expect.objectContaining({ status: 'RESERVED', sourceEventId: answer.eventId })]);
    expect(ofOrder(state.tables.notifications).map((item) => item.eventType).sort()).toEqual(['InventoryReserved', 'PaymentCompleted']);
    expect(Object.values(state.deadLetters).flat()).toEqual([]);
    expect(state.relayFailures).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

describe('POST /orders idempotency', () => {
  it('answers a repeated key and body with the first 202, and creates one order', async () => {
    // Prepare
    const request = anOrderRequest({ customerEmail: 'grace@example.com' });
    const idempotencyKey = randomUUID();

    // Act
    const first = await postOrder(stack.apiUrl, request, { idempotencyKey });
    const replay = await postOrder(stack.apiUrl, request, { idempotencyKey });

    // Assess
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const answer = acceptedBodyOf(first);
    accepted.push(acceptedOrderOf(request, answer, idempotencyKey), acceptedOrderOf(request, acceptedBodyOf(replay), idempotencyKey));
    await expectPipelineSettled();
    const state = await readPipelineState(stack);
    expect(state.tables.orders.filter((order) => order.idempotencyKey === idempotencyKey)).toHaveLength(1);
  }, TEST_TIMEOUT_MS);

  it('refuses the same key with another body with 422 and writes nothing for it', async () => {
    // Prepare
    const idempotencyKey = randomUUID();
    const request = anOrderRequest({ customerEmail: 'alan@example.com' });
    const { expectation } = await placeOrder(stack.apiUrl, request, idempotencyKey);
    accepted.push(expectation);

    // Act
    const reused = await postOrder(stack.apiUrl, { ...request, paymentOutcome: 'declined' }, { idempotencyKey });

    // Assess
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: 'IdempotencyKeyReusedError' });
    await expectPipelineSettled();
  }, TEST_TIMEOUT_MS);
});

describe('POST /orders validation', () => {
  it('answers 400 naming every offending field', async () => {
    // Prepare
    const body = {
      currency: 'XYZ',
      items: [{ sku: 'BOOK-1', quantity: 0, price: 19.99 }],
      paymentOutcom: 'declined',
    };

    // Act
    const response = await postOrder(stack.apiUrl, body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'ValidationError' });
    const { issues } = validationErrorSchema.parse(response.body);
    const paths = issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(['currency', 'customerEmail', 'items.0.quantity', 'paymentOutcom']);
  }, TEST_TIMEOUT_MS);

  it('answers 400 for a body that is not JSON', async () => {
    // Act
    const response = await postOrder(stack.apiUrl, undefined, { rawBody: '{"customerEmail":' });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'MalformedRequestError' });
  }, TEST_TIMEOUT_MS);

  it('answers 415 for a body that is not application/json', async () => {
    // Act
    const response = await postOrder(stack.apiUrl, anOrderRequest(), { contentType: 'text/plain' });

    // Assess
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ error: 'UnsupportedMediaTypeError' });
  }, TEST_TIMEOUT_MS);

  it('answers 413 for a body over the API limit', async () => {
    // Prepare
    const oversized = JSON.stringify({ ...anOrderRequest(), padding: 'x'.repeat(ORDER_API_LIMITS.maxBodyBytes) });

    // Act
    const response = await postOrder(stack.apiUrl, undefined, { rawBody: oversized });

    // Assess
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: 'PayloadTooLargeError' });
  }, TEST_TIMEOUT_MS);

  it('wrote nothing for any refused request', async () => {
    // Assess: the invariants flag any order, outbox item or key the client was not answered 202 for.
    await expectPipelineSettled();
    const state = await readPipelineState(stack);
    expect(state.tables.orders).toHaveLength(new Set(accepted.map((order) => order.orderId)).size);
  }, TEST_TIMEOUT_MS);
});
