import { TABLE_NAMES, TOPIC_ARN } from '../../support/consumer-env';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InventoryFailedV1, InventoryReservedV1 } from '../../../src/common/events';
import { handler } from '../../../src/inventory/handler';
import {
  CORRELATION_ID,
  ORDER_CREATED_EVENT_ID,
  ORDER_ID,
  inventoryFailedEvent,
  orderCreatedEvent,
} from '../../support/event-fixtures';
import { FakeTable } from '../../support/fake-dynamodb-table';
import { acceptAll, attributesOf, publishedEntries, refuseAll } from '../../support/fake-sns-topic';
import { lambdaContext, sqsEvent, sqsRecord, sqsRecordOf } from '../../support/sqs-fixtures';

const documentClient = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const OUTCOME_EVENT_ID = `${ORDER_CREATED_EVENT_ID}:inventory-outcome`;
const RESERVED_ITEMS = [
  { sku: 'LAPTOP-001', quantity: 1 },
  { sku: 'MOUSE-002', quantity: 2 },
];
let reservations: FakeTable;

beforeEach(() => {
  documentClient.reset();
  sns.reset();
  reservations = new FakeTable(documentClient, 'orderId');
  sns.on(PublishBatchCommand).callsFake(acceptAll);
});

function publishedBodies(): (string | undefined)[] {
  return publishedEntries(sns).map((entry) => entry.Message);
}

describe('inventory handler', () => {
  it.each([
    { inventoryOutcome: 'reserved', schema: InventoryReservedV1.schema, eventType: 'InventoryReserved', status: 'RESERVED' },
    { inventoryOutcome: 'out_of_stock', schema: InventoryFailedV1.schema, eventType: 'InventoryFailed', status: 'FAILED' },
  ] as const)('publishes $eventType for an order whose stock is $inventoryOutcome and stores the reservation', async ({ inventoryOutcome, schema, eventType, status }) => {
    // Prepare
    const record = sqsRecordOf(orderCreatedEvent({ inventoryOutcome }), { traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' });

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(documentClient).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE_NAMES.inventory,
      Key: { orderId: ORDER_ID },
      ConsistentRead: true,
    });
    expect(documentClient).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE_NAMES.inventory,
      ConditionExpression: 'attribute_not_exists(orderId)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const [entry] = publishedEntries(sns);
    const published = schema.parse(JSON.parse(entry?.Message ?? ''));
    expect(published).toMatchObject({ eventId: OUTCOME_EVENT_ID, eventType, correlationId: CORRELATION_ID, data: { orderId: ORDER_ID, items: RESERVED_ITEMS } });
    expect(sns).toHaveReceivedCommandWith(PublishBatchCommand, { TopicArn: TOPIC_ARN });
    expect(attributesOf(entry)).toEqual({
      eventType,
      eventVersion: '1.0',
      correlationId: CORRELATION_ID,
      orderId: ORDER_ID,
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
    });
    expect(reservations.items.get(ORDER_ID)).toEqual({
      orderId: ORDER_ID,
      sourceEventId: ORDER_CREATED_EVENT_ID,
      status,
      items: RESERVED_ITEMS,
      ...(inventoryOutcome === 'reserved' ? { reservationId: `sim-res-${ORDER_ID}` } : {}),
      outcomeEventId: OUTCOME_EVENT_ID,
      outcomeEvent: entry?.Message,
      processedAt: published.occurredAt,
    });
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
    expect(reservations.items.get(ORDER_ID)?.outcomeEvent).toBe(first);
  });

  it('publishes the stored event, not its own, when a concurrent delivery won the conditional write', async () => {
    // Prepare: the winner stored "out of stock" after this delivery's read found nothing.
    const winnerEvent = JSON.stringify(inventoryFailedEvent({}, { eventId: OUTCOME_EVENT_ID, occurredAt: '2026-07-02T09:59:59.000Z' }));
    reservations.beforeNextPut(() => reservations.items.set(ORDER_ID, storedReservation(winnerEvent)));

    // Act
    const response = await handler(sqsEvent(sqsRecordOf(orderCreatedEvent({ inventoryOutcome: 'reserved' }))), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publishedBodies()).toEqual([winnerEvent]);
    expect(reservations.items.get(ORDER_ID)?.outcomeEvent).toBe(winnerEvent);
  });

  it('reports the record when SNS refuses the outcome, and the retry republishes the stored event with the same id', async () => {
    // Prepare
    sns.on(PublishBatchCommand).callsFakeOnce(refuseAll).callsFake(acceptAll);
    const firstDelivery = sqsRecordOf(orderCreatedEvent());

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

  it('fails the record and stores and publishes nothing when the order simulates an inventory failure', async () => {
    // Prepare
    const record = sqsRecordOf(orderCreatedEvent({ simulateTechnicalFailure: 'inventory' }));

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(documentClient).not.toHaveReceivedCommand(PutCommand);
    expect(sns).not.toHaveReceivedCommand(PublishBatchCommand);
  });

  it.each(['payment', 'notification'] as const)('processes an order that simulates a %s failure and carries the field on', async (target) => {
    // Prepare
    const record = sqsRecordOf(orderCreatedEvent({ simulateTechnicalFailure: target }));

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(JSON.parse(publishedBodies()[0] ?? '')).toMatchObject({ data: { simulateTechnicalFailure: target } });
  });

  it('fails only the poison messages of a batch and processes the rest', async () => {
    // Prepare
    const valid = sqsRecordOf(orderCreatedEvent());
    const notJson = sqsRecord({ body: 'not json' });
    const orderCreated = orderCreatedEvent();
    const wrongSchema = sqsRecord({ body: JSON.stringify({ ...orderCreated, data: { ...orderCreated.data, items: [] } }) });
    const unknownVersion = sqsRecord({ body: JSON.stringify({ ...orderCreated, eventVersion: '2.0' }) });

    // Act
    const response = await handler(sqsEvent(valid, notJson, wrongSchema, unknownVersion), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: notJson.messageId },
      { itemIdentifier: wrongSchema.messageId },
      { itemIdentifier: unknownVersion.messageId },
    ]);
    expect(publishedBodies()).toHaveLength(1);
    expect(reservations.items.has(ORDER_ID)).toBe(true);
  });
});

function storedReservation(outcomeEvent: string): Record<string, unknown> {
  return {
    orderId: ORDER_ID,
    sourceEventId: ORDER_CREATED_EVENT_ID,
    status: 'FAILED',
    items: RESERVED_ITEMS,
    outcomeEventId: OUTCOME_EVENT_ID,
    outcomeEvent,
    processedAt: '2026-07-02T09:59:59.000Z',
  };
}
