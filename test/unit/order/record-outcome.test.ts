import type { OutcomeEvent } from '../../../src/common/events';
import { OrderNotFoundError } from '../../../src/order/domain/errors';
import { deriveOrderStatus } from '../../../src/order/domain/order';
import { recordOutcome, type RecordOutcomePorts } from '../../../src/order/domain/record-outcome';
import {
  inventoryFailedEvent,
  inventoryReservedEvent,
  ORDER_ID,
  paymentCompletedEvent,
  paymentFailedEvent,
} from '../../support/event-fixtures';
import { InMemoryOrderStatusRepository } from './in-memory-order-repositories';

const NOW = new Date('2026-07-02T10:00:05.000Z');

function setUp() {
  const orders = new InMemoryOrderStatusRepository();
  orders.seed(ORDER_ID);
  const ports: RecordOutcomePorts = { orders, clock: () => NOW };
  return { orders, ports };
}

async function recordAll(events: readonly OutcomeEvent[], ports: RecordOutcomePorts): Promise<void> {
  for (const event of events) await recordOutcome(event, ports);
}

describe('deriveOrderStatus', () => {
  it.each([
    ['PENDING', 'PENDING', 'PENDING'],
    ['COMPLETED', 'PENDING', 'PENDING'],
    ['PENDING', 'RESERVED', 'PENDING'],
    ['COMPLETED', 'RESERVED', 'CONFIRMED'],
    ['FAILED', 'PENDING', 'REJECTED'],
    ['PENDING', 'FAILED', 'REJECTED'],
    ['FAILED', 'RESERVED', 'REJECTED'],
    ['COMPLETED', 'FAILED', 'REJECTED'],
    ['FAILED', 'FAILED', 'REJECTED'],
  ] as const)('derives payment %s + inventory %s as %s', (paymentStatus, inventoryStatus, status) => {
    // Act
    const derived = deriveOrderStatus({ paymentStatus, inventoryStatus });

    // Assess
    expect(derived).toBe(status);
  });
});

describe('recordOutcome', () => {
  it.each([
    { event: paymentCompletedEvent(), expected: { paymentStatus: 'COMPLETED', inventoryStatus: 'PENDING', status: 'PENDING' } },
    { event: paymentFailedEvent(), expected: { paymentStatus: 'FAILED', inventoryStatus: 'PENDING', status: 'REJECTED' } },
    { event: inventoryReservedEvent(), expected: { paymentStatus: 'PENDING', inventoryStatus: 'RESERVED', status: 'PENDING' } },
    { event: inventoryFailedEvent(), expected: { paymentStatus: 'PENDING', inventoryStatus: 'FAILED', status: 'REJECTED' } },
  ])('records $event.eventType on a pending order', async ({ event, expected }) => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    const recorded = await recordOutcome(event, ports);

    // Assess
    expect(recorded).toMatchObject({ orderId: ORDER_ID, stepApplied: true, contradicted: false, status: expected.status });
    expect(orders.orders.get(ORDER_ID)).toEqual({ orderId: ORDER_ID, ...expected, updatedAt: NOW.toISOString() });
  });

  it.each([
    ['payment first', [paymentCompletedEvent(), inventoryReservedEvent()]],
    ['inventory first', [inventoryReservedEvent(), paymentCompletedEvent()]],
  ])('confirms the order once both succeeded, %s', async (_order, events) => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    await recordAll(events, ports);

    // Assess
    expect(orders.orders.get(ORDER_ID)).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
    expect(orders.recordOrderStatus).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['payment failed first', [paymentFailedEvent(), inventoryReservedEvent()]],
    ['inventory failed last', [paymentCompletedEvent(), inventoryFailedEvent()]],
  ])('rejects the order when a step failed, %s', async (_order, events) => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    await recordAll(events, ports);

    // Assess
    expect(orders.orders.get(ORDER_ID)?.status).toBe('REJECTED');
  });

  it('changes nothing when the same outcome is delivered again', async () => {
    // Prepare
    const { orders, ports } = setUp();
    await recordAll([paymentCompletedEvent(), inventoryReservedEvent()], ports);
    const before = orders.orders.get(ORDER_ID);

    // Act
    const recorded = await recordOutcome(paymentCompletedEvent(), ports);

    // Assess
    expect(recorded).toMatchObject({ stepApplied: false, contradicted: false, status: 'CONFIRMED' });
    expect(orders.orders.get(ORDER_ID)).toEqual(before);
    expect(orders.recordOrderStatus).toHaveBeenCalledTimes(1);
  });

  it('never moves a step backwards: a contradicting outcome is refused and reported', async () => {
    // Prepare
    const { orders, ports } = setUp();
    await recordAll([paymentCompletedEvent(), inventoryReservedEvent()], ports);

    // Act
    const recorded = await recordOutcome(paymentFailedEvent(), ports);

    // Assess
    expect(recorded).toMatchObject({ stepApplied: false, contradicted: true, status: 'CONFIRMED' });
    expect(orders.orders.get(ORDER_ID)).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'COMPLETED' });
  });

  it('completes the overall status on redelivery after a crash between the two steps', async () => {
    // Prepare: both steps are final but the overall status was never written.
    const { orders, ports } = setUp();
    orders.seed(ORDER_ID, { paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });

    // Act
    const recorded = await recordOutcome(inventoryReservedEvent(), ports);

    // Assess
    expect(recorded).toMatchObject({ stepApplied: false, status: 'CONFIRMED' });
    expect(orders.orders.get(ORDER_ID)?.status).toBe('CONFIRMED');
  });

  it('derives from the image its own write returns, so the outcome landing second settles the order', async () => {
    // Prepare: the other outcome lands between this one's read of nothing and its write.
    const { orders, ports } = setUp();
    const recordStepStatus = orders.recordStepStatus.getMockImplementation()!;
    orders.recordStepStatus.mockImplementationOnce(async (...args) => {
      await recordStepStatus(ORDER_ID, { step: 'inventory', status: 'RESERVED' }, NOW.toISOString());
      return recordStepStatus(...args);
    });

    // Act
    const recorded = await recordOutcome(paymentCompletedEvent(), ports);

    // Assess
    expect(recorded.status).toBe('CONFIRMED');
    expect(orders.orders.get(ORDER_ID)?.status).toBe('CONFIRMED');
  });

  it('throws OrderNotFoundError for an order that does not exist', async () => {
    // Prepare
    const { ports } = setUp();
    const event = paymentCompletedEvent({ orderId: '3f1c4a7e-2b9d-4e6f-8a1b-0c2d3e4f5a6b' });

    // Act
    const recording = recordOutcome(event, ports);

    // Assess
    await expect(recording).rejects.toThrow(OrderNotFoundError);
  });
});
