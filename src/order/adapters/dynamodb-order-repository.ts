import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createDocumentClient } from '../../common/aws-clients';
import { isTransactionCanceled } from '../../common/dynamodb-errors';
import { pendingBucketOf } from '../../common/outbox-item';
import { TABLES } from '../../common/settings';
import { orderSchema, type Order } from '../domain/order';
import {
  idempotencyRecordSchema,
  type CreateOrderOutcome,
  type IdempotencyRecord,
  type NewOrder,
  type OrderRepository,
} from '../domain/ports';
import { translateDynamoDbError, withDependencyErrors } from './translate-dynamodb-error';

export interface OrderTableNames {
  readonly orders: string;
  readonly outbox: string;
  readonly idempotency: string;
}

/** Position of the key's claim in the transaction, to find its CancellationReasons entry. */
const IDEMPOTENCY_PUT_INDEX = 2;

/**
 * Orders, their outbox items and Idempotency-Key claims in DynamoDB.
 *
 * No ClientRequestToken is set, on purpose: the SDK fills one in when it serializes the command,
 * and its own retries resend that same request, so a response lost in transit is already safe.
 * Across HTTP requests the key's claim does the job (and does it forever, where a token lasts 10
 * minutes and would refuse the retry's new orderId with IdempotentParameterMismatch).
 */
export class DynamoDbOrderRepository implements OrderRepository {
  constructor(
    private readonly tables: OrderTableNames,
    private readonly client: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async findIdempotencyRecord(idempotencyKey: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await withDependencyErrors(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tables.idempotency,
          Key: { [TABLES.idempotency.partitionKey]: idempotencyKey },
          ConsistentRead: true,
        }),
      ),
    );
    return Item === undefined ? undefined : idempotencyRecordSchema.parse(Item);
  }

  async create({ order, outboxItem, idempotencyRecord }: NewOrder): Promise<CreateOrderOutcome> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.orders,
                Item: order,
                ConditionExpression: 'attribute_not_exists(#key)',
                ExpressionAttributeNames: { '#key': TABLES.orders.partitionKey },
              },
            },
            {
              Put: {
                TableName: this.tables.outbox,
                // In the sparse pending index until the relay marks it SENT (see TABLES.outbox).
                Item: { ...outboxItem, [TABLES.outbox.pendingIndex.partitionKey]: pendingBucketOf(outboxItem.eventId) },
                ConditionExpression: 'attribute_not_exists(#key)',
                ExpressionAttributeNames: { '#key': TABLES.outbox.partitionKey },
              },
            },
            ...(idempotencyRecord === undefined
              ? []
              : [
                  {
                    Put: {
                      TableName: this.tables.idempotency,
                      Item: idempotencyRecord,
                      ConditionExpression: 'attribute_not_exists(#key)',
                      ExpressionAttributeNames: { '#key': TABLES.idempotency.partitionKey },
                      // The winner's claim comes back with the cancellation: no second read.
                      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                    },
                  },
                ]),
          ],
        }),
      );
      return { created: true };
    } catch (error) {
      if (idempotencyRecord !== undefined && isCancelledByClaimedKey(error)) {
        // The claim normally comes back in the cancellation; read it if it did not.
        const existingRecord = claimInCancellation(error) ?? (await this.findIdempotencyRecord(idempotencyRecord.idempotencyKey));
        if (existingRecord !== undefined) return { created: false, existingRecord };
      }
      throw translateDynamoDbError(error);
    }
  }

  async findById(orderId: string): Promise<Order | undefined> {
    const { Item } = await withDependencyErrors(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tables.orders,
          Key: { [TABLES.orders.partitionKey]: orderId },
          ConsistentRead: true,
        }),
      ),
    );
    return Item === undefined ? undefined : orderSchema.parse(Item);
  }
}

/** The transaction was cancelled because the Idempotency-Key's put found the key already claimed. */
function isCancelledByClaimedKey(error: unknown): error is TransactionCanceledException {
  return isTransactionCanceled(error) && error.CancellationReasons?.[IDEMPOTENCY_PUT_INDEX]?.Code === 'ConditionalCheckFailed';
}

/** The existing claim, from `ReturnValuesOnConditionCheckFailure`; lib-dynamodb leaves it marshalled. */
function claimInCancellation(error: TransactionCanceledException): IdempotencyRecord | undefined {
  const item = error.CancellationReasons?.[IDEMPOTENCY_PUT_INDEX]?.Item;
  return item === undefined ? undefined : idempotencyRecordSchema.parse(unmarshall(item));
}
