/**
 * `order <orderId>`: what happened to one order, as one list sorted by time, and a diagnosis in
 * plain words (where it is stuck and what to run). Pure: the facts are read by order-facts.ts.
 */
import type { TraceSegmentDocument } from '../infra/local/runtime/trace-store';
import { OUTBOX_STATUS } from '../src/common/outbox-item';
import { formatDuration } from './format-duration';
import { consumerAlias } from './ops-target';
import { stringField, type OrderFacts, type StoredItem } from './order-facts';

export type TimelineSource = 'order' | 'idempotency' | 'outbox' | 'payment' | 'inventory' | 'notification' | 'dlq' | 'trace';

export interface TimelineEntry {
  /** ISO 8601, UTC, milliseconds. */
  readonly at: string;
  readonly source: TimelineSource;
  readonly what: string;
  readonly level: 'info' | 'warn' | 'error';
}

export interface OrderTimeline {
  readonly orderId: string;
  readonly found: boolean;
  readonly status: string | undefined;
  readonly paymentStatus: string | undefined;
  readonly inventoryStatus: string | undefined;
  readonly entries: readonly TimelineEntry[];
  readonly diagnosis: readonly string[];
  /** Trace segments are present only locally, when the runtime records them. */
  readonly traces: 'recorded' | 'none-recorded';
}

/** Beyond this many trace entries the timeline would drown the rest. */
const MAX_TRACE_ENTRIES = 40;

/** Order among entries with the same timestamp: the order the pipeline does things in. */
const SOURCE_RANK: Readonly<Record<TimelineSource, number>> = {
  idempotency: 0,
  order: 1,
  outbox: 2,
  trace: 3,
  dlq: 4,
  payment: 5,
  inventory: 6,
  notification: 7,
};

export function buildOrderTimeline(facts: OrderFacts, now: Date): OrderTimeline {
  const entries: TimelineEntry[] = [
    ...orderEntries(facts.order),
    ...idempotencyEntries(facts.idempotency),
    ...outboxEntries(facts.outbox),
    ...decisionEntries('payment', facts.payment, 'paymentId'),
    ...decisionEntries('inventory', facts.inventory, 'reservationId'),
    ...facts.notifications.flatMap(notificationEntries),
    ...facts.deadLetters.flatMap(({ consumerId, queueName, message }) =>
      at(message.firstReceivedAt ?? message.sentAt, 'dlq', 'error',
        `${message.eventType ?? 'message'} first delivered to ${consumerId} (message ${message.messageId}); ` +
          `now in ${queueName} after ${message.receiveCount ?? '?'} receive(s). SQS records no error: search ${consumerId}'s logs for the messageId`,
      ),
    ),
    ...traceEntries(facts.traceSegments ?? []),
  ];
  entries.sort((a, b) => a.at.localeCompare(b.at) || SOURCE_RANK[a.source] - SOURCE_RANK[b.source]);
  return {
    orderId: facts.orderId,
    found: facts.order !== undefined,
    status: stringField(facts.order, 'status'),
    paymentStatus: stringField(facts.order, 'paymentStatus'),
    inventoryStatus: stringField(facts.order, 'inventoryStatus'),
    entries,
    diagnosis: diagnose(facts, now),
    traces: facts.traceSegments === undefined ? 'none-recorded' : 'recorded',
  };
}

function orderEntries(order: StoredItem | undefined): TimelineEntry[] {
  if (order === undefined) return [];
  const items = Array.isArray(order.items) ? order.items.length : '?';
  const failure = stringField(order, 'simulateTechnicalFailure');
  const placed = at(stringField(order, 'createdAt'), 'order', 'info',
    `order placed: ${items} line(s), total ${String(order.totalAmount)} ${stringField(order, 'currency') ?? ''}; ` +
      `simulated payment ${stringField(order, 'paymentOutcome') ?? '?'}, inventory ${stringField(order, 'inventoryOutcome') ?? '?'}` +
      (failure === undefined ? '' : `, technical failure in ${failure}`),
  );
  const updatedAt = stringField(order, 'updatedAt');
  const status = stringField(order, 'status');
  const updated =
    updatedAt === undefined || updatedAt === stringField(order, 'createdAt')
      ? []
      : at(updatedAt, 'order', status === 'PENDING' ? 'warn' : 'info',
          `order last updated: ${status ?? '?'} (payment ${stringField(order, 'paymentStatus') ?? '?'}, inventory ${stringField(order, 'inventoryStatus') ?? '?'})`,
        );
  return [...placed, ...updated];
}

