import { TABLE_NAMES } from './order-env';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '../../../src/common/observability';
import { BUSINESS_METRICS } from '../../../src/common/settings';
import 'aws-sdk-client-mock-jest';
import { logger } from '../../../src/common/observability';
import { handler } from '../../../src/order/handlers/order-status';
import {
  inventoryFailedEvent,
  inventoryReservedEvent,
  ORDER_ID,
  paymentCompletedEvent,
  paymentFailedEvent,
} from '../../support/event-fixtures';
import { lambdaContext, sqsEvent, sqsRecord, sqsRecordOf } from '../../support/sqs-fixtures';
import { storedOrder } from './fixtures';
import { FakeOrderTables } from './fake-order-tables';

const documentClient = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2026-07-02T10:00:05.000Z');
let tables: FakeOrderTables;

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
  documentClient.reset();
  tables = new FakeOrderTables(documentClient, { [TABLE_NAMES.orders]: 'orderId' });
  tables.seed(TABLE_NAMES.orders, storedOrder());
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

function storedStatuses() {
  const { status, paymentStatus, inventoryStatus } = tables.item(TABLE_NAMES.orders, ORDER_ID) ?? {};
  return { status, paymentStatus, inventoryStatus };
}

/** The overall-status writes (step 2) the handler attempted. */
function overallStatusWrites() {
  return documentClient
    .commandCalls(UpdateCommand)
    .filter((call) => call.args[0].input.ExpressionAttributeNames?.['#status'] !== undefined);
}

describe('order status handler', () => {
  it.each([
    { event: paymentCompletedEvent(), expected: { status: 'PENDING', paymentStatus: 'COMPLETED', inventoryStatus: 'PENDING' } },
    { event: paymentFailedEvent(), expected: { status: 'REJECTED', paymentStatus: 'FAILED', inventoryStatus: 'PENDING' } },
    { event: inventoryReservedEvent(), expected: { status: 'PENDING', paymentStatus: 'PENDING', inventoryStatus: 'RESERVED' } },
    { event: inventoryFailedEvent(), expected: { status: 'REJECTED', paymentStatus: 'PENDING', inventoryStatus: 'FAILED' } },
  ])('records $event.eventType', async ({ event, expected }) => {
    // Act
    const response = await handler(sqsEvent(sqsRecordOf(event)), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(storedStatuses()).toEqual(expected);
    expect(tables.item(TABLE_NAMES.orders, ORDER_ID)?.updatedAt).toBe(NOW.toISOString());
  });

  it.each([
    ['payment first', [paymentCompletedEvent(), inventoryReservedEvent()]],
    ['inventory first', [inventoryReservedEvent(), paymentCompletedEvent()]],
  ])('confirms the order when both outcomes arrive, %s, in separate batches', async (_order, events) => {
    // Act
    for (const event of events) await handler(sqsEvent(sqsRecordOf(event)), lambdaContext());

    // Assess
    expect(storedStatuses()).toEqual({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
    expect(overallStatusWrites()).toHaveLength(1);
  });

  it('settles the order once when both outcomes race in one batch: the second image sees both', async () => {
    // Act
    const response = await handler(sqsEvent(sqsRecordOf(paymentCompletedEvent()), sqsRecordOf(inventoryReservedEvent())), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(storedStatuses()).toEqual({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
    expect(overallStatusWrites()).toHaveLength(1);
  });

  it('settles the order from the ALL_NEW image when the other outcome landed just before this write', async () => {
    // Prepare: the inventory outcome is written by another invocation right before this update.
    tables.beforeNext('Update', () =>
      tables.seed(TABLE_NAMES.orders, { ...storedOrder(), inventoryStatus: 'RESERVED' }),
    );

    // Act
    const response = await handler(sqsEvent(sqsRecordOf(paymentCompletedEvent())), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(storedStatuses()).toEqual({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
  });

  it('ignores a duplicate delivery: nothing changes', async () => {
    // Prepare
    const record = sqsRecordOf(paymentFailedEvent());
    await handler(sqsEvent(record), lambdaContext());
    const before = structuredClone(tables.item(TABLE_NAMES.orders, ORDER_ID));

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(tables.item(TABLE_NAMES.orders, ORDER_ID)).toEqual(before);
    expect(overallStatusWrites()).toHaveLength(1);
  });

  it('never moves a status backwards when a contradicting outcome arrives, and warns', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    await handler(sqsEvent(sqsRecordOf(paymentCompletedEvent()), sqsRecordOf(inventoryReservedEvent())), lambdaContext());

    // Act
    const response = await handler(sqsEvent(sqsRecordOf(inventoryFailedEvent())), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(storedStatuses()).toEqual({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('contradicts'), expect.objectContaining({ orderId: ORDER_ID }));
  });

  it('finishes the overall status on redelivery after a crash between the two steps', async () => {
    // Prepare: the second outcome's step 1 lands, then its step 2 fails.
    await handler(sqsEvent(sqsRecordOf(paymentCompletedEvent())), lambdaContext());
    const record = sqsRecordOf(inventoryReservedEvent());
    tables.beforeNext('Update', () => undefined); // step 1 goes through
    tables.beforeNext('Update', () => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    const failed = await handler(sqsEvent(record), lambdaContext());
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(storedStatuses()).toEqual({ status: 'PENDING', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });

    // Act: SQS delivers the message again.
    const redelivered = await handler(sqsEvent({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }), lambdaContext());

    // Assess
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(storedStatuses()).toEqual({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
  });

  it('fails the record of an outcome for an order that does not exist, so it is retried and dead-lettered', async () => {
    // Prepare
    const record = sqsRecordOf(paymentCompletedEvent({ orderId: '3f1c4a7e-2b9d-4e6f-8a1b-0c2d3e4f5a6b' }));
    const other = sqsRecordOf(inventoryReservedEvent());

    // Act
    const response = await handler(sqsEvent(record, other), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(storedStatuses().inventoryStatus).toBe('RESERVED');
  });

  it.each([
    ['not JSON', 'PaymentCompleted'],
    ['an SNS envelope (raw delivery is off)', JSON.stringify({ Type: 'Notification', Message: JSON.stringify(paymentCompletedEvent()) })],
    ['an unknown version', JSON.stringify({ ...paymentCompletedEvent(), eventVersion: '2.0' })],
    ['an event it does not consume', JSON.stringify({ ...paymentCompletedEvent(), eventType: 'OrderCreated' })],
  ])('fails the record when the body is %s', async (_name, body) => {
    // Prepare
    const record = sqsRecord({ body });

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(documentClient).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('fails the record when DynamoDB is unavailable', async () => {
    // Prepare
    documentClient.on(UpdateCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const record = sqsRecordOf(paymentCompletedEvent());

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });
});

describe('order status handler metrics', () => {
  it('counts a redelivered outcome as an absorbed duplicate, and the first delivery as nothing', async () => {
    // Prepare
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const outcome = paymentCompletedEvent();

    // Act
    await handler(sqsEvent(sqsRecordOf(outcome)), lambdaContext());
    await handler(sqsEvent(sqsRecordOf(outcome)), lambdaContext());

    // Assess
    expect(addMetric.mock.calls).toEqual([[BUSINESS_METRICS.duplicatesAbsorbed, MetricUnit.Count, 1]]);
  });
});
