import { orderIdSchema } from '../../common/events';
import { OrderNotFoundError, ValidationError } from './errors';
import type { Order } from './order';
import type { OrderRepository } from './ports';

/** What GET /orders/{orderId} shows: the order's state, not its simulation or bookkeeping fields. */
export type OrderView = Pick<
  Order,
  | 'orderId'
  | 'status'
  | 'paymentStatus'
  | 'inventoryStatus'
  | 'customerEmail'
  | 'currency'
  | 'items'
  | 'totalAmount'
  | 'createdAt'
  | 'updatedAt'
>;

export interface GetOrderPorts {
  readonly orders: Pick<OrderRepository, 'findById'>;
}

/** Reads one order; a malformed id is a ValidationError, an unknown one an OrderNotFoundError. */
export async function getOrder(orderId: string | undefined, { orders }: GetOrderPorts): Promise<OrderView> {
  const parsed = orderIdSchema.safeParse(orderId);
  if (!parsed.success) throw new ValidationError([{ path: 'orderId', message: 'must be a UUID' }]);
  const order = await orders.findById(parsed.data);
  if (order === undefined) throw new OrderNotFoundError(parsed.data);
  return toOrderView(order);
}

export function toOrderView(order: Order): OrderView {
  return {
    orderId: order.orderId,
    status: order.status,
    paymentStatus: order.paymentStatus,
    inventoryStatus: order.inventoryStatus,
    customerEmail: order.customerEmail,
    currency: order.currency,
    items: order.items,
    totalAmount: order.totalAmount,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
