import * as z from '../zod';
import { InventoryFailedV1, InventoryReservedV1 } from './inventory-events';
import { OrderCreatedV1 } from './order-created';
import { PaymentCompletedV1, PaymentFailedV1 } from './payment-events';

export * from './envelope';
export * from './event-types';
export * from './inventory-events';
export * from './order-created';
export * from './payment-events';

/** Every event contract the pipeline publishes, one entry per (type, version). */
export const EVENT_DEFINITIONS = [
  OrderCreatedV1,
  PaymentCompletedV1,
  PaymentFailedV1,
  InventoryReservedV1,
  InventoryFailedV1,
] as const;

/** The four outcomes that notification and order status consume. */
export const outcomeEventSchema = z.discriminatedUnion('eventType', [
  PaymentCompletedV1.schema,
  PaymentFailedV1.schema,
  InventoryReservedV1.schema,
  InventoryFailedV1.schema,
]);
export type OutcomeEvent = z.infer<typeof outcomeEventSchema>;

/** Any event the pipeline publishes. */
export type PipelineEvent = z.infer<(typeof EVENT_DEFINITIONS)[number]['schema']>;
