import * as z from '../zod';
import { defineEvent } from './envelope';
import { EVENT_SOURCES, EVENT_TYPES } from './event-types';

export const orderIdSchema = z.uuid();
export const currencySchema = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'));
export const skuSchema = z.string().check(z.minLength(1), z.maxLength(64));

/** Simulation fields from the seed article: they tell the simulated payment and stock services what to do. */
export const paymentOutcomeSchema = z.enum(['approved', 'declined']);
export const inventoryOutcomeSchema = z.enum(['reserved', 'out_of_stock']);
export const technicalFailureTargetSchema = z.enum(['payment', 'inventory', 'notification']);
export type PaymentOutcome = z.infer<typeof paymentOutcomeSchema>;
export type InventoryOutcome = z.infer<typeof inventoryOutcomeSchema>;
export type TechnicalFailureTarget = z.infer<typeof technicalFailureTargetSchema>;

export const orderLineSchema = z.object({
  sku: skuSchema,
  quantity: z.int().check(z.positive()),
  /** Unit price in major units (850 means 850.00 USD). */
  price: z.number().check(z.nonnegative()),
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const OrderCreatedV1 = defineEvent({
  eventType: EVENT_TYPES.orderCreated,
  eventVersion: '1.0',
  source: EVENT_SOURCES.order,
  data: z.object({
    orderId: orderIdSchema,
    customerEmail: z.email(),
    currency: currencySchema,
    items: z.array(orderLineSchema).check(z.minLength(1)),
    /** Exact total in major units, computed in minor units (3 × 19.99 = 59.97). */
    totalAmount: z.number().check(z.nonnegative()),
    paymentOutcome: paymentOutcomeSchema,
    inventoryOutcome: inventoryOutcomeSchema,
    simulateTechnicalFailure: z.optional(technicalFailureTargetSchema),
  }),
});
export type OrderCreated = z.infer<typeof OrderCreatedV1.schema>;
