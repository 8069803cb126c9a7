import type { EventPublisher } from '../../common/event-publisher';
import type { OrderCreated } from '../../common/events';
import { publishOutcomeOnce, type OutcomeOnceOptions, type OutcomeOnceResult, type OutcomeStore } from '../../common/outcome-once';
import type { Clock } from '../../common/ports';
import type { PaymentGateway } from './payment-gateway';
import { createPaymentOutcome } from './payment-outcome';
import { toPaymentRecord, type PaymentRecord } from './payment-record';

export type PaymentRepository = OutcomeStore<PaymentRecord>;

export interface ProcessPaymentPorts {
  readonly payments: PaymentRepository;
  readonly gateway: PaymentGateway;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
}

/**
 * Charges an order once and publishes PaymentCompleted or PaymentFailed. A repeated delivery
 * republishes the stored outcome instead of charging again.
 */
export async function processPayment(
  orderCreated: OrderCreated,
  { payments, gateway, publisher, clock }: ProcessPaymentPorts,
  options: OutcomeOnceOptions = {},
): Promise<OutcomeOnceResult<PaymentRecord>> {
  const { orderId } = orderCreated.data;
  const decide = async (): Promise<PaymentRecord> => {
    const charge = await gateway.charge({ idempotencyKey: orderId, order: orderCreated.data });
    const now = clock();
    return toPaymentRecord(orderCreated, createPaymentOutcome(orderCreated, charge, now), now);
  };
  return publishOutcomeOnce(orderId, decide, { store: payments, publisher }, options);
}
