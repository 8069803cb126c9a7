/**
 * Everything stored about one order, read item by item by key (no scans): the order, its outbox
 * item (keyed by the order's `eventId`), its Idempotency-Key claim, the payment and inventory
 * decisions (keyed by `orderId`), the notifications (keyed by the outcome events' ids), DLQ
 * messages that mention it (peeked) and, locally, its trace segments.
 */
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { readTraceSegments, segmentsForOrder, type TraceSegmentDocument } from '../infra/local/runtime/trace-store';
import { TABLES, type TableRole } from '../src/common/settings';
import { describeDeadLetter, mentionsOrder, type DeadLetterSummary } from './dead-letter-message';
import type { OpsClients } from './ops-clients';
import type { OpsTarget } from './ops-target';
import { totalMessages } from './queue-depth';

export type StoredItem = Readonly<Record<string, unknown>>;

export interface DeadLetterOfOrder {
  readonly consumerId: string;
  readonly queueName: string;
  readonly message: DeadLetterSummary;
}

export interface OrderFacts {
  readonly orderId: string;
  readonly order: StoredItem | undefined;
  readonly outbox: StoredItem | undefined;
  readonly idempotency: StoredItem | undefined;
  readonly payment: StoredItem | undefined;
  readonly inventory: StoredItem | undefined;
  readonly notifications: readonly StoredItem[];
  readonly deadLetters: readonly DeadLetterOfOrder[];
  /** DLQs holding more messages than were peeked: a match may have been missed. */
  readonly deadLetterQueuesNotFullyPeeked: readonly string[];
  /** `undefined`: no trace store (AWS, or a local stack that records none). */
  readonly traceSegments: readonly TraceSegmentDocument[] | undefined;
}

/** Messages peeked per DLQ when looking for an order's. */
const DEAD_LETTER_PEEK_LIMIT = 100;

export async function collectOrderFacts(target: OpsTarget, clients: OpsClients, orderId: string): Promise<OrderFacts> {
  const get = async (role: TableRole, key: string | undefined): Promise<StoredItem | undefined> => {
    if (key === undefined) return undefined;
    const { Item } = await clients.documents.send(
      new GetCommand({ TableName: target.tableNames[role], Key: { [TABLES[role].partitionKey]: key }, ConsistentRead: true }),
    );
    return Item;
  };

  const [order, payment, inventory, deadLetterScan] = await Promise.all([
    get('orders', orderId),
    get('payments', orderId),
    get('inventory', orderId),
    findDeadLetters(target, clients, orderId),
  ]);
  const [outbox, idempotency, notifications] = await Promise.all([
    get('outbox', stringField(order, 'eventId')),
    get('idempotency', stringField(order, 'idempotencyKey')),
    getNotifications(target, clients, [stringField(payment, 'outcomeEventId'), stringField(inventory, 'outcomeEventId')]),
  ]);
  return {
    orderId,
    order,
    outbox,
    idempotency,
    payment,
    inventory,
    notifications,
    ...deadLetterScan,
    traceSegments: target.local === undefined ? undefined : readOrderTraces(target.local.dataDir, orderId),
  };
}

/** A notification's id is the outcome event's id: exactly one notification per outcome. */
async function getNotifications(
  target: OpsTarget,
  clients: OpsClients,
  outcomeEventIds: readonly (string | undefined)[],
): Promise<StoredItem[]> {
  const ids = outcomeEventIds.filter((id) => id !== undefined);
  if (ids.length === 0) return [];
  const table = target.tableNames.notifications;
  const { Responses } = await clients.documents.send(
    new BatchGetCommand({
      RequestItems: { [table]: { Keys: ids.map((id) => ({ [TABLES.notifications.partitionKey]: id })), ConsistentRead: true } },
    }),
  );
  return Responses?.[table] ?? [];
}

async function findDeadLetters(
  target: OpsTarget,
  clients: OpsClients,
  orderId: string,
): Promise<Pick<OrderFacts, 'deadLetters' | 'deadLetterQueuesNotFullyPeeked'>> {
  const perQueue = await Promise.all(
    target.consumers.map(async (consumer) => {
      const total = totalMessages(await clients.queues.depth(consumer.deadLetterQueue));
      if (total === 0) return { found: [], partial: false, queueName: consumer.deadLetterQueue.name };
      // A DLQ has no redrive policy: it can always be peeked.
      const messages = (await clients.queues.peek(consumer.deadLetterQueue, Math.min(total, DEAD_LETTER_PEEK_LIMIT)))?.messages ?? [];
      return {
        queueName: consumer.deadLetterQueue.name,
        partial: messages.length < total,
        found: messages
          .filter((message) => mentionsOrder(message, orderId))
          .map((message) => ({ consumerId: consumer.consumerId, queueName: consumer.deadLetterQueue.name, message: describeDeadLetter(message) })),
      };
    }),
  );
  return {
    deadLetters: perQueue.flatMap((queue) => queue.found),
    deadLetterQueuesNotFullyPeeked: perQueue.filter((queue) => queue.partial).map((queue) => queue.queueName),
  };
}

/** The local trace store (infra/local/runtime/trace-store.ts); none recorded yet reads as absent. */
function readOrderTraces(dataDir: string, orderId: string): TraceSegmentDocument[] | undefined {
  const documents = readTraceSegments(dataDir);
  return documents.length === 0 ? undefined : segmentsForOrder(documents, orderId);
}

export function stringField(item: StoredItem | undefined, name: string): string | undefined {
  const value = item?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
