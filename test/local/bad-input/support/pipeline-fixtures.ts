/**
 * Orders and events for the poison tests: valid neighbours whose effects can be watched, written
 * straight to the tables and queues so that nothing but the test decides what each consumer sees.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_STATUS, type OutboxItem } from '../../../../src/common/outbox-item';
import type { Order } from '../../../../src/order/domain/order';
import { buildOrderCreated } from '../../../../src/order/domain/place-order';
import { storedOrder } from '../../../support/order-fixtures';

/** An order as the order API stores it, still PENDING in both steps: the outcome consumers update it. */
export function pendingOrder(orderId: string = randomUUID()): Order {
  const now = new Date().toISOString();
  return storedOrder({ orderId, correlationId: randomUUID(), eventId: randomUUID(), createdAt: now, updatedAt: now });
}

/** Writes items with BatchWriteItem (25 at most per request), retrying what DynamoDB left unprocessed. */
export async function putAll(ddb: DynamoDBDocumentClient, tableName: string, items: readonly object[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    let requests = items.slice(start, start + 25).map((item) => ({ PutRequest: { Item: { ...item } } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

/** The item under `key`, read strongly consistently. */
export async function itemOf(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return Item;
}

/** The outbox item the order API writes with `order`, its payload the OrderCreated serialized once. */
export function outboxItemFor(order: Order, payload: string = JSON.stringify(buildOrderCreated(order))): OutboxItem {
  const event = buildOrderCreated(order);
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    eventVersion: event.eventVersion,
    orderId: order.orderId,
    correlationId: event.correlationId,
    status: OUTBOX_STATUS.pending,
    payload,
    createdAt: event.occurredAt,
  };
}
