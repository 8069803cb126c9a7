import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { OUTBOX_STATUS, pendingBucketOf, type OutboxItem } from '../../../src/common/outbox-item';
import { DynamoDbOrderRepository } from '../../../src/order/adapters/dynamodb-order-repository';
import { DependencyUnavailableError } from '../../../src/order/domain/errors';
import type { IdempotencyRecord } from '../../../src/order/domain/ports';
import { CORRELATION_ID, ORDER_CREATED_EVENT_ID, ORDER_ID } from '../../support/event-fixtures';
import { storedOrder } from './fixtures';

const documentClient = mockClient(DynamoDBDocumentClient);
const TABLES = { orders: 'orders-table', outbox: 'outbox-table', idempotency: 'keys-table' };

const outboxItem: OutboxItem = {
  eventId: ORDER_CREATED_EVENT_ID,
  eventType: 'OrderCreated',
  eventVersion: '1.0',
  orderId: ORDER_ID,
  correlationId: CORRELATION_ID,
  status: OUTBOX_STATUS.pending,
  payload: '{"eventId":"…"}',
  createdAt: '2026-07-02T10:00:00.000Z',
};

const idempotencyRecord: IdempotencyRecord = {
  idempotencyKey: 'key-1',
  orderId: ORDER_ID,
  eventId: ORDER_CREATED_EVENT_ID,
  requestHash: 'a'.repeat(64),
  createdAt: '2026-07-02T10:00:00.000Z',
};

/** With its default client: the mock replaces `send` on every DocumentClient. */
function repository(): DynamoDbOrderRepository {
  return new DynamoDbOrderRepository(TABLES);
}

function cancelled(reasons: TransactionCanceledException['CancellationReasons']): TransactionCanceledException {
  return new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons });
}

beforeEach(() => {
  documentClient.reset();
});

