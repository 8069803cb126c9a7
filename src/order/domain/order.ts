import * as z from '../../common/zod';
import {
  inventoryOutcomeSchema,
  orderIdSchema,
  orderLineSchema,
  paymentOutcomeSchema,
  technicalFailureTargetSchema,
} from '../../common/events';

export const ORDER_STATUS = { pending: 'PENDING', confirmed: 'CONFIRMED', rejected: 'REJECTED' } as const;
export const PAYMENT_STATUS = { pending: 'PENDING', completed: 'COMPLETED', failed: 'FAILED' } as const;
export const INVENTORY_STATUS = { pending: 'PENDING', reserved: 'RESERVED', failed: 'FAILED' } as const;

export const orderStatusSchema = z.enum([ORDER_STATUS.pending, ORDER_STATUS.confirmed, ORDER_STATUS.rejected]);
export const paymentStatusSchema = z.enum([PAYMENT_STATUS.pending, PAYMENT_STATUS.completed, PAYMENT_STATUS.failed]);
export const inventoryStatusSchema = z.enum([INVENTORY_STATUS.pending, INVENTORY_STATUS.reserved, INVENTORY_STATUS.failed]);
export type OrderStatus = z.infer<typeof orderStatusSchema>;
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;
export type InventoryStatus = z.infer<typeof inventoryStatusSchema>;

/** An order as stored in the orders table; adapters parse what they read with it. */
export const orderSchema = z.object({
  orderId: orderIdSchema,
  status: orderStatusSchema,
  paymentStatus: paymentStatusSchema,
  inventoryStatus: inventoryStatusSchema,
  customerEmail: z.string().check(z.minLength(1)),
  currency: z.string().check(z.minLength(1)),
  items: z.array(orderLineSchema).check(z.minLength(1)),
  /** Major units, exact (computed in minor units). */
  totalAmount: z.number().check(z.nonnegative()),
  totalMinorUnits: z.int().check(z.nonnegative()),
  paymentOutcome: paymentOutcomeSchema,
  inventoryOutcome: inventoryOutcomeSchema,
  simulateTechnicalFailure: z.optional(technicalFailureTargetSchema),
  correlationId: z.string().check(z.minLength(1)),
  /** The OrderCreated event written with the order. */
  eventId: z.string().check(z.minLength(1)),
  idempotencyKey: z.optional(z.string().check(z.minLength(1))),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Order = z.infer<typeof orderSchema>;

/** The part of an order the status consumer reads and writes. */
export const orderStatusesSchema = z.pick(orderSchema, {
  orderId: true,
  status: true,
  paymentStatus: true,
  inventoryStatus: true,
});
export type OrderStatuses = z.infer<typeof orderStatusesSchema>;

/** Both steps succeeded: CONFIRMED; either failed: REJECTED; otherwise still PENDING. */
export function deriveOrderStatus(statuses: Pick<OrderStatuses, 'paymentStatus' | 'inventoryStatus'>): OrderStatus {
  if (statuses.paymentStatus === PAYMENT_STATUS.failed || statuses.inventoryStatus === INVENTORY_STATUS.failed) {
    return ORDER_STATUS.rejected;
  }
  if (statuses.paymentStatus === PAYMENT_STATUS.completed && statuses.inventoryStatus === INVENTORY_STATUS.reserved) {
    return ORDER_STATUS.confirmed;
  }
  return ORDER_STATUS.pending;
}
