import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, type EventType } from '../../../src/common/events';
import { evaluatePipelineInvariants, type AcceptedOrder, type InvariantViolation } from '../../local/support/invariants';
import type { PipelineState, QueuedMessage, TableItem } from '../../local/support/pipeline-state';

const READ_AT = new Date('2025-03-01T12:00:00.000Z');
const SENT_AT = new Date('2025-03-01T11:59:59.000Z');
const SEVEN_DAYS = 7 * 24 * 60 * 60;

interface MutableState {
  tables: Record<keyof PipelineState['tables'], TableItem[]>;
  deadLetters: Record<string, QueuedMessage[]>;
  relayFailures: QueuedMessage[];
  backlogs: Record<string, number>;
}

interface Outcome {
  readonly eventType: EventType;
  readonly eventId: string;
}

function anAcceptedOrder(overrides: Partial<AcceptedOrder> = {}): AcceptedOrder {
  return { orderId: randomUUID(), paymentOutcome: 'approved', inventoryOutcome: 'reserved', idempotencyKey: randomUUID(), ...overrides };
}

function aMessage(body: object | string): QueuedMessage {
  return {
    messageId: randomUUID(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
    receiveCount: 4,
    sentTimestamp: READ_AT.getTime(),
    attributes: {},
  };
}

function anEvent(eventType: EventType, orderId: string, eventId: string = randomUUID()): object {
  return { eventId, eventType, eventVersion: '1.0', correlationId: 'c-1', data: { orderId } };
}

/**
 * The state the pipeline should leave behind for these orders, built independently of the checker:
 * the model the tests then break one fact at a time.
 */
function settledStateFor(orders: readonly AcceptedOrder[]): MutableState {
  const state: MutableState = {
    tables: { orders: [], outbox: [], idempotency: [], payments: [], inventory: [], notifications: [] },
    deadLetters: { Payment: [], Inventory: [], Notification: [], OrderStatus: [] },
    relayFailures: [],
    backlogs: { Payment: 0, Inventory: 0, Notification: 0, OrderStatus: 0 },
  };
  for (const order of orders) {
    const { orderId } = order;
    const eventId = randomUUID();
    const failure = order.simulateTechnicalFailure;
    const outcomes: Outcome[] = [];
    let paymentStatus = 'PENDING';
    let inventoryStatus = 'PENDING';

    if (failure === 'payment') {
      state.deadLetters.Payment?.push(aMessage(anEvent(EVENT_TYPES.orderCreated, orderId, eventId)));
    } else {
      const approved = order.paymentOutcome === 'approved';
      paymentStatus = approved ? 'COMPLETED' : 'FAILED';
      const outcome: Outcome = { eventType: approved ? EVENT_TYPES.paymentCompleted : EVENT_TYPES.paymentFailed, eventId: randomUUID() };
      outcomes.push(outcome);
      state.tables.payments.push({ orderId, status: paymentStatus, outcomeEventId: outcome.eventId });
    }
    if (failure === 'inventory') {
      state.deadLetters.Inventory?.push(aMessage(anEvent(EVENT_TYPES.orderCreated, orderId, eventId)));
    } else {
      const reserved = order.inventoryOutcome === 'reserved';
      inventoryStatus = reserved ? 'RESERVED' : 'FAILED';
      const outcome: Outcome = { eventType: reserved ? EVENT_TYPES.inventoryReserved : EVENT_TYPES.inventoryFailed, eventId: randomUUID() };
      outcomes.push(outcome);
      state.tables.inventory.push({ orderId, status: inventoryStatus, outcomeEventId: outcome.eventId });
    }
    for (const outcome of outcomes) {
      if (failure === 'notification') {
        state.deadLetters.Notification?.push(aMessage(anEvent(outcome.eventType, orderId, outcome.eventId)));
      } else {
        state.tables.notifications.push({ notificationId: outcome.eventId, orderId, eventType: outcome.eventType });
      }
    }
    const status =
      paymentStatus === 'FAILED' || inventoryStatus === 'FAILED'
        ? 'REJECTED'
        : paymentStatus === 'COMPLETED' && inventoryStatus === 'RESERVED'
          ? 'CONFIRMED'
          : 'PENDING';
    state.tables.orders.push({
      orderId,
      eventId,
      status,
      paymentStatus,
      inventoryStatus,
      paymentOutcome: order.paymentOutcome,
      inventoryOutcome: order.inventoryOutcome,
      ...(failure === undefined ? {} : { simulateTechnicalFailure: failure }),
      ...(order.idempotencyKey === undefined ? {} : { idempotencyKey: order.idempotencyKey }),
    });
    state.tables.outbox.push({
      eventId,
      orderId,
      eventType: EVENT_TYPES.orderCreated,
      status: 'SENT',
      sentAt: SENT_AT.toISOString(),
      expiresAt: Math.floor(SENT_AT.getTime() / 1000) + SEVEN_DAYS,
    });
    if (order.idempotencyKey !== undefined) {
      state.tables.idempotency.push({ idempotencyKey: order.idempotencyKey, orderId, eventId });
    }
  }
  return state;
}

function evaluate(state: MutableState, orders: readonly AcceptedOrder[]): readonly InvariantViolation[] {
  return evaluatePipelineInvariants({ ...state, readAt: READ_AT }, { orders }).violations;
}

function itemsOf(state: MutableState, table: keyof MutableState['tables'], orderId: string): TableItem[] {
  return state.tables[table].filter((item) => item.orderId === orderId);
}

describe('evaluatePipelineInvariants', () => {
  const confirmed = anAcceptedOrder();
  const rejected = anAcceptedOrder({ paymentOutcome: 'declined', inventoryOutcome: 'out_of_stock' });
  const paymentFails = anAcceptedOrder({ simulateTechnicalFailure: 'payment' });
  const inventoryFails = anAcceptedOrder({ paymentOutcome: 'declined', simulateTechnicalFailure: 'inventory' });
  const notificationFails = anAcceptedOrder({ simulateTechnicalFailure: 'notification', idempotencyKey: undefined });
  const everyKind = [confirmed, rejected, paymentFails, inventoryFails, notificationFails];

  it('finds no violation in the state a correct pipeline leaves behind', () => {
    // Prepare
    const state = settledStateFor(everyKind);

    // Act
    const violations = evaluate(state, everyKind);

    // Assess
    expect(violations).toEqual([]);
  });

  it('accepts the same order listed twice, as a replayed request answers it', () => {
    // Prepare
    const state = settledStateFor([confirmed]);

    // Act
    const violations = evaluate(state, [confirmed, { ...confirmed }]);

    // Assess
    expect(violations).toEqual([]);
  });

  it('reports a duplicate payment record', () => {
    // Prepare
    const state = settledStateFor(everyKind);
    const [payment] = itemsOf(state, 'payments', confirmed.orderId);
    state.tables.payments.push({ ...payment });

    // Act
    const violations = evaluate(state, everyKind);

    // Assess
    expect(violations).toEqual([{ rule: 'payment-record', orderId: confirmed.orderId, detail: '2 records, expected 1' }]);
  });

  it('reports a missing notification', () => {
    // Prepare
    const state = settledStateFor(everyKind);
    state.tables.notifications = state.tables.notifications.filter(
      (item) => !(item.orderId === rejected.orderId && item.eventType === EVENT_TYPES.inventoryFailed),
    );

    // Act
    const violations = evaluate(state, everyKind);

    // Assess
    expect(violations).toEqual([
      { rule: 'notification', orderId: rejected.orderId, detail: '0 notifications for InventoryFailed, expected 1' },
    ]);
  });

  it('reports a second notification for the same outcome event type', () => {
    // Prepare
    const state = settledStateFor([confirmed]);
    state.tables.notifications.push({ notificationId: randomUUID(), orderId: confirmed.orderId, eventType: EVENT_TYPES.paymentCompleted });

    // Act
    const violations = evaluate(state, [confirmed]);

    // Assess
    expect(violations).toContainEqual({
      rule: 'notification',
      orderId: confirmed.orderId,
      detail: '2 notifications for PaymentCompleted, expected 1',
    });
  });

  it('reports every item of an order the client was never answered for', () => {
    // Prepare
    const stranger = anAcceptedOrder();
    const state = settledStateFor([confirmed, stranger]);

    // Act
    const violations = evaluate(state, [confirmed]);

    // Assess
    expect(violations.map((violation) => [violation.rule, violation.orderId])).toEqual(
      ['orders', 'outbox', 'payments', 'inventory', 'notifications', 'idempotency'].map(() => ['stranger', stranger.orderId]),
    );
  });

  it('is not settled while a consumer queue still holds a message, even one in flight', () => {
    // Prepare
    const state = settledStateFor([confirmed]);
    state.backlogs.Notification = 1;

    // Act
    const violations = evaluate(state, [confirmed]);

    // Assess
    expect(violations).toEqual([
      { rule: 'queue-backlog', detail: "Notification's queue still holds 1 message(s) (visible, in flight or delayed)" },
    ]);
  });

  it('reports a missing order item', () => {
    // Prepare
    const state = settledStateFor([confirmed]);
    state.tables.orders = [];

    // Act
    const violations = evaluate(state, [confirmed]);

    // Assess
    expect(violations).toEqual([{ rule: 'order-item', orderId: confirmed.orderId, detail: '0 order items, expected 1' }]);
  });

  it('reports an order whose status disagrees with its outcomes', () => {
    // Prepare
    const state = settledStateFor([rejected]);
    const [order] = itemsOf(state, 'orders', rejected.orderId);
    state.tables.orders = [{ ...order, status: 'CONFIRMED' }];

    // Act
    const violations = evaluate(state, [rejected]);

    // Assess
    expect(violations).toEqual([{ rule: 'order-status', orderId: rejected.orderId, detail: 'status is "CONFIRMED", expected REJECTED' }]);
  });

  it('reports an outbox item still PENDING, and one whose TTL is in milliseconds', () => {
    // Prepare
    const second = anAcceptedOrder();
    const state = settledStateFor([confirmed, second]);
    state.tables.outbox = state.tables.outbox.map((item) =>
      item.orderId === confirmed.orderId
        ? { ...item, status: 'PENDING' }
        : { ...item, expiresAt: SENT_AT.getTime() + SEVEN_DAYS * 1000 },
    );

    // Act
    const violations = evaluate(state, [confirmed, second]);

    // Assess
    expect(violations.map((violation) => [violation.rule, violation.orderId])).toEqual([
      ['outbox-sent', confirmed.orderId],
      ['outbox-ttl', second.orderId],
    ]);
  });

  it('reports a payment record written although the payment failure was requested, and its missing dead letter', () => {
    // Prepare
    const state = settledStateFor([paymentFails]);
    state.deadLetters.Payment = [];
    state.tables.payments.push({ orderId: paymentFails.orderId, status: 'COMPLETED', outcomeEventId: randomUUID() });

    // Act
    const violations = evaluate(state, [paymentFails]);

    // Assess
    expect(violations).toEqual([
      { rule: 'payment-record', orderId: paymentFails.orderId, detail: '1 records although its technical failure was requested' },
      { rule: 'dead-letter-missing', orderId: paymentFails.orderId, detail: 'no OrderCreated in the Payment DLQ' },
    ]);
  });

  it('reports dead letters and relay failures no technical failure explains', () => {
    // Prepare
    const state = settledStateFor([confirmed]);
    state.deadLetters.OrderStatus = [aMessage(anEvent(EVENT_TYPES.paymentCompleted, confirmed.orderId))];
    state.deadLetters.Payment = [aMessage('not json')];
    state.relayFailures = [aMessage({ requestContext: { condition: 'RetryAttemptsExhausted' } })];

    // Act
    const violations = evaluate(state, [confirmed]);

    // Assess
    expect(violations.map((violation) => [violation.rule, violation.orderId])).toEqual([
      ['dead-letter-unexpected', undefined],
      ['dead-letter-unexpected', confirmed.orderId],
      ['relay-failure', undefined],
    ]);
  });

  it('reports an idempotency key that maps to another order, and a key answered with two orders', () => {
    // Prepare
    const key = randomUUID();
    const first = anAcceptedOrder({ idempotencyKey: key });
    const second = anAcceptedOrder({ idempotencyKey: key });
    const state = settledStateFor([first, second]);
    // The table can hold the key once: it names the first order.
    state.tables.idempotency = state.tables.idempotency.filter((item) => item.orderId === first.orderId);

    // Act
    const violations = evaluate(state, [first, second]);

    // Assess
    expect(violations).toEqual([
      { rule: 'idempotency-key', orderId: second.orderId, detail: `key "${key}" maps to order "${first.orderId}"` },
      { rule: 'idempotency-key', orderId: first.orderId, detail: `key "${key}" was answered with 2 different orders` },
      { rule: 'idempotency-key', orderId: second.orderId, detail: `key "${key}" was answered with 2 different orders` },
    ]);
  });

  it('reports one orderId answered for two different requests', () => {
    // Prepare
    const state = settledStateFor([confirmed]);

    // Act
    const violations = evaluate(state, [confirmed, { ...confirmed, paymentOutcome: 'declined' }]);

    // Assess
    expect(violations).toContainEqual(expect.objectContaining({ rule: 'conflicting-expectations', orderId: confirmed.orderId }));
  });
});
