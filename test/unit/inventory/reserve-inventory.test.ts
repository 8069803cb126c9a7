import { PublishFailedError, SimulatedTechnicalFailureError } from '../../../src/common/errors';
import { InventoryFailedV1, InventoryReservedV1 } from '../../../src/common/events';
import type { InventoryRecord } from '../../../src/inventory/domain/inventory-record';
import { reserveInventory, type ReserveInventoryPorts } from '../../../src/inventory/domain/reserve-inventory';
import type { StockService } from '../../../src/inventory/domain/stock-service';
import { CORRELATION_ID, ORDER_CREATED_EVENT_ID, ORDER_ID, orderCreatedEvent } from '../../support/event-fixtures';
import { InMemoryOutcomeStore, recordingPublisher } from '../../support/in-memory-ports';

const NOW = new Date('2026-07-02T10:00:05.000Z');
const OUTCOME_EVENT_ID = `${ORDER_CREATED_EVENT_ID}:inventory-outcome`;
const RESERVED_ITEMS = [
  { sku: 'LAPTOP-001', quantity: 1 },
  { sku: 'MOUSE-002', quantity: 2 },
];

function setUp(stockAnswer: Awaited<ReturnType<StockService['reserve']>> = { status: 'reserved', reservationId: 'res-1' }) {
  const reservations = new InMemoryOutcomeStore<InventoryRecord>();
  const stock = { reserve: jest.fn<ReturnType<StockService['reserve']>, Parameters<StockService['reserve']>>() };
  stock.reserve.mockResolvedValue(stockAnswer);
  const publisher = recordingPublisher();
  const ports: ReserveInventoryPorts = { reservations, stock, publisher, clock: () => NOW };
  return { reservations, stock, publisher, ports };
}

function publishedBodies(publisher: ReturnType<typeof recordingPublisher>): string[] {
  return publisher.publishAll.mock.calls.flatMap(([events]) => events.map((event) => event.body));
}

describe('reserveInventory', () => {
  it('reserves the order’s items once, keyed by its order id, and publishes InventoryReserved', async () => {
    // Prepare
    const { reservations, stock, publisher, ports } = setUp({ status: 'reserved', reservationId: 'res-1' });
    const orderCreated = orderCreatedEvent({ inventoryOutcome: 'reserved' });

    // Act
    const result = await reserveInventory(orderCreated, ports);

    // Assess
    expect(stock.reserve).toHaveBeenCalledTimes(1);
    expect(stock.reserve).toHaveBeenCalledWith({ idempotencyKey: ORDER_ID, order: orderCreated.data });
    expect(result.source).toBe('decided');
    const [body] = publishedBodies(publisher);
    expect(InventoryReservedV1.schema.parse(JSON.parse(body!))).toEqual({
      eventId: OUTCOME_EVENT_ID,
      eventType: 'InventoryReserved',
      eventVersion: '1.0',
      source: 'inventory-service',
      occurredAt: NOW.toISOString(),
      correlationId: CORRELATION_ID,
      data: { orderId: ORDER_ID, customerEmail: 'student@example.com', items: RESERVED_ITEMS, reservationId: 'res-1' },
    });
    expect(reservations.records.get(ORDER_ID)).toEqual({
      orderId: ORDER_ID,
      sourceEventId: ORDER_CREATED_EVENT_ID,
      status: 'RESERVED',
      items: RESERVED_ITEMS,
      reservationId: 'res-1',
      outcomeEventId: OUTCOME_EVENT_ID,
      outcomeEvent: body,
      processedAt: NOW.toISOString(),
    });
  });

  it('publishes InventoryFailed with reason out_of_stock when the stock is short', async () => {
    // Prepare
    const { reservations, publisher, ports } = setUp({ status: 'out_of_stock' });

    // Act
    await reserveInventory(orderCreatedEvent({ inventoryOutcome: 'out_of_stock' }), ports);

    // Assess
    const [body] = publishedBodies(publisher);
    expect(InventoryFailedV1.schema.parse(JSON.parse(body!))).toMatchObject({
      eventId: OUTCOME_EVENT_ID,
      data: { reason: 'out_of_stock', items: RESERVED_ITEMS },
    });
    expect(reservations.records.get(ORDER_ID)).toMatchObject({ status: 'FAILED' });
    expect(reservations.records.get(ORDER_ID)).not.toHaveProperty('reservationId');
  });

  it('republishes the stored outcome without reserving again when the order was already decided', async () => {
    // Prepare
    const { reservations, stock, publisher, ports } = setUp();
    await reserveInventory(orderCreatedEvent(), ports);
    stock.reserve.mockClear();
    reservations.storeOnce.mockClear();

    // Act
    const result = await reserveInventory(orderCreatedEvent(), { ...ports, clock: () => new Date('2026-07-02T11:00:00.000Z') });

    // Assess
    expect(stock.reserve).not.toHaveBeenCalled();
    expect(reservations.storeOnce).not.toHaveBeenCalled();
    expect(result.source).toBe('stored');
    const [first, second] = publishedBodies(publisher);
    expect(second).toBe(first);
  });

  it('publishes the stored outcome, not its own, when a concurrent delivery stored first', async () => {
    // Prepare: the other delivery found no stock and stored between this one's read and its write.
    const { reservations, publisher, ports } = setUp({ status: 'reserved', reservationId: 'res-2' });
    const winner = setUp({ status: 'out_of_stock' });
    await reserveInventory(orderCreatedEvent(), winner.ports);
    const winnerRecord = winner.reservations.records.get(ORDER_ID)!;
    reservations.find.mockResolvedValueOnce(undefined);
    reservations.records.set(ORDER_ID, winnerRecord);

    // Act
    const result = await reserveInventory(orderCreatedEvent(), ports);

    // Assess
    expect(result.source).toBe('stored');
    expect(publishedBodies(publisher)).toEqual([winnerRecord.outcomeEvent]);
  });

  it('throws when the publish fails, after storing the decision for the retry', async () => {
    // Prepare
    const { reservations, publisher, ports } = setUp();
    const failure = new PublishFailedError(OUTCOME_EVENT_ID, 'InternalError', 'SNS is unavailable');
    publisher.publishAll.mockResolvedValueOnce({ published: [], failed: [failure] });

    // Act
    const attempt = reserveInventory(orderCreatedEvent(), ports);

    // Assess
    await expect(attempt).rejects.toBe(failure);
    expect(reservations.records.get(ORDER_ID)).toMatchObject({ outcomeEventId: OUTCOME_EVENT_ID });
  });

  it('stores and publishes nothing when the stock service fails', async () => {
    // Prepare
    const { reservations, stock, publisher, ports } = setUp();
    stock.reserve.mockRejectedValueOnce(new SimulatedTechnicalFailureError('inventory', ORDER_ID));

    // Act
    const attempt = reserveInventory(orderCreatedEvent(), ports);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SimulatedTechnicalFailureError);
    expect(reservations.records.size).toBe(0);
    expect(publisher.publishAll).not.toHaveBeenCalled();
  });
});
