/**
 * The pipeline's end-to-end invariants, checked against the real state of a local stack: given the
 * orders the client was answered 202 for, every table, DLQ and the relay's on-failure queue must
 * hold exactly what those orders should have produced, and nothing else.
 *
 * `evaluatePipelineInvariants` is pure (state in, violations out) so it is unit-tested on hand-built
 * state (test/unit/local/invariants.test.ts); `checkPipelineInvariants` reads the stack and
 * evaluates; `waitForPipelineToSettle` polls until the invariants hold or a deadline passes.
 *
 * The expected outcome of an order is derived here from what the client asked for, independently
 * of the services' own rules, so a bug in a service cannot make the checker agree with it.
 */
import {
  EVENT_TYPES,
  type EventType,
  type InventoryOutcome,
  type PaymentOutcome,
  type TechnicalFailureTarget,
} from '../../../src/common/events';
import { OUTBOX_STATUS } from '../../../src/common/outbox-item';
import { INVENTORY_CONSUMER, NOTIFICATION_CONSUMER, PAYMENT_CONSUMER } from '../../../src/common/settings';
import { readPipelineState, type PipelineState, type QueuedMessage, type StateSource, type TableItem } from './pipeline-state';

/** An order the client was answered 202 for, with what it asked the simulated services to do. */
export interface AcceptedOrder {
  readonly orderId: string;
  readonly paymentOutcome: PaymentOutcome;
  readonly inventoryOutcome: InventoryOutcome;
  readonly simulateTechnicalFailure?: TechnicalFailureTarget;
  /** The Idempotency-Key the request carried, if any. */
  readonly idempotencyKey?: string;
}

export interface PipelineExpectations {
  /** Every 202 the client received; a replayed request may list the same order again. */
  readonly orders: readonly AcceptedOrder[];
}

export const INVARIANT_RULES = [
  /** The expectations themselves disagree (one orderId with two different requests). */
  'conflicting-expectations',
  'order-item',
  'outbox-item',
  'outbox-sent',
  'outbox-ttl',
  'payment-record',
  'inventory-record',
  'notification',
  'order-status',
  'dead-letter-missing',
  'dead-letter-unexpected',
  'relay-failure',
  'queue-backlog',
  'stranger',
  'idempotency-key',
] as const;
export type InvariantRule = (typeof INVARIANT_RULES)[number];

export interface InvariantViolation {
  readonly rule: InvariantRule;
  /** The order concerned, when the violation has one. */
  readonly orderId?: string;
  readonly detail: string;
}

export interface InvariantReport {
  readonly ok: boolean;
  readonly violations: readonly InvariantViolation[];
  /** Distinct accepted orders checked. */
  readonly orderCount: number;
  readonly readAt: Date;
}

/** Order statuses as the order service stores them; written out here on purpose (see the header). */
const ORDER = { pending: 'PENDING', confirmed: 'CONFIRMED', rejected: 'REJECTED' } as const;
const STEP = { pending: 'PENDING', completed: 'COMPLETED', reserved: 'RESERVED', failed: 'FAILED' } as const;
/** A TTL further out than this is not a plausible retention: most likely milliseconds, not seconds. */
const MAX_PLAUSIBLE_TTL_SECONDS = 366 * 24 * 60 * 60;

interface ExpectedOutcome {
  readonly order: AcceptedOrder;
  /** The outcome event the service publishes, or undefined when its technical failure was requested. */
  readonly paymentEvent: EventType | undefined;
  readonly inventoryEvent: EventType | undefined;
  readonly paymentRecordStatus: string | undefined;
  readonly inventoryRecordStatus: string | undefined;
  readonly orderPaymentStatus: string;
  readonly orderInventoryStatus: string;
  readonly orderStatus: string;
}

