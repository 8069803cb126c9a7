import * as z from '../zod';
import { defineEvent } from './envelope';
import { EVENT_SOURCES, EVENT_TYPES } from './event-types';
import { currencySchema, orderIdSchema, technicalFailureTargetSchema } from './order-created';

/** Fields every payment outcome carries, so its consumers need no other service's data. */
const paymentOutcomeData = {
  orderId: orderIdSchema,
  customerEmail: z.email(),
  amount: z.number().check(z.nonnegative()),
  currency: currencySchema,
  /** Carried from OrderCreated so the notification service can simulate its own failure. */
  simulateTechnicalFailure: z.optional(technicalFailureTargetSchema),
};

export const PaymentCompletedV1 = defineEvent({
  eventType: EVENT_TYPES.paymentCompleted,
  eventVersion: '1.0',
  source: EVENT_SOURCES.payment,
  data: z.object({ ...paymentOutcomeData, paymentId: z.string().check(z.minLength(1)) }),
});
export type PaymentCompleted = z.infer<typeof PaymentCompletedV1.schema>;

export const PaymentFailedV1 = defineEvent({
  eventType: EVENT_TYPES.paymentFailed,
  eventVersion: '1.0',
  source: EVENT_SOURCES.payment,
  data: z.object({ ...paymentOutcomeData, reason: z.enum(['declined']) }),
});
export type PaymentFailed = z.infer<typeof PaymentFailedV1.schema>;
