import type { Order, OrderStatus, OrderStatuses } from '../../../src/order/domain/order';
import type {
  CreateOrderOutcome,
  IdempotencyRecord,
  NewOrder,
  OrderRepository,
  OrderStatusRepository,
  StepOutcome,
  StepStatusUpdate,
} from '../../../src/order/domain/ports';

/** An OrderRepository in maps, with the transaction's all-or-nothing semantics. */
export class InMemoryOrderRepository implements OrderRepository {
  readonly orders = new Map<string, Order>();
  readonly outbox = new Map<string, NewOrder['outboxItem']>();
  readonly idempotencyRecords = new Map<string, IdempotencyRecord>();
  /** Runs once, just before the next create: a concurrent request landing first. */
  beforeNextCreate: (() => void) | undefined;

  readonly create = jest.fn(async ({ order, outboxItem, idempotencyRecord }: NewOrder): Promise<CreateOrderOutcome> => {
    const interleaved = this.beforeNextCreate;
    this.beforeNextCreate = undefined;
    interleaved?.();
    const existingRecord = idempotencyRecord === undefined ? undefined : this.idempotencyRecords.get(idempotencyRecord.idempotencyKey);
    if (existingRecord !== undefined) return { created: false, existingRecord };
    if (this.orders.has(order.orderId) || this.outbox.has(outboxItem.eventId)) throw new Error('Condition failed');
    this.orders.set(order.orderId, order);
    this.outbox.set(outboxItem.eventId, outboxItem);
    if (idempotencyRecord !== undefined) this.idempotencyRecords.set(idempotencyRecord.idempotencyKey, idempotencyRecord);
    return { created: true };
  });

  readonly findById = jest.fn(async (orderId: string) => this.orders.get(orderId));
}

const STEP_ATTRIBUTE = { payment: 'paymentStatus', inventory: 'inventoryStatus' } as const;

/**
 * An OrderStatusRepository in a map with the conditional writes' semantics: a step moves only
 * from PENDING, the overall status only from PENDING, and each answer is the item's image.
 */
export class InMemoryOrderStatusRepository implements OrderStatusRepository {
  readonly orders = new Map<string, OrderStatuses & { updatedAt?: string }>();

  readonly recordStepStatus = jest.fn(async (orderId: string, outcome: StepOutcome, updatedAt: string): Promise<StepStatusUpdate | undefined> => {
    const order = this.orders.get(orderId);
    if (order === undefined) return undefined;
    const attribute = STEP_ATTRIBUTE[outcome.step];
    if (order[attribute] !== 'PENDING') return { applied: false, order: statusesOf(order) };
    const updated = { ...order, [attribute]: outcome.status, updatedAt };
    this.orders.set(orderId, updated);
    return { applied: true, order: statusesOf(updated) };
  });

  readonly recordOrderStatus = jest.fn(async (orderId: string, status: Exclude<OrderStatus, 'PENDING'>, updatedAt: string) => {
    const order = this.orders.get(orderId);
    if (order?.status !== 'PENDING') return false;
    this.orders.set(orderId, { ...order, status, updatedAt });
    return true;
  });

  seed(orderId: string, statuses: Partial<OrderStatuses> = {}): void {
    this.orders.set(orderId, { orderId, status: 'PENDING', paymentStatus: 'PENDING', inventoryStatus: 'PENDING', ...statuses });
  }
}

function statusesOf({ orderId, status, paymentStatus, inventoryStatus }: OrderStatuses): OrderStatuses {
  return { orderId, status, paymentStatus, inventoryStatus };
}
