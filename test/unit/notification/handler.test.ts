import { TABLE_NAMES } from '../../support/consumer-env';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '../../../src/common/observability';
import { BUSINESS_METRICS } from '../../../src/common/settings';
import 'aws-sdk-client-mock-jest';
import { logger } from '../../../src/common/observability';
import { handler } from '../../../src/notification/handler';
import {
  CUSTOMER_EMAIL,
  ORDER_ID,
  inventoryFailedEvent,
  inventoryReservedEvent,
  paymentCompletedEvent,
  paymentFailedEvent,
} from '../../support/event-fixtures';
import { FakeTable } from '../../support/fake-dynamodb-table';
import { lambdaContext, sqsEvent, sqsRecord, sqsRecordOf } from '../../support/sqs-fixtures';

const documentClient = mockClient(DynamoDBDocumentClient);
let notifications: FakeTable;

beforeEach(() => {
  documentClient.reset();
  notifications = new FakeTable(documentClient, 'notificationId');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('notification handler', () => {
  it('records exactly one notification per outcome event', async () => {
    // Prepare
    const outcomes = [
      paymentCompletedEvent(),
      paymentFailedEvent({}, { eventId: 'order-2:payment-outcome' }),
      inventoryReservedEvent(),
      inventoryFailedEvent({}, { eventId: 'order-2:inventory-outcome' }),
    ];

    // Act
    const response = await handler(sqsEvent(...outcomes.map((outcome) => sqsRecordOf(outcome))), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(documentClient).toHaveReceivedCommandTimes(PutCommand, 4);
    expect(documentClient).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE_NAMES.notifications,
      ConditionExpression: 'attribute_not_exists(notificationId)',
    });
    expect([...notifications.items.keys()].sort()).toEqual(outcomes.map((outcome) => outcome.eventId).sort());
    for (const outcome of outcomes) {
      expect(notifications.items.get(outcome.eventId)).toMatchObject({
        orderId: ORDER_ID,
        eventType: outcome.eventType,
        channel: 'email',
        recipient: CUSTOMER_EMAIL,
        subject: expect.stringContaining(ORDER_ID),
        message: expect.stringContaining(ORDER_ID),
        createdAt: expect.any(String),
      });
    }
  });

  it('treats a repeated delivery as done and keeps the first notification', async () => {
    // Prepare
    const outcome = paymentCompletedEvent();
    await handler(sqsEvent(sqsRecordOf(outcome)), lambdaContext());
    const first = notifications.items.get(outcome.eventId);

    // Act
    const response = await handler(sqsEvent(sqsRecordOf(outcome)), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(documentClient).toHaveReceivedCommandTimes(PutCommand, 2);
    expect(notifications.items.size).toBe(1);
    expect(notifications.items.get(outcome.eventId)).toEqual(first);
  });

  it('fails the record and records nothing when the outcome simulates a notification failure', async () => {
    // Prepare
    const record = sqsRecordOf(inventoryReservedEvent({ simulateTechnicalFailure: 'notification' }));

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(documentClient).not.toHaveReceivedCommand(PutCommand);
  });

  it('fails the record when DynamoDB fails the write for another reason', async () => {
    // Prepare
    documentClient.on(PutCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Slow down', $metadata: {} }));
    const record = sqsRecordOf(paymentFailedEvent());

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  it('fails only the poison messages of a batch and processes the rest', async () => {
    // Prepare
    const valid = sqsRecordOf(paymentCompletedEvent());
    const notJson = sqsRecord({ body: '<xml/>' });
    const outcome = inventoryFailedEvent();
    const wrongSchema = sqsRecord({ body: JSON.stringify({ ...outcome, data: { ...outcome.data, reason: 'warehouse_closed' } }) });
    const unknownVersion = sqsRecord({ body: JSON.stringify({ ...paymentFailedEvent(), eventVersion: '2.0' }) });
    const notAnOutcome = sqsRecord({ body: JSON.stringify({ ...paymentFailedEvent(), eventType: 'OrderCreated' }) });

    // Act
    const response = await handler(sqsEvent(valid, notJson, wrongSchema, unknownVersion, notAnOutcome), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: notJson.messageId },
      { itemIdentifier: wrongSchema.messageId },
      { itemIdentifier: unknownVersion.messageId },
      { itemIdentifier: notAnOutcome.messageId },
    ]);
    expect([...notifications.items.keys()]).toEqual([paymentCompletedEvent().eventId]);
  });

  it('never logs the recipient’s address unmasked', async () => {
    // Prepare
    const logged = [jest.spyOn(logger, 'debug'), jest.spyOn(logger, 'info'), jest.spyOn(logger, 'warn'), jest.spyOn(logger, 'error')];
    const outcome = paymentCompletedEvent();

    // Act
    await handler(sqsEvent(sqsRecordOf(outcome), sqsRecordOf(outcome), sqsRecordOf(paymentFailedEvent({ simulateTechnicalFailure: 'notification' }))), lambdaContext());

    // Assess
    const lines = logged.flatMap((spy) => spy.mock.calls.map((call) => JSON.stringify(call)));
    expect(lines.join('\n')).toContain('s******@example.com');
    expect(lines.join('\n')).not.toContain(CUSTOMER_EMAIL);
  });
});

describe('notification handler metrics', () => {
  it('counts a recorded notification once, and its redelivery as an absorbed duplicate', async () => {
    // Prepare
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const outcome = paymentCompletedEvent();

    // Act
    await handler(sqsEvent(sqsRecordOf(outcome)), lambdaContext());
    await handler(sqsEvent(sqsRecordOf(outcome)), lambdaContext());

    // Assess
    expect(addMetric.mock.calls).toEqual([
      [BUSINESS_METRICS.notificationsRecorded, MetricUnit.Count, 1],
      [BUSINESS_METRICS.duplicatesAbsorbed, MetricUnit.Count, 1],
    ]);
  });
});
