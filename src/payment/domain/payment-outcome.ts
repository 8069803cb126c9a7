import {
  createEvent,
  PaymentCompletedV1,
  PaymentFailedV1,
  type OrderCreated,
  type PaymentCompleted,
  type PaymentFailed,
} from '../../common/events';
import type { ChargeResult } from './payment-gateway';

export type PaymentOutcomeEvent = PaymentCompleted | PaymentFailed;

/** Derived from the OrderCreated event, so every delivery of it names the same outcome. */
export function paymentOutcomeEventId(orderCreated: Pick<OrderCreated, 'eventId'>): string {
  return `${orderCreated.eventId}:payment-outcome`;
}

/** The event that tells the rest of the pipeline how the charge went; a decline is an outcome, not an error. */
export function createPaymentOutcome(orderCreated: OrderCreated, charge: ChargeResult, occurredAt: Date): PaymentOutcomeEvent {
  const { orderId, customerEmail, totalAmount, currency, simulateTechnicalFailure } = orderCreated.data;
  const fields = {
    eventId: paymentOutcomeEventId(orderCreated),
    occurredAt: occurredAt.toISOString(),
    correlationId: orderCreated.correlationId,
  };
  const data = {
    orderId,
    customerEmail,
    amount: totalAmount,
    currency,
    ...(simulateTechnicalFailure === undefined ? {} : { simulateTechnicalFailure }),
  };
  return charge.status === 'approved'
    ? createEvent(PaymentCompletedV1, { ...fields, data: { ...data, paymentId: charge.paymentId } })
    : createEvent(PaymentFailedV1, { ...fields, data: { ...data, reason: 'declined' } });
}