function idempotencyEntries(claim: StoredItem | undefined): TimelineEntry[] {
  if (claim === undefined) return [];
  return at(stringField(claim, 'createdAt'), 'idempotency', 'info', `Idempotency-Key "${stringField(claim, 'idempotencyKey') ?? '?'}" claimed`);
}

function outboxEntries(outbox: StoredItem | undefined): TimelineEntry[] {
  if (outbox === undefined) return [];
  const event = `${stringField(outbox, 'eventType') ?? 'event'} ${stringField(outbox, 'eventId') ?? '?'}`;
  return [
    ...at(stringField(outbox, 'createdAt'), 'outbox', 'info', `${event} written to the outbox with the order (PENDING)`),
    ...at(stringField(outbox, 'sentAt'), 'outbox', 'info', `${event} published to the topic by the relay (SENT)`),
  ];
}

function decisionEntries(source: 'payment' | 'inventory', record: StoredItem | undefined, referenceField: string): TimelineEntry[] {
  if (record === undefined) return [];
  const status = stringField(record, 'status') ?? '?';
  const reference = stringField(record, referenceField);
  const outcome = outcomeEventTypeOf(record) ?? 'outcome';
  return at(stringField(record, 'processedAt'), source, status === 'FAILED' ? 'warn' : 'info',
    `${source} decided ${status}${reference === undefined ? '' : ` (${reference})`}; ${outcome} ${stringField(record, 'outcomeEventId') ?? '?'} published`,
  );
}

function notificationEntries(notification: StoredItem): TimelineEntry[] {
  return at(stringField(notification, 'createdAt'), 'notification', 'info',
    `notification for ${stringField(notification, 'eventType') ?? '?'} recorded: "${stringField(notification, 'subject') ?? ''}"`,
  );
}

/**
 * The trace segments worth a line: each service's own segment (API Gateway stage, function
 * invocation: they carry an `origin`), each AWS call (`namespace: aws`) and anything that faulted,
 * every call labelled with the function it was made from. Handler-wrapper subsegments are counted.
 */
function traceEntries(segments: readonly TraceSegmentDocument[]): TimelineEntry[] {
  const byKey = new Map(segments.map((segment) => [`${segment.trace_id}/${segment.id}`, segment]));
  const ownerOf = (segment: TraceSegmentDocument): string | undefined => {
    let current = segment;
    for (;;) {
      const parent = current.parent_id === undefined ? undefined : byKey.get(`${current.trace_id}/${current.parent_id}`);
      if (parent === undefined) return undefined;
      // A segment of its own (a service's or a function's) owns the calls beneath it; its own
      // parent may be in another process (the trace header carried through the outbox or SQS).
      if (parent.origin !== undefined || parent.service !== undefined) return parent.name;
      current = parent;
    }
  };
  const shown = segments.filter(
    (segment) => segment.origin !== undefined || segment.namespace === 'aws' || segment.fault === true || segment.error === true,
  );
  const entries = shown.slice(0, MAX_TRACE_ENTRIES).map((segment): TimelineEntry => {
    const duration = segment.end_time === undefined ? 'in progress' : formatDuration((segment.end_time - segment.start_time) * 1000);
    const flags = [segment.fault === true ? 'FAULT' : '', segment.error === true ? 'ERROR' : ''].filter(Boolean).join(' ');
    const owner = segment.origin === undefined ? ownerOf(segment) : undefined;
    const name = segment.origin === undefined ? `  ↳ ${segment.name}` : `${segment.name} [${segment.origin}]`;
    return {
      at: new Date(segment.start_time * 1000).toISOString(),
      source: 'trace',
      level: flags === '' ? 'info' : 'warn',
      what: `${name} ${duration}${flags === '' ? '' : ` ${flags}`}${owner === undefined ? '' : ` (in ${owner})`}`,
    };
  });
  const last = entries[entries.length - 1];
  const hidden = segments.length - entries.length;
  if (hidden > 0 && last !== undefined) {
    entries.push({ ...last, level: 'info', what: `… and ${hidden} more trace (sub)segment(s) of this order not listed` });
  }
  return entries;
}

