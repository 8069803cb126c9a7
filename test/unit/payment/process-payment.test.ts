import { PublishFailedError, SimulatedTechnicalFailureError } from '../../../src/common/errors';
import { PaymentCompletedV1, PaymentFailedV1 } from '../../../src/common/events';
import type { PaymentGateway } from '../../../src/payment/domain/payment-gateway';
import type { PaymentRecord } from '../../../src/payment/domain/payment-record';
import { processPayment, type ProcessPaymentPorts } from '../../../src/payment/domain/process-payment';
import { CORRELATION_ID, ORDER_CREATED_EVENT_ID, ORDER_ID, orderCreatedEvent } from '../../support/event-fixtures';
import { InMemoryOutcomeStore, recordingPublisher } from '../../support/in-memory-ports';

const NOW = new Date('2026-07-02T10:00:05.000Z');
const OUTCOME_EVENT_ID = `${ORDER_CREATED_EVENT_ID}:payment-outcome`;

function setUp(gatewayAnswer: Awaited<ReturnType<PaymentGateway['charge']>> = { status: 'approved', paymentId: 'pay-1' }) {
  const payments = new InMemoryOutcomeStore<PaymentRecord>();
  const gateway = { charge: jest.fn<ReturnType<PaymentGateway['charge']>, Parameters<PaymentGateway['charge']>>() };
  gateway.charge.mockResolvedValue(gatewayAnswer);
  const publisher = recordingPublisher();
  const ports: ProcessPaymentPorts = { payments, gateway, publisher, clock: () => NOW };
  return { payments, gateway, publisher, ports };
}

function publishedBodies(publisher: ReturnType<typeof recordingPublisher>): string[] {
  return publisher.publishAll.mock.calls.flatMap(([events]) => events.map((event) => event.body));
}

