import { TABLE_NAMES, TOPIC_ARN } from '../../support/consumer-env';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '../../../src/common/observability';
import { BUSINESS_METRICS } from '../../../src/common/settings';
import { PaymentCompletedV1, PaymentFailedV1 } from '../../../src/common/events';
import { handler } from '../../../src/payment/handler';
import {
  CORRELATION_ID,
  ORDER_CREATED_EVENT_ID,
  ORDER_ID,
  orderCreatedEvent,
  paymentFailedEvent,
} from '../../support/event-fixtures';
import { FakeTable } from '../../support/fake-dynamodb-table';
import { acceptAll, attributesOf, publishedEntries, refuseAll } from '../../support/fake-sns-topic';
import { lambdaContext, sqsEvent, sqsRecord, sqsRecordOf } from '../../support/sqs-fixtures';

const documentClient = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const OUTCOME_EVENT_ID = `${ORDER_CREATED_EVENT_ID}:payment-outcome`;
let payments: FakeTable;

beforeEach(() => {
  documentClient.reset();
  sns.reset();
  payments = new FakeTable(documentClient, 'orderId');
  sns.on(PublishBatchCommand).callsFake(acceptAll);
});

function publishedBodies(): (string | undefined)[] {
  return publishedEntries(sns).map((entry) => entry.Message);
}

describe('payment handler', () => {
  it.each([
    { paymentOutcome: 'approved', schema: PaymentCompletedV1.schema, eventType: 'PaymentCompleted', status: 'COMPLETED' },
    { paymentOutcome: 'declined', schema: PaymentFailedV1.schema, eventType: 'PaymentFailed', status: 'FAILED' },
  ] as const)('publishes $eventType for a $paymentOutcome order and stores the payment', async ({ paymentOutcome, schema, eventType, status }) => {
    // Prepare
    const record = sqsRecordOf(orderCreatedEvent({ paymentOutcome }), { traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' });

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(documentClient).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE_NAMES.payments,
      Key: { orderId: ORDER_ID },
      ConsistentRead: true,
    });
    expect(documentClient).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE_NAMES.payments,
      ConditionExpression: 'attribute_not_exists(orderId)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const [entry] = publishedEntries(sns);
    const published = schema.parse(JSON.parse(entry?.Message ?? ''));
    expect(published).toMatchObject({ eventId: OUTCOME_EVENT_ID, eventType, correlationId: CORRELATION_ID, data: { orderId: ORDER_ID, amount: 900, currency: 'USD' } });
    expect(sns).toHaveReceivedCommandWith(PublishBatchCommand, { TopicArn: TOPIC_ARN });
    expect(attributesOf(entry)).toEqual({
      eventType,
      eventVersion: '1.0',
      correlationId: CORRELATION_ID,
      orderId: ORDER_ID,
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
    });
    expect(payments.items.get(ORDER_ID)).toEqual({
      orderId: ORDER_ID,
      sourceEventId: ORDER_CREATED_EVENT_ID,
      status,
      amount: 900,
      currency: 'USD',
      ...(paymentOutcome === 'approved' ? { paymentId: `sim-pay-${ORDER_ID}` } : {}),
      outcomeEventId: OUTCOME_EVENT_ID,
      outcomeEvent: entry?.Message,
      processedAt: published.occurredAt,
    });
  });

  it('passes on the SQS AWSTraceHeader when the message carries no traceHeader attribute', async () => {
    // Prepare
    const record = sqsRecordOf(orderCreatedEvent());
    record.attributes.AWSTraceHeader = 'Root=1-00000000-000000000000000000000001';

    // Act
    await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(attributesOf(publishedEntries(sns)[0]).traceHeader).toBe('Root=1-00000000-000000000000000000000001');
  });

  it('republishes the stored outcome byte for byte and stores nothing on a duplicate delivery', async () => {
    // Prepare
    const orderCreated = orderCreatedEvent();
    await handler(sqsEvent(sqsRecordOf(orderCreated)), lambdaContext());

    // Act
    const response = await handler(sqsEvent(sqsRecordOf(orderCreated)), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(documentClient).toHaveReceivedCommandTimes(PutCommand, 1);
    const [first, second] = publishedBodies();
    expect(second).toBe(first);
    expect(payments.items.get(ORDER_ID)?.outcomeEvent).toBe(first);
  });

  it('publishes the stored event, not its own, when a concurrent delivery won the conditional write', async () => {
    // Prepare: the winner stored a declined payment after this delivery's read found nothing.
    const winnerEvent = JSON.stringify(paymentFailedEvent({}, { eventId: OUTCOME_EVENT_ID, occurredAt: '2026-07-02T09:59:59.000Z' }));
    payments.beforeNextPut(() => payments.items.set(ORDER_ID, storedPayment(winnerEvent)));

    // Act
    const response = await handler(sqsEvent(sqsRecordOf(orderCreatedEvent({ paymentOutcome: 'approved' }))), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publishedBodies()).toEqual([winnerEvent]);
    expect(payments.items.get(ORDER_ID)?.outcomeEvent).toBe(winnerEvent);
  });

  it('reads the stored payment when a failed conditional write returns no item', async () => {
    // Prepare
    documentClient.reset();
    payments = new FakeTable(documentClient, 'orderId', { returnsItemOnConditionFailure: false });
    const winnerEvent = JSON.stringify(paymentFailedEvent());
    payments.beforeNextPut(() => payments.items.set(ORDER_ID, storedPayment(winnerEvent)));

    // Act
    const response = await handler(sqsEvent(sqsRecordOf(orderCreatedEvent())), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publishedBodies()).toEqual([winnerEvent]);
  });

  it('reports the record when SNS refuses the outcome, and the retry republishes the stored event with the same id', async () => {
    // Prepare
    sns.on(PublishBatchCommand).callsFakeOnce(refuseAll).callsFake(acceptAll);
    const orderCreated = orderCreatedEvent();
    const firstDelivery = sqsRecordOf(orderCreated);

    // Act
    const failed = await handler(sqsEvent(firstDelivery), lambdaContext());
    const retried = await handler(
      sqsEvent({ ...firstDelivery, attributes: { ...firstDelivery.attributes, ApproximateReceiveCount: '2' } }),
      lambdaContext(),
    );

    // Assess
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: firstDelivery.messageId }]);
    expect(retried.batchItemFailures).toEqual([]);
    expect(documentClient).toHaveReceivedCommandTimes(PutCommand, 1);
    const [refused, republished] = publishedBodies();
    expect(republished).toBe(refused);
    expect(JSON.parse(republished ?? '')).toMatchObject({ eventId: OUTCOME_EVENT_ID });
  });

  it('fails the record and stores and publishes nothing when the order simulates a payment failure', async () => {
    // Prepare
    const record = sqsRecordOf(orderCreatedEvent({ simulateTechnicalFailure: 'payment' }));

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(documentClient).not.toHaveReceivedCommand(PutCommand);
    expect(sns).not.toHaveReceivedCommand(PublishBatchCommand);
  });

  it.each(['inventory', 'notification'] as const)('processes an order that simulates a %s failure and carries the field on', async (target) => {
    // Prepare
    const record = sqsRecordOf(orderCreatedEvent({ simulateTechnicalFailure: target }));

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(JSON.parse(publishedBodies()[0] ?? '')).toMatchObject({ data: { simulateTechnicalFailure: target } });
  });

  it('fails the record and publishes nothing when DynamoDB fails the write', async () => {
    // Prepare
    documentClient.on(PutCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Slow down', $metadata: {} }));
    const record = sqsRecordOf(orderCreatedEvent());

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(sns).not.toHaveReceivedCommand(PublishBatchCommand);
  });

  it('fails only the poison messages of a batch and processes the rest', async () => {
    // Prepare
    const valid = sqsRecordOf(orderCreatedEvent());
    const notJson = sqsRecord({ body: '{"eventId": ' });
    const orderCreated = orderCreatedEvent();
    const wrongSchema = sqsRecord({ body: JSON.stringify({ ...orderCreated, data: { ...orderCreated.data, customerEmail: 'not-an-email' } }) });
    const unknownVersion = sqsRecord({ body: JSON.stringify({ ...orderCreatedEvent(), eventVersion: '2.0' }) });

    // Act
    const response = await handler(sqsEvent(notJson, valid, wrongSchema, unknownVersion), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: notJson.messageId },
      { itemIdentifier: wrongSchema.messageId },
      { itemIdentifier: unknownVersion.messageId },
    ]);
    expect(publishedBodies()).toHaveLength(1);
    expect(payments.items.has(ORDER_ID)).toBe(true);
  });
});

