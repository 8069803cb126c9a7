import { EVENT_TYPES, type OutcomeEvent } from '../../common/events';
import type { Clock } from '../../common/ports';
import { OrderNotFoundError } from './errors';
import { deriveOrderStatus, INVENTORY_STATUS, ORDER_STATUS, PAYMENT_STATUS, type OrderStatus } from './order';
import type { OrderStatusRepository, StepOutcome } from './ports';

export interface RecordOutcomePorts {
  readonly orders: OrderStatusRepository;
  readonly clock: Clock;
}

export interface OutcomeRecorded {
  readonly orderId: string;
  readonly outcome: StepOutcome;
  /** false: the step already had a final status, so this delivery changed nothing in step 1. */
  readonly stepApplied: boolean;
  /** The step already had a *different* final status: the outcome was ignored (statuses never move back). */
  readonly contradicted: boolean;
  /** The overall status derived after this outcome. */
  readonly status: OrderStatus;
}

/** The step and final status an outcome event reports. */
export function stepOutcomeOf(event: OutcomeEvent): StepOutcome {
  switch (event.eventType) {
    case EVENT_TYPES.paymentCompleted:
      return { step: 'payment', status: PAYMENT_STATUS.completed };
    case EVENT_TYPES.paymentFailed:
      return { step: 'payment', status: PAYMENT_STATUS.failed };
    case EVENT_TYPES.inventoryReserved:
      return { step: 'inventory', status: INVENTORY_STATUS.reserved };
    case EVENT_TYPES.inventoryFailed:
      return { step: 'inventory', status: INVENTORY_STATUS.failed };
  }
}

/**
 * Applies a payment or inventory outcome to its order in two conditional steps.
 *
 * 1. The step's own status moves PENDING → final, conditionally, and the write returns the order
 *    as it is afterwards (or, when the condition fails, as it was). DynamoDB applies writes to one
 *    item one at a time, so of two outcomes racing on one order the second to land sees both final
 *    step statuses in its image, and derives the final overall status; the first sees PENDING.
 * 2. If the derived overall status is final and not yet stored, it is set, again conditionally on
 *    PENDING: two writers can only ever derive the same value from the same two final statuses.
 *
 * Every delivery re-derives from the stored statuses, so a crash between the steps, or a duplicate
 * delivery, is repaired by the redelivery: step 1 is refused (already final) but still returns the
 * order, and step 2 runs. Statuses never move backwards: a contradicting second outcome for a step
 * is refused by the condition and reported.
 */
export async function recordOutcome(event: OutcomeEvent, { orders, clock }: RecordOutcomePorts): Promise<OutcomeRecorded> {
  const { orderId } = event.data;
  const outcome = stepOutcomeOf(event);
  const updatedAt = clock().toISOString();

  const update = await orders.recordStepStatus(orderId, outcome, updatedAt);
  // The order is written before its OrderCreated event exists, so this is no race: it is a
  // technical failure (an event from elsewhere, a deleted order) to retry and then dead-letter.
  if (update === undefined) throw new OrderNotFoundError(orderId);

  const current = outcome.step === 'payment' ? update.order.paymentStatus : update.order.inventoryStatus;
  const status = deriveOrderStatus(update.order);
  if (status !== ORDER_STATUS.pending && update.order.status === ORDER_STATUS.pending) {
    await orders.recordOrderStatus(orderId, status, updatedAt);
  }
  return { orderId, outcome, stepApplied: update.applied, contradicted: current !== outcome.status, status };
}
