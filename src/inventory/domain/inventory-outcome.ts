import {
  createEvent,
  InventoryFailedV1,
  InventoryReservedV1,
  type InventoryFailed,
  type InventoryReserved,
  type OrderCreated,
} from '../../common/events';
import type { ReserveResult } from './stock-service';

export type InventoryOutcomeEvent = InventoryReserved | InventoryFailed;

/** Derived from the OrderCreated event, so every delivery of it names the same outcome. */
export function inventoryOutcomeEventId(orderCreated: Pick<OrderCreated, 'eventId'>): string {
  return `${orderCreated.eventId}:inventory-outcome`;
}

/** The event that tells the rest of the pipeline whether the stock was reserved; no stock is an outcome, not an error. */
export function createInventoryOutcome(orderCreated: OrderCreated, reservation: ReserveResult, occurredAt: Date): InventoryOutcomeEvent {
  const { orderId, customerEmail, items, simulateTechnicalFailure } = orderCreated.data;
  const fields = {
    eventId: inventoryOutcomeEventId(orderCreated),
    occurredAt: occurredAt.toISOString(),
    correlationId: orderCreated.correlationId,
  };
  const data = {
    orderId,
    customerEmail,
    items: items.map(({ sku, quantity }) => ({ sku, quantity })),
    ...(simulateTechnicalFailure === undefined ? {} : { simulateTechnicalFailure }),
  };
  return reservation.status === 'reserved'
    ? createEvent(InventoryReservedV1, { ...fields, data: { ...data, reservationId: reservation.reservationId } })
    : createEvent(InventoryFailedV1, { ...fields, data: { ...data, reason: 'out_of_stock' } });
}
