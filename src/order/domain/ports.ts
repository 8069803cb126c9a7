import * as z from '../../common/zod';
import type { OutboxItem } from '../../common/outbox-item';
import type { InventoryStatus, Order, OrderStatus, OrderStatuses, PaymentStatus } from './order';

/**
 * The claim an Idempotency-Key makes: which order the first request created and the fingerprint
 * of that request. Keys never expire: a claim is as durable as the order it points to.
 */
export const idempotencyRecordSchema = z.object({
  idempotencyKey: z.string().check(z.minLength(1)),
  orderId: z.string().check(z.minLength(1)),
  eventId: z.string().check(z.minLength(1)),
  requestHash: z.string().check(z.minLength(1)),
  createdAt: z.iso.datetime(),
});
export type IdempotencyRecord = z.infer<typeof idempotencyRecordSchema>;

/** Everything placing an order writes, all or nothing. */
export interface NewOrder {
  readonly order: Order;
  readonly outboxItem: OutboxItem;
  /** Present when the request carried an Idempotency-Key. */
  readonly idempotencyRecord?: IdempotencyRecord;
}

export type CreateOrderOutcome =
  | { readonly created: true }
  /** Nothing was written: another request claimed the key first; this is its claim. */
  | { readonly created: false; readonly existingRecord: IdempotencyRecord };

/** The orders the API writes and reads. */
export interface OrderRepository {
  /**
   * Writes the order, its outbox item and the key's claim atomically; when the key is already
   * claimed, writes nothing and returns the claim.
   */
  create(newOrder: NewOrder): Promise<CreateOrderOutcome>;
  /** Strongly consistent read. */
  findById(orderId: string): Promise<Order | undefined>;
}

/** A step's final status, as an outcome event reports it. */
export type StepOutcome =
  | { readonly step: 'payment'; readonly status: Exclude<PaymentStatus, 'PENDING'> }
  | { readonly step: 'inventory'; readonly status: Exclude<InventoryStatus, 'PENDING'> };

export interface StepStatusUpdate {
  /** false: the step already had a final status (a duplicate or a contradicting outcome). */
  readonly applied: boolean;
  /** The order's statuses right after this update, or as they were when it was refused. */
  readonly order: OrderStatuses;
}

/** The status writes of the order-status consumer. */
export interface OrderStatusRepository {
  /**
   * Moves a step from PENDING to its final status. Returns undefined when the order does not exist.
   */
  recordStepStatus(orderId: string, outcome: StepOutcome, updatedAt: string): Promise<StepStatusUpdate | undefined>;
  /** Moves the overall status from PENDING to a final one; false when it had already moved. */
  recordOrderStatus(orderId: string, status: Exclude<OrderStatus, 'PENDING'>, updatedAt: string): Promise<boolean>;
}
