import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  INVENTORY_CONSUMER,
  NOTIFICATION_CONSUMER,
  ORDER_STATUS_CONSUMER,
  PAYMENT_CONSUMER,
  QUEUE_DEFAULTS,
  type QueueConsumerSettings,
  type TableRole,
} from '../../../src/common/settings';
import { orderCreatedEvent, paymentCompletedEvent } from '../../support/event-fixtures';
import { eventually } from '../support/eventually';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { itemOf, pendingOrder, putAll } from './support/pipeline-fixtures';
import { buildOrderCreated } from '../../../src/order/domain/place-order';

const BASE_PORT = 19710;
const VALID_PER_QUEUE = 4;

type Tables = Readonly<Record<TableRole, string>>;

/** What a consumer is sent: valid events whose effect can be watched, and the poisons of its contract. */
interface QueueCase {
  readonly consumer: QueueConsumerSettings;
  /** Writes what the valid events need and returns their bodies and a probe of their effect. */
  prepareValid(ddb: DynamoDBDocumentClient, tables: Tables): Promise<{ bodies: string[]; processed: () => Promise<boolean> }>;
  /** A valid event of a type this consumer does not take. */
  readonly otherType: (marker: string) => object;
  /** An event of the type it takes, valid but for its shape, or but for its version. */
  readonly acceptedType: (marker: string) => Record<string, unknown>;
}

/** OrderCreated, for the payment and inventory consumers, each of which keeps one item per order. */
function orderCreatedCase(consumer: QueueConsumerSettings, recordTable: 'payments' | 'inventory'): QueueCase {
  return {
    consumer,
    prepareValid: async (ddb, tables) => {
      const orders = Array.from({ length: VALID_PER_QUEUE }, () => pendingOrder());
      await putAll(ddb, tables.orders, orders);
      return {
        bodies: orders.map((order) => JSON.stringify(buildOrderCreated(order))),
        processed: async () => {
          const records = await Promise.all(orders.map(({ orderId }) => itemOf(ddb, tables[recordTable], { orderId })));
          return records.every((record) => record !== undefined);
        },
      };
    },
    otherType: (marker) => paymentCompletedEvent({ orderId: randomUUID() }, { eventId: marker }),
    acceptedType: (marker) => ({ ...orderCreatedEvent({ orderId: randomUUID() }), eventId: marker }),
  };
}

/** PaymentCompleted, for the notification and order-status consumers. */
function outcomeCase(consumer: QueueConsumerSettings, effect: 'notification' | 'orderStatus'): QueueCase {
  return {
    consumer,
    prepareValid: async (ddb, tables) => {
      const orders = Array.from({ length: VALID_PER_QUEUE }, () => pendingOrder());
      await putAll(ddb, tables.orders, orders);
      const events = orders.map((order) =>
        paymentCompletedEvent({ orderId: order.orderId, customerEmail: order.customerEmail }, { eventId: randomUUID() }),
      );
      return {
        bodies: events.map((event) => JSON.stringify(event)),
        processed: async () => {
          const items = await Promise.all(
            events.map((event) =>
              effect === 'notification'
                ? itemOf(ddb, tables.notifications, { notificationId: event.eventId })
                : itemOf(ddb, tables.orders, { orderId: event.data.orderId }),
            ),
          );
          return items.every((item) => item !== undefined && (effect === 'notification' || item.paymentStatus === 'COMPLETED'));
        },
      };
    },
    otherType: (marker) => orderCreatedEvent({ orderId: randomUUID() }, { eventId: marker }),
    acceptedType: (marker) => ({ ...paymentCompletedEvent({ orderId: randomUUID() }), eventId: marker }),
  };
}

const CASES: readonly QueueCase[] = [
  orderCreatedCase(PAYMENT_CONSUMER, 'payments'),
  orderCreatedCase(INVENTORY_CONSUMER, 'inventory'),
  outcomeCase(NOTIFICATION_CONSUMER, 'notification'),
  outcomeCase(ORDER_STATUS_CONSUMER, 'orderStatus'),
];

/** The four poisons every consumer must dead-letter, each carrying a marker to find it by. */
function poisonsFor(queueCase: QueueCase): { kind: string; body: string }[] {
  const marker = (kind: string) => `poison-${queueCase.consumer.id}-${kind}-${randomUUID()}`;
  return [
    { kind: 'not JSON', body: `not json: ${marker('not-json')} {` },
    {
      kind: 'wrong schema',
      body: JSON.stringify({ ...queueCase.acceptedType(marker('wrong-schema')), data: { orderId: 'not-a-uuid', amount: 'lots' } }),
    },
    { kind: 'another event type', body: JSON.stringify(queueCase.otherType(marker('other-type'))) },
    { kind: 'eventVersion 2.0', body: JSON.stringify({ ...queueCase.acceptedType(marker('version')), eventVersion: '2.0' }) },
  ];
}

/** Long-polls the DLQ until every body in `bodies` has arrived; each copy is received once (kept invisible). */
async function collectDeadLetters(
  stack: LocalStack,
  dlqUrl: string,
  bodies: readonly string[],
  timeoutMs: number,
): Promise<{ copies: Map<string, Message>; firstArrivedAt: number }> {
  const copies = new Map<string, Message>();
  let firstArrivedAt: number | undefined;
  await eventually(
    async () => {
      const { Messages = [] } = await stack.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          // Longer than the test: a copy read here never comes back to be counted twice.
          VisibilityTimeout: 300,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      for (const message of Messages) {
        if (message.Body !== undefined) copies.set(message.Body, message);
      }
      if (Messages.length > 0) firstArrivedAt ??= Date.now();
      return bodies.every((body) => copies.has(body)) ? true : undefined;
    },
    { timeoutMs, intervalMs: 0, what: `${bodies.length} poison messages in ${dlqUrl}` },
  );
  return { copies, firstArrivedAt: firstArrivedAt ?? Date.now() };
}