function diagnose(facts: OrderFacts, now: Date): string[] {
  const lines: string[] = [];
  for (const { consumerId, queueName, message } of facts.deadLetters) {
    lines.push(
      `${message.eventType ?? 'A message'} for this order is dead-lettered in ${queueName} (received ` +
        `${message.receiveCount ?? 'several'} times without success by ${consumerId}). Fix the cause, then run: ` +
        `npm run ops -- dlq redrive ${consumerAlias(consumerId)}`,
    );
  }
  if (facts.deadLetterQueuesNotFullyPeeked.length > 0) {
    lines.push(`Not every message of ${facts.deadLetterQueuesNotFullyPeeked.join(', ')} was peeked: this order may have more there (dlq show).`);
  }
  const order = facts.order;
  if (order === undefined) {
    lines.push(`No order ${facts.orderId} in the orders table.`);
    return lines;
  }
  if (stringField(facts.outbox, 'status') === OUTBOX_STATUS.pending) {
    const createdAt = stringField(facts.outbox, 'createdAt');
    lines.push(
      `Its OrderCreated event is still PENDING in the outbox${createdAt === undefined ? '' : ` (written ${formatDuration(now.getTime() - Date.parse(createdAt))} ago)`}: ` +
        'the relay has not published it. See `status` (relay lag, relay-failures queue).',
    );
  }
  const status = stringField(order, 'status');
  if (status === 'CONFIRMED' || status === 'REJECTED') {
    lines.push(`Final: ${status} (payment ${stringField(order, 'paymentStatus') ?? '?'}, inventory ${stringField(order, 'inventoryStatus') ?? '?'}).`);
  } else if (facts.deadLetters.length === 0 && stringField(facts.outbox, 'status') !== OUTBOX_STATUS.pending) {
    for (const [step, record, statusField] of [
      ['payment', facts.payment, 'paymentStatus'],
      ['inventory', facts.inventory, 'inventoryStatus'],
    ] as const) {
      if (record === undefined) {
        lines.push(`${step} has not decided yet: its OrderCreated message is in flight or waiting in the ${step} queue (see \`status\`).`);
      } else if (stringField(order, statusField) === 'PENDING') {
        lines.push(`${step} decided ${stringField(record, 'status') ?? '?'} but the order does not show it yet: the order-status consumer has not applied it (order-status queue or its DLQ).`);
      }
    }
  }
  const decided = [facts.payment, facts.inventory].filter((record) => record !== undefined).length;
  if (facts.notifications.length < decided) {
    lines.push(`${decided - facts.notifications.length} outcome(s) have no notification yet (notification queue or its DLQ).`);
  }
  return lines;
}

function outcomeEventTypeOf(record: StoredItem): string | undefined {
  const serialized = stringField(record, 'outcomeEvent');
  if (serialized === undefined) return undefined;
  try {
    const event: unknown = JSON.parse(serialized);
    return typeof event === 'object' && event !== null && 'eventType' in event && typeof event.eventType === 'string' ? event.eventType : undefined;
  } catch {
    return undefined;
  }
}

/** One entry, or none when the time is missing or unreadable (a partial item must not break the timeline). */
function at(time: string | undefined, source: TimelineSource, level: TimelineEntry['level'], what: string): TimelineEntry[] {
  if (time === undefined) return [];
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? [] : [{ at: new Date(parsed).toISOString(), source, level, what }];
}
