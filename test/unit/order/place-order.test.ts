import { OrderCreatedV1 } from '../../../src/common/events';
import { outboxItemSchema } from '../../../src/common/outbox-item';
import { IdempotencyKeyReusedError, ValidationError } from '../../../src/order/domain/errors';
import { placeOrder, type PlaceOrderCommand, type PlaceOrderPorts } from '../../../src/order/domain/place-order';
import { CORRELATION_ID, CUSTOMER_EMAIL } from '../../support/event-fixtures';
import { seedOrderRequest, sequentialIds } from './fixtures';
import { InMemoryOrderRepository } from './in-memory-order-repositories';

const NOW = new Date('2026-07-02T10:00:00.000Z');
const FIRST_ORDER_ID = '00000000-0000-4000-8000-000000000001';
const FIRST_EVENT_ID = '00000000-0000-4000-8000-000000000002';

function setUp() {
  const orders = new InMemoryOrderRepository();
  const ports: PlaceOrderPorts = { orders, clock: () => NOW, ids: sequentialIds() };
  return { orders, ports };
}

function command(overrides: Partial<PlaceOrderCommand> = {}): PlaceOrderCommand {
  return { body: seedOrderRequest(), correlationId: CORRELATION_ID, ...overrides };
}

describe('placeOrder', () => {
  it('writes the seed order, PENDING, with its exact total and an OrderCreated outbox item', async () => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    const accepted = await placeOrder(command({ traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' }), ports);

    // Assess
    expect(accepted).toEqual({
      orderId: FIRST_ORDER_ID,
      eventId: FIRST_EVENT_ID,
      status: 'PENDING',
      replayed: false,
      customerEmail: CUSTOMER_EMAIL,
      currency: 'USD',
      totalAmount: 900,
    });
    expect(orders.orders.get(FIRST_ORDER_ID)).toEqual({
      orderId: FIRST_ORDER_ID,
      status: 'PENDING',
      paymentStatus: 'PENDING',
      inventoryStatus: 'PENDING',
      customerEmail: CUSTOMER_EMAIL,
      currency: 'USD',
      items: seedOrderRequest().items,
      totalAmount: 900,
      totalMinorUnits: 90_000,
      paymentOutcome: 'approved',
      inventoryOutcome: 'reserved',
      correlationId: CORRELATION_ID,
      eventId: FIRST_EVENT_ID,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    const outboxItem = outboxItemSchema.parse(orders.outbox.get(FIRST_EVENT_ID));
    expect(outboxItem).toEqual({
      eventId: FIRST_EVENT_ID,
      eventType: 'OrderCreated',
      eventVersion: '1.0',
      orderId: FIRST_ORDER_ID,
      correlationId: CORRELATION_ID,
      status: 'PENDING',
      payload: outboxItem.payload,
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
      createdAt: NOW.toISOString(),
    });
    expect(OrderCreatedV1.schema.parse(JSON.parse(outboxItem.payload))).toEqual({
      eventId: FIRST_EVENT_ID,
      eventType: 'OrderCreated',
      eventVersion: '1.0',
      source: 'order-service',
      occurredAt: NOW.toISOString(),
      correlationId: CORRELATION_ID,
      data: {
        orderId: FIRST_ORDER_ID,
        customerEmail: CUSTOMER_EMAIL,
        currency: 'USD',
        items: seedOrderRequest().items,
        totalAmount: 900,
        paymentOutcome: 'approved',
        inventoryOutcome: 'reserved',
      },
    });
  });

  it('carries the simulation fields into the order and the event', async () => {
    // Prepare
    const { orders, ports } = setUp();
    const body = { ...seedOrderRequest(), paymentOutcome: 'declined', simulateTechnicalFailure: 'notification' };

    // Act
    await placeOrder(command({ body }), ports);

    // Assess
    expect(orders.orders.get(FIRST_ORDER_ID)).toMatchObject({ paymentOutcome: 'declined', simulateTechnicalFailure: 'notification' });
    const event = OrderCreatedV1.schema.parse(JSON.parse(orders.outbox.get(FIRST_EVENT_ID)?.payload ?? ''));
    expect(event.data).toMatchObject({ paymentOutcome: 'declined', simulateTechnicalFailure: 'notification' });
  });

  it('leaves traceHeader off the outbox item when the request has none', async () => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    await placeOrder(command(), ports);

    // Assess
    expect(orders.outbox.get(FIRST_EVENT_ID)).not.toHaveProperty('traceHeader');
  });

  it.each([
    ['USD', [{ sku: 'A', quantity: 3, price: 19.99 }], 59.97, 5997],
    ['USD', [{ sku: 'A', quantity: 3, price: 1.1 }], 3.3, 330],
    ['JPY', [{ sku: 'A', quantity: 3, price: 1999 }], 5997, 5997],
    [
      'BHD',
      [
        { sku: 'A', quantity: 1, price: 0.1 },
        { sku: 'B', quantity: 1, price: 0.2 },
      ],
      0.3,
      300,
    ],
  ])('totals a %s order exactly', async (currency, items, totalAmount, totalMinorUnits) => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    const accepted = await placeOrder(command({ body: { ...seedOrderRequest(), currency, items } }), ports);

    // Assess
    expect(accepted.totalAmount).toBe(totalAmount);
    expect(orders.orders.get(FIRST_ORDER_ID)).toMatchObject({ totalAmount, totalMinorUnits });
  });

  it('writes nothing when the request is invalid', async () => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    const placing = placeOrder(command({ body: { ...seedOrderRequest(), items: [] }, idempotencyKey: 'key-1' }), ports);

    // Assess
    await expect(placing).rejects.toThrow(ValidationError);
    expect(orders.create).not.toHaveBeenCalled();
  });

  it('claims the Idempotency-Key in the same write as the order', async () => {
    // Prepare
    const { orders, ports } = setUp();

    // Act
    await placeOrder(command({ idempotencyKey: 'key-1' }), ports);

    // Assess
    expect(orders.create).toHaveBeenCalledTimes(1);
    expect(orders.create.mock.calls[0]?.[0].idempotencyRecord).toEqual({
      idempotencyKey: 'key-1',
      orderId: FIRST_ORDER_ID,
      eventId: FIRST_EVENT_ID,
      requestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: NOW.toISOString(),
    });
    expect(orders.orders.get(FIRST_ORDER_ID)?.idempotencyKey).toBe('key-1');
  });

  it('answers a repeated request with the same key and body with the first order, writing nothing', async () => {
    // Prepare
    const { orders, ports } = setUp();
    await placeOrder(command({ idempotencyKey: 'key-1' }), ports);
    const sameRequestReordered = { items: seedOrderRequest().items, currency: 'USD', customerEmail: CUSTOMER_EMAIL, paymentOutcome: 'approved' };

    // Act
    const replayed = await placeOrder(command({ body: sameRequestReordered, idempotencyKey: 'key-1', correlationId: 'another' }), ports);

    // Assess
    expect(replayed).toMatchObject({ orderId: FIRST_ORDER_ID, eventId: FIRST_EVENT_ID, status: 'PENDING', replayed: true });
    expect(orders.orders.size).toBe(1);
    expect(orders.outbox.size).toBe(1);
  });

  it('rejects a key reused with a different body', async () => {
    // Prepare
    const { orders, ports } = setUp();
    await placeOrder(command({ idempotencyKey: 'key-1' }), ports);

    // Act
    const placing = placeOrder(command({ body: { ...seedOrderRequest(), currency: 'EUR' }, idempotencyKey: 'key-1' }), ports);

    // Assess
    await expect(placing).rejects.toThrow(IdempotencyKeyReusedError);
    expect(orders.orders.size).toBe(1);
  });

  it('answers with the winner of a concurrent request that claimed the key first', async () => {
    // Prepare: the other request claims the key just before this one's transaction.
    const { orders, ports } = setUp();
    const competitor = setUp();
    await placeOrder(command({ idempotencyKey: 'key-1' }), competitor.ports);
    const winner = competitor.orders.idempotencyRecords.get('key-1')!;
    orders.beforeNextCreate = () => orders.idempotencyRecords.set('key-1', { ...winner, orderId: 'winner-order', eventId: 'winner-event' });

    // Act
    const accepted = await placeOrder(command({ idempotencyKey: 'key-1' }), ports);

    // Assess
    expect(accepted).toMatchObject({ orderId: 'winner-order', eventId: 'winner-event', replayed: true });
    expect(orders.orders.size).toBe(0);
  });

  it('rejects a concurrent request with the same key and a different body', async () => {
    // Prepare
    const { orders, ports } = setUp();
    orders.beforeNextCreate = () =>
      orders.idempotencyRecords.set('key-1', {
        idempotencyKey: 'key-1',
        orderId: 'winner-order',
        eventId: 'winner-event',
        requestHash: 'a-different-request',
        createdAt: NOW.toISOString(),
      });

    // Act
    const placing = placeOrder(command({ idempotencyKey: 'key-1' }), ports);

    // Assess
    await expect(placing).rejects.toThrow(IdempotencyKeyReusedError);
  });
});
