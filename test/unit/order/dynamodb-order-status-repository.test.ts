import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbOrderStatusRepository } from '../../../src/order/adapters/dynamodb-order-status-repository';
import { DependencyUnavailableError } from '../../../src/order/domain/errors';
import { ORDER_ID } from '../../support/event-fixtures';
import { storedOrder } from './fixtures';

const documentClient = mockClient(DynamoDBDocumentClient);
const ORDERS_TABLE = 'orders-table';
const UPDATED_AT = '2026-07-02T10:00:05.000Z';

function conditionFailed(item?: Record<string, unknown>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item === undefined ? {} : { Item: marshall(item) }),
  });
}

beforeEach(() => {
  documentClient.reset();
});

describe('DynamoDbOrderStatusRepository', () => {
  describe('recordStepStatus', () => {
    it.each([
      {
        outcome: { step: 'payment', status: 'COMPLETED' },
        attribute: 'paymentStatus',
        image: { paymentStatus: 'COMPLETED', inventoryStatus: 'PENDING' },
      },
      {
        outcome: { step: 'inventory', status: 'RESERVED' },
        attribute: 'inventoryStatus',
        image: { paymentStatus: 'PENDING', inventoryStatus: 'RESERVED' },
      },
    ] as const)('moves $attribute from PENDING to $outcome.status and returns the new image', async ({ outcome, attribute, image }) => {
      // Prepare
      documentClient.on(UpdateCommand).resolves({ Attributes: storedOrder(image) });

      // Act
      const update = await new DynamoDbOrderStatusRepository(ORDERS_TABLE).recordStepStatus(ORDER_ID, outcome, UPDATED_AT);

      // Assess
      expect(update).toEqual({ applied: true, order: { orderId: ORDER_ID, status: 'PENDING', ...image } });
      expect(documentClient.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: ORDERS_TABLE,
        Key: { orderId: ORDER_ID },
        UpdateExpression: 'SET #step = :status, #updatedAt = :updatedAt',
        ConditionExpression: 'attribute_exists(#key) AND #step = :pending',
        ExpressionAttributeNames: { '#key': 'orderId', '#step': attribute, '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':status': outcome.status, ':pending': 'PENDING', ':updatedAt': UPDATED_AT },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    });

    it('returns the current image, not applied, when the step is already final', async () => {
      // Prepare
      documentClient.on(UpdateCommand).rejects(conditionFailed(storedOrder({ paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' })));

      // Act
      const update = await new DynamoDbOrderStatusRepository(ORDERS_TABLE).recordStepStatus(
        ORDER_ID,
        { step: 'payment', status: 'COMPLETED' },
        UPDATED_AT,
      );

      // Assess
      expect(update).toEqual({
        applied: false,
        order: { orderId: ORDER_ID, status: 'PENDING', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' },
      });
    });

    it('returns undefined when the condition failed on no item: the order does not exist', async () => {
      // Prepare
      documentClient.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const update = await new DynamoDbOrderStatusRepository(ORDERS_TABLE).recordStepStatus(
        ORDER_ID,
        { step: 'inventory', status: 'FAILED' },
        UPDATED_AT,
      );

      // Assess
      expect(update).toBeUndefined();
    });

    it('turns a network failure into DependencyUnavailableError', async () => {
      // Prepare
      documentClient.on(UpdateCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }));

      // Act
      const updating = new DynamoDbOrderStatusRepository(ORDERS_TABLE).recordStepStatus(
        ORDER_ID,
        { step: 'inventory', status: 'FAILED' },
        UPDATED_AT,
      );

      // Assess
      await expect(updating).rejects.toThrow(DependencyUnavailableError);
    });
  });

  describe('recordOrderStatus', () => {
    it('sets the overall status only while it is PENDING', async () => {
      // Prepare
      documentClient.on(UpdateCommand).resolves({});

      // Act
      const applied = await new DynamoDbOrderStatusRepository(ORDERS_TABLE).recordOrderStatus(ORDER_ID, 'CONFIRMED', UPDATED_AT);

      // Assess
      expect(applied).toBe(true);
      expect(documentClient.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: ORDERS_TABLE,
        Key: { orderId: ORDER_ID },
        UpdateExpression: 'SET #status = :status, #updatedAt = :updatedAt',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':status': 'CONFIRMED', ':pending': 'PENDING', ':updatedAt': UPDATED_AT },
      });
    });

    it('answers false when another delivery set it first', async () => {
      // Prepare
      documentClient.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const applied = await new DynamoDbOrderStatusRepository(ORDERS_TABLE).recordOrderStatus(ORDER_ID, 'REJECTED', UPDATED_AT);

      // Assess
      expect(applied).toBe(false);
    });
  });
});
