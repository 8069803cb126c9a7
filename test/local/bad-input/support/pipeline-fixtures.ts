/**
 * Orders and events for the poison tests: valid neighbours whose effects can be watched, written
 * straight to the tables and queues so that nothing but the test decides what each consumer sees.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderCreated } from '../../../../src/common/events';
import { OUTBOX_STATUS, type OutboxItem } from '../../../../src/common/outbox-item';
import type { Order } from '../../../../src/order/domain/order';
import { CUSTOMER_EMAIL, orderCreatedEvent } from '../../../support/event-fixtures';

/** An order as the order API stores it, still PENDING in both steps: the outcome consumers update it. */
export function pendingOrder(orderId: string = randomUUID()): Order {
  const now = new Date().toISOString();
  return {
    orderId,
    status: 'PENDING',
    paymentStatus: 'PENDING',
    inventoryStatus: 'PENDING',
    customerEmail: CUSTOMER_EMAIL,
    currency: 'USD',
    items: [
      { sku: 'LAPTOP-001', quantity: 1, price: 850 },
      { sku: 'MOUSE-002', quantity: 2, price: 25 },
    ],
    totalAmount: 900,
    totalMinorUnits: 90_000,
    paymentOutcome: 'approved',
    inventoryOutcome: 'reserved',
    correlationId: randomUUID(),
    eventId: randomUUID(),
    createdAt: now,
    updatedAt: now,
  };
}

/** The OrderCreated the order API writes with `order`. */
export function orderCreatedFor(order: Order): OrderCreated {
  return orderCreatedEvent(
    {
      orderId: order.orderId,
      customerEmail: order.customerEmail,
      currency: order.currency,
      items: order.items,
      totalAmount: order.totalAmount,
      paymentOutcome: order.paymentOutcome,
      inventoryOutcome: order.inventoryOutcome,
    },
    { eventId: order.eventId, correlationId: order.correlationId, occurredAt: order.createdAt },
  );
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
export function outboxItemFor(order: Order, payload: string = JSON.stringify(orderCreatedFor(order))): OutboxItem {
  const event = orderCreatedFor(order);
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
