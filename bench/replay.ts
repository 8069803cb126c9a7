/**
 * Replays a recorded request mix straight at the emulators from the tight client: for N orders,
 * every action the pipeline made is sent N × (its count per order) times, spread evenly over the
 * run and pulled by a pool of workers, so the emulators do the same work per order with no Lambda,
 * no runtime and no waiting in between. The rate at which that completes is the emulators' limit
 * for this workload.
 *
 * Requests are the recorded ones (the proxy keeps a few sample bodies per action), aimed at the
 * replay's copy of the resources, with fresh identifiers:
 * - writes that create items (TransactWriteItems, PutItem) get fresh keys, which feed a pool;
 * - UpdateItem addresses an item the replay created in that table (as the relay and the
 *   order-status consumer update items that exist);
 * - GetItem reads a fresh key (the payment and inventory stores and the Idempotency-Key fast path
 *   find nothing for a new order);
 * - PublishBatch carries as many entries as the pipeline's batches did on average, and fans out
 *   to the replay queues by the same filter policies;
 * - ReceiveMessage does not wait (a long poll that waits costs the emulator nothing), and
 *   DeleteMessageBatch deletes what the replay received;
 * - the stream is read by one sequential lane, as the mapping's one poller per shard reads it.
 */
import { TABLES, type TableRole } from '../src/common/settings';
import type { BenchStack } from './bench-stack';
import { dynamoDbCall, dynamoDbStreamsCall, publishBatchBody, snsCall, sqsCall, type SnsBatchEntry } from './emulator-requests';
import { createHttpClient, type HttpClient } from './http-client';
import { cpuPerOrder, cpuSnapshot, type CpuComponent } from './process-cpu';
import { withFreshIdentities } from './order-fixtures';
import type { Progress } from './progress';
import type { ReplayResources } from './replay-resources';
import type { MixEntry, RequestMix } from './request-mix';
import { summarize, type LatencySummary } from './stats';

export interface ReplayResult {
  readonly orders: number;
  readonly concurrency: number;
  readonly requests: number;
  readonly elapsedMs: number;
  readonly ordersPerSecond: number;
  readonly requestsPerSecond: number;
  readonly failed: number;
  /** Recorded actions the replay could not aim at a copy (e.g. the relay's on-failure queue). */
  readonly skipped: readonly string[];
  /** Latency by `service action` (callers merged). */
  readonly latencyByAction: Readonly<Record<string, LatencySummary>>;
  /** Latency by `caller service action`. */
  readonly latencyByCallerAction: Readonly<Record<string, LatencySummary>>;
  /** CPU milliseconds per order, by component (the emulators' should match the pipeline's). */
  readonly cpuPerOrder: Readonly<Record<CpuComponent, number>>;
}

type Operation = () => Promise<void>;

interface PreparedEntry {
  readonly entry: MixEntry;
  readonly run: Operation;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_POOL = 2_000;

class KeyPools {
  private readonly pools = new Map<string, string[]>();
  private readonly cursors = new Map<string, number>();

  add(table: string, key: string): void {
    const pool = this.pools.get(table) ?? [];
    pool.push(key);
    if (pool.length > MAX_POOL) pool.shift();
    this.pools.set(table, pool);
  }

