/**
 * What the bench reads back from the stack: the orders it placed (for the invariant checker), the
 * depth of every queue, when the pipeline has drained, and the items of given orders (completion
 * times, relay lag). Reads go straight to the emulators, never through the recording proxy.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { BatchGetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_STATUS } from '../src/common/outbox-item';
import { QUEUE_CONSUMERS, TABLES, type TableRole } from '../src/common/settings';
import type { AcceptedOrder } from '../test/local/support/invariants';
import type { BenchStack } from './bench-stack';

/** Every order the bench had written (202 from the API, or a raw transaction), for the invariants. */
export class AcceptedOrders {
  private readonly orders: AcceptedOrder[] = [];

  add(orderId: string, idempotencyKey: string): void {
    this.orders.push({ orderId, idempotencyKey, paymentOutcome: 'approved', inventoryOutcome: 'reserved' });
  }

  get all(): readonly AcceptedOrder[] {
    return this.orders;
  }

  get count(): number {
    return this.orders.length;
  }
}

export interface QueueDepth {
  readonly consumerId: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly deadLetters: number;
}

/**
 * `ApproximateNumberOfMessages*` of every consumer queue and DLQ. fauxqs refreshes them when a
 * queue is received from; the mappings' pollers receive all the time, so they are current here.
 */
export async function queueDepths(stack: BenchStack): Promise<QueueDepth[]> {
  return Promise.all(
    QUEUE_CONSUMERS.map(async (consumer) => {
      const queue = stack.resources.queues[consumer.id];
      if (queue === undefined) throw new Error(`no queue for ${consumer.id}`);
      const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;
      const [{ Attributes: main = {} }, { Attributes: dlq = {} }] = await Promise.all([
        stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: [...names] })),
        stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.dlqUrl, AttributeNames: [...names] })),
      ]);
      return {
        consumerId: consumer.id,
        visible: Number(main.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(main.ApproximateNumberOfMessagesNotVisible ?? 0),
        deadLetters: Number(dlq.ApproximateNumberOfMessages ?? 0) + Number(dlq.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    }),
  );
}

/** Items of a table matching `status = value`, counted by a scan (only when the queues look empty). */
async function countWithStatus(stack: BenchStack, role: TableRole, status: string): Promise<number> {
  let count = 0;
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await stack.ddb.send(
      new ScanCommand({
        TableName: stack.resources.tableNames[role],
        Select: 'COUNT',
        FilterExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    count += page.Count ?? 0;
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return count;
}

export interface DrainObservation {
  /** Milliseconds since `since`. */
  readonly atMs: number;
  readonly depths: readonly QueueDepth[];
}

export interface DrainResult {
  readonly drained: boolean;
  /** When every queue was first seen empty with nothing pending (ms since `since`). */
  readonly drainedAtMs: number | undefined;
  readonly observations: readonly DrainObservation[];
}

const DRAIN_POLL_INTERVAL_MS = 500;

async function nothingPending(stack: BenchStack, orderIds: readonly string[] | undefined): Promise<boolean> {
  if (orderIds !== undefined) {
    const orders = await readItems(stack, 'orders', orderIds);
    return orderIds.every((orderId) => {
      const status = orders.get(orderId)?.status;
      return status !== undefined && status !== 'PENDING';
    });
  }
  const [pendingOutbox, pendingOrders] = await Promise.all([
    countWithStatus(stack, 'outbox', OUTBOX_STATUS.pending),
    countWithStatus(stack, 'orders', 'PENDING'),
  ]);
  return pendingOutbox === 0 && pendingOrders === 0;
}

/**
 * Polls the queues until every one is empty (nothing visible, nothing in flight) and no order is
 * still PENDING, or the deadline passes. Orders are only read once the queues look empty, so the
 * polling stays cheap while the pipeline works: the given `orderIds` (BatchGetItem), or, without
 * them, every order and outbox item (a scan).
 */
export async function waitForDrain(
  stack: BenchStack,
  options: {
    readonly since: number;
    readonly timeoutMs: number;
    readonly orderIds?: readonly string[];
    readonly onTick?: (observation: DrainObservation) => void;
  },
): Promise<DrainResult> {
  const deadline = Date.now() + options.timeoutMs;
  const observations: DrainObservation[] = [];
  for (;;) {
    const depths = await queueDepths(stack);
    const observation = { atMs: Date.now() - options.since, depths };
    observations.push(observation);
    options.onTick?.(observation);
    const queuesEmpty = depths.every((depth) => depth.visible === 0 && depth.inFlight === 0);
    if (queuesEmpty && (await nothingPending(stack, options.orderIds))) {
      return { drained: true, drainedAtMs: observation.atMs, observations };
    }
    if (Date.now() >= deadline) return { drained: false, drainedAtMs: undefined, observations };
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_INTERVAL_MS));
  }
}

/** Items by key, read 100 at a time with BatchGetItem (strongly consistent). */
export async function readItems(
  stack: BenchStack,
  role: TableRole,
  keys: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const tableName = stack.resources.tableNames[role];
  const keyName = TABLES[role].partitionKey;
  const items = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < keys.length; start += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [tableName]: { Keys: keys.slice(start, start + 100).map((key) => ({ [keyName]: key })), ConsistentRead: true },
    };
    while (request !== undefined && Object.keys(request).length > 0) {
      const response = await stack.ddb.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of response.Responses?.[tableName] ?? []) items.set(String(item[keyName]), item);
      request = response.UnprocessedKeys as typeof request;
    }
  }
  return items;
}

/** Average stored size (bytes, as DynamoDB counts it) of a sample of a table's items. */
export function dynamoDbItemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).replace(/^-/, '').replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((total: number, element) => total + 1 + valueBytes(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((total, [name, element]) => total + 1 + Buffer.byteLength(name) + valueBytes(element), 0);
  }
  return 0;
}
