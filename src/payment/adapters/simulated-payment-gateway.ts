import { SimulatedTechnicalFailureError } from '../../common/errors';
import type { ChargeRequest, ChargeResult, PaymentGateway } from '../domain/payment-gateway';

/**
 * The seed article's payment service: the order itself says what happens. `paymentOutcome`
 * chooses the business answer; `simulateTechnicalFailure: 'payment'` makes the gateway fail as
 * if it were down, so the message is retried and ends in the DLQ.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  async charge({ idempotencyKey, order }: ChargeRequest): Promise<ChargeResult> {
    if (order.simulateTechnicalFailure === 'payment') {
      throw new SimulatedTechnicalFailureError('payment', order.orderId);
    }
    // Derived from the idempotency key, as a deduplicating gateway would answer a repeated charge.
    return order.paymentOutcome === 'approved' ? { status: 'approved', paymentId: `sim-pay-${idempotencyKey}` } : { status: 'declined' };
  }
}
