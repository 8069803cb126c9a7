/** Every event the pipeline publishes, named as a fact in the past tense. */
export const EVENT_TYPES = {
  orderCreated: 'OrderCreated',
  paymentCompleted: 'PaymentCompleted',
  paymentFailed: 'PaymentFailed',
  inventoryReserved: 'InventoryReserved',
  inventoryFailed: 'InventoryFailed',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** The producers, as they appear in an envelope's `source`. */
export const EVENT_SOURCES = {
  order: 'order-service',
  payment: 'payment-service',
  inventory: 'inventory-service',
} as const;

export type EventSource = (typeof EVENT_SOURCES)[keyof typeof EVENT_SOURCES];
