import { SimulatedTechnicalFailureError } from '../../../src/common/errors';
import { SimulatedStockService } from '../../../src/inventory/adapters/simulated-stock-service';
import { ORDER_ID, orderCreatedEvent } from '../../support/event-fixtures';

describe('SimulatedStockService', () => {
  const stock = new SimulatedStockService();

  it('reserves an order whose inventoryOutcome is reserved, with a reservation id derived from the idempotency key', async () => {
    // Prepare
    const order = orderCreatedEvent({ inventoryOutcome: 'reserved' }).data;

    // Act
    const first = await stock.reserve({ idempotencyKey: ORDER_ID, order });
    const repeated = await stock.reserve({ idempotencyKey: ORDER_ID, order });

    // Assess
    expect(first).toEqual({ status: 'reserved', reservationId: `sim-res-${ORDER_ID}` });
    expect(repeated).toEqual(first);
  });

  it('reports out of stock for an order whose inventoryOutcome is out_of_stock', async () => {
    // Prepare
    const order = orderCreatedEvent({ inventoryOutcome: 'out_of_stock' }).data;

    // Act
    const result = await stock.reserve({ idempotencyKey: ORDER_ID, order });

    // Assess
    expect(result).toEqual({ status: 'out_of_stock' });
  });

  it('fails technically when the order simulates an inventory failure', async () => {
    // Prepare
    const order = orderCreatedEvent({ simulateTechnicalFailure: 'inventory' }).data;

    // Act
    const attempt = stock.reserve({ idempotencyKey: ORDER_ID, order });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SimulatedTechnicalFailureError);
  });

  it.each(['payment', 'notification'] as const)('answers normally when the order simulates a %s failure', async (target) => {
    // Prepare
    const order = orderCreatedEvent({ simulateTechnicalFailure: target, inventoryOutcome: 'reserved' }).data;

    // Act
    const result = await stock.reserve({ idempotencyKey: ORDER_ID, order });

    // Assess
    expect(result.status).toBe('reserved');
  });
});
