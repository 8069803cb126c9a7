import * as z from '../../common/zod';
import { EVENT_TYPES, eventIdSchema, orderIdSchema, skuSchema, type OrderCreated } from '../../common/events';
import type { InventoryOutcomeEvent } from './inventory-outcome';

export const INVENTORY_STATUS = { reserved: 'RESERVED', failed: 'FAILED' } as const;

/** An item of the inventory reservations table: one per order, written once. */
export const inventoryRecordSchema = z.object({
  orderId: orderIdSchema,
  /** The OrderCreated event that was decided on. */
  sourceEventId: eventIdSchema,
  status: z.enum([INVENTORY_STATUS.reserved, INVENTORY_STATUS.failed]),
  items: z.array(z.object({ sku: skuSchema, quantity: z.int().check(z.positive()) })).check(z.minLength(1)),
  reservationId: z.optional(z.string().check(z.minLength(1))),
  outcomeEventId: eventIdSchema,
  /** The outcome event, serialized once; retries republish it unchanged. */
  outcomeEvent: z.string().check(z.minLength(2)),
  processedAt: z.iso.datetime(),
});
export type InventoryRecord = z.infer<typeof inventoryRecordSchema>;

export function toInventoryRecord(orderCreated: OrderCreated, outcome: InventoryOutcomeEvent, processedAt: Date): InventoryRecord {
  return {
    orderId: outcome.data.orderId,
    sourceEventId: orderCreated.eventId,
    status: outcome.eventType === EVENT_TYPES.inventoryReserved ? INVENTORY_STATUS.reserved : INVENTORY_STATUS.failed,
    items: outcome.data.items,
    ...('reservationId' in outcome.data ? { reservationId: outcome.data.reservationId } : {}),
    outcomeEventId: outcome.eventId,
    outcomeEvent: JSON.stringify(outcome),
    processedAt: processedAt.toISOString(),
  };
}
