import * as z from '../zod';
import { defineEvent } from './envelope';
import { EVENT_SOURCES, EVENT_TYPES } from './event-types';
import { orderIdSchema, skuSchema, technicalFailureTargetSchema } from './order-created';

const reservedLineSchema = z.object({ sku: skuSchema, quantity: z.int().check(z.positive()) });

/** Fields every inventory outcome carries, so its consumers need no other service's data. */
const inventoryOutcomeData = {
  orderId: orderIdSchema,
  customerEmail: z.email(),
  items: z.array(reservedLineSchema).check(z.minLength(1)),
  /** Carried from OrderCreated so the notification service can simulate its own failure. */
  simulateTechnicalFailure: z.optional(technicalFailureTargetSchema),
};

export const InventoryReservedV1 = defineEvent({
  eventType: EVENT_TYPES.inventoryReserved,
  eventVersion: '1.0',
  source: EVENT_SOURCES.inventory,
  data: z.object({ ...inventoryOutcomeData, reservationId: z.string().check(z.minLength(1)) }),
});
export type InventoryReserved = z.infer<typeof InventoryReservedV1.schema>;

export const InventoryFailedV1 = defineEvent({
  eventType: EVENT_TYPES.inventoryFailed,
  eventVersion: '1.0',
  source: EVENT_SOURCES.inventory,
  data: z.object({ ...inventoryOutcomeData, reason: z.enum(['out_of_stock']) }),
});
export type InventoryFailed = z.infer<typeof InventoryFailedV1.schema>;
