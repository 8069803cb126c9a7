import type { Order } from '../../src/order/domain/order';
import { CORRELATION_ID, CUSTOMER_EMAIL, ORDER_CREATED_EVENT_ID, ORDER_ID, SEED_ITEMS } from './event-fixtures';

/** The seed article's order as placeOrder stores it (a laptop and two mice, 900.00 USD), still PENDING. */
export function storedOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: ORDER_ID,
    status: 'PENDING',
    paymentStatus: 'PENDING',
    inventoryStatus: 'PENDING',
    customerEmail: CUSTOMER_EMAIL,
    currency: 'USD',
    items: SEED_ITEMS.map((item) => ({ ...item })),
    totalAmount: 900,
    totalMinorUnits: 90000,
    paymentOutcome: 'approved',
    inventoryOutcome: 'reserved',
    correlationId: CORRELATION_ID,
    eventId: ORDER_CREATED_EVENT_ID,
    createdAt: '2026-07-02T10:00:00.000Z',
    updatedAt: '2026-07-02T10:00:00.000Z',
    ...overrides,
  };
}
