import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOutcomeStore } from '../../common/dynamodb-outcome-store';
import { inventoryRecordSchema } from '../domain/inventory-record';
import type { InventoryRepository } from '../domain/reserve-inventory';

/** The inventory reservations table (key `orderId`): one decision per order, written with a conditional put. */
export function createDynamoDbInventoryRepository(tableName: string, documentClient?: DynamoDBDocumentClient): InventoryRepository {
  return new DynamoDbOutcomeStore(tableName, inventoryRecordSchema, documentClient);
}