describe('DynamoDbOrderRepository', () => {
  describe('create', () => {
    it('puts the order and its outbox item in one transaction, each only if new', async () => {
      // Prepare
      documentClient.on(TransactWriteCommand).resolves({});
      const order = storedOrder();

      // Act
      const outcome = await repository().create({ order, outboxItem });

      // Assess
      expect(outcome).toEqual({ created: true });
      expect(documentClient).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
      expect(documentClient.commandCalls(TransactWriteCommand)[0]?.args[0].input).toEqual({
        TransactItems: [
          {
            Put: {
              TableName: TABLES.orders,
              Item: order,
              ConditionExpression: 'attribute_not_exists(#key)',
              ExpressionAttributeNames: { '#key': 'orderId' },
            },
          },
          {
            Put: {
              TableName: TABLES.outbox,
              // Indexed as pending until the relay marks it SENT.
              Item: { ...outboxItem, pendingBucket: pendingBucketOf(outboxItem.eventId) },
              ConditionExpression: 'attribute_not_exists(#key)',
              ExpressionAttributeNames: { '#key': 'eventId' },
            },
          },
        ],
      });
    });

    it('claims the Idempotency-Key as the third put, returning the existing claim if it fails', async () => {
      // Prepare
      documentClient.on(TransactWriteCommand).resolves({});

      // Act
      await repository().create({ order: storedOrder(), outboxItem, idempotencyRecord });

      // Assess
      const items = documentClient.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
      expect(items).toHaveLength(3);
      expect(items?.[2]).toEqual({
        Put: {
          TableName: TABLES.idempotency,
          Item: idempotencyRecord,
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': 'idempotencyKey' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    });

    it('answers the existing claim, unmarshalled, when the transaction is cancelled on the key', async () => {
      // Prepare
      const winner = { ...idempotencyRecord, orderId: 'winner-order', eventId: 'winner-event' };
      documentClient
        .on(TransactWriteCommand)
        .rejects(cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: marshall(winner) }]));

      // Act
      const outcome = await repository().create({ order: storedOrder(), outboxItem, idempotencyRecord });

      // Assess
      expect(outcome).toEqual({ created: false, existingRecord: winner });
      expect(documentClient).not.toHaveReceivedCommand(GetCommand);
    });

    it('reads the claim when the cancellation does not carry it', async () => {
      // Prepare
      documentClient.on(TransactWriteCommand).rejects(cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));
      documentClient.on(GetCommand).resolves({ Item: idempotencyRecord });

      // Act
      const outcome = await repository().create({ order: storedOrder(), outboxItem, idempotencyRecord });

      // Assess
      expect(outcome).toEqual({ created: false, existingRecord: idempotencyRecord });
      expect(documentClient).toHaveReceivedCommandWith(GetCommand, {
        TableName: TABLES.idempotency,
        Key: { idempotencyKey: 'key-1' },
        ConsistentRead: true,
      });
    });

    it('rethrows a cancellation caused by the order itself', async () => {
      // Prepare
      const error = cancelled([{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }]);
      documentClient.on(TransactWriteCommand).rejects(error);

      // Act
      const creating = repository().create({ order: storedOrder(), outboxItem, idempotencyRecord });

      // Assess
      await expect(creating).rejects.toBe(error);
    });

    it('turns a transaction conflict into DependencyUnavailableError', async () => {
      // Prepare
      documentClient.on(TransactWriteCommand).rejects(cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'TransactionConflict' }]));

      // Act
      const creating = repository().create({ order: storedOrder(), outboxItem, idempotencyRecord });

      // Assess
      await expect(creating).rejects.toThrow(DependencyUnavailableError);
    });

    it('turns throttling into DependencyUnavailableError, keeping the cause', async () => {
      // Prepare
      const throttled = new ProvisionedThroughputExceededException({ message: 'Slow down', $metadata: {} });
      documentClient.on(TransactWriteCommand).rejects(throttled);

      // Act
      const creating = repository().create({ order: storedOrder(), outboxItem });

      // Assess
      await expect(creating).rejects.toMatchObject({ name: 'DependencyUnavailableError', cause: throttled });
    });
  });

  describe('findIdempotencyRecord', () => {
    it('reads the claim strongly consistently', async () => {
      // Prepare
      documentClient.on(GetCommand).resolves({ Item: idempotencyRecord });

      // Act
      const record = await repository().findIdempotencyRecord('key-1');

      // Assess
      expect(record).toEqual(idempotencyRecord);
      expect(documentClient).toHaveReceivedCommandWith(GetCommand, {
        TableName: TABLES.idempotency,
        Key: { idempotencyKey: 'key-1' },
        ConsistentRead: true,
      });
    });

    it('answers undefined for an unclaimed key', async () => {
      // Prepare
      documentClient.on(GetCommand).resolves({});

      // Act
      const record = await repository().findIdempotencyRecord('key-1');

      // Assess
      expect(record).toBeUndefined();
    });
  });

  describe('findById', () => {
    it('reads the order strongly consistently and validates it', async () => {
      // Prepare
      documentClient.on(GetCommand).resolves({ Item: storedOrder() });

      // Act
      const order = await repository().findById(ORDER_ID);

      // Assess
      expect(order).toEqual(storedOrder());
      expect(documentClient).toHaveReceivedCommandWith(GetCommand, {
        TableName: TABLES.orders,
        Key: { orderId: ORDER_ID },
        ConsistentRead: true,
      });
    });

    it('refuses a stored item that is not an order', async () => {
      // Prepare
      documentClient.on(GetCommand).resolves({ Item: { orderId: ORDER_ID, status: 'SHIPPED' } });

      // Act
      const reading = repository().findById(ORDER_ID);

      // Assess
      await expect(reading).rejects.toThrow();
    });

    it('lets a non-transient error through unchanged', async () => {
      // Prepare
      const error = new ConditionalCheckFailedException({ message: 'unexpected', $metadata: {} });
      documentClient.on(GetCommand).rejects(error);

      // Act
      const reading = repository().findById(ORDER_ID);

      // Assess
      await expect(reading).rejects.toBe(error);
    });
  });
});
