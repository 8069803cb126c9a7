import { createEvent, OrderCreatedV1, type OrderCreated } from '../../common/events';
import { OUTBOX_STATUS, type OutboxItem } from '../../common/outbox-item';
import type { Clock, IdGenerator } from '../../common/ports';
import { IdempotencyKeyReusedError } from './errors';
import { minorUnitDigits, toMajorUnits, totalMinorUnits } from './money';
import { INVENTORY_STATUS, ORDER_STATUS, PAYMENT_STATUS, type Order } from './order';
import { parseOrderRequest, requestHash, type OrderRequest } from './order-request';
import type { IdempotencyRecord, OrderRepository } from './ports';

export interface PlaceOrderCommand {
  /** The parsed JSON body, not yet validated. */
  readonly body: unknown;
  readonly correlationId: string;
  readonly idempotencyKey?: string;
  /** X-Ray trace header of the request, stored on the outbox item because streams carry none. */
  readonly traceHeader?: string;
}

export interface PlaceOrderPorts {
  readonly orders: OrderRepository;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface OrderAccepted {
  readonly orderId: string;
  readonly eventId: string;
  readonly status: typeof ORDER_STATUS.pending;
  /** true when an earlier request with the same Idempotency-Key and body created the order. */
  readonly replayed: boolean;
  readonly customerEmail: string;
  readonly currency: string;
  readonly totalAmount: number;
}

/**
 * Validates the request, then writes the order and its OrderCreated outbox item in one transaction:
 * the event exists if and only if the order does (no dual write). With an Idempotency-Key the key
 * is claimed in the same transaction, so no crash can leave an order without its key or a key
 * without its order; a repeated request answers what the first one created.
 */
export async function placeOrder(command: PlaceOrderCommand, { orders, clock, ids }: PlaceOrderPorts): Promise<OrderAccepted> {
  const request = parseOrderRequest(command.body);
  const hash = requestHash(request);
  const total = totalOf(request);
  const summary = { customerEmail: request.customerEmail, currency: request.currency, totalAmount: total.amount };
  const { idempotencyKey } = command;

  const createdAt = clock().toISOString();
  const orderId = ids();
  const eventId = ids();
  const order = buildOrder(request, total, { orderId, eventId, createdAt, correlationId: command.correlationId, idempotencyKey });
  const event = buildOrderCreated(order);
  const outboxItem = buildOutboxItem(event, command.traceHeader);
  const idempotencyRecord: IdempotencyRecord | undefined =
    idempotencyKey === undefined ? undefined : { idempotencyKey, orderId, eventId, requestHash: hash, createdAt };

  // No read of the key first: every keyed order would pay a strongly consistent read so that the
  // rare retry could skip a transaction. The retry's transaction is refused by the key's claim and
  // hands back the first request's claim instead (npm run bench, section 1).
  const outcome = await orders.create({ order, outboxItem, ...(idempotencyRecord === undefined ? {} : { idempotencyRecord }) });
  // An earlier or concurrent request with the same key claimed it first: ours wrote nothing.
  if (!outcome.created) return { ...replay(outcome.existingRecord, hash), ...summary };
  return { orderId, eventId, status: ORDER_STATUS.pending, replayed: false, ...summary };
}

/**
 * The same key with the same request answers the first response; with another request it is a
 * client error (422, as draft-ietf-httpapi-idempotency-key-header specifies for a reused key).
 */
function replay(existing: IdempotencyRecord, hash: string): Pick<OrderAccepted, 'orderId' | 'eventId' | 'status' | 'replayed'> {
  if (existing.requestHash !== hash) throw new IdempotencyKeyReusedError(existing.idempotencyKey);
  return { orderId: existing.orderId, eventId: existing.eventId, status: ORDER_STATUS.pending, replayed: true };
}

interface OrderTotal {
  readonly amount: number;
  readonly minorUnits: number;
}

function totalOf(request: OrderRequest): OrderTotal {
  const digits = minorUnitDigits(request.currency);
  const minorUnits = totalMinorUnits(request.items, digits);
  return { amount: toMajorUnits(minorUnits, digits), minorUnits };
}

interface OrderIdentity {
  readonly orderId: string;
  readonly eventId: string;
  readonly createdAt: string;
  readonly correlationId: string;
  readonly idempotencyKey: string | undefined;
}

function buildOrder(request: OrderRequest, total: OrderTotal, identity: OrderIdentity): Order {
  return {
    orderId: identity.orderId,
    status: ORDER_STATUS.pending,
    paymentStatus: PAYMENT_STATUS.pending,
    inventoryStatus: INVENTORY_STATUS.pending,
    customerEmail: request.customerEmail,
    currency: request.currency,
    items: request.items.map(({ sku, quantity, price }) => ({ sku, quantity, price })),
    totalAmount: total.amount,
    totalMinorUnits: total.minorUnits,
    paymentOutcome: request.paymentOutcome,
    inventoryOutcome: request.inventoryOutcome,
    ...(request.simulateTechnicalFailure === undefined ? {} : { simulateTechnicalFailure: request.simulateTechnicalFailure }),
    correlationId: identity.correlationId,
    eventId: identity.eventId,
    ...(identity.idempotencyKey === undefined ? {} : { idempotencyKey: identity.idempotencyKey }),
    createdAt: identity.createdAt,
    updatedAt: identity.createdAt,
  };
}

/** The OrderCreated event announcing `order`: its ids, time and data are the order's. */
export function buildOrderCreated(order: Order): OrderCreated {
  return createEvent(OrderCreatedV1, {
    eventId: order.eventId,
    occurredAt: order.createdAt,
    correlationId: order.correlationId,
    data: {
      orderId: order.orderId,
      customerEmail: order.customerEmail,
      currency: order.currency,
      items: order.items,
      totalAmount: order.totalAmount,
      paymentOutcome: order.paymentOutcome,
      inventoryOutcome: order.inventoryOutcome,
      ...(order.simulateTechnicalFailure === undefined ? {} : { simulateTechnicalFailure: order.simulateTechnicalFailure }),
    },
  });
}

/** The relay publishes `payload` verbatim, so the envelope is serialized once, here. */
function buildOutboxItem(event: OrderCreated, traceHeader: string | undefined): OutboxItem {
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    eventVersion: event.eventVersion,
    orderId: event.data.orderId,
    correlationId: event.correlationId,
    status: OUTBOX_STATUS.pending,
    payload: JSON.stringify(event),
    ...(traceHeader === undefined || traceHeader === '' ? {} : { traceHeader }),
    createdAt: event.occurredAt,
  };
}
