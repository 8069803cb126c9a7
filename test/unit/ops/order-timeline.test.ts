import type { TraceSegmentDocument } from '../../../infra/local/runtime/trace-store';
import { formatOrderTimeline } from '../../../ops/format-order-timeline';
import { buildOrderTimeline } from '../../../ops/order-timeline';
import { terminalStyle } from '../../../ops/terminal-style';
import { aConfirmedOrder, ORDER_ID } from './order-fixtures';

const NOW = new Date('2026-11-29T01:20:00.000Z');
const plain = terminalStyle({ isTTY: false, env: {} });

describe('buildOrderTimeline', () => {
  it('lists every record of the order sorted by time', () => {
    // Prepare
    const facts = aConfirmedOrder();

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline.entries.map((entry) => [entry.at, entry.source])).toEqual([
      ['2026-11-29T01:10:48.505Z', 'idempotency'],
      ['2026-11-29T01:10:48.505Z', 'order'],
      ['2026-11-29T01:10:48.505Z', 'outbox'],
      ['2026-11-29T01:10:49.099Z', 'outbox'],
      ['2026-11-29T01:10:50.050Z', 'inventory'],
      ['2026-11-29T01:10:50.300Z', 'payment'],
      ['2026-11-29T01:10:50.964Z', 'notification'],
      ['2026-11-29T01:10:51.020Z', 'notification'],
      ['2026-11-29T01:10:51.136Z', 'order'],
    ]);
    expect(timeline.entries[5]?.what).toBe(
      `payment decided COMPLETED (sim-pay-${ORDER_ID}); PaymentCompleted e09036bd-9e76-43a2-9659-251b1c39bab7:payment-outcome published`,
    );
  });

  it('calls a CONFIRMED order final', () => {
    // Prepare
    const facts = aConfirmedOrder();

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline).toMatchObject({ found: true, status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
    expect(timeline.diagnosis).toEqual(['Final: CONFIRMED (payment COMPLETED, inventory RESERVED).']);
  });

  it('names the DLQ an order is stuck in and the command that redrives it', () => {
    // Prepare
    const confirmed = aConfirmedOrder();
    const facts = {
      ...confirmed,
      order: { ...confirmed.order, status: 'PENDING', paymentStatus: 'PENDING' },
      payment: undefined,
      notifications: confirmed.notifications.slice(0, 1),
      deadLetters: [
        {
          consumerId: 'Payment',
          queueName: 'payment-dlq',
          message: {
            messageId: 'message-1',
            receiveCount: 4,
            sentAt: '2026-11-29T01:10:49.074Z',
            firstReceivedAt: '2026-11-29T01:10:49.080Z',
            eventType: 'OrderCreated',
            eventId: 'e09036bd-9e76-43a2-9659-251b1c39bab7',
            orderId: ORDER_ID,
            failure: undefined,
            bodyExcerpt: '{}',
          },
        },
      ],
    };

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline.diagnosis).toEqual([
      'OrderCreated for this order is dead-lettered in payment-dlq (received 4 times without success by Payment). ' +
        'Fix the cause, then run: npm run ops -- dlq redrive payment',
    ]);
    expect(timeline.entries.find((entry) => entry.source === 'dlq')).toEqual({
      at: '2026-11-29T01:10:49.080Z',
      source: 'dlq',
      level: 'error',
      what:
        'OrderCreated first delivered to Payment (message message-1); now in payment-dlq after 4 receive(s). ' +
        "SQS records no error: search Payment's logs for the messageId",
    });
  });

  it('says when the order event is still PENDING in the outbox', () => {
    // Prepare
    const confirmed = aConfirmedOrder();
    const facts = {
      ...confirmed,
      order: { ...confirmed.order, status: 'PENDING', paymentStatus: 'PENDING', inventoryStatus: 'PENDING' },
      outbox: { ...confirmed.outbox, status: 'PENDING', sentAt: undefined },
      payment: undefined,
      inventory: undefined,
      notifications: [],
    };

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline.diagnosis).toEqual([
      'Its OrderCreated event is still PENDING in the outbox (written 9m 11s ago): the relay has not published it. ' +
        'See `status` (relay lag, relay-failures queue).',
    ]);
  });

  it('points at the order-status consumer when a decision has not reached the order', () => {
    // Prepare
    const confirmed = aConfirmedOrder();
    const facts = { ...confirmed, order: { ...confirmed.order, status: 'PENDING', paymentStatus: 'PENDING' } };

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline.diagnosis).toEqual([
      'payment decided COMPLETED but the order does not show it yet: the order-status consumer has not applied it (order-status queue or its DLQ).',
    ]);
  });

  it('says which outcomes have no notification yet', () => {
    // Prepare
    const facts = { ...aConfirmedOrder(), notifications: [] };

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline.diagnosis).toContain('2 outcome(s) have no notification yet (notification queue or its DLQ).');
  });

  it('reports an unknown order as not found', () => {
    // Prepare
    const facts = { ...aConfirmedOrder(), order: undefined, outbox: undefined, idempotency: undefined, payment: undefined, inventory: undefined, notifications: [] };

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline).toMatchObject({ found: false, status: undefined, entries: [] });
    expect(timeline.diagnosis).toEqual([`No order ${ORDER_ID} in the orders table.`]);
  });

  it('leaves out a record whose time is missing instead of failing', () => {
    // Prepare
    const confirmed = aConfirmedOrder();
    const facts = { ...confirmed, payment: { ...confirmed.payment, processedAt: 'not a date' } };

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline.entries.map((entry) => entry.source)).not.toContain('payment');
  });

  it('adds the trace segments of each service and each AWS call, labelled with the function that made it', () => {
    // Prepare
    const segments: TraceSegmentDocument[] = [
      { id: 'a', trace_id: '1-x', name: 'Payment', origin: 'AWS::Lambda::Function', start_time: 1795914650.1, end_time: 1795914650.35 },
      { id: 'b', trace_id: '1-x', parent_id: 'a', type: 'subsegment', name: '## index.handler', start_time: 1795914650.15, end_time: 1795914650.3 },
      { id: 'c', trace_id: '1-x', parent_id: 'b', namespace: 'aws', name: 'DynamoDB', start_time: 1795914650.2, end_time: 1795914650.25, fault: true },
    ];
    const facts = { ...aConfirmedOrder(), traceSegments: segments };

    // Act
    const timeline = buildOrderTimeline(facts, NOW);

    // Assess
    expect(timeline.traces).toBe('recorded');
    expect(timeline.entries.filter((entry) => entry.source === 'trace').map((entry) => entry.what)).toEqual([
      'Payment [AWS::Lambda::Function] 250 ms',
      '  ↳ DynamoDB 50 ms FAULT (in Payment)',
      '… and 1 more trace (sub)segment(s) of this order not listed',
    ]);
  });
});

describe('formatOrderTimeline', () => {
  it('prints the status, one aligned line per entry with its offset from the first, and the diagnosis', () => {
    // Prepare
    const timeline = buildOrderTimeline(aConfirmedOrder(), NOW);

    // Act
    const lines = formatOrderTimeline(timeline, plain);

    // Assess
    expect(lines[0]).toBe(`Order ${ORDER_ID}  CONFIRMED  (payment COMPLETED, inventory RESERVED)`);
    expect(lines[2]).toBe('TIME (UTC)                SINCE START  SOURCE        WHAT');
    expect(lines[3]).toBe('2026-11-29T01:10:48.505Z        +0 ms  idempotency   Idempotency-Key "key-1" claimed');
    expect(lines[6]).toBe(
      '2026-11-29T01:10:49.099Z      +594 ms  outbox        OrderCreated e09036bd-9e76-43a2-9659-251b1c39bab7 published to the topic by the relay (SENT)',
    );
    expect(lines).toContain('  • Final: CONFIRMED (payment COMPLETED, inventory RESERVED).');
  });
});
