import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../common/aws-clients';
import { isConditionalCheckFailed, itemOfConditionalCheckFailure } from '../../common/dynamodb-errors';
import { TABLES } from '../../common/settings';
import { INVENTORY_STATUS, ORDER_STATUS, orderStatusesSchema, PAYMENT_STATUS, type OrderStatus } from '../domain/order';
import type { OrderStatusRepository, StepOutcome, StepStatusUpdate } from '../domain/ports';
import { translateDynamoDbError } from './translate-dynamodb-error';

/** The attribute each step's status is stored in, and the value it starts with. */
const STEP_STATUS = {
  payment: { attribute: 'paymentStatus', pending: PAYMENT_STATUS.pending },
  inventory: { attribute: 'inventoryStatus', pending: INVENTORY_STATUS.pending },
} as const;

/** Conditional status updates on the orders table; see `recordOutcome` for why they are safe. */
export class DynamoDbOrderStatusRepository implements OrderStatusRepository {
  constructor(
    private readonly ordersTable: string,
    private readonly client: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async recordStepStatus(orderId: string, outcome: StepOutcome, updatedAt: string): Promise<StepStatusUpdate | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.ordersTable,
          Key: { [TABLES.orders.partitionKey]: orderId },
          UpdateExpression: 'SET #step = :status, #updatedAt = :updatedAt',
          ConditionExpression: 'attribute_exists(#key) AND #step = :pending',
          ExpressionAttributeNames: {
            '#key': TABLES.orders.partitionKey,
            '#step': STEP_STATUS[outcome.step].attribute,
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ':status': outcome.status,
            ':pending': STEP_STATUS[outcome.step].pending,
            ':updatedAt': updatedAt,
          },
          // The item after this write, including the other step's status if it landed first.
          ReturnValues: 'ALL_NEW',
          // When refused, the item as it is: a duplicate still re-derives, a missing order shows as none.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true, order: orderStatusesSchema.parse(Attributes) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw translateDynamoDbError(error);
      const current = itemOfConditionalCheckFailure(error);
      return current === undefined ? undefined : { applied: false, order: orderStatusesSchema.parse(current) };
    }
  }

  async recordOrderStatus(orderId: string, status: Exclude<OrderStatus, 'PENDING'>, updatedAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.ordersTable,
          Key: { [TABLES.orders.partitionKey]: orderId },
          UpdateExpression: 'SET #status = :status, #updatedAt = :updatedAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':status': status, ':pending': ORDER_STATUS.pending, ':updatedAt': updatedAt },
        }),
      );
      return true;
    } catch (error) {
      // Already final: another delivery derived and stored the same status first.
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoDbError(error);
    }
  }
}