function expectedOutcomeOf(order: AcceptedOrder): ExpectedOutcome {
  const paymentRuns = order.simulateTechnicalFailure !== 'payment';
  const inventoryRuns = order.simulateTechnicalFailure !== 'inventory';
  const approved = order.paymentOutcome === 'approved';
  const reserved = order.inventoryOutcome === 'reserved';
  const orderPaymentStatus = !paymentRuns ? STEP.pending : approved ? STEP.completed : STEP.failed;
  const orderInventoryStatus = !inventoryRuns ? STEP.pending : reserved ? STEP.reserved : STEP.failed;
  const orderStatus =
    orderPaymentStatus === STEP.failed || orderInventoryStatus === STEP.failed
      ? ORDER.rejected
      : orderPaymentStatus === STEP.completed && orderInventoryStatus === STEP.reserved
        ? ORDER.confirmed
        : ORDER.pending;
  return {
    order,
    paymentEvent: paymentRuns ? (approved ? EVENT_TYPES.paymentCompleted : EVENT_TYPES.paymentFailed) : undefined,
    inventoryEvent: inventoryRuns ? (reserved ? EVENT_TYPES.inventoryReserved : EVENT_TYPES.inventoryFailed) : undefined,
    paymentRecordStatus: paymentRuns ? (approved ? STEP.completed : STEP.failed) : undefined,
    inventoryRecordStatus: inventoryRuns ? (reserved ? STEP.reserved : STEP.failed) : undefined,
    orderPaymentStatus,
    orderInventoryStatus,
    orderStatus,
  };
}

/** What the invariants need to know of a queued event: parsed leniently, since DLQs hold anything. */
interface QueuedEvent {
  readonly message: QueuedMessage;
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
  readonly orderId: string | undefined;
}

function parseQueuedEvent(message: QueuedMessage): QueuedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.body);
  } catch {
    parsed = undefined;
  }
  const data = fieldOf(parsed, 'data');
  return {
    message,
    eventType: stringOf(fieldOf(parsed, 'eventType')),
    eventId: stringOf(fieldOf(parsed, 'eventId')),
    orderId: stringOf(fieldOf(data, 'orderId')),
  };
}

