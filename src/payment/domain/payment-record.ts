import * as z from '../../common/zod';
import { currencySchema, EVENT_TYPES, eventIdSchema, orderIdSchema, type OrderCreated } from '../../common/events';
import type { PaymentOutcomeEvent } from './payment-outcome';

export const PAYMENT_STATUS = { completed: 'COMPLETED', failed: 'FAILED' } as const;

/** An item of the payments table: one per order, written once. */
export const paymentRecordSchema = z.object({
  orderId: orderIdSchema,
  /** The OrderCreated event that was decided on. */
  sourceEventId: eventIdSchema,
  status: z.enum([PAYMENT_STATUS.completed, PAYMENT_STATUS.failed]),
  amount: z.number().check(z.nonnegative()),
  currency: currencySchema,
  paymentId: z.optional(z.string().check(z.minLength(1))),
  outcomeEventId: eventIdSchema,
  /** The outcome event, serialized once; retries republish it unchanged. */
  outcomeEvent: z.string().check(z.minLength(2)),
  processedAt: z.iso.datetime(),
});
export type PaymentRecord = z.infer<typeof paymentRecordSchema>;

export function toPaymentRecord(orderCreated: OrderCreated, outcome: PaymentOutcomeEvent, processedAt: Date): PaymentRecord {
  return {
    orderId: outcome.data.orderId,
    sourceEventId: orderCreated.eventId,
    status: outcome.eventType === EVENT_TYPES.paymentCompleted ? PAYMENT_STATUS.completed : PAYMENT_STATUS.failed,
    amount: outcome.data.amount,
    currency: outcome.data.currency,
    ...('paymentId' in outcome.data ? { paymentId: outcome.data.paymentId } : {}),
    outcomeEventId: outcome.eventId,
    outcomeEvent: JSON.stringify(outcome),
    processedAt: processedAt.toISOString(),
  };
}
