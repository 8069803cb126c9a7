import {
  createEvent,
  InventoryFailedV1,
  InventoryReservedV1,
  OrderCreatedV1,
  PaymentCompletedV1,
  PaymentFailedV1,
  type InventoryFailed,
  type InventoryReserved,
  type OrderCreated,
  type PaymentCompleted,
  type PaymentFailed,
} from '../../src/common/events';

/** The seed article's sample order: a laptop and two mice, 900.00 USD. */
export const ORDER_ID = '0b6f1c1e-8c5e-4a53-9a0e-3f2d6f1b7a10';
export const ORDER_CREATED_EVENT_ID = '5d9a3c2e-1f4b-4c8d-9e7a-2b6c8d0e4f12';
export const CORRELATION_ID = 'c0ffee00-1234-4abc-8def-0123456789ab';
export const CUSTOMER_EMAIL = 'student@example.com';
/** Its lines: unit prices in major units. */
export const SEED_ITEMS = [
  { sku: 'LAPTOP-001', quantity: 1, price: 850 },
  { sku: 'MOUSE-002', quantity: 2, price: 25 },
] as const;

interface EnvelopeOverrides {
  eventId?: string;
  occurredAt?: string;
  correlationId?: string;
}

function envelope(eventId: string, overrides: EnvelopeOverrides) {
  return {
    eventId: overrides.eventId ?? eventId,
    occurredAt: overrides.occurredAt ?? '2026-07-02T10:00:00.000Z',
    correlationId: overrides.correlationId ?? CORRELATION_ID,
  };
}

/** A valid OrderCreated (built through its own contract); override any data field. */
export function orderCreatedEvent(data: Partial<OrderCreated['data']> = {}, overrides: EnvelopeOverrides = {}): OrderCreated {
  return createEvent(OrderCreatedV1, {
    ...envelope(ORDER_CREATED_EVENT_ID, overrides),
    data: {
      orderId: ORDER_ID,
      customerEmail: CUSTOMER_EMAIL,
      currency: 'USD',
      items: SEED_ITEMS.map((item) => ({ ...item })),
      totalAmount: 900,
      paymentOutcome: 'approved',
      inventoryOutcome: 'reserved',
      ...data,
    },
  });
}

const paymentData = { orderId: ORDER_ID, customerEmail: CUSTOMER_EMAIL, amount: 900, currency: 'USD' };
const inventoryData = {
  orderId: ORDER_ID,
  customerEmail: CUSTOMER_EMAIL,
  items: [
    { sku: 'LAPTOP-001', quantity: 1 },
    { sku: 'MOUSE-002', quantity: 2 },
  ],
};

export function paymentCompletedEvent(data: Partial<PaymentCompleted['data']> = {}, overrides: EnvelopeOverrides = {}): PaymentCompleted {
  return createEvent(PaymentCompletedV1, {
    ...envelope(`${ORDER_CREATED_EVENT_ID}:payment-outcome`, overrides),
    data: { ...paymentData, paymentId: `sim-pay-${ORDER_ID}`, ...data },
  });
}

export function paymentFailedEvent(data: Partial<PaymentFailed['data']> = {}, overrides: EnvelopeOverrides = {}): PaymentFailed {
  return createEvent(PaymentFailedV1, {
    ...envelope(`${ORDER_CREATED_EVENT_ID}:payment-outcome`, overrides),
    data: { ...paymentData, reason: 'declined', ...data },
  });
}

export function inventoryReservedEvent(data: Partial<InventoryReserved['data']> = {}, overrides: EnvelopeOverrides = {}): InventoryReserved {
  return createEvent(InventoryReservedV1, {
    ...envelope(`${ORDER_CREATED_EVENT_ID}:inventory-outcome`, overrides),
    data: { ...inventoryData, reservationId: `sim-res-${ORDER_ID}`, ...data },
  });
}

export function inventoryFailedEvent(data: Partial<InventoryFailed['data']> = {}, overrides: EnvelopeOverrides = {}): InventoryFailed {
  return createEvent(InventoryFailedV1, {
    ...envelope(`${ORDER_CREATED_EVENT_ID}:inventory-outcome`, overrides),
    data: { ...inventoryData, reason: 'out_of_stock', ...data },
  });
}