  /** Keys are reused round-robin: an order's item is updated several times, as in the pipeline. */
  next(table: string): string | undefined {
    const pool = this.pools.get(table);
    if (pool === undefined || pool.length === 0) return undefined;
    const cursor = (this.cursors.get(table) ?? 0) % pool.length;
    this.cursors.set(table, cursor + 1);
    return pool[cursor];
  }
}

interface AttributeValue {
  readonly S?: string;
}

/** Partition key attribute of a pipeline table, by its name. */
function keyAttributeOf(tableNames: Readonly<Record<TableRole, string>>, tableName: string): string | undefined {
  const role = (Object.keys(tableNames) as TableRole[]).find((candidate) => tableNames[candidate] === tableName);
  return role === undefined ? undefined : TABLES[role].partitionKey;
}

/** The (table, key value) pairs a DynamoDB request body creates or addresses. */
function keysOf(action: string, body: string, tableNames: Readonly<Record<TableRole, string>>): { table: string; key: string }[] {
  const parsed = JSON.parse(body) as {
    TableName?: string;
    Item?: Record<string, AttributeValue>;
    Key?: Record<string, AttributeValue>;
    TransactItems?: { Put?: { TableName: string; Item: Record<string, AttributeValue> } }[];
  };
  const keyOf = (table: string, item: Record<string, AttributeValue> | undefined): { table: string; key: string }[] => {
    const attribute = keyAttributeOf(tableNames, table);
    const value = attribute === undefined ? undefined : item?.[attribute]?.S;
    return value !== undefined && UUID.test(value) ? [{ table, key: value }] : [];
  };
  if (action === 'TransactWriteItems') return (parsed.TransactItems ?? []).flatMap((item) => (item.Put === undefined ? [] : keyOf(item.Put.TableName, item.Put.Item)));
  if (parsed.TableName === undefined) return [];
  if (action === 'PutItem') return keyOf(parsed.TableName, parsed.Item);
  if (action === 'UpdateItem' || action === 'DeleteItem') return keyOf(parsed.TableName, parsed.Key);
  return [];
}

function retargetTables(body: string, resources: ReplayResources): string {
  let retargeted = body;
  for (const [name, replayName] of resources.tables) retargeted = retargeted.replaceAll(`"${name}"`, `"${replayName}"`);
  return retargeted;
}

function snsEntriesOf(sample: string): SnsBatchEntry[] {
  const parameters = new URLSearchParams(sample);
  if (parameters.get('Action') === 'Publish') {
    const attributes: Record<string, string> = {};
    for (let index = 1; parameters.has(`MessageAttributes.entry.${index}.Name`); index += 1) {
      attributes[parameters.get(`MessageAttributes.entry.${index}.Name`) ?? ''] = parameters.get(`MessageAttributes.entry.${index}.Value.StringValue`) ?? '';
    }
    return [{ message: parameters.get('Message') ?? '', attributes }];
  }
  const entries: SnsBatchEntry[] = [];
  for (let index = 1; parameters.has(`PublishBatchRequestEntries.member.${index}.Id`); index += 1) {
    const member = `PublishBatchRequestEntries.member.${index}`;
    const attributes: Record<string, string> = {};
    for (let attribute = 1; parameters.has(`${member}.MessageAttributes.entry.${attribute}.Name`); attribute += 1) {
      const prefix = `${member}.MessageAttributes.entry.${attribute}`;
      attributes[parameters.get(`${prefix}.Name`) ?? ''] = parameters.get(`${prefix}.Value.StringValue`) ?? '';
    }
    entries.push({ message: parameters.get(`${member}.Message`) ?? '', attributes });
  }
  return entries;
}

/** Spreads `total` over `count` calls as evenly as whole numbers allow (1 at least each). */
function evenShare(total: number, count: number, index: number): number {
  return Math.max(1, Math.floor(((index + 1) * total) / count) - Math.floor((index * total) / count));
}

interface ReplayContext {
  readonly stack: BenchStack;
  readonly resources: ReplayResources;
  readonly dynamodb: HttpClient;
  readonly messaging: HttpClient;
  readonly keys: KeyPools;
  /** Receipt handles received per replay queue URL, for the deletes. */
  readonly handles: Map<string, string[]>;
}

/** Prepares one mix entry's operation, or says why it cannot be replayed. */
function prepare(entry: MixEntry, context: ReplayContext, callsPlanned: number): Operation | string {
  const { resources, stack } = context;
  const sample = (index: number): string => entry.samples[index % entry.samples.length] ?? '';
  if (entry.samples.length === 0 && entry.service !== 'sqs') return 'no sample body recorded';
  let calls = 0;

  switch (entry.service) {
    case 'dynamodb': {
      const templates = entry.samples.map((body) => ({ body: retargetTables(body, resources), keys: keysOf(entry.action, body, stack.resources.tableNames) }));
      const creates = entry.action === 'TransactWriteItems' || entry.action === 'PutItem';
      const addresses = entry.action === 'UpdateItem' || entry.action === 'DeleteItem';
      return async () => {
        const template = templates[calls % templates.length];
        calls += 1;
        if (template === undefined) return;
        const preset = new Map<string, string>();
        if (addresses) {
          for (const { table, key } of template.keys) {
            const existing = context.keys.next(resources.tables.get(table) ?? table);
            if (existing !== undefined) preset.set(key, existing);
          }
        }
        const created: { table: string; key: string }[] = [];
        const body = withFreshIdentities(
          template.body,
          creates
            ? (original, fresh) => {
                const key = template.keys.find((candidate) => candidate.key === original);
                if (key !== undefined) created.push({ table: resources.tables.get(key.table) ?? key.table, key: fresh });
              }
            : undefined,
          preset,
        );
        // A refused condition is an answer the pipeline gets too (a duplicate, an item already final).
        await dynamoDbCall(context.dynamodb, entry.action, body, {
          acceptErrors: ['ConditionalCheckFailed', 'TransactionCanceled'],
        });
        for (const { table, key } of created) context.keys.add(table, key);
      };
    }
    case 'sns': {
      const entries = entry.samples.flatMap(snsEntriesOf);
      if (entries.length === 0) return 'no publish entries in the samples';
      const totalEntries = Math.round(entry.entriesPerRequest * callsPlanned);
      return async () => {
        const count = Math.min(10, evenShare(totalEntries, callsPlanned, calls));
        const batch = Array.from({ length: count }, (_, index) => entries[(calls + index) % entries.length] as SnsBatchEntry);
        calls += 1;
        await snsCall(context.messaging, withFreshIdentities(publishBatchBody(resources.topicArn, batch)));
      };
    }
    case 'sqs': {
      const queueUrl = resources.queues.get(entry.resource);
      if (queueUrl === undefined) return `no replay copy of queue ${entry.resource}`;
      const handles = context.handles.get(queueUrl) ?? [];
      context.handles.set(queueUrl, handles);
      if (entry.action === 'ReceiveMessage') {
        const maxMessages = Number(/"MaxNumberOfMessages":(\d+)/.exec(sample(0))?.[1] ?? 10);
        const body = JSON.stringify({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        });
        return async () => {
          const response = (await sqsCall(context.messaging, 'ReceiveMessage', body)) as { Messages?: { ReceiptHandle?: string }[] };
          for (const message of response.Messages ?? []) if (message.ReceiptHandle !== undefined) handles.push(message.ReceiptHandle);
        };
      }
      if (entry.action === 'DeleteMessageBatch' || entry.action === 'DeleteMessage') {
        const totalEntries = Math.round(entry.entriesPerRequest * callsPlanned);
        return async () => {
          const count = entry.action === 'DeleteMessage' ? 1 : Math.min(10, evenShare(totalEntries, callsPlanned, calls));
          calls += 1;
          const taken = handles.splice(0, count);
          // Nothing received yet: delete an unknown handle, which costs the emulator a lookup too.
          const receipts = taken.length > 0 ? taken : ['bench-replay-no-handle'];
          if (entry.action === 'DeleteMessage') {
            await sqsCall(context.messaging, 'DeleteMessage', JSON.stringify({ QueueUrl: queueUrl, ReceiptHandle: receipts[0] })).catch(() => undefined);
            return;
          }
          await sqsCall(
            context.messaging,
            'DeleteMessageBatch',
            JSON.stringify({ QueueUrl: queueUrl, Entries: receipts.map((receipt, index) => ({ Id: String(index), ReceiptHandle: receipt })) }),
          );
        };
      }
      if (entry.samples.length === 0) return 'no sample body recorded';
      return async () => {
        const body = sample(calls).replace(/"QueueUrl":"[^"]*"/, `"QueueUrl":"${queueUrl}"`);
        calls += 1;
        await sqsCall(context.messaging, entry.action, withFreshIdentities(body));
      };
    }
    default:
      return `service ${entry.service} is not replayed`;
  }
}

/** The stream lane: reads the replay outbox stream in order, as the mapping's shard poller does. */
async function replayStreamReads(context: ReplayContext, calls: number): Promise<number[]> {
  const latencies: number[] = [];
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const startedAt = performance.now();
    const result = await call();
    latencies.push(performance.now() - startedAt);
    return result;
  };
  const description = (await timed(() =>
    dynamoDbStreamsCall(context.dynamodb, 'DescribeStream', JSON.stringify({ StreamArn: context.resources.outboxStreamArn })),
  )) as { StreamDescription?: { Shards?: { ShardId: string }[] } };
  const shardId = description.StreamDescription?.Shards?.at(-1)?.ShardId;
  if (shardId === undefined) return latencies;
  const takeIterator = async (): Promise<string | undefined> =>
    (
      (await timed(() =>
        dynamoDbStreamsCall(
          context.dynamodb,
          'GetShardIterator',
          JSON.stringify({ StreamArn: context.resources.outboxStreamArn, ShardId: shardId, ShardIteratorType: 'LATEST' }),
        ),
      )) as { ShardIterator?: string }
    ).ShardIterator;
  let iterator = await takeIterator();
  for (let call = 0; call < calls && iterator !== undefined; call += 1) {
    try {
      const output = (await timed(() =>
        dynamoDbStreamsCall(context.dynamodb, 'GetRecords', JSON.stringify({ ShardIterator: iterator, Limit: 1000 })),
      )) as { NextShardIterator?: string };
      iterator = output.NextShardIterator;
    } catch {
      // DynamoDB Local's first read after a shard's first write (see LOCAL-STACK-NOTES): a new iterator.
      iterator = await takeIterator();
    }
  }
  return latencies;
}