describe('processPayment', () => {
  it('charges an approved order once, keyed by its order id, and publishes PaymentCompleted', async () => {
    // Prepare
    const { gateway, publisher, ports } = setUp({ status: 'approved', paymentId: 'pay-1' });
    const orderCreated = orderCreatedEvent({ paymentOutcome: 'approved' });

    // Act
    const result = await processPayment(orderCreated, ports, { traceHeader: 'Root=1-abc' });

    // Assess
    expect(gateway.charge).toHaveBeenCalledTimes(1);
    expect(gateway.charge).toHaveBeenCalledWith({ idempotencyKey: ORDER_ID, order: orderCreated.data });
    expect(result.source).toBe('decided');
    const [body] = publishedBodies(publisher);
    expect(PaymentCompletedV1.schema.parse(JSON.parse(body!))).toEqual({
      eventId: OUTCOME_EVENT_ID,
      eventType: 'PaymentCompleted',
      eventVersion: '1.0',
      source: 'payment-service',
      occurredAt: NOW.toISOString(),
      correlationId: CORRELATION_ID,
      data: { orderId: ORDER_ID, customerEmail: 'student@example.com', amount: 900, currency: 'USD', paymentId: 'pay-1' },
    });
    expect(result.published).toMatchObject({ eventId: OUTCOME_EVENT_ID, eventType: 'PaymentCompleted', traceHeader: 'Root=1-abc' });
  });

  it('publishes PaymentFailed with reason declined for a declined charge', async () => {
    // Prepare
    const { payments, publisher, ports } = setUp({ status: 'declined' });

    // Act
    await processPayment(orderCreatedEvent({ paymentOutcome: 'declined' }), ports);

    // Assess
    const [body] = publishedBodies(publisher);
    const event = PaymentFailedV1.schema.parse(JSON.parse(body!));
    expect(event).toMatchObject({ eventId: OUTCOME_EVENT_ID, data: { reason: 'declined', amount: 900 } });
    expect(payments.records.get(ORDER_ID)).toMatchObject({ status: 'FAILED', outcomeEventId: OUTCOME_EVENT_ID });
    expect(payments.records.get(ORDER_ID)).not.toHaveProperty('paymentId');
  });

  it('stores the decision with the exact event it publishes', async () => {
    // Prepare
    const { payments, publisher, ports } = setUp({ status: 'approved', paymentId: 'pay-1' });

    // Act
    await processPayment(orderCreatedEvent(), ports);

    // Assess
    expect(payments.records.get(ORDER_ID)).toEqual({
      orderId: ORDER_ID,
      sourceEventId: ORDER_CREATED_EVENT_ID,
      status: 'COMPLETED',
      amount: 900,
      currency: 'USD',
      paymentId: 'pay-1',
      outcomeEventId: OUTCOME_EVENT_ID,
      outcomeEvent: publishedBodies(publisher)[0],
      processedAt: NOW.toISOString(),
    });
  });

  it('carries another service’s simulateTechnicalFailure on the outcome', async () => {
    // Prepare
    const { publisher, ports } = setUp();

    // Act
    await processPayment(orderCreatedEvent({ simulateTechnicalFailure: 'notification' }), ports);

    // Assess
    const [body] = publishedBodies(publisher);
    expect(JSON.parse(body!)).toMatchObject({ data: { simulateTechnicalFailure: 'notification' } });
  });

  it('republishes the stored outcome without charging again when the order was already decided', async () => {
    // Prepare
    const { payments, gateway, publisher, ports } = setUp();
    await processPayment(orderCreatedEvent(), ports);
    const firstBody = publishedBodies(publisher)[0];
    gateway.charge.mockClear();
    payments.storeOnce.mockClear();

    // Act
    const result = await processPayment(orderCreatedEvent(), { ...ports, clock: () => new Date('2026-07-02T11:00:00.000Z') });

    // Assess
    expect(gateway.charge).not.toHaveBeenCalled();
    expect(payments.storeOnce).not.toHaveBeenCalled();
    expect(result.source).toBe('stored');
    expect(publishedBodies(publisher)).toEqual([firstBody, firstBody]);
  });

  it('publishes the stored outcome, not its own, when a concurrent delivery stored first', async () => {
    // Prepare: the other delivery declined and stored between this one's read and its write.
    const { payments, publisher, ports } = setUp({ status: 'approved', paymentId: 'pay-2' });
    const winner = setUp({ status: 'declined' });
    await processPayment(orderCreatedEvent(), winner.ports);
    const winnerRecord = winner.payments.records.get(ORDER_ID)!;
    payments.find.mockResolvedValueOnce(undefined);
    payments.records.set(ORDER_ID, winnerRecord);

    // Act
    const result = await processPayment(orderCreatedEvent(), ports);

    // Assess
    expect(result.source).toBe('stored');
    expect(publishedBodies(publisher)).toEqual([winnerRecord.outcomeEvent]);
  });

  it('throws when the publish fails, after storing the decision for the retry', async () => {
    // Prepare
    const { payments, publisher, ports } = setUp();
    const failure = new PublishFailedError(OUTCOME_EVENT_ID, 'InternalError', 'SNS is unavailable');
    publisher.publishAll.mockResolvedValueOnce({ published: [], failed: [failure] });

    // Act
    const attempt = processPayment(orderCreatedEvent(), ports);

    // Assess
    await expect(attempt).rejects.toBe(failure);
    expect(payments.records.get(ORDER_ID)).toMatchObject({ outcomeEventId: OUTCOME_EVENT_ID });
  });

  it('stores and publishes nothing when the gateway fails', async () => {
    // Prepare
    const { payments, gateway, publisher, ports } = setUp();
    gateway.charge.mockRejectedValueOnce(new SimulatedTechnicalFailureError('payment', ORDER_ID));

    // Act
    const attempt = processPayment(orderCreatedEvent(), ports);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SimulatedTechnicalFailureError);
    expect(payments.records.size).toBe(0);
    expect(publisher.publishAll).not.toHaveBeenCalled();
  });
});