function storedPayment(outcomeEvent: string): Record<string, unknown> {
  return {
    orderId: ORDER_ID,
    sourceEventId: ORDER_CREATED_EVENT_ID,
    status: 'FAILED',
    amount: 900,
    currency: 'USD',
    outcomeEventId: OUTCOME_EVENT_ID,
    outcomeEvent,
    processedAt: '2026-07-02T09:59:59.000Z',
  };
}

describe('payment handler metrics', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    { paymentOutcome: 'approved', metric: BUSINESS_METRICS.paymentsCompleted },
    { paymentOutcome: 'declined', metric: BUSINESS_METRICS.paymentsDeclined },
  ] as const)('counts a $paymentOutcome payment once, and its redelivery as an absorbed duplicate', async ({ paymentOutcome, metric }) => {
    // Prepare
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const orderCreated = orderCreatedEvent({ paymentOutcome });

    // Act
    await handler(sqsEvent(sqsRecordOf(orderCreated)), lambdaContext());
    await handler(sqsEvent(sqsRecordOf(orderCreated)), lambdaContext());

    // Assess
    expect(addMetric.mock.calls).toEqual([
      [metric, MetricUnit.Count, 1],
      [BUSINESS_METRICS.duplicatesAbsorbed, MetricUnit.Count, 1],
    ]);
  });
});
