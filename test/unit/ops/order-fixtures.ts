import type { OrderFacts, StoredItem } from '../../../ops/order-facts';

export const ORDER_ID = '895714b1-6738-4b65-abcf-e6633b00c6e3';
const EVENT_ID = 'e09036bd-9e76-43a2-9659-251b1c39bab7';

/** The items of an order that went all the way through, as the services store them. */
export function aConfirmedOrder(): OrderFacts {
  return {
    orderId: ORDER_ID,
    order: {
      orderId: ORDER_ID,
      eventId: EVENT_ID,
      status: 'CONFIRMED',
      paymentStatus: 'COMPLETED',
      inventoryStatus: 'RESERVED',
      currency: 'USD',
      totalAmount: 20,
      items: [{ sku: 'A1', quantity: 2, price: 10 }],
      paymentOutcome: 'approved',
      inventoryOutcome: 'reserved',
      idempotencyKey: 'key-1',
      createdAt: '2026-11-29T01:10:48.505Z',
      updatedAt: '2026-11-29T01:10:51.136Z',
    },
    idempotency: { idempotencyKey: 'key-1', orderId: ORDER_ID, createdAt: '2026-11-29T01:10:48.505Z' },
    outbox: {
      eventId: EVENT_ID,
      eventType: 'OrderCreated',
      status: 'SENT',
      createdAt: '2026-11-29T01:10:48.505Z',
      sentAt: '2026-11-29T01:10:49.099Z',
    },
    payment: decision('COMPLETED', 'PaymentCompleted', '2026-11-29T01:10:50.300Z', { paymentId: `sim-pay-${ORDER_ID}` }),
    inventory: decision('RESERVED', 'InventoryReserved', '2026-11-29T01:10:50.050Z', { reservationId: `sim-res-${ORDER_ID}` }),
    notifications: [
      { notificationId: `${EVENT_ID}:inventory-outcome`, eventType: 'InventoryReserved', subject: 'Items reserved', createdAt: '2026-11-29T01:10:50.964Z' },
      { notificationId: `${EVENT_ID}:payment-outcome`, eventType: 'PaymentCompleted', subject: 'Payment approved', createdAt: '2026-11-29T01:10:51.020Z' },
    ],
    deadLetters: [],
    deadLetterQueuesNotFullyPeeked: [],
    traceSegments: undefined,
  };
}

function decision(status: string, eventType: string, processedAt: string, extra: StoredItem): StoredItem {
  const outcomeEventId = `${EVENT_ID}:${eventType.startsWith('Payment') ? 'payment' : 'inventory'}-outcome`;
  return {
    orderId: ORDER_ID,
    status,
    outcomeEventId,
    outcomeEvent: JSON.stringify({ eventId: outcomeEventId, eventType }),
    processedAt,
    ...extra,
  };
}