function fieldOf(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function field(item: TableItem, name: string): string | undefined {
  return stringOf(item[name]);
}

/** Items grouped by their `orderId` attribute (items without one under `undefined`). */
function byOrderId(items: readonly TableItem[]): Map<string | undefined, TableItem[]> {
  const groups = new Map<string | undefined, TableItem[]>();
  for (const item of items) {
    const key = field(item, 'orderId');
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function describeItem(item: TableItem, keys: readonly string[]): string {
  return keys.map((key) => `${key}=${JSON.stringify(item[key])}`).join(' ');
}

/** Checks the invariants on state already read. Pure: the same state always gives the same report. */
export function evaluatePipelineInvariants(state: PipelineState, expectations: PipelineExpectations): InvariantReport {
  const violations: InvariantViolation[] = [];
  const report = (rule: InvariantRule, orderId: string | undefined, detail: string): void => {
    violations.push({ rule, ...(orderId === undefined ? {} : { orderId }), detail });
  };

  // A replayed request is answered with the same order: one expectation per orderId.
  const accepted = new Map<string, AcceptedOrder>();
  for (const order of expectations.orders) {
    const known = accepted.get(order.orderId);
    if (known === undefined) {
      accepted.set(order.orderId, order);
    } else if (
      known.paymentOutcome !== order.paymentOutcome ||
      known.inventoryOutcome !== order.inventoryOutcome ||
      known.simulateTechnicalFailure !== order.simulateTechnicalFailure
    ) {
      report('conflicting-expectations', order.orderId, 'the client was answered this orderId for two different requests');
    }
  }
  const isAccepted = (orderId: string | undefined): boolean => orderId !== undefined && accepted.has(orderId);

  const orders = byOrderId(state.tables.orders);
  const outbox = byOrderId(state.tables.outbox);
  const payments = byOrderId(state.tables.payments);
  const inventory = byOrderId(state.tables.inventory);
  const notifications = byOrderId(state.tables.notifications);
  const deadLetters = {
    payment: (state.deadLetters[PAYMENT_CONSUMER.id] ?? []).map(parseQueuedEvent),
    inventory: (state.deadLetters[INVENTORY_CONSUMER.id] ?? []).map(parseQueuedEvent),
    notification: (state.deadLetters[NOTIFICATION_CONSUMER.id] ?? []).map(parseQueuedEvent),
  };
  const expectedDeadLetters = new Set<QueuedMessage>();

  for (const order of accepted.values()) {
    const { orderId } = order;
    const expected = expectedOutcomeOf(order);

    // Exactly one order item, and it is the order that was asked for.
    const orderItems = orders.get(orderId) ?? [];
    if (orderItems.length !== 1) report('order-item', orderId, `${orderItems.length} order items, expected 1`);
    const orderItem = orderItems[0];
    if (orderItem !== undefined) {
      const asked = {
        paymentOutcome: order.paymentOutcome,
        inventoryOutcome: order.inventoryOutcome,
        simulateTechnicalFailure: order.simulateTechnicalFailure,
      };
      for (const [name, value] of Object.entries(asked)) {
        if (orderItem[name] !== value) {
          report('order-item', orderId, `${name} is ${JSON.stringify(orderItem[name])}, the request asked for ${JSON.stringify(value)}`);
        }
      }
      // Status consistent with the outcomes.
      const statuses = {
        status: expected.orderStatus,
        paymentStatus: expected.orderPaymentStatus,
        inventoryStatus: expected.orderInventoryStatus,
      };
      for (const [name, value] of Object.entries(statuses)) {
        if (orderItem[name] !== value) {
          report('order-status', orderId, `${name} is ${JSON.stringify(orderItem[name])}, expected ${value}`);
        }
      }
    }

    // Exactly one outbox item, SENT, with a TTL in epoch seconds.
    const outboxItems = outbox.get(orderId) ?? [];
    if (outboxItems.length !== 1) report('outbox-item', orderId, `${outboxItems.length} outbox items, expected 1`);
    for (const item of outboxItems) {
      if (field(item, 'eventType') !== EVENT_TYPES.orderCreated) {
        report('outbox-item', orderId, `outbox item ${describeItem(item, ['eventId', 'eventType'])} is not an OrderCreated`);
      }
      if (orderItem !== undefined && field(item, 'eventId') !== field(orderItem, 'eventId')) {
        const [outboxEventId, orderEventId] = [JSON.stringify(item.eventId), JSON.stringify(orderItem.eventId)];
        report('outbox-item', orderId, `outbox eventId ${outboxEventId} differs from the order's ${orderEventId}`);
      }
      if (field(item, 'status') !== OUTBOX_STATUS.sent) {
        const status = JSON.stringify(item.status);
        report('outbox-sent', orderId, `outbox item ${JSON.stringify(item.eventId)} is ${status}, expected ${OUTBOX_STATUS.sent}`);
      } else {
        const problem = ttlProblemOf(item, state.readAt);
        if (problem !== undefined) report('outbox-ttl', orderId, problem);
      }
    }

    // One decision per service, unless its technical failure was requested: then none, and the
    // OrderCreated it could not process is in its DLQ.
    checkDecision({
      rule: 'payment-record',
      orderId,
      records: payments.get(orderId) ?? [],
      expectedStatus: expected.paymentRecordStatus,
      deadLetters: deadLetters.payment,
      dlqName: PAYMENT_CONSUMER.id,
      report,
      expectedDeadLetters,
    });
    checkDecision({
      rule: 'inventory-record',
      orderId,
      records: inventory.get(orderId) ?? [],
      expectedStatus: expected.inventoryRecordStatus,
      deadLetters: deadLetters.inventory,
      dlqName: INVENTORY_CONSUMER.id,
      report,
      expectedDeadLetters,
    });

    // One notification per outcome event; none when notification's failure was requested, whose
    // outcome messages are then in the notification DLQ.
    const outcomeEvents = [expected.paymentEvent, expected.inventoryEvent].filter((type): type is EventType => type !== undefined);
    const orderNotifications = notifications.get(orderId) ?? [];
    if (order.simulateTechnicalFailure === 'notification') {
      if (orderNotifications.length > 0) {
        const count = orderNotifications.length;
        report('notification', orderId, `${count} notifications recorded although notification's technical failure was requested`);
      }
      for (const eventType of outcomeEvents) {
        const found = deadLetters.notification.filter((event) => event.orderId === orderId && event.eventType === eventType);
        if (found.length === 0) report('dead-letter-missing', orderId, `no ${eventType} in the ${NOTIFICATION_CONSUMER.id} DLQ`);
        for (const event of found) expectedDeadLetters.add(event.message);
      }
    } else {
      const outcomeEventIds = new Map<string, string | undefined>([
        ...(expected.paymentEvent === undefined ? [] : [[expected.paymentEvent, outcomeEventIdOf(payments.get(orderId))] as const]),
        ...(expected.inventoryEvent === undefined ? [] : [[expected.inventoryEvent, outcomeEventIdOf(inventory.get(orderId))] as const]),
      ]);
      for (const [eventType, outcomeEventId] of outcomeEventIds) {
        const found = orderNotifications.filter((notification) => field(notification, 'eventType') === eventType);
        if (found.length !== 1) {
          report('notification', orderId, `${found.length} notifications for ${eventType}, expected 1`);
        } else if (outcomeEventId !== undefined && field(found[0] as TableItem, 'notificationId') !== outcomeEventId) {
          report('notification', orderId, `the ${eventType} notification is not for the stored outcome event ${outcomeEventId}`);
        }
      }
      for (const notification of orderNotifications) {
        const eventType = field(notification, 'eventType');
        if (eventType === undefined || !outcomeEventIds.has(eventType)) {
          report('notification', orderId, `unexpected notification ${describeItem(notification, ['notificationId', 'eventType'])}`);
        }
      }
    }

    // Every idempotency key the client sent names this order, and no other order claims it.
    if (order.idempotencyKey !== undefined) {
      const claims = state.tables.idempotency.filter((item) => field(item, 'idempotencyKey') === order.idempotencyKey);
      if (claims.length !== 1) {
        const key = JSON.stringify(order.idempotencyKey);
        report('idempotency-key', orderId, `${claims.length} idempotency items for key ${key}, expected 1`);
      }
      for (const claim of claims) {
        if (field(claim, 'orderId') !== orderId) {
          report('idempotency-key', orderId, `key ${JSON.stringify(order.idempotencyKey)} maps to order ${JSON.stringify(claim.orderId)}`);
        }
      }
      if (orderItem !== undefined && orderItem.idempotencyKey !== order.idempotencyKey) {
        const [carried, sent] = [JSON.stringify(orderItem.idempotencyKey), JSON.stringify(order.idempotencyKey)];
        report('idempotency-key', orderId, `the order item carries key ${carried}, expected ${sent}`);
      }
    }
  }

  // One key, one order: the client must never have been answered two orders for the same key.
  const ordersByKey = new Map<string, Set<string>>();
  for (const order of accepted.values()) {
    if (order.idempotencyKey === undefined) continue;
    ordersByKey.set(order.idempotencyKey, (ordersByKey.get(order.idempotencyKey) ?? new Set()).add(order.orderId));
  }
  for (const [key, orderIds] of ordersByKey) {
    if (orderIds.size > 1) {
      for (const orderId of orderIds) {
        report('idempotency-key', orderId, `key ${JSON.stringify(key)} was answered with ${orderIds.size} different orders`);
      }
    }
  }

  // Nothing exists that the client never asked for.
  const strangerTables = [
    ['orders', orders],
    ['outbox', outbox],
    ['payments', payments],
    ['inventory', inventory],
    ['notifications', notifications],
  ] as const;
  for (const [table, groups] of strangerTables) {
    for (const [orderId, items] of groups) {
      if (!isAccepted(orderId)) {
        report('stranger', orderId, `${items.length} ${table} item(s) for an order the client was never answered 202 for`);
      }
    }
  }
  for (const claim of state.tables.idempotency) {
    const key = field(claim, 'idempotencyKey');
    const orderId = field(claim, 'orderId');
    if (!isAccepted(orderId) || (orderId !== undefined && accepted.get(orderId)?.idempotencyKey !== key)) {
      report('stranger', orderId, `idempotency item for key ${JSON.stringify(key)} that no accepted request used for this order`);
    }
  }

  // No message in any DLQ or the on-failure queue unless a technical failure put it there.
  for (const [consumerId, messages] of Object.entries(state.deadLetters)) {
    for (const message of messages) {
      if (expectedDeadLetters.has(message)) continue;
      const event = parseQueuedEvent(message);
      report(
        'dead-letter-unexpected',
        event.orderId,
        `${consumerId} DLQ holds ${event.eventType ?? 'an unparseable message'} ${event.eventId ?? message.messageId} ` +
          `(received ${message.receiveCount} times)`,
      );
    }
  }
  for (const failure of state.relayFailures) {
    report('relay-failure', undefined, `the relay gave up on a stream batch: ${failure.body}`);
  }
  // Not settled while a redelivery is still to come: it could yet change a table or end in a DLQ.
  for (const [consumerId, backlog] of Object.entries(state.backlogs)) {
    if (backlog > 0) report('queue-backlog', undefined, `${consumerId}'s queue still holds ${backlog} message(s) (visible, in flight or delayed)`);
  }

  return { ok: violations.length === 0, violations, orderCount: accepted.size, readAt: state.readAt };
}

function checkDecision(check: {
  readonly rule: 'payment-record' | 'inventory-record';
  readonly orderId: string;
  readonly records: readonly TableItem[];
  /** undefined: the service's technical failure was requested. */
  readonly expectedStatus: string | undefined;
  readonly deadLetters: readonly QueuedEvent[];
  readonly dlqName: string;
  readonly report: (rule: InvariantRule, orderId: string | undefined, detail: string) => void;
  readonly expectedDeadLetters: Set<QueuedMessage>;
}): void {
  const { rule, orderId, records, expectedStatus, report } = check;
  if (expectedStatus === undefined) {
    if (records.length > 0) report(rule, orderId, `${records.length} records although its technical failure was requested`);
    const found = check.deadLetters.filter((event) => event.orderId === orderId && event.eventType === EVENT_TYPES.orderCreated);
    if (found.length === 0) report('dead-letter-missing', orderId, `no OrderCreated in the ${check.dlqName} DLQ`);
    for (const event of found) check.expectedDeadLetters.add(event.message);
    return;
  }
  if (records.length !== 1) report(rule, orderId, `${records.length} records, expected 1`);
  for (const record of records) {
    if (record.status !== expectedStatus) {
      report(rule, orderId, `status is ${JSON.stringify(record.status)}, expected ${expectedStatus}`);
    }
  }
}

function outcomeEventIdOf(records: readonly TableItem[] | undefined): string | undefined {
  return records?.length === 1 ? field(records[0] as TableItem, 'outcomeEventId') : undefined;
}

/** `expiresAt` must be whole epoch seconds, after the item was sent and not absurdly far after. */
function ttlProblemOf(item: TableItem, readAt: Date): string | undefined {
  const { expiresAt } = item;
  const eventId = JSON.stringify(item.eventId);
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt)) {
    return `outbox item ${eventId} has expiresAt ${JSON.stringify(expiresAt)}, not whole epoch seconds`;
  }
  const sentAtMs = Date.parse(field(item, 'sentAt') ?? '');
  const sentAtSeconds = Math.floor((Number.isNaN(sentAtMs) ? readAt.getTime() : sentAtMs) / 1000);
  if (expiresAt <= sentAtSeconds) {
    return `outbox item ${eventId} expires at ${expiresAt}, not after it was sent (${sentAtSeconds})`;
  }
  if (expiresAt - sentAtSeconds > MAX_PLAUSIBLE_TTL_SECONDS) {
    return `outbox item ${eventId} expires ${expiresAt - sentAtSeconds} s after it was sent: milliseconds instead of epoch seconds?`;
  }
  return undefined;
}

/** Reads the stack's state and checks the invariants on it. */
export async function checkPipelineInvariants(stack: StateSource, expectations: PipelineExpectations): Promise<InvariantReport> {
  return evaluatePipelineInvariants(await readPipelineState(stack), expectations);
}

/**
 * Polls until the invariants hold, or until `timeoutMs` has passed: then returns the last report,
 * violations and all, for the test to assert on. Technical failures take their DLQs' three
 * visibility timeouts (seconds at the test time scale) to settle. `tolerate` names rules a test
 * expects to be broken (an outage that outlasts the relay's retries leaves `relay-failure`
 * messages behind); everything else must hold.
 */
export async function waitForPipelineToSettle(
  stack: StateSource,
  expectations: PipelineExpectations,
  options: { readonly timeoutMs: number; readonly intervalMs?: number; readonly tolerate?: readonly InvariantRule[] },
): Promise<InvariantReport> {
  const tolerated = new Set(options.tolerate ?? []);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const report = await checkPipelineInvariants(stack, expectations);
    if (report.violations.every((violation) => tolerated.has(violation.rule)) || Date.now() >= deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}

/** The report without the violations of the tolerated rules. */
export function withoutTolerated(report: InvariantReport, tolerate: readonly InvariantRule[]): InvariantReport {
  const violations = report.violations.filter((violation) => !tolerate.includes(violation.rule));
  return { ...report, ok: violations.length === 0, violations };
}

/** One line per violation, for assertion messages and logs. */
export function formatViolations(report: InvariantReport): string {
  return report.violations.map((violation) => `[${violation.rule}] ${violation.orderId ?? '-'}: ${violation.detail}`).join('\n');
}
