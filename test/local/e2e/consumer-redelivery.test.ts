/**
 * What a consumer does with the deliveries SQS may make: a message delivered twice has one effect,
 * and a poison message in a batch fails alone (partial batch response) while the good ones of the
 * same batch are processed once and deleted. Messages are injected straight into the payment
 * queue, the way SQS would deliver them; the functions' own log lines show each delivery.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { createEvent, EVENT_TYPES, OrderCreatedV1, outcomeEventSchema, type OrderCreated } from '../../../src/common/events';
import {
  MESSAGE_ATTRIBUTES,
  NOTIFICATION_CONSUMER,
  ORDER_STATUS_CONSUMER,
  PAYMENT_CONSUMER,
  QUEUE_DEFAULTS,
} from '../../../src/common/settings';
import type { Order } from '../../../src/order/domain/order';
import { eventually } from '../support/eventually';
import { formatViolations, waitForPipelineToSettle } from '../support/invariants';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { placeOrder } from '../support/order-client';
import {
  functionLogRecords,
  peekQueue,
  readPipelineState,
  subscribeTopicTap,
  type FunctionLogRecord,
  type QueuedMessage,
  type TopicTap,
} from '../support/pipeline-state';

/** This file's stack: API 19113, DynamoDB Local 19114, SNS/SQS 19115. */
const BASE_PORT = 19113;
const SETTLE_TIMEOUT_MS = 60_000;

let stack: LocalStack;
let tap: TopicTap;
/** Every message the topic delivered, in arrival order. */
const delivered: QueuedMessage[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ basePort: BASE_PORT, runtimeEnv: { LOCAL_FUNCTION_LOGS: '1' } });
  tap = await subscribeTopicTap(stack, stack.resources.topicArn);
}, 180_000);

afterAll(() => stack?.stop());

function paymentQueue(): { readonly url: string; readonly dlqUrl: string; readonly visibilityTimeoutSeconds: number } {
  const queue = stack.resources.queues[PAYMENT_CONSUMER.id];
  if (queue === undefined) throw new Error('The stack has no payment queue');
  return queue;
}

function logsOf(functionName: string): FunctionLogRecord[] {
  return functionLogRecords(stack.runtime().output, functionName);
}

/** Waits for a log line of `functionName` matching every given field. */
async function logLine(functionName: string, fields: Readonly<Record<string, unknown>>, what: string): Promise<FunctionLogRecord> {
  return eventually(
    () => logsOf(functionName).find((log) => Object.entries(fields).every(([name, value]) => log[name] === value)),
    { timeoutMs: 30_000, intervalMs: 100, what },
  );
}

async function deliveredSoFar(): Promise<QueuedMessage[]> {
  delivered.push(...(await tap.drain()));
  return delivered;
}

function stringAttributes(attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}

describe('a message delivered twice', () => {
  it('has no second effect: one payment, one outcome event, one notification', async () => {
    // Prepare: a real order, fully processed, and the OrderCreated exactly as SNS delivered it.
    const { accepted, expectation } = await placeOrder(stack.apiUrl);
    const settled = await waitForPipelineToSettle(stack, { orders: [expectation] }, { timeoutMs: SETTLE_TIMEOUT_MS });
    expect(formatViolations(settled)).toBe('');
    const original = (await deliveredSoFar()).find(
      (message) =>
        message.attributes[MESSAGE_ATTRIBUTES.orderId] === accepted.orderId &&
        message.attributes[MESSAGE_ATTRIBUTES.eventType] === EVENT_TYPES.orderCreated,
    );
    expect(original).toBeDefined();
    const [payment] = (await readPipelineState(stack)).tables.payments;
    const outcomeEventId = String(payment?.outcomeEventId);

    // Act: SQS delivers the same message again.
    const { MessageId: copyId } = await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: paymentQueue().url,
        MessageBody: original?.body,
        MessageAttributes: stringAttributes(original?.attributes ?? {}),
      }),
    );

    // Assess: payment republished the stored outcome (same event id), and its consumers absorbed it.
    const republished = await logLine(
      PAYMENT_CONSUMER.id,
      { message: 'Payment outcome published', messageId: copyId },
      'the copy to be processed',
    );
    expect(republished).toMatchObject({ republished: true, outcomeEventId });
    await logLine(
      NOTIFICATION_CONSUMER.id,
      { message: 'Notification already recorded; duplicate delivery', eventId: outcomeEventId },
      'notification to absorb the duplicate',
    );
    await logLine(
      ORDER_STATUS_CONSUMER.id,
      { message: 'Outcome already recorded', eventId: outcomeEventId },
      'order status to absorb the duplicate',
    );

    const report = await waitForPipelineToSettle(stack, { orders: [expectation] }, { timeoutMs: SETTLE_TIMEOUT_MS });
    expect(formatViolations(report)).toBe('');
    const state = await readPipelineState(stack);
    expect(state.tables.payments).toHaveLength(1);
    expect(state.tables.notifications.filter((item) => item.eventType === EVENT_TYPES.paymentCompleted)).toEqual([
      expect.objectContaining({ notificationId: outcomeEventId, orderId: accepted.orderId }),
    ]);
    const paymentOutcomes = (await deliveredSoFar())
      .filter((message) => message.attributes[MESSAGE_ATTRIBUTES.eventType] === EVENT_TYPES.paymentCompleted)
      .map((message) => outcomeEventSchema.parse(JSON.parse(message.body)));
    // One outcome event, published twice with the same id and bytes.
    expect(paymentOutcomes.map((event) => event.eventId)).toEqual([outcomeEventId, outcomeEventId]);
  }, 120_000);
});

