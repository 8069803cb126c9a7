import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOutcomeStore } from '../../common/dynamodb-outcome-store';
import type { PaymentRepository } from '../domain/process-payment';
import { paymentRecordSchema } from '../domain/payment-record';

/** The payments table (key `orderId`): one decision per order, written with a conditional put. */
export function createDynamoDbPaymentRepository(tableName: string, documentClient?: DynamoDBDocumentClient): PaymentRepository {
  return new DynamoDbOutcomeStore(tableName, paymentRecordSchema, documentClient);
}