/** The receive counts of the consumer's "Record failed" log entries for `messageId` (its function logs). */
function failedReceiveCounts(lines: readonly string[], messageId: string): unknown[] {
  return lines.flatMap((line) => {
    const start = line.indexOf('{');
    if (start === -1 || !line.includes(messageId)) return [];
    try {
      const entry = JSON.parse(line.slice(start)) as Record<string, unknown>;
      return entry.message === 'Record failed' && entry.messageId === messageId ? [entry.receiveCount] : [];
    } catch {
      return [];
    }
  });
}

/** The local Lambda's line per invocation of `functionName`: `λ Payment batch=5 ok (2 of 5 reported failed) 41 ms`. */
function invocationsOf(lines: readonly string[], functionName: string): { size: number; outcome: string; failed: number }[] {
  const pattern = new RegExp(`λ ${functionName} batch=(\\d+) (\\S+)(?: \\((\\d+) of \\d+ reported failed\\))?`);
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match === null ? [] : [{ size: Number(match[1]), outcome: match[2] ?? '', failed: Number(match[3] ?? 0) }];
  });
}

/**
 * Poison messages in every consumer queue, sent in one SendMessageBatch with valid ones so that
 * they share batches: each poison is received exactly maxReceiveCount times, then dead-lettered
 * with its body intact; its valid neighbours are processed at their first receive, long before.
 */
describe('poison messages in the consumer queues', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    // Function logs: the consumers' own "Record failed" lines show each receive of a poison.
    stack = await startLocalStack({ basePort: BASE_PORT, runtimeEnv: { LOCAL_FUNCTION_LOGS: '1' } });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it.each(CASES.map((queueCase) => [queueCase.consumer.queueName, queueCase] as const))(
    'the %s queue dead-letters each poison after exactly 3 receives and processes its batch neighbours at once',
    async (_queueName, queueCase) => {
      // Prepare
      const queue = stack.resources.queues[queueCase.consumer.id]!;
      const { bodies: validBodies, processed } = await queueCase.prepareValid(stack.ddb, stack.resources.tableNames);
      const poisons = poisonsFor(queueCase);
      // Interleaved, so that every batch the mapping receives holds both.
      const entries = validBodies.flatMap((body, index) => [body, poisons[index]?.body ?? []].flat());
      const outputBefore = stack.runtime().output.length;

      // Act
      const sent = await stack.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: entries.map((body, index) => ({ Id: `m${index}`, MessageBody: body })),
        }),
      );
      const [neighboursProcessedAt, deadLetters] = await Promise.all([
        eventually(async () => ((await processed()) ? Date.now() : undefined), {
          timeoutMs: 60_000,
          intervalMs: 50,
          what: `the valid neighbours' effect (${queueCase.consumer.id})`,
        }),
        collectDeadLetters(
          stack,
          queue.dlqUrl,
          poisons.map((poison) => poison.body),
          90_000,
        ),
      ]);
      const output = stack.runtime().output.slice(outputBefore);

      // Assess
      expect(sent.Failed ?? []).toEqual([]);
      const messageIdOf = (body: string) => sent.Successful?.find((entry) => entry.Id === `m${entries.indexOf(body)}`)?.MessageId ?? '';
      for (const poison of poisons) {
        const copy = deadLetters.copies.get(poison.body);
        // No silent drop: the DLQ holds the poison as it was sent.
        expect({ kind: poison.kind, body: copy?.Body }).toEqual({ kind: poison.kind, body: poison.body });
        // The consumer saw it exactly maxReceiveCount times, then never again: no endless loop.
        expect({ kind: poison.kind, receives: failedReceiveCounts(output, messageIdOf(poison.body)) }).toEqual({
          kind: poison.kind,
          receives: ['1', '2', '3'],
        });
        // The count travels with the message: its maxReceiveCount receives, the receive that found
        // it over the limit and moved it to the DLQ, and the one that just read it from there.
        expect({ kind: poison.kind, count: copy?.Attributes?.ApproximateReceiveCount }).toEqual({
          kind: poison.kind,
          count: String(QUEUE_DEFAULTS.maxReceiveCount + 2),
        });
      }
      // They shared batches (some invocations failed only some of their records), every invocation
      // answered, and the consumer got each neighbour once and each poison maxReceiveCount times:
      // no neighbour was retried along with a poison.
      const invocations = invocationsOf(output, queueCase.consumer.id);
      expect(invocations.some(({ size, failed }) => failed > 0 && failed < size)).toBe(true);
      expect(invocations.filter(({ outcome }) => outcome !== 'ok')).toEqual([]);
      expect(invocations.reduce((total, { size }) => total + size, 0)).toBe(
        validBodies.length + QUEUE_DEFAULTS.maxReceiveCount * poisons.length,
      );
      // So their effect was there long before any poison reached the DLQ, which takes it three
      // visibility timeouts from its first receive.
      expect(neighboursProcessedAt).toBeLessThan(deadLetters.firstArrivedAt - queue.visibilityTimeoutSeconds * 1000);
    },
    150_000,
  );
});
