import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from './zod';
import { createDocumentClient } from './aws-clients';
import { isConditionalCheckFailed, itemOfConditionalCheckFailure } from './dynamodb-errors';
import type { OutcomeStore, StoredOutcome } from './outcome-once';

/**
 * An `OutcomeStore` on a table keyed by `orderId` (payments, inventory reservations). Items are
 * parsed with the service's record schema on the way out, so a malformed item is a failure here
 * rather than a wrong event downstream.
 */
export class DynamoDbOutcomeStore<TRecord extends StoredOutcome> implements OutcomeStore<TRecord> {
  constructor(
    private readonly tableName: string,
    private readonly recordSchema: z.ZodMiniType<TRecord>,
    private readonly documentClient: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async find(orderId: string): Promise<TRecord | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : this.recordSchema.parse(Item);
  }

  async storeOnce(record: TRecord): Promise<{ record: TRecord; created: boolean }> {
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record },
          ConditionExpression: 'attribute_not_exists(orderId)',
          // The losing writer gets the winner's item in the error, saving a second read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { record, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const winner = itemOfConditionalCheckFailure(error);
      if (winner !== undefined) return { record: this.recordSchema.parse(winner), created: false };
      // An emulator that ignores ALL_OLD returns no item; the item exists, so read it.
      const stored = await this.find(record.orderId);
      if (stored === undefined) throw error;
      return { record: stored, created: false };
    }
  }
}
