import { SimulatedTechnicalFailureError } from '../../../src/common/errors';
import { SimulatedPaymentGateway } from '../../../src/payment/adapters/simulated-payment-gateway';
import { ORDER_ID, orderCreatedEvent } from '../../support/event-fixtures';

describe('SimulatedPaymentGateway', () => {
  const gateway = new SimulatedPaymentGateway();

  it('approves an order whose paymentOutcome is approved, with a payment id derived from the idempotency key', async () => {
    // Prepare
    const order = orderCreatedEvent({ paymentOutcome: 'approved' }).data;

    // Act
    const first = await gateway.charge({ idempotencyKey: ORDER_ID, order });
    const repeated = await gateway.charge({ idempotencyKey: ORDER_ID, order });

    // Assess
    expect(first).toEqual({ status: 'approved', paymentId: `sim-pay-${ORDER_ID}` });
    expect(repeated).toEqual(first);
  });

  it('declines an order whose paymentOutcome is declined', async () => {
    // Prepare
    const order = orderCreatedEvent({ paymentOutcome: 'declined' }).data;

    // Act
    const result = await gateway.charge({ idempotencyKey: ORDER_ID, order });

    // Assess
    expect(result).toEqual({ status: 'declined' });
  });

  it('fails technically when the order simulates a payment failure', async () => {
    // Prepare
    const order = orderCreatedEvent({ simulateTechnicalFailure: 'payment' }).data;

    // Act
    const attempt = gateway.charge({ idempotencyKey: ORDER_ID, order });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SimulatedTechnicalFailureError);
  });

  it.each(['inventory', 'notification'] as const)('answers normally when the order simulates a %s failure', async (target) => {
    // Prepare
    const order = orderCreatedEvent({ simulateTechnicalFailure: target, paymentOutcome: 'approved' }).data;

    // Act
    const result = await gateway.charge({ idempotencyKey: ORDER_ID, order });

    // Assess
    expect(result.status).toBe('approved');
  });
});