export async function replayMix(
  stack: BenchStack,
  resources: ReplayResources,
  mix: RequestMix,
  options: { readonly orders: number; readonly concurrency: number },
  progress: Progress,
  label: string,
): Promise<ReplayResult> {
  const context: ReplayContext = {
    stack,
    resources,
    dynamodb: createHttpClient(stack.endpoints.dynamodb, options.concurrency + 4),
    messaging: createHttpClient(stack.endpoints.snsSqs, options.concurrency + 4),
    keys: new KeyPools(),
    handles: new Map(),
  };
  const skipped: string[] = [];
  const prepared: PreparedEntry[] = [];
  let streamCalls = 0;
  for (const entry of mix.entries) {
    const calls = Math.round(entry.perOrder * options.orders);
    if (calls === 0) continue;
    if (entry.service === 'dynamodbstreams') {
      if (entry.action === 'GetRecords') streamCalls += calls;
      continue;
    }
    const operation = prepare(entry, context, calls);
    if (typeof operation === 'string') skipped.push(`${entry.caller} ${entry.service} ${entry.action} ${entry.resource}: ${operation}`);
    else prepared.push({ entry, run: operation });
  }

  // Each order's share of every action, in order: the mix stays even over the whole run.
  const plan: PreparedEntry[] = [];
  for (let order = 0; order < options.orders; order += 1) {
    for (const item of prepared) {
      const due = Math.floor((order + 1) * item.entry.perOrder) - Math.floor(order * item.entry.perOrder);
      for (let call = 0; call < due; call += 1) plan.push(item);
    }
  }

  const latencies = new Map<string, number[]>();
  const record = (key: string, latency: number): void => {
    const values = latencies.get(key) ?? [];
    values.push(latency);
    latencies.set(key, values);
  };
  let next = 0;
  let failed = 0;
  progress.startPhase(label, plan.length);
  const cpuBefore = cpuSnapshot(stack.processGroups());
  const startedAt = performance.now();
  try {
    const [streamLatencies] = await Promise.all([
      replayStreamReads(context, streamCalls),
      ...Array.from({ length: options.concurrency }, async () => {
        while (next < plan.length) {
          const item = plan[next] as PreparedEntry;
          next += 1;
          const callStartedAt = performance.now();
          try {
            await item.run();
            record(`${item.entry.caller} ${item.entry.service} ${item.entry.action}`, performance.now() - callStartedAt);
          } catch {
            failed += 1;
          }
          progress.update(next, `${Math.round(next / ((performance.now() - startedAt) / 1000))} requests/s`);
        }
      }),
    ]);
    for (const latency of streamLatencies) record('event-source-mappings dynamodbstreams GetRecords', latency);
  } finally {
    context.dynamodb.destroy();
    context.messaging.destroy();
  }
  const elapsedMs = performance.now() - startedAt;
  const cpu = cpuPerOrder(cpuBefore, cpuSnapshot(stack.processGroups()), options.orders);
  const byAction = new Map<string, number[]>();
  for (const [key, values] of latencies) {
    const action = key.split(' ').slice(1).join(' ');
    byAction.set(action, [...(byAction.get(action) ?? []), ...values]);
  }
  const requests = plan.length + streamCalls;
  return {
    orders: options.orders,
    concurrency: options.concurrency,
    requests,
    elapsedMs,
    ordersPerSecond: options.orders / (elapsedMs / 1000),
    requestsPerSecond: requests / (elapsedMs / 1000),
    failed,
    skipped,
    latencyByAction: Object.fromEntries([...byAction].map(([key, values]) => [key, summarize(values)])),
    latencyByCallerAction: Object.fromEntries([...latencies].map(([key, values]) => [key, summarize(values)])),
    cpuPerOrder: cpu,
  };
}
