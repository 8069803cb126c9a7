import { OrderNotFoundError, ValidationError } from '../../../src/order/domain/errors';
import { getOrder } from '../../../src/order/domain/get-order';
import { ORDER_ID } from '../../support/event-fixtures';
import { storedOrder } from './fixtures';
import { InMemoryOrderRepository } from './in-memory-order-repositories';

describe('getOrder', () => {
  it('shows the order without its simulation and bookkeeping fields', async () => {
    // Prepare
    const orders = new InMemoryOrderRepository();
    orders.orders.set(ORDER_ID, storedOrder({ idempotencyKey: 'key-1', simulateTechnicalFailure: 'payment' }));

    // Act
    const view = await getOrder(ORDER_ID, { orders });

    // Assess
    expect(Object.keys(view).sort()).toEqual(
      ['orderId', 'status', 'paymentStatus', 'inventoryStatus', 'customerEmail', 'currency', 'items', 'totalAmount', 'createdAt', 'updatedAt'].sort(),
    );
    expect(view).toMatchObject({ orderId: ORDER_ID, totalAmount: 900, status: 'PENDING' });
  });

  it.each([undefined, '', 'not-a-uuid', `${ORDER_ID}x`])('rejects the malformed id %p', async (orderId) => {
    // Prepare
    const orders = new InMemoryOrderRepository();

    // Act
    const reading = getOrder(orderId, { orders });

    // Assess
    await expect(reading).rejects.toThrow(ValidationError);
    expect(orders.findById).not.toHaveBeenCalled();
  });

  it('throws OrderNotFoundError for an unknown id', async () => {
    // Prepare
    const orders = new InMemoryOrderRepository();

    // Act
    const reading = getOrder(ORDER_ID, { orders });

    // Assess
    await expect(reading).rejects.toThrow(OrderNotFoundError);
  });
});