/** An order and its OrderCreated, written as the order service would have, without going through it. */
function anOrderWithItsEvent(index: number): { readonly order: Order; readonly event: OrderCreated } {
  const orderId = randomUUID();
  const createdAt = new Date().toISOString();
  const correlationId = randomUUID();
  const customerEmail = `batch-${index}@example.com`;
  const items = [{ sku: `BATCH-${index}`, quantity: 1, price: 12.5 }];
  const event = createEvent(OrderCreatedV1, {
    eventId: randomUUID(),
    occurredAt: createdAt,
    correlationId,
    data: { orderId, customerEmail, currency: 'USD', items, totalAmount: 12.5, paymentOutcome: 'approved', inventoryOutcome: 'reserved' },
  });
  const order: Order = {
    orderId,
    status: 'PENDING',
    paymentStatus: 'PENDING',
    inventoryStatus: 'PENDING',
    customerEmail,
    currency: 'USD',
    items,
    totalAmount: 12.5,
    totalMinorUnits: 1250,
    paymentOutcome: 'approved',
    inventoryOutcome: 'reserved',
    correlationId,
    eventId: event.eventId,
    createdAt,
    updatedAt: createdAt,
  };
  return { order, event };
}

describe('a batch with one poison message', () => {
  it('deletes the good messages after one delivery and dead-letters only the poison one after three', async () => {
    // Prepare
    const good = [0, 1, 2, 3].map(anOrderWithItsEvent);
    for (const { order } of good) {
      await stack.ddb.send(new PutCommand({ TableName: stack.resources.tableNames.orders, Item: order }));
    }
    // Valid JSON with the right message attributes, but not an OrderCreated: it can never succeed.
    const poisonBody = JSON.stringify({ eventType: EVENT_TYPES.orderCreated, eventVersion: '1.0', data: { orderId: 'not-a-uuid' } });
    const attributesOf = (event: OrderCreated | undefined) =>
      stringAttributes({
        [MESSAGE_ATTRIBUTES.eventType]: EVENT_TYPES.orderCreated,
        [MESSAGE_ATTRIBUTES.eventVersion]: '1.0',
        [MESSAGE_ATTRIBUTES.correlationId]: event?.correlationId ?? 'poison',
        ...(event === undefined ? {} : { [MESSAGE_ATTRIBUTES.orderId]: event.data.orderId }),
      });
    const entries = [
      ...good.slice(0, 2).map(({ event }) => ({ body: JSON.stringify(event), event })),
      { body: poisonBody, event: undefined },
      ...good.slice(2).map(({ event }) => ({ body: JSON.stringify(event), event })),
    ];
    // Sent in one SendMessageBatch and no more than the mapping's batch size: one receive takes them all.
    expect(entries.length).toBeLessThanOrEqual(PAYMENT_CONSUMER.batchSize);

    // Act
    const sentAt = Date.now();
    const { Successful = [], Failed = [] } = await stack.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: paymentQueue().url,
        Entries: entries.map(({ body, event }, index) => ({ Id: String(index), MessageBody: body, MessageAttributes: attributesOf(event) })),
      }),
    );

    // Assess
    expect(Failed).toEqual([]);
    const messageIdOf = (index: number): string | undefined => Successful.find((entry) => entry.Id === String(index))?.MessageId;
    const poisonId = messageIdOf(2);
    const goodIds = [0, 1, 3, 4].map(messageIdOf);

    const deadLetters = await eventually(
      async () => {
        const messages = await peekQueue(stack.sqs, paymentQueue().dlqUrl);
        return messages.length > 0 ? messages : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'the poison message in the payment DLQ' },
    );
    expect(deadLetters.map((message) => [message.messageId, message.body])).toEqual([[poisonId, poisonBody]]);

    const payment = logsOf(PAYMENT_CONSUMER.id);
    const poisonFailures = payment.filter((log) => log.message === 'Record failed' && log.messageId === poisonId);
    expect(poisonFailures.map((log) => log.receiveCount)).toEqual(['1', '2', '3']);
    // The poison's first delivery shared its invocation with the good ones, each processed once.
    const firstBatch = poisonFailures[0]?.function_request_id;
    const goodDeliveries = goodIds.map((messageId) =>
      payment.filter((log) => log.message === 'Processing payment' && log.messageId === messageId),
    );
    expect(goodDeliveries.map((deliveries) => deliveries.map((log) => log.function_request_id))).toEqual(
      goodIds.map(() => [firstBatch]),
    );
    expect(payment.filter((log) => log.message === 'Record failed' && goodIds.includes(String(log.messageId)))).toEqual([]);
    expect(poisonFailures).toHaveLength(QUEUE_DEFAULTS.maxReceiveCount);

    // Not delayed by the poison's retries: decided within the first visibility timeout.
    const state = await readPipelineState(stack);
    for (const { order } of good) {
      const [record] = state.tables.payments.filter((item) => item.orderId === order.orderId);
      expect(record).toMatchObject({ status: 'COMPLETED', sourceEventId: order.eventId });
      expect(Date.parse(String(record?.processedAt)) - sentAt).toBeLessThan(paymentQueue().visibilityTimeoutSeconds * 1000);
    }
  }, 150_000);
});
