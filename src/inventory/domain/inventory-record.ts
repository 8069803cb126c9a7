import * as z from 'zod';
import { EVENT_TYPES, eventIdSchema, orderIdSchema, skuSchema, type OrderCreated } from '../../common/events';
import type { InventoryOutcomeEvent } from './inventory-outcome';

export const INVENTORY_STATUS = { reserved: 'RESERVED', failed: 'FAILED' } as const;

/** An item of the inventory reservations table: one per order, written once. */
export const inventoryRecordSchema = z.object({
  orderId: orderIdSchema,
  /** The OrderCreated event that was decided on. */
  sourceEventId: eventIdSchema,
  status: z.enum([INVENTORY_STATUS.reserved, INVENTORY_STATUS.failed]),
  items: z.array(z.object({ sku: skuSchema, quantity: z.number().int().positive() })).min(1),
  reservationId: z.string().min(1).optional(),
  outcomeEventId: eventIdSchema,
  /** The outcome event, serialized once; retries republish it unchanged. */
  outcomeEvent: z.string().min(2),
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
